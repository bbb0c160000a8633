package org.jnmf.bench;

import org.jnmf.Algorithm;
import org.jnmf.DenseMatrix;
import org.jnmf.Initialization;
import org.jnmf.Nmf;
import org.jnmf.NmfOptions;
import org.jnmf.NmfResult;
import org.jnmf.Precision;

/**
 * Times whole fits on a synthetic dense V = max(W0·H0 + noise, 0) (W0, H0 uniform on [0, 1), noise
 * uniform on ±1 % of W0·H0's mean): the per-iteration time is (t(2N) − t(N)) / N, so that upload,
 * initialisation and warm-up cancel; the relative error is that of the 2N-iteration fit.
 */
public final class FitBench {
    /** One measurement. */
    public record Result(int n, int m, int k, Algorithm algorithm, Precision precision, String backend,
                         int iterations, double msPerIteration, double relativeError) {
        public String shape() {
            return n + "x" + m + "x" + k;
        }
    }

    private final int iterations;
    private final int threads;

    public FitBench(int iterations, int threads) {
        if (iterations < 1) {
            throw new IllegalArgumentException("--iterations must be at least 1; got " + iterations);
        }
        this.iterations = iterations;
        this.threads = threads;
    }

    /** The synthetic V of the given shape, built once per shape and precision. */
    public static DenseMatrix problem(int n, int m, int k, Precision precision) {
        double[] w = ProductBench.values(n * k, 11);
        double[] h = ProductBench.values(k * m, 12);
        double mean = k / 4.0;
        DenseMatrix.Builder b = new DenseMatrix.Builder(n, m, precision);
        double[] row = new double[m];
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(row, 0);
            for (int p = 0; p < k; p++) {
                double wip = w[i * k + p];
                for (int j = 0; j < m; j++) {
                    row[j] += wip * h[p * m + j];
                }
            }
            for (int j = 0; j < m; j++) {
                double noise = 0.01 * mean * (2 * ProductBench.unit((long) i * m + j, 13) - 1);
                row[j] = Math.max(0, row[j] + noise);
            }
            b.setRow(i, row);
        }
        return b.build();
    }

    /**
     * Per-iteration time and error of {@code algorithm} on {@code backend}; the first fit warms the JIT up. Each of
     * t(N) and t(2N) is the best of {@link #TIMED_FITS} fits, taken in turn: one of each gave negative differences
     * at 2000×1500 on a noisy 2-core VM (benchmarks/results/dot-kernel-2026-12-07.md).
     */
    public Result run(DenseMatrix v, int k, Algorithm algorithm, String backend) {
        fit(v, k, algorithm, backend, Math.max(2, iterations / 2));
        ProductBench.awaitCompiledKernels();
        long once = Long.MAX_VALUE;
        long twiceNanos = Long.MAX_VALUE;
        NmfResult twice = null;
        for (int round = 0; round < TIMED_FITS; round++) {
            long t0 = System.nanoTime();
            fit(v, k, algorithm, backend, iterations);
            long t1 = System.nanoTime();
            twice = fit(v, k, algorithm, backend, 2 * iterations);
            long t2 = System.nanoTime();
            once = Math.min(once, t1 - t0);
            twiceNanos = Math.min(twiceNanos, t2 - t1);
        }
        double perIteration = (twiceNanos - once) / 1e6 / iterations;
        return new Result(v.rows(), v.cols(), k, algorithm, v.precision(), twice.backend(), iterations,
                perIteration, twice.relativeError());
    }

    /** Timed fits of each length per case; the best counts. */
    private static final int TIMED_FITS = 3;

    /** HALS here is plain HALS (acceleration 0): per iteration the same work as scikit-learn's {@code cd}. */
    private NmfResult fit(DenseMatrix v, int k, Algorithm algorithm, String backend, int maxIterations) {
        return Nmf.fit(v, NmfOptions.builder(k).algorithm(algorithm).acceleration(0)
                .initialization(Initialization.RANDOM).seed(1)
                .maxIterations(maxIterations).tolerance(0).threads(threads).backend(backend).build());
    }
}
