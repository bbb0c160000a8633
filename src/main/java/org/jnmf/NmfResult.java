package org.jnmf;

/**
 * What a fit produced and how it went. Immutable.
 *
 * <p>The loss is the objective the fit minimises: the β-divergence D(V ‖ WH) of {@link #lossName()}
 * (½‖V − WH‖²_F for scikit-learn's {@code frobenius}) plus the regularisation penalties, if any
 * ({@link #dataLoss()} is the divergence alone). The history holds one value per check, the first before
 * any iteration, with the iteration count of each check beside it.
 */
public final class NmfResult implements Cloneable {
    // Not final: withFactors() and withRestarts() set them on a copy, before the result is handed out.
    private DenseMatrix w;
    private DenseMatrix h;
    private double[] restartLosses;
    private long[] restartSeeds;
    private int bestRestart;
    private final int iterations;
    private final StopReason stopReason;
    private final double[] lossHistory;
    private final int[] checkIterations;
    private final double relativeError;
    private final double seconds;
    private final String backend;
    private final String backendReason;
    private final Algorithm algorithm;
    private final Initialization initialization;
    private final Precision precision;
    private final Stopping stopping;

    /**
     * The stopping figures: the loss's name, the final divergence without penalties, ‖∇ᴾ f‖_F at each check
     * and the last relative decrease of the error √(2·loss) between checks (NaN before the first).
     */
    record Stopping(String lossName, double dataLoss, double[] projectedGradientHistory, double relativeDecrease) {
    }

    NmfResult(DenseMatrix w, DenseMatrix h, int iterations, StopReason stopReason, double[] lossHistory,
              int[] checkIterations, double relativeError, double seconds, String backend, String backendReason,
              Algorithm algorithm, Initialization initialization, Precision precision) {
        this(w, h, iterations, stopReason, lossHistory, checkIterations, relativeError, seconds, backend, backendReason,
                algorithm, initialization, precision, null);
    }

    NmfResult(DenseMatrix w, DenseMatrix h, int iterations, StopReason stopReason, double[] lossHistory,
              int[] checkIterations, double relativeError, double seconds, String backend, String backendReason,
              Algorithm algorithm, Initialization initialization, Precision precision, Stopping stopping) {
        this.w = w;
        this.h = h;
        this.iterations = iterations;
        this.stopReason = stopReason;
        this.lossHistory = lossHistory.clone();
        this.checkIterations = checkIterations.clone();
        this.relativeError = relativeError;
        this.seconds = seconds;
        this.backend = backend;
        this.backendReason = backendReason;
        this.algorithm = algorithm;
        this.initialization = initialization;
        this.precision = precision;
        this.stopping = stopping;
    }

    /** W (n×k), the basis: one column per component. */
    public DenseMatrix w() {
        return w;
    }

    /** H (k×m), the coefficients: one row per component. */
    public DenseMatrix h() {
        return h;
    }

    public int rank() {
        return w.cols();
    }

    /** Iterations done (each updates W, then H). */
    public int iterations() {
        return iterations;
    }

    public StopReason stopReason() {
        return stopReason;
    }

    public boolean converged() {
        return stopReason == StopReason.CONVERGED || stopReason == StopReason.STATIONARY;
    }

    /** The loss (with penalties) at each check, the first before the first iteration. */
    public double[] lossHistory() {
        return lossHistory.clone();
    }

    /** The iteration count at which each entry of {@link #lossHistory()} was taken. */
    public int[] checkIterations() {
        return checkIterations.clone();
    }

    /** Final loss, penalties included. */
    public double loss() {
        return lossHistory[lossHistory.length - 1];
    }

    /** Final ‖V − WH‖_F / ‖V‖_F. */
    public double relativeError() {
        return relativeError;
    }

    /** Wall time of initialisation plus iterations, in seconds. */
    public double seconds() {
        return seconds;
    }

