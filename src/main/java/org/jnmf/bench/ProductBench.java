package org.jnmf.bench;

import org.jnmf.DenseMatrix;
import org.jnmf.Precision;
import org.jnmf.backend.Backend;
import org.jnmf.backend.DeviceMatrix;
import org.jnmf.backend.JavaBackend;
import org.jnmf.cuda.CudaBackend;

/**
 * Times one backend's dense products: V·Hᵀ and Wᵀ·V at NMF shapes (n×m data, rank k) and A·B at square
 * sizes, 2·(product of the three dimensions) flops each. Each case is warmed up (at least
 * {@code warmupMillis} and 2 calls), then the best of {@code repeats} timed calls counts.
 */
public final class ProductBench {
    /** The products timed. */
    public enum Op {
        V_HT("V*H^T"), WT_V("W^T*V"), SQUARE("A*B");

        private final String label;

        Op(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** One measurement. */
    public record Result(Op op, int n, int m, int k, double bestSeconds) {
        public double gflops() {
            return 2.0 * n * m * k / bestSeconds / 1e9;
        }

        public String shape() {
            return op == Op.SQUARE ? n + "x" + n + "x" + n : n + "x" + m + "x" + k;
        }
    }

    private final int repeats;
    private final long warmupNanos;

    public ProductBench(int repeats, long warmupMillis) {
        if (repeats < 1) {
            throw new IllegalArgumentException("--repeats must be at least 1; got " + repeats);
        }
        this.repeats = repeats;
        this.warmupNanos = warmupMillis * 1_000_000L;
    }

    /** V·Hᵀ (out n×k) or Wᵀ·V (out k×m) with a dense n×m V. */
    public Result nmfProduct(Backend backend, Op op, int n, int m, int k) {
        try (DeviceMatrix v = backend.upload(data(n, m, backend.precision(), 1));
             DeviceMatrix w = backend.upload(n, k, values(n * k, 2));
             DeviceMatrix h = backend.upload(k, m, values(k * m, 3));
             DeviceMatrix out = op == Op.V_HT ? backend.allocate(n, k) : backend.allocate(k, m)) {
            Runnable call = op == Op.V_HT ? () -> backend.multiplyByTransposed(v, h, out)
                    : () -> backend.multiplyTransposedBy(w, v, out);
            return new Result(op, n, m, k, best(backend, call));
        }
    }

    /** A·B for s×s A and B (2·s³ flops). */
    public Result square(Backend backend, int s) {
        try (DeviceMatrix a = backend.upload(s, s, values(s * s, 4));
             DeviceMatrix b = backend.upload(s, s, values(s * s, 5));
             DeviceMatrix out = backend.allocate(s, s)) {
            return new Result(Op.SQUARE, s, s, s, best(backend, () -> backend.multiply(a, b, out)));
        }
    }

    private double best(Backend backend, Runnable call) {
        long start = System.nanoTime();
        int calls = 0;
        while (calls < 2 || System.nanoTime() - start < warmupNanos) {
            timed(backend, call);
            calls++;
        }
        if (backend instanceof JavaBackend) {
            awaitCompiledKernels();
            timed(backend, call);
        }
        double best = Double.POSITIVE_INFINITY;
        for (int r = 0; r < repeats; r++) {
            best = Math.min(best, timed(backend, call));
        }
        return best;
    }

    /** The Java backend's kernels run scalar twins until C2 has compiled them: time the compiled code. */
    static void awaitCompiledKernels() {
        try {
            JavaBackend.awaitVectorKernels(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static double timed(Backend backend, Runnable call) {
        long t0 = System.nanoTime();
        call.run();
        if (backend instanceof CudaBackend cuda) {
            cuda.synchronize();
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Deterministic values in [0, 1) from a cheap hash (fast to make even for large V). */
    static double[] values(int length, long seed) {
        double[] x = new double[length];
        for (int i = 0; i < length; i++) {
            x[i] = unit(i, seed);
        }
        return x;
    }

    static double unit(long i, long seed) {
        long z = (i + 1) * 0x9E3779B97F4A7C15L + seed * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 31)) * 0x94D049BB133111EBL;
        return ((z ^ (z >>> 29)) >>> 11) * 0x1.0p-53;
    }

    /** A dense n×m matrix of such values in the given precision (row blocks when over 2³¹ elements). */
    static DenseMatrix data(int n, int m, Precision precision, long seed) {
        DenseMatrix.Builder b = new DenseMatrix.Builder(n, m, precision);
        double[] row = new double[m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                row[j] = unit((long) i * m + j, seed);
            }
            b.setRow(i, row);
        }
        return b.build();
    }
}
