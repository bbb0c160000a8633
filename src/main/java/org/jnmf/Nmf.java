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
    /** Below this fraction of ‖V‖², the trace identity has cancelled too much: compute the residual. */
    private static final double DIRECT_RESIDUAL_BELOW = 1e-6;

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
     * @throws org.jnmf.BackendUnavailableException if the requested backend cannot run here
     */
    public static NmfResult fit(Matrix v, NmfOptions options) {
        return fit(v, options, null);
    }

    /**
     * Factors {@code v} on the given backend, which the caller owns and closes (its precision wins over
     * the options'); with {@code backend == null}, the options choose and this method closes it.
     */
    public static NmfResult fit(Matrix v, NmfOptions options, Backend backend) {
        long start = System.nanoTime();
        int n = v.rows();
        int m = v.cols();
        int k = options.rank();
        if (n == 0 || m == 0) {
            throw new IllegalArgumentException("V is empty (" + n + "×" + m + "); NMF needs at least one row and one column");
        }
        Initialization init = options.initializationFor(n, m);
        if ((init == Initialization.NNDSVD || init == Initialization.NNDSVDA) && k > Math.min(n, m)) {
            throw new IllegalArgumentException("rank must be ≤ min(n, m) = " + Math.min(n, m) + " for "
                    + init.label() + " initialisation; got " + k + ". Use random initialisation or a smaller rank.");
        }
        if (init == Initialization.CUSTOM) {
            checkShape("initial W", options.initialW(), n, k);
            checkShape("initial H", options.initialH(), k, m);
        }
        double sumOfV = Validation.checkNonNegative(v);
        double meanOfV = sumOfV / ((double) n * m);
        if (backend != null) {
            return new Run(backend, "given by the caller", v, options, init, meanOfV, start).fit();
        }
        Precision precision = options.precision() != null ? options.precision() : v.precision();
        Backends.Selection selection = Backends.open(options.backend(), precision, options.threads(),
                new Backends.Shape(n, m, k, v instanceof SparseMatrix), options.tf32());
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
        private final String reason;
        private final Matrix input;
        private final NmfOptions options;
        private final Initialization init;
        private final double meanOfV;
        private final long start;
        private final long deadline;
        private final int n;
        private final int m;
        private final int k;
        private final List<DeviceMatrix> buffers = new ArrayList<>();
        private double normV2;

        Run(Backend backend, String reason, Matrix input, NmfOptions options, Initialization init, double meanOfV,
            long start) {
            this.backend = backend;
            this.reason = reason;
            this.input = input;
            this.options = options;
            this.init = init;
            this.meanOfV = meanOfV;
            this.start = start;
            this.deadline = options.timeLimit() == null ? Long.MAX_VALUE
                    : start + options.timeLimit().toNanos();
            this.n = input.rows();
            this.m = input.cols();
            this.k = options.rank();
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

        private NmfResult iterate() {
            DeviceMatrix v = keep(backend.upload(input));
            normV2 = backend.squaredNorm(v);
            Initializer.Factors start0 = switch (init) {
                case RANDOM -> Initializer.random(n, m, k, meanOfV, options.seed());
                case NNDSVD, NNDSVDA -> Initializer.nndsvd(backend, v, n, m, k, meanOfV, options.seed(),
                        init == Initialization.NNDSVDA);
                case CUSTOM -> new Initializer.Factors(options.initialW().toDoubleArray(),
                        options.initialH().toDoubleArray());
            };
            DeviceMatrix w = keep(backend.upload(n, k, start0.w()));
            DeviceMatrix h = keep(backend.upload(k, m, start0.h()));
            DeviceMatrix vht = keep(backend.allocate(n, k));
            DeviceMatrix wtv = keep(backend.allocate(k, m));
            DeviceMatrix hht = keep(backend.allocate(k, k));
            DeviceMatrix wtw = keep(backend.allocate(k, k));
            boolean mu = options.algorithm() == Algorithm.MULTIPLICATIVE;
            DeviceMatrix whht = mu ? keep(backend.allocate(n, k)) : null;
            DeviceMatrix wtwh = mu ? keep(backend.allocate(k, m)) : null;

            // Products for the initial loss; HHᵀ is then kept current for the next W step.
            backend.multiplyTransposedBy(w, v, wtv);
            backend.gramOfColumns(w, wtw);
            backend.gramOfRows(h, hht);
            List<Double> losses = new ArrayList<>();
            List<Integer> checks = new ArrayList<>();
            double residual = residualSquared(v, w, h, wtv, wtw, hht);
            double error0 = Math.sqrt(residual);
            double previousError = error0;
            losses.add(residual / 2);
            checks.add(0);
            StopReason stop = StopReason.MAX_ITERATIONS;
            int iteration = 0;
            boolean checkedLast = true;
            double floor = options.floor();
            while (iteration < options.maxIterations()) {
                backend.multiplyByTransposed(v, h, vht);
                if (mu) {
                    backend.multiply(w, hht, whht);
                    backend.multiplicativeUpdate(w, vht, whht, floor);
                } else {
                    backend.halsUpdateColumns(w, vht, hht);
                }
                backend.multiplyTransposedBy(w, v, wtv);
                backend.gramOfColumns(w, wtw);
                if (mu) {
                    backend.multiply(wtw, h, wtwh);
                    backend.multiplicativeUpdate(h, wtv, wtwh, floor);
                } else {
                    backend.halsUpdateRows(h, wtv, wtw);
                }
                backend.gramOfRows(h, hht);
                iteration++;
                checkedLast = false;
                if (iteration % options.checkInterval() == 0 || iteration == options.maxIterations()) {
                    residual = residualSquared(v, w, h, wtv, wtw, hht);
                    double error = Math.sqrt(residual);
                    losses.add(residual / 2);
                    checks.add(iteration);
                    checkedLast = true;
                    double change = error0 > 0 ? (previousError - error) / error0 : 0;
                    if (options.progress() != null) {
                        options.progress().onCheck(iteration, options.maxIterations(), relative(residual), change);
                    }
                    previousError = error;
                    if (error0 == 0 || (options.tolerance() > 0 && change < options.tolerance())) {
                        stop = StopReason.CONVERGED;
                        break;
                    }
                }
                if (options.cancellation() != null && options.cancellation().isCancelled()) {
                    stop = StopReason.CANCELLED;
                    break;
                }
                if (System.nanoTime() - deadline >= 0) {
                    stop = StopReason.TIME_LIMIT;
                    break;
                }
            }
            if (!checkedLast) {
                residual = residualSquared(v, w, h, wtv, wtw, hht);
                losses.add(residual / 2);
                checks.add(iteration);
            }
            DenseMatrix wOut = toMatrix(backend.download(w), n, k);
            DenseMatrix hOut = toMatrix(backend.download(h), k, m);
            double seconds = (System.nanoTime() - start) / 1e9;
            return new NmfResult(wOut, hOut, iteration, stop,
                    losses.stream().mapToDouble(Double::doubleValue).toArray(),
                    checks.stream().mapToInt(Integer::intValue).toArray(),
                    relative(residual), seconds, backend.name(), reason, options.algorithm(), init,
                    backend.precision());
        }

        private double relative(double residual) {
            return normV2 > 0 ? Math.sqrt(residual / normV2) : 0;
        }

        /** ‖V − WH‖² from current products, or computed directly where the identity cancels. */
        private double residualSquared(DeviceMatrix v, DeviceMatrix w, DeviceMatrix h, DeviceMatrix wtv,
                                       DeviceMatrix wtw, DeviceMatrix hht) {
            double r = normV2 - 2 * backend.dot(wtv, h) + backend.dot(wtw, hht);
            if (r < DIRECT_RESIDUAL_BELOW * normV2) {
                r = backend.residualSquared(v, w, h);
            }
            return Math.max(r, 0);
        }

        private DenseMatrix toMatrix(double[] values, int rows, int cols) {
            if (backend.precision() == Precision.DOUBLE) {
                return DenseMatrix.wrap(rows, cols, values);
            }
            float[] f = new float[values.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) values[i];
            }
            return DenseMatrix.wrap(rows, cols, f);
        }
    }
}
