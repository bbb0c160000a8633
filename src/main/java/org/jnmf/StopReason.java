package org.jnmf;

/** Why a fit stopped. */
public enum StopReason {
    /** The relative decrease of the error fell below the tolerance. */
    CONVERGED,
    /** The projected-gradient (KKT) norm fell below its tolerance times its initial value. */
    STATIONARY,
    /** The iteration budget was used up. */
    MAX_ITERATIONS,
    /** The wall-time limit was reached. */
    TIME_LIMIT,
    /** Another thread cancelled the fit. */
    CANCELLED;

    /** The lower-case name used in summaries: {@code converged}, {@code max_iterations}, ... */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
