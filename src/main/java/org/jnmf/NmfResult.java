package org.jnmf;

/**
 * What a fit produced and how it went. Immutable.
 *
 * <p>The loss is ½‖V − WH‖²_F (scikit-learn's {@code frobenius} β-divergence); the history holds one
 * value per check, the first before any iteration, with the iteration count of each check beside it.
 */
public final class NmfResult {
    private final DenseMatrix w;
    private final DenseMatrix h;
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

    NmfResult(DenseMatrix w, DenseMatrix h, int iterations, StopReason stopReason, double[] lossHistory,
              int[] checkIterations, double relativeError, double seconds, String backend, String backendReason,
              Algorithm algorithm, Initialization initialization, Precision precision) {
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
        return stopReason == StopReason.CONVERGED;
    }

    /** ½‖V − WH‖²_F at each check, the first before the first iteration. */
    public double[] lossHistory() {
        return lossHistory.clone();
    }

    /** The iteration count at which each entry of {@link #lossHistory()} was taken. */
    public int[] checkIterations() {
        return checkIterations.clone();
    }

    /** Final ½‖V − WH‖²_F. */
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

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT,
                "NmfResult[rank=%d, %s, %d iterations, %s, relative error %.6g, %.3f s, backend %s]",
                rank(), algorithm.label(), iterations, stopReason.label(), relativeError, seconds, backend);
    }
}
