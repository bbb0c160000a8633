package org.jnmf;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Everything a fit can be told, with scikit-learn's defaults where it has one. Immutable; build with
 * {@link #rank(int)} or {@link #builder(int)}.
 *
 * <table>
 *   <caption>Defaults</caption>
 *   <tr><td>algorithm</td><td>HALS</td></tr>
 *   <tr><td>initialization</td><td>NNDSVDA when rank ≤ min(n, m), else RANDOM (RANDOM with restarts)</td></tr>
 *   <tr><td>seed</td><td>0</td></tr>
 *   <tr><td>maxIterations</td><td>200</td></tr>
 *   <tr><td>tolerance</td><td>1e-4 (0 disables the convergence test)</td></tr>
 *   <tr><td>checkInterval</td><td>10 iterations</td></tr>
 *   <tr><td>timeLimit</td><td>none</td></tr>
 *   <tr><td>precision</td><td>that of the input</td></tr>
 *   <tr><td>threads</td><td>all available processors</td></tr>
 *   <tr><td>backend</td><td>{@code auto} (or the system property {@code jnmf.backend})</td></tr>
 *   <tr><td>floor</td><td>0 (off)</td></tr>
 *   <tr><td>restarts</td><td>1</td></tr>
 *   <tr><td>normalization</td><td>NONE</td></tr>
 *   <tr><td>sortComponents</td><td>false</td></tr>
 *   <tr><td>tf32</td><td>false (or the system property {@code jnmf.cuda.tf32})</td></tr>
 *   <tr><td>beta</td><td>2 (Frobenius loss)</td></tr>
 *   <tr><td>l1W, l2W, l1H, l2H</td><td>0 (no regularisation)</td></tr>
 *   <tr><td>kktTolerance</td><td>0 (off)</td></tr>
 *   <tr><td>acceleration</td><td>0.5 with HALS on the Frobenius loss (accelerated HALS), else 0</td></tr>
 *   <tr><td>missing, mask</td><td>none (every entry observed)</td></tr>
 * </table>
 */
public final class NmfOptions {
    /**
     * The default α of accelerated HALS: Gillis and Glineur's choice, and on our benchmarks
     * ({@code benchmarks/results/rcppml-time-to-error-2026-12-07.md}) the setting that reached a given error
     * first in nearly every case, in 10–40× fewer iterations than plain HALS on dense data.
     */
    public static final double DEFAULT_ACCELERATION = 0.5;

    private final int rank;
    private final Algorithm algorithm;
    private final Initialization initialization;
    private final long seed;
    private final int maxIterations;
    private final double tolerance;
    private final int checkInterval;
    private final Duration timeLimit;
    private final Precision precision;
    private final int threads;
    private final String backend;
    private final double floor;
    private final int restarts;
    private final Normalization normalization;
    private final boolean sortComponents;
    private final boolean tf32;
    private final Cancellation cancellation;
    private final ProgressListener progress;
    private final DenseMatrix initialW;
    private final DenseMatrix initialH;
    private final double beta;
    private final double l1W;
    private final double l2W;
    private final double l1H;
    private final double l2H;
    private final double kktTolerance;
    private final double acceleration;
    private final int checkpointEvery;
    private final Consumer<Checkpoint> checkpointSink;
    private final Checkpoint resumeFrom;
    private final Missing missing;
    private final Matrix mask;

    private NmfOptions(Builder b) {
        this.rank = b.rank;
        this.algorithm = b.algorithm;
        this.initialization = b.initialization;
        this.seed = b.seed;
        this.maxIterations = b.maxIterations;
        this.tolerance = b.tolerance;
        this.checkInterval = b.checkInterval;
        this.timeLimit = b.timeLimit;
        this.precision = b.precision;
        this.threads = b.threads;
        this.backend = b.backend;
        this.floor = b.floor;
        this.restarts = b.restarts;
        this.normalization = b.normalization;
        this.sortComponents = b.sortComponents;
        this.tf32 = b.tf32;
        this.cancellation = b.cancellation;
        this.progress = b.progress;
        this.initialW = b.initialW;
        this.initialH = b.initialH;
        this.beta = b.beta;
        this.l1W = b.l1W;
        this.l2W = b.l2W;
        this.l1H = b.l1H;
        this.l2H = b.l2H;
        this.kktTolerance = b.kktTolerance;
        this.acceleration = b.acceleration;
        this.checkpointEvery = b.checkpointEvery;
        this.checkpointSink = b.checkpointSink;
        this.resumeFrom = b.resumeFrom;
        this.missing = b.missing;
        this.mask = b.mask;
    }

    /** Default options for the given rank. */
    public static NmfOptions rank(int rank) {
        return builder(rank).build();
    }

    public static Builder builder(int rank) {
        return new Builder(rank);
    }

    /** A builder that starts from these options. */
    public Builder toBuilder() {
        Builder b = new Builder(rank);
        b.algorithm = algorithm;
        b.initialization = initialization;
        b.seed = seed;
        b.maxIterations = maxIterations;
        b.tolerance = tolerance;
        b.checkInterval = checkInterval;
        b.timeLimit = timeLimit;
        b.precision = precision;
        b.threads = threads;
        b.backend = backend;
        b.floor = floor;
        b.restarts = restarts;
        b.normalization = normalization;
        b.sortComponents = sortComponents;
        b.tf32 = tf32;
        b.cancellation = cancellation;
        b.progress = progress;
        b.initialW = initialW;
        b.initialH = initialH;
        b.beta = beta;
        b.l1W = l1W;
        b.l2W = l2W;
        b.l1H = l1H;
        b.l2H = l2H;
        b.kktTolerance = kktTolerance;
        b.acceleration = acceleration;
        b.checkpointEvery = checkpointEvery;
        b.checkpointSink = checkpointSink;
        b.resumeFrom = resumeFrom;
        b.missing = missing;
        b.mask = mask;
        return b;
    }

    public int rank() {
        return rank;
    }

    public Algorithm algorithm() {
        return algorithm;
    }

    /** The initialisation asked for, or null for the default (see {@link #initializationFor}). */
    public Initialization initialization() {
        return initialization;
    }

    /**
     * The initialisation used for an n×m input: the one asked for, else RANDOM for several restarts, else
     * NNDSVDA if rank ≤ min(n, m), else RANDOM.
     */
    public Initialization initializationFor(int rows, int cols) {
        if (initialization != null) {
            return initialization;
        }
        if (restarts > 1) {
            return Initialization.RANDOM;
        }
        return rank <= Math.min(rows, cols) ? Initialization.NNDSVDA : Initialization.RANDOM;
    }

    public long seed() {
        return seed;
    }

    public int maxIterations() {
        return maxIterations;
    }

    public double tolerance() {
        return tolerance;
    }

    public int checkInterval() {
        return checkInterval;
    }

    /** The wall-time limit, or null for none. */
    public Duration timeLimit() {
        return timeLimit;
    }

    /** The precision asked for, or null to follow the input. */
    public Precision precision() {
        return precision;
    }

    public int threads() {
        return threads;
    }

    public String backend() {
        return backend;
    }

    public double floor() {
        return floor;
    }

    /** Number of seeded runs; the one with the lowest final loss is kept (see {@link Builder#restarts}). */
    public int restarts() {
        return restarts;
    }

    public Normalization normalization() {
        return normalization;
    }

    /** Whether components are reordered by weight, largest first (see {@link Builder#sortComponents}). */
    public boolean sortComponents() {
        return sortComponents;
    }

    /** Whether float32 GEMMs on the GPU may use TF32 tensor cores. */
    public boolean tf32() {
        return tf32;
    }

    public Cancellation cancellation() {
        return cancellation;
    }

    /**
     * What stops a fit that started at {@code start} ({@link System#nanoTime}) between iterations:
     * {@link StopReason#CANCELLED} once its cancellation is asked for, else {@link StopReason#TIME_LIMIT}
     * once its time limit has passed, else null (go on).
     */
    public StopReason interruption(long start) {
        if (cancellation != null && cancellation.isCancelled()) {
            return StopReason.CANCELLED;
        }
        if (timeLimit != null && System.nanoTime() - start >= timeLimit.toNanos()) {
            return StopReason.TIME_LIMIT;
        }
        return null;
    }

    public ProgressListener progress() {
        return progress;
    }

    public DenseMatrix initialW() {
        return initialW;
    }

    public DenseMatrix initialH() {
        return initialH;
    }

    /** The β of the β-divergence loss: 2 Frobenius (½‖V − WH‖²_F), 1 generalised Kullback–Leibler, 0 Itakura–Saito. */
    public double beta() {
        return beta;
    }

    /** The loss by name: frobenius, kl, is or beta=B. */
    /** Iterations between checkpoints handed to {@link #checkpointSink()}; 0 when the fit takes none. */
    public int checkpointEvery() {
        return checkpointEvery;
    }

    /** Receives the fit's checkpoints (see {@link Builder#checkpoints}); null when the fit takes none. */
    public Consumer<Checkpoint> checkpointSink() {
        return checkpointSink;
    }

    /** The checkpoint this fit continues from, or null for a fresh start. */
    public Checkpoint resumeFrom() {
        return resumeFrom;
    }

    public String lossLabel() {
        return beta == 2 ? "frobenius" : beta == 1 ? "kl" : beta == 0 ? "is" : "beta=" + beta;
    }

    /** Coefficient of ‖W‖₁ in the objective (see {@link Builder#regularization}). */
    public double l1W() {
        return l1W;
    }

    /** Coefficient of ½‖W‖²_F in the objective. */
    public double l2W() {
        return l2W;
    }

    /** Coefficient of ‖H‖₁ in the objective. */
    public double l1H() {
        return l1H;
    }

    /** Coefficient of ½‖H‖²_F in the objective. */
    public double l2H() {
        return l2H;
    }

    /** Whether any regularisation coefficient is non-zero. */
    public boolean regularized() {
        return l1W > 0 || l2W > 0 || l1H > 0 || l2H > 0;
    }

    /** Stop when ‖∇ᴾ‖_F ≤ kktTolerance · ‖∇ᴾ‖_F at the start; 0: off. */
    public double kktTolerance() {
        return kktTolerance;
    }

    /** Which entries of V are missing (see {@link Builder#missing}); {@link Missing#NONE} with a {@link #mask()}. */
    public Missing missing() {
        return missing;
    }

    /** The 0/1 matrix of observed entries (1) and missing ones (0), or null. */
    public Matrix mask() {
        return mask;
    }

    /**
     * Gillis–Glineur inner-sweep factor α of accelerated HALS; 0: plain HALS. Unless set, {@link
     * #DEFAULT_ACCELERATION} for HALS on the Frobenius loss and 0 for the other algorithms.
     */
    public double acceleration() {
        if (Double.isNaN(acceleration)) {
            return algorithm == Algorithm.HALS && beta == 2 ? DEFAULT_ACCELERATION : 0;
        }
        return acceleration;
    }

    /** Builds {@link NmfOptions}; every setter checks its argument and names the fix. */
    public static final class Builder {
        private final int rank;
        private Algorithm algorithm = Algorithm.HALS;
        private Initialization initialization;
        private long seed;
        private int maxIterations = 200;
        private double tolerance = 1e-4;
        private int checkInterval = 10;
        private Duration timeLimit;
        private Precision precision;
        private int threads = Runtime.getRuntime().availableProcessors();
        private String backend = System.getProperty("jnmf.backend", "auto");
        private double floor;
        private int restarts = 1;
        private Normalization normalization = Normalization.NONE;
        private boolean sortComponents;
        private boolean tf32 = Boolean.getBoolean("jnmf.cuda.tf32");
        private Cancellation cancellation;
        private ProgressListener progress;
        private DenseMatrix initialW;
        private DenseMatrix initialH;
        private double beta = 2;
        private double l1W;
        private double l2W;
        private double l1H;
        private double l2H;
        private double kktTolerance;
        /** NaN until set: then {@link NmfOptions#acceleration()} picks the default for the algorithm. */
        private double acceleration = Double.NaN;
        private boolean algorithmSet;
        private int checkpointEvery;
        private Consumer<Checkpoint> checkpointSink;
        private Checkpoint resumeFrom;
        private Missing missing = Missing.NONE;
        private Matrix mask;

        private Builder(int rank) {
            if (rank < 1) {
                throw new IllegalArgumentException("rank must be at least 1; got " + rank);
            }
            this.rank = rank;
        }

        public Builder algorithm(Algorithm algorithm) {
            this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
            this.algorithmSet = true;
            return this;
        }

        /** The initialisation; null restores the default. */
        public Builder initialization(Initialization initialization) {
            this.initialization = initialization;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder maxIterations(int maxIterations) {
            if (maxIterations < 0) {
                throw new IllegalArgumentException("maxIterations must be ≥ 0; got " + maxIterations);
            }
            this.maxIterations = maxIterations;
            return this;
        }

        /**
         * Stop when (e_prev − e) / e_0 &lt; tolerance between two checks, e being ‖V−WH‖_F (scikit-learn's
         * rule for MU); 0 turns the test off.
         */
        public Builder tolerance(double tolerance) {
            if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
                throw new IllegalArgumentException("tolerance must be a finite number ≥ 0; got " + tolerance);
            }
            this.tolerance = tolerance;
            return this;
        }

        /** Iterations between loss checks (the loss history has one entry per check). */
        public Builder checkInterval(int checkInterval) {
            if (checkInterval < 1) {
                throw new IllegalArgumentException("checkInterval must be at least 1; got " + checkInterval);
            }
            this.checkInterval = checkInterval;
            return this;
        }

        /** Stop after this much wall time (initialisation included); null for no limit. */
        public Builder timeLimit(Duration timeLimit) {
            if (timeLimit != null && (timeLimit.isNegative() || timeLimit.isZero())) {
                throw new IllegalArgumentException("timeLimit must be positive; got " + timeLimit);
            }
            this.timeLimit = timeLimit;
            return this;
        }

        /** Arithmetic precision; null follows the input. */
        public Builder precision(Precision precision) {
            this.precision = precision;
            return this;
        }

        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1; got " + threads);
            }
            this.threads = threads;
            return this;
        }

        /** {@code auto} or a backend name ({@code java}). */
        public Builder backend(String backend) {
            this.backend = Objects.requireNonNull(backend, "backend").toLowerCase(java.util.Locale.ROOT);
            return this;
        }

        /**
         * For multiplicative updates: raise every updated entry to at least {@code floor} (for example
         * 1e-16), which avoids zero-locking. 0 (the default) keeps the plain updates.
         */
        public Builder floor(double floor) {
            if (!(floor >= 0) || Double.isInfinite(floor)) {
                throw new IllegalArgumentException("floor must be a finite number ≥ 0; got " + floor);
            }
            this.floor = floor;
            return this;
        }

        /**
         * Run the fit {@code restarts} times from different random starts and keep the one with the lowest
         * final loss; {@link NmfResult#restartLosses()} lists every run's. Run 0 uses {@link #seed}, run i
         * the i-th number of a {@code SplittableRandom} seeded with it. Needs a seeded start: the default
         * becomes RANDOM, and NNDSVDAR is allowed too.
         */
        public Builder restarts(int restarts) {
            if (restarts < 1) {
                throw new IllegalArgumentException("restarts must be at least 1; got " + restarts);
            }
            this.restarts = restarts;
            return this;
        }

        /** Scale W's columns to unit sum (L1) or norm (L2) when the fit ends, carrying the scale into H. */
        public Builder normalization(Normalization normalization) {
            this.normalization = Objects.requireNonNull(normalization, "normalization");
            return this;
        }

        /**
         * Reorder the components when the fit ends by weight ‖W[:,j]‖₂·‖H[j,:]‖₂ (the Frobenius norm of the
         * rank-one term W[:,j]·H[j,:]), largest first.
         */
        public Builder sortComponents(boolean sortComponents) {
            this.sortComponents = sortComponents;
            return this;
        }

        /**
         * On the cuda backend in float32, let cuBLAS use TF32 tensor cores: several times faster GEMMs,
         * about 1e-3 relative error per product. Off by default (or as {@code -Djnmf.cuda.tf32} says).
         */
        public Builder tf32(boolean tf32) {
            this.tf32 = tf32;
            return this;
        }

        public Builder cancellation(Cancellation cancellation) {
            this.cancellation = cancellation;
            return this;
        }

        public Builder progress(ProgressListener progress) {
            this.progress = progress;
            return this;
        }

        /**
         * Start from these factors (W n×k, H k×m); sets the initialisation to CUSTOM.
         *
         * @throws IllegalArgumentException if W or H is all zeros: every algorithm would stay there (an update
         *                                  multiplies by or projects from the other factor), "converging" to 0
         */
        public Builder initialFactors(DenseMatrix w, DenseMatrix h) {
            Objects.requireNonNull(w, "w");
            Objects.requireNonNull(h, "h");
            for (DenseMatrix f : List.of(w, h)) {
                if (allZero(f)) {
                    String name = f == w ? "W" : "H";
                    throw new IllegalArgumentException("the initial " + name + " (" + f.rows() + "×" + f.cols()
                            + ") is all zeros, and a fit started there stays at W·H = 0 (each update of one factor"
                            + " is a product with the other); start from positive values, e.g. a previous fit's"
                            + " factors or Initialization.NNDSVDA (--init nndsvda)");
                }
            }
            this.initialW = w;
            this.initialH = h;
            this.initialization = Initialization.CUSTOM;
            return this;
        }

        private static boolean allZero(DenseMatrix f) {
            double[] row = new double[f.cols()];
            for (int i = 0; i < f.rows(); i++) {
                f.copyRow(i, row);
                for (double x : row) {
                    if (x != 0) {
                        return false;
                    }
                }
            }
            return true;
        }

        /**
         * The loss: the β-divergence D_β(V ‖ WH) for β in [0, 2], 2 being ½‖V − WH‖²_F (the default), 1 the
         * generalised Kullback–Leibler divergence and 0 Itakura–Saito (which needs every entry of V &gt; 0).
         * β ≠ 2 runs multiplicative updates (Févotte &amp; Idier 2011); without an explicit
         * {@link #algorithm}, choosing such a loss selects {@link Algorithm#MULTIPLICATIVE}.
         */
        public Builder beta(double beta) {
            if (!(beta >= 0 && beta <= 2)) {
                throw new IllegalArgumentException("beta must be in [0, 2] (2 Frobenius, 1 Kullback–Leibler, 0 "
                        + "Itakura–Saito); got " + beta);
            }
            this.beta = beta;
            return this;
        }

        /**
         * Elastic-net penalties on W and H; the objective becomes
         * <pre>D(V ‖ WH) + l1W·‖W‖₁ + ½·l2W·‖W‖²_F + l1H·‖H‖₁ + ½·l2H·‖H‖²_F</pre>
         * with D the loss ({@link #beta}). scikit-learn's {@code alpha_W}, {@code alpha_H} and {@code l1_ratio}
         * for V n×m (n_samples × n_features) are l1W = m·alpha_W·l1_ratio, l2W = m·alpha_W·(1 − l1_ratio),
         * l1H = n·alpha_H·l1_ratio, l2H = n·alpha_H·(1 − l1_ratio). All ≥ 0; 0 leaves a term out.
         */
        public Builder regularization(double l1W, double l2W, double l1H, double l2H) {
            this.l1W = penalty("l1W", l1W);
            this.l2W = penalty("l2W", l2W);
            this.l1H = penalty("l1H", l1H);
            this.l2H = penalty("l2H", l2H);
            return this;
        }

        private static double penalty(String name, double value) {
            if (!(value >= 0) || Double.isInfinite(value)) {
                throw new IllegalArgumentException(name + " must be a finite number ≥ 0; got " + value);
            }
            return value;
        }

        /**
         * Stop when the projected-gradient norm ‖∇ᴾ f(W, H)‖_F (Lin 2007; f the objective with its penalties)
         * at a check is at most this fraction of its value at the start; 0 (the default) turns the test off.
         * The same definition for every algorithm and loss.
         */
        public Builder kktTolerance(double kktTolerance) {
            if (!(kktTolerance >= 0) || Double.isInfinite(kktTolerance)) {
                throw new IllegalArgumentException("kktTolerance must be a finite number ≥ 0; got " + kktTolerance);
            }
            this.kktTolerance = kktTolerance;
            return this;
        }

        /**
         * Accelerated HALS (Gillis &amp; Glineur 2012): after computing V·Hᵀ (or Wᵀ·V), repeat the cheap sweep up
         * to 1 + ⌊α·ρ⌋ times, ρ being the ratio of the product's cost to a sweep's, while each repeat still
         * moves the factor by more than a tenth of the first. 0 is plain HALS (scikit-learn's {@code cd}
         * iteration for iteration); 0.5, the paper's choice, is the default for HALS. HALS only.
         */
        public Builder acceleration(double alpha) {
            if (!(alpha >= 0) || Double.isInfinite(alpha)) {
                throw new IllegalArgumentException("acceleration must be a finite number ≥ 0; got " + alpha);
            }
            this.acceleration = alpha;
            return this;
        }

        /**
         * Hand a {@link Checkpoint} to {@code sink} every {@code every} iterations and once more when the fit
         * stops (for any reason), on the fitting thread; the factors are copied back from the device for it.
         */
        public Builder checkpoints(int every, Consumer<Checkpoint> sink) {
            if (every < 1) {
                throw new IllegalArgumentException("checkpoint interval must be at least 1 iteration; got " + every);
            }
            this.checkpointEvery = every;
            this.checkpointSink = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /**
         * Continue the fit a checkpoint recorded, up to {@link #maxIterations} in all: the data, rank,
         * algorithm, loss, penalties, precision and check interval must be the checkpoint's. The start
         * options (initialisation, seed) no longer matter.
         */
        public Builder resumeFrom(Checkpoint checkpoint) {
            this.resumeFrom = Objects.requireNonNull(checkpoint, "checkpoint");
            return this;
        }

        /**
         * Missing entries of V ({@link Missing#NAN}: NaN ones; {@link Missing#ZEROS}: zeros, as in rating
         * matrices): the loss ½‖M ⊙ (V − WH)‖²_F and the updates then use the observed entries only (M the
         * 0/1 mask of observed entries), for HALS, MU and ANLS, Frobenius loss. V is then held densely.
         */
        public Builder missing(Missing missing) {
            this.missing = Objects.requireNonNull(missing, "missing");
            return this;
        }

        /** An explicit mask, V's shape: 1 where an entry is observed, 0 where it is missing; null for none. */
        public Builder mask(Matrix mask) {
            this.mask = mask;
            return this;
        }

        public NmfOptions build() {
            if (restarts > 1 && (resumeFrom != null || checkpointSink != null)) {
                throw new IllegalArgumentException("checkpoints and resuming work on a single run; drop restarts ("
                        + restarts + ") or the checkpoint options");
            }
            if (mask != null && missing != Missing.NONE) {
                throw new IllegalArgumentException("give either a mask or missing(" + missing.label() + "), not both");
            }
            if (beta != 2 && !algorithmSet) {
                algorithm = Algorithm.MULTIPLICATIVE;
            }
            if (beta != 2 && algorithm != Algorithm.MULTIPLICATIVE) {
                throw new IllegalArgumentException("the " + (beta == 1 ? "Kullback–Leibler" : "β = " + beta)
                        + " loss runs with multiplicative updates only; use algorithm mu (or the Frobenius loss)");
            }
            if (acceleration > 0 && algorithm != Algorithm.HALS) {
                throw new IllegalArgumentException("acceleration applies to HALS only; got algorithm "
                        + algorithm.label());
            }
            if (initialization == Initialization.CUSTOM && (initialW == null || initialH == null)) {
                throw new IllegalArgumentException("CUSTOM initialisation needs initialFactors(W, H)");
            }
            if (restarts > 1 && initialization != null && initialization != Initialization.RANDOM
                    && initialization != Initialization.NNDSVDAR) {
                throw new IllegalArgumentException(restarts + " restarts need a random start, but "
                        + initialization.label() + " initialisation starts every run (almost) the same; use random"
                        + " or nndsvdar initialisation, or a single run");
            }
            return new NmfOptions(this);
        }
    }
}
