package org.jnmf;

import java.util.ArrayList;
import java.util.List;
import org.jnmf.backend.Backend;
import org.jnmf.backend.Backends;
import org.jnmf.backend.DeviceMatrix;

/**
 * Non-negative matrix factorization V ≈ W·H with V (n×m) ≥ 0, W (n×k) ≥ 0 and H (k×m) ≥ 0, minimising
 * ½‖V − WH‖²_F. The entry point of the library:
 *
 * <pre>{@code
 * NmfResult r = Nmf.fit(v, NmfOptions.builder(10).seed(42).build());
 * }</pre>
 *
 * <p>Each iteration updates W, then H (scikit-learn's order) with the chosen {@link Algorithm}. The loss
 * is evaluated every {@code checkInterval} iterations without forming W·H, through
 * ‖V‖² − 2·⟨WᵀV, H⟩ + ⟨WᵀW, HHᵀ⟩ with the products the H step has just made current (accumulated in
 * double); near an exact fit, where that identity cancels, the residual is computed directly.
 *
 * <p>Thread-safe: every fit owns its backend, threads and buffers.
 */
public final class Nmf {
    private Nmf() {
    }

    /** Factors {@code v} with default options at the given rank. */
    public static NmfResult fit(Matrix v, int rank) {
        return fit(v, NmfOptions.rank(rank));
    }

    /**
     * Factors {@code v}.
     *
     * @throws IllegalArgumentException if V is empty, has a negative, NaN or infinite entry, or the
     *                                  options do not suit it (the message says which and how to fix it)
     * @throws org.jnmf.BackendUnavailableException if the requested backend cannot run here, or the JVM lacks
     *                                              {@code --add-modules jdk.incubator.vector}
     */
    public static NmfResult fit(Matrix v, NmfOptions options) {
        return fit(v, options, null);
    }

    /**
     * Factors {@code v} on the given backend, which the caller owns and closes (its precision wins over
     * the options'); with {@code backend == null}, the options choose and this method closes it.
     */
    public static NmfResult fit(Matrix v, NmfOptions options, Backend backend) {
        org.jnmf.backend.Backends.requireVectorApi();
        if (options.restarts() > 1) {
            return Restarts.fit(v, options, backend);
        }
        return Components.arrange(fitOnce(v, options, backend), options);
    }

    /** One run, its factors as the algorithm left them. */
    private static NmfResult fitOnce(Matrix v, NmfOptions options, Backend backend) {
        long start = System.nanoTime();
        int n = v.rows();
        int m = v.cols();
        int k = options.rank();
        if (n == 0 || m == 0) {
            throw new IllegalArgumentException("V is empty (" + n + "×" + m + "); NMF needs at least one row and one column");
        }
        Initialization init = options.initializationFor(n, m);
        if (init.usesSvd() && k > Math.min(n, m)) {
            throw new IllegalArgumentException("rank must be ≤ min(n, m) = " + Math.min(n, m) + " for "
                    + init.label() + " initialisation; got " + k + ". Use random initialisation or a smaller rank.");
        }
        if (init == Initialization.CUSTOM) {
            checkShape("initial W", options.initialW(), n, k);
            checkShape("initial H", options.initialH(), k, m);
        }
        Masking.Observed observed = Masking.of(v, options);
        if (observed != null) {
            double meanObserved = observed.sum() / observed.observed();
            if (backend != null) {
                return new Run(backend, "given by the caller", observed.values(), options, init, meanObserved, start)
                        .masked(observed).fit();
            }
            Precision precision = options.precision() != null ? options.precision() : v.precision();
            Backends.Selection selection = Backends.open(options.backend(), precision, options.threads(), false,
                    options.tf32());
            try (Backend chosen = selection.backend()) {
                return new Run(chosen, selection.reason(), observed.values(), options, init, meanObserved, start)
                        .masked(observed).fit();
            }
        }
        Validation.Entries entries = Validation.scan(v);
        if (options.beta() <= 0) {
            Validation.checkPositive(v, "the Itakura–Saito loss (β = 0) divides by every entry of V; use a β > 0,"
                    + " or add a small constant to V");
        }
        Precision working = backend != null ? backend.precision()
                : options.precision() != null ? options.precision() : v.precision();
        Validation.checkRange(entries.largest(), n, m, working);
        Validation.checkHeap(v, k, working, options.algorithm());
        double meanOfV = entries.sum() / ((double) n * m);
        if (backend != null) {
            return new Run(backend, "given by the caller", v, options, init, meanOfV, start).fit();
        }
        Precision precision = options.precision() != null ? options.precision() : v.precision();
        Backends.Selection selection = Backends.open(options.backend(), precision, options.threads(),
                new Backends.Shape(n, m, k, v instanceof SparseMatrix,
                        v instanceof DenseMatrix d && d.offHeap()), options.tf32());
        try (Backend chosen = selection.backend()) {
            return new Run(chosen, selection.reason(), v, options, init, meanOfV, start).fit();
        }
    }

    private static void checkShape(String what, DenseMatrix x, int rows, int cols) {
        if (x.rows() != rows || x.cols() != cols) {
            throw new IllegalArgumentException(what + " must be " + rows + "×" + cols + "; got "
                    + x.rows() + "×" + x.cols());
        }
        Validation.checkNonNegative(x);
    }