    /** The backend that ran ({@code java}, {@code cuda}, ...). */
    public String backend() {
        return backend;
    }

    /** Why that backend was chosen (and why others were not). */
    public String backendReason() {
        return backendReason;
    }

    public Algorithm algorithm() {
        return algorithm;
    }

    public Initialization initialization() {
        return initialization;
    }

    public Precision precision() {
        return precision;
    }

    /** The mean Hoyer sparseness of W's columns (0: dense, 1: one non-zero each); see {@link org.jnmf.analysis.Quality}. */
    public double sparsenessW() {
        return org.jnmf.analysis.Quality.sparsenessOfColumns(w);
    }

    /** The mean Hoyer sparseness of H's rows; see {@link org.jnmf.analysis.Quality}. */
    public double sparsenessH() {
        return org.jnmf.analysis.Quality.sparsenessOfRows(h);
    }

    /**
     * The final loss of every run when the options asked for several {@link NmfOptions#restarts()}, in run
     * order (fewer than asked for when a run was cancelled or the time limit ended the series); a single
     * entry, this result's loss, for a single run.
     */
    public double[] restartLosses() {
        return restartLosses == null ? new double[] {loss()} : restartLosses.clone();
    }

    /** The seed of each run in {@link #restartLosses()}. */
    public long[] restartSeeds() {
        return restartSeeds == null ? new long[0] : restartSeeds.clone();
    }

    /** Which run of {@link #restartLosses()} this result is (0 for a single run). */
    public int bestRestart() {
        return bestRestart;
    }

    /** A copy with other factors (normalised or reordered ones). */
    NmfResult withFactors(DenseMatrix w, DenseMatrix h) {
        NmfResult copy = copy();
        copy.w = w;
        copy.h = h;
        return copy;
    }

    /** A copy that records a series of runs it is the best of. */
    NmfResult withRestarts(double[] losses, long[] seeds, int best) {
        NmfResult copy = copy();
        copy.restartLosses = losses.clone();
        copy.restartSeeds = seeds.clone();
        copy.bestRestart = best;
        return copy;
    }

    private NmfResult copy() {
        try {
            return (NmfResult) clone();
        } catch (CloneNotSupportedException e) {
            throw new AssertionError(e);
        }
    }

    /** The loss minimised: frobenius, kl, is or beta=B. */
    public String lossName() {
        return stopping == null ? "frobenius" : stopping.lossName();
    }

    /** The final divergence D(V ‖ WH) without the regularisation penalties (equal to {@link #loss()} without them). */
    public double dataLoss() {
        return stopping == null ? loss() : stopping.dataLoss();
    }

    /** ‖∇ᴾ f(W, H)‖_F (projected gradient, Lin 2007; f the loss with penalties) at each check. */
    public double[] projectedGradientHistory() {
        return stopping == null ? new double[0] : stopping.projectedGradientHistory().clone();
    }

    /**
     * The final ‖∇ᴾ f‖_F relative to its value at the start: the figure {@link NmfOptions#kktTolerance()}
     * tests (NaN when unknown; 0 when the start was already stationary).
     */
    public double relativeProjectedGradient() {
        if (stopping == null || stopping.projectedGradientHistory().length == 0) {
            return Double.NaN;
        }
        double[] g = stopping.projectedGradientHistory();
        return g[0] > 0 ? g[g.length - 1] / g[0] : 0;
    }

    /**
     * The last decrease of the error √(2·loss) between two checks relative to the initial error: the figure
     * {@link NmfOptions#tolerance()} tests (NaN before the first check after the start).
     */
    public double relativeDecrease() {
        return stopping == null ? Double.NaN : stopping.relativeDecrease();
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT,
                "NmfResult[rank=%d, %s, %d iterations, %s, relative error %.6g, %.3f s, backend %s]",
                rank(), algorithm.label(), iterations, stopReason.label(), relativeError, seconds, backend);
    }
}
