package org.jnmf;

/** Which entries of V are missing (unobserved), so that the loss and the updates leave them out. */
public enum Missing {
    /** Every entry is observed; a NaN is an error. */
    NONE,
    /** NaN entries are missing. */
    NAN,
    /** Zero entries are missing (rating matrices: only the stored ratings are observed). */
    ZEROS;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