    /** The state of one fit: device buffers and the iteration loop. */
    private static final class Run {
        private final Backend backend;
        private String reason;
        private final Matrix input;
        private final NmfOptions options;
        private final Initialization init;
        private final double meanOfV;
        private final long start;
        private final int n;
        private final int m;
        private final int k;
        private final List<DeviceMatrix> buffers = new ArrayList<>();
        private double normV2;
        private Masking.Observed observed;

        Run(Backend backend, String reason, Matrix input, NmfOptions options, Initialization init, double meanOfV,
            long start) {
            this.backend = backend;
            this.reason = reason;
            this.input = input;
            this.options = options;
            this.init = init;
            this.meanOfV = meanOfV;
            this.start = start;
            this.n = input.rows();
            this.m = input.cols();
            this.k = options.rank();
        }

        /** Fits the observed entries only: the input holds them, 0 where missing. */
        Run masked(Masking.Observed observed) {
            this.observed = observed;
            return this;
        }

        private DeviceMatrix keep(DeviceMatrix x) {
            buffers.add(x);
            return x;
        }

        NmfResult fit() {
            try {
                return iterate();
            } finally {
                for (DeviceMatrix x : buffers) {
                    x.close();
                }
            }
        }

        /**
         * An upper bound on what the step allocates on the backend, in two parts: V and the matrices shaped
         * like it (the masks and their two work matrices; the β-losses' quotient and, for β ≠ 1, power), and
         * the rest: W and H with their products and gradients (at most five of each shape), and the k×k ones.
         */
        private long likeVBytes() {
            long likeV = observed != null ? 5 : options.beta() == 2 ? 1 : options.beta() == 1 ? 2 : 3;
            return likeV * input.storedEntries() * backend.precision().bytes();
        }

        private long factorBytes() {
            return (5L * (n + m) * k + 4L * k * k + n + m) * backend.precision().bytes();
        }

        /** Why V must be held whole on the backend for this fit (null when row blocks of it suffice). */
        private String needsWholeV() {
            if (observed != null) {
                return "missing entries need V's mask on the device";
            }
            if (options.beta() != 2) {
                return "the " + options.lossLabel() + " loss needs work matrices shaped like V on the device";
            }
            if (input instanceof SparseMatrix) {
                return "a sparse V is held whole";
            }
            return null;
        }

        private Step step(DeviceMatrix v, DeviceMatrix w, DeviceMatrix h) {
            if (observed != null) {
                return new MaskedFrobeniusStep(backend, v, w, h, options, this::keep, normV2,
                        keep(backend.upload(observed.mask())), keep(backend.upload(observed.complement())));
            }
            if (options.beta() != 2) {
                return new BetaStep(backend, v, w, h, options, this::keep);
            }
            return new FrobeniusStep(backend, v, w, h, options, this::keep, normV2, input.storedEntries());
        }

        private NmfResult iterate() {
            DeviceMatrix v = keep(backend.uploadData(input, k, likeVBytes(), factorBytes(), needsWholeV(), "a rank-" + k
                    + " fit of a " + n + "×" + m + " matrix (V, W, H and the work matrices)"));
            String held = backend.howHeld(v);
            if (held != null) {
                reason = reason + "; " + held;
            }
            normV2 = backend.squaredNorm(v);
            Checkpoint resume = options.resumeFrom();
            if (resume != null) {
                resume.checkCompatible(options, n, m, backend.precision());
            }
            Initializer.Factors start0 = resume != null
                    ? new Initializer.Factors(resume.w().toDoubleArray(), resume.h().toDoubleArray())
                    : switch (init) {
                case RANDOM -> Initializer.random(n, m, k, meanOfV, options.seed());
                case NNDSVD, NNDSVDA, NNDSVDAR -> Initializer.nndsvd(backend, v, n, m, k, meanOfV, options.seed(),
                        init);
                case CUSTOM -> new Initializer.Factors(options.initialW().toDoubleArray(),
                        options.initialH().toDoubleArray());
            };
            DeviceMatrix w = keep(backend.upload(n, k, start0.w()));
            DeviceMatrix h = keep(backend.upload(k, m, start0.h()));
            Step step = step(v, w, h);
            FitLoop.Fit fit = new FitLoop.Fit() {
                @Override
                public void iterate() {
                    step.iterate();
                }

                /** Nmf.fit records ‖∇ᴾf‖ at every check (the result's gradient history), asked for or not. */
                @Override
                public FitLoop.Check check(boolean gradient) {
                    Step.Fit now = step.fit();
                    double objective = now.dataLoss() + step.penalty();
                    return new FitLoop.Check(now.dataLoss(), objective, now.residualSquared(),
                            Math.sqrt(step.projectedGradientSquared()));
                }

                @Override
                public DenseMatrix w() {
                    return DenseMatrix.wrap(n, k, backend.download(w), backend.precision());
                }

                @Override
                public DenseMatrix h() {
                    return DenseMatrix.wrap(k, m, backend.download(h), backend.precision());
                }
            };
            FitLoop.Outcome out = FitLoop.run(options, start, normV2, backend.precision(), fit);
            DenseMatrix wOut = fit.w();
            DenseMatrix hOut = fit.h();
            double seconds = (System.nanoTime() - start) / 1e9;
            return new NmfResult(wOut, hOut, out.iterations(), out.stop(), out.losses(), out.checks(),
                    FitLoop.relative(out.last().residualSquared(), normV2), seconds, backend.name(), reason, options.algorithm(), init,
                    backend.precision(), new NmfResult.Stopping(options.lossLabel(), out.last().dataLoss(),
                            out.gradients(), out.change()));
        }
    }
}
