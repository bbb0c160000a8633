package org.jnmf.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.jnmf.Algorithm;
import org.jnmf.DenseMatrix;
import org.jnmf.Initialization;
import org.jnmf.Nmf;
import org.jnmf.NmfOptions;
import org.jnmf.NmfResult;
import org.jnmf.Precision;
import org.jnmf.SparseMatrix;
import org.jnmf.TestMatrices;
import org.jnmf.backend.Backend;
import org.jnmf.backend.DeviceMatrix;
import org.jnmf.backend.JavaBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every Backend primitive of the CUDA backend against the Java backend on the same inputs, in both
 * precisions, on non-square shapes, and full HALS and MU fits. Products are compared with a tolerance
 * (cuBLAS sums in another order). The multiplicative update must agree bit for bit (both sides do the same
 * IEEE operations in the same order); the HALS sweeps agree to rounding only (float32 1e-5, float64
 * 1e-12 relative to the largest entry, times k/32 beyond k = 32), because the GPU sums each gradient over
 * the 32 lanes of a warp in a fixed butterfly order (cuda/nmf_kernel_math.h) while the Java backend sums
 * sequentially. Runs against the CPU
 * stand-ins in CI and against the real libraries on a GPU machine.
 */
class CudaBackendTest {
    private static final int N = 37;
    private static final int M = 23;
    private static final int K = 5;

    @AfterEach
    void noLeaks() throws Throwable {
        if (CudaTestSupport.standIns()) {
            assertEquals(0, CudaTestSupport.StandIn.liveAllocations(), "device memory left allocated");
        }
    }

    private static double tolerance(Precision p) {
        return p == Precision.SINGLE ? 2e-6 : 1e-13;
    }

    /** The HALS sweeps: the warp's summation order differs from the Java backend's sequential one. */
    private static double halsTolerance(Precision p) {
        return p == Precision.SINGLE ? 1e-5 : 1e-12;
    }

    /**
     * The same for rank k: a sweep carries each step's rounding difference into the later steps through the
     * off-diagonal of B (large for a Gram matrix of non-negative factors), so the difference grows with k
     * (measured: float32 1.0e-5 and float64 2.8e-14 at k = 256).
     */
    private static double halsTolerance(Precision p, int k) {
        return halsTolerance(p) * Math.max(1, k / 32.0);
    }

    private static double[] random(SplittableRandom r, int length) {
        double[] x = new double[length];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextDouble();
        }
        return x;
    }

    /** The value the backend stores for {@code x} (rounded to float32 in single precision). */
    private static double[] rounded(Precision p, double[] x) {
        double[] out = x.clone();
        if (p == Precision.SINGLE) {
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) out[i];
            }
        }
        return out;
    }


    private static void assertRelative(double expected, double actual, double relative, String what) {
        assertTrue(Math.abs(expected - actual) <= relative * Math.abs(expected),
                () -> what + ": expected " + expected + " but was " + actual);
    }

    /** Runs the same step on both backends. */
    private interface Step {
        DeviceMatrix[] run(Backend b, DeviceMatrix[] inputs);
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void productsMatchTheJavaBackend(Precision p) {
        SplittableRandom r = new SplittableRandom(1);
        double[] v = random(r, N * M);
        double[] w = random(r, N * K);
        double[] h = random(r, K * M);
        double[] kk = random(r, K * K);
        try (JavaBackend java = new JavaBackend(p, 1); CudaBackend cuda = CudaTestSupport.open(p)) {
            Backend[] backends = {java, cuda};
            double[][][] out = new double[2][][];
            for (int b = 0; b < 2; b++) {
                Backend be = backends[b];
                DeviceMatrix dv = be.upload(DenseMatrix.wrap(N, M, v));
                DeviceMatrix dw = be.upload(N, K, w);
                DeviceMatrix dh = be.upload(K, M, h);
                DeviceMatrix dk = be.upload(K, K, kk);
                DeviceMatrix vht = be.allocate(N, K);
                DeviceMatrix wtv = be.allocate(K, M);
                DeviceMatrix wk = be.allocate(N, K);
                DeviceMatrix kh = be.allocate(K, M);
                DeviceMatrix wtw = be.allocate(K, K);
                DeviceMatrix hht = be.allocate(K, K);
                be.multiplyByTransposed(dv, dh, vht);
                be.multiplyTransposedBy(dw, dv, wtv);
                be.multiply(dw, dk, wk);
                be.multiply(dk, dh, kh);
                be.gramOfColumns(dw, wtw);
                be.gramOfRows(dh, hht);
                out[b] = new double[][] {be.download(dv), be.download(dw), be.download(vht), be.download(wtv),
                        be.download(wk), be.download(kh), be.download(wtw), be.download(hht)};
                for (DeviceMatrix x : new DeviceMatrix[] {dv, dw, dh, dk, vht, wtv, wk, kh, wtw, hht}) {
                    x.close();
                }
            }
            assertArrayEquals(out[0][0], out[1][0], "V round trip");
            assertArrayEquals(out[0][1], out[1][1], "W round trip");
            String[] names = {"", "", "V·Hᵀ", "Wᵀ·V", "W·(k×k)", "(k×k)·H", "Wᵀ·W", "H·Hᵀ"};
            for (int i = 2; i < names.length; i++) {
                CudaTestSupport.assertClose(out[0][i], out[1][i], tolerance(p) * 4, names[i] + " " + p);
            }
        }
    }

    private static double[][] elementWise(Backend be, Precision p, double[] x, double[] num, double[] den,
                                          double[] w, double[] a, double[] b, double[] h, double[] c, double[] d) {
        DeviceMatrix dx = be.upload(N, M, x);
        DeviceMatrix dn = be.upload(N, M, num);
        DeviceMatrix dd = be.upload(N, M, den);
        DeviceMatrix dx2 = be.upload(N, M, x);
        be.multiplicativeUpdate(dx, dn, dd, 0);
        be.multiplicativeUpdate(dx2, dn, dd, 0.25);
        DeviceMatrix dw = be.upload(N, K, w);
        DeviceMatrix da = be.upload(N, K, a);
        DeviceMatrix db = be.upload(K, K, b);
        be.halsUpdateColumns(dw, da, db);
        DeviceMatrix dh = be.upload(K, M, h);
        DeviceMatrix dc = be.upload(K, M, c);
        DeviceMatrix ddd = be.upload(K, K, d);
        be.halsUpdateRows(dh, dc, ddd);
        double[][] out = {be.download(dx), be.download(dx2), be.download(dw), be.download(dh)};
        for (DeviceMatrix m : new DeviceMatrix[] {dx, dn, dd, dx2, dw, da, db, dh, dc, ddd}) {
            m.close();
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void elementWiseKernelsMatchTheJavaBackend(Precision p) {
        SplittableRandom r = new SplittableRandom(2);
        double[] x = random(r, N * M);
        double[] num = random(r, N * M);
        double[] den = random(r, N * M);
        for (int i = 0; i < den.length; i += 7) {
            den[i] = 0; // guarded: replaced by DIVISION_GUARD
        }
        double[] w = random(r, N * K);
        double[] a = random(r, N * K);
        double[] b = random(r, K * K);
        b[2 * K + 2] = 0; // a zero diagonal: that column is skipped
        double[] h = random(r, K * M);
        double[] c = random(r, K * M);
        double[] d = random(r, K * K);
        d[K * K - 1] = 0;
        double[] wBefore = w.clone();
        try (JavaBackend java = new JavaBackend(p, 1); CudaBackend cuda = CudaTestSupport.open(p)) {
            double[][] expected = elementWise(java, p, x, num, den, w, a, b, h, c, d);
            double[][] actual = elementWise(cuda, p, x, num, den, w, a, b, h, c, d);
            assertArrayEquals(expected[0], actual[0], "multiplicative update " + p);
            assertArrayEquals(expected[1], actual[1], "multiplicative update with floor " + p);
            // Not bit for bit: the warp sums each HALS gradient in another order than the Java loop.
            CudaTestSupport.assertClose(expected[2], actual[2], halsTolerance(p), "HALS columns of W " + p);
            CudaTestSupport.assertClose(expected[3], actual[3], halsTolerance(p), "HALS rows of H " + p);
            assertArrayEquals(wBefore, w, "uploading and updating on the device leaves the host array alone");
        }
    }

    /** The Gram matrix X·Xᵀ of a rows×cols row-major X. */
    private static double[] gram(double[] x, int rows, int cols) {
        double[] g = new double[rows * rows];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < rows; j++) {
                double s = 0;
                for (int t = 0; t < cols; t++) {
                    s += x[i * cols + t] * x[j * cols + t];
                }
                g[i * rows + j] = s;
            }
        }
        return g;
    }

    /**
     * The HALS sweeps for ranks in every register class of the GPU's warp sweep (up to 32, 64, 128 and 256
     * values per warp, k not a multiple of 32) and above it (in place), on realistic inputs: B and D are
     * Gram matrices, A and C made from other non-negative factors. Agreement to rounding (see the class
     * comment), with a tolerance growing with k.
     */
    @ParameterizedTest
    @EnumSource(Precision.class)
    void halsSweepsMatchTheJavaBackendForEveryRank(Precision p) {
        int n = 19;
        int m = 13;
        for (int k : new int[] {1, 33, 64, 100, 256, 300}) {
            SplittableRandom r = new SplittableRandom(k);
            double[] factor = random(r, k * 2 * k);
            double[] b = gram(factor, k, 2 * k);
            double[] w = random(r, n * k);
            double[] h = random(r, k * m);
            // A = W₀·B and C = B·H₀ for other non-negative W₀, H₀: the sweep moves towards them, so few
            // entries are clipped to 0.
            double[] w0 = random(r, n * k);
            double[] h0 = random(r, k * m);
            double[] a = new double[n * k];
            double[] c = new double[k * m];
            for (int l = 0; l < k; l++) {
                for (int t = 0; t < k; t++) {
                    for (int i = 0; i < n; i++) {
                        a[i * k + t] += w0[i * k + l] * b[l * k + t];
                    }
                    for (int j = 0; j < m; j++) {
                        c[l * m + j] += b[l * k + t] * h0[t * m + j];
                    }
                }
            }
            try (JavaBackend java = new JavaBackend(p, 1); CudaBackend cuda = CudaTestSupport.open(p)) {
                double[][][] out = new double[2][][];
                Backend[] backends = {java, cuda};
                for (int be = 0; be < 2; be++) {
                    DeviceMatrix dw = backends[be].upload(n, k, w);
                    DeviceMatrix da = backends[be].upload(n, k, a);
                    DeviceMatrix db = backends[be].upload(k, k, b);
                    DeviceMatrix dh = backends[be].upload(k, m, h);
                    DeviceMatrix dc = backends[be].upload(k, m, c);
                    backends[be].halsUpdateColumns(dw, da, db);
                    backends[be].halsUpdateRows(dh, dc, db);
                    out[be] = new double[][] {backends[be].download(dw), backends[be].download(dh)};
                    for (DeviceMatrix x : new DeviceMatrix[] {dw, da, db, dh, dc}) {
                        x.close();
                    }
                }
                CudaTestSupport.assertClose(out[0][0], out[1][0], halsTolerance(p, k), "HALS columns of W, k = " + k + " " + p);
                CudaTestSupport.assertClose(out[0][1], out[1][1], halsTolerance(p, k), "HALS rows of H, k = " + k + " " + p);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void reductionsMatchTheJavaBackend(Precision p) {
        // Long enough to use several reduction blocks and the grid-stride loop.
        int n = 613;
        int m = 577;
        SplittableRandom r = new SplittableRandom(3);
        double[] v = random(r, n * m);
        double[] w = random(r, n * K);
        double[] h = random(r, K * m);
        double[] y = random(r, n * m);
        try (JavaBackend java = new JavaBackend(p, 1); CudaBackend cuda = CudaTestSupport.open(p)) {
            double[][] results = new double[2][];
            Backend[] backends = {java, cuda};
            for (int b = 0; b < 2; b++) {
                Backend be = backends[b];
                DeviceMatrix dv = be.upload(DenseMatrix.wrap(n, m, v));
                DeviceMatrix dy = be.upload(n, m, y);
                DeviceMatrix dw = be.upload(n, K, w);
                DeviceMatrix dh = be.upload(K, m, h);
                results[b] = new double[] {be.squaredNorm(dv), be.dot(dv, dy), be.residualSquared(dv, dw, dh)};
                for (DeviceMatrix x : new DeviceMatrix[] {dv, dy, dw, dh}) {
                    x.close();
                }
            }
            assertRelative(results[0][0], results[1][0], 1e-13, "‖V‖² " + p);
            assertRelative(results[0][1], results[1][1], 1e-13, "⟨V, Y⟩ " + p);
            assertRelative(results[0][2], results[1][2], 1e-12, "‖V − WH‖² " + p);
        }
    }

    /** The kernels of the β-divergence updates, penalties and the projected gradient. */
    @ParameterizedTest
    @EnumSource(Precision.class)
    void betaAndPenaltyKernelsMatchTheJavaBackend(Precision p) {
        int n = 301;
        int m = 257;
        SplittableRandom r = new SplittableRandom(4);
        double[] v = random(r, n * m);
        double[] w = random(r, n * K);
        double[] h = random(r, K * m);
        for (int i = 0; i < w.length; i += 5) {
            w[i] = 0; // at the bound: the projected gradient keeps only negative parts there
        }
        try (JavaBackend java = new JavaBackend(p, 1); CudaBackend cuda = CudaTestSupport.open(p)) {
            double[][][] out = new double[2][][];
            Backend[] backends = {java, cuda};
            for (int b = 0; b < 2; b++) {
                Backend be = backends[b];
                DeviceMatrix dv = be.upload(DenseMatrix.wrap(n, m, v));
                DeviceMatrix dw = be.upload(n, K, w);
                DeviceMatrix dh = be.upload(K, m, h);
                DeviceMatrix q = be.allocateLike(dv);
                DeviceMatrix power = be.allocate(n, m);
                DeviceMatrix num = be.allocate(n, K);
                DeviceMatrix den = be.allocate(n, K);
                be.sampledPower(dv, dw, dh, -1.5, q);
                be.sampledPower(null, dw, dh, -0.5, power);
                be.multiplyByTransposed(q, dh, num);
                be.multiplyByTransposed(power, dh, den);
                be.combine(den, 0.5, dw, 0.25, den);
                double projected = be.projectedGradientSquared(dw, num, den);
                double[] divergences = {be.betaDivergence(dv, dw, dh, 0), be.betaDivergence(dv, dw, dh, 0.5),
                    be.betaDivergence(dv, dw, dh, 1), be.betaDivergence(dv, dw, dh, 1.5)};
                be.multiplicativeUpdate(dw, num, den, 1 / 1.5, 0.05, 0);
                out[b] = new double[][] {be.download(q), be.download(power), be.download(den), be.download(dw),
                    {projected}, divergences};
                for (DeviceMatrix x : new DeviceMatrix[] {dv, dw, dh, q, power, num, den}) {
                    x.close();
                }
            }
            double tolerance = p == Precision.SINGLE ? 1e-4 : 1e-11;
            String[] names = {"V ⊙ (WH)^-1.5", "(WH)^-0.5", "(WH)^-0.5·Hᵀ + 0.5·W + 0.25", "β update of W",
                "‖∇ᴾ‖²", "D_β for β = 0, 0.5, 1, 1.5"};
            for (int i = 0; i < names.length; i++) {
                CudaTestSupport.assertClose(out[0][i], out[1][i], tolerance, names[i] + " " + p);
            }
        }
    }

    /** Whole fits with the KL and β = 0.5 losses, penalties, accelerated HALS, ANLS and masks, on both backends. */
    @ParameterizedTest
    @EnumSource(Precision.class)
    void betaAndPenalisedFitsAgreeWithTheJavaBackend(Precision p) {
        CudaTestSupport.open(p).close(); // skips where CUDA is not usable
        DenseMatrix v = noisyLowRank(41, 29, 4, 12);
        double[] observed = new double[41 * 29];
        for (int i = 0; i < observed.length; i++) {
            observed[i] = i % 3 == 1 ? 0 : 1;
        }
        DenseMatrix mask = DenseMatrix.wrap(41, 29, observed);
        NmfOptions.Builder[] variants = {
            NmfOptions.builder(4).beta(1), NmfOptions.builder(4).beta(0.5).regularization(0.01, 0.02, 0.03, 0.04),
            NmfOptions.builder(4).acceleration(0.5).regularization(0.1, 0.2, 0.3, 0.4).kktTolerance(1e-12),
            NmfOptions.builder(4).algorithm(Algorithm.ANLS).regularization(0, 0.1, 0, 0.1),
            NmfOptions.builder(4).algorithm(Algorithm.MULTIPLICATIVE).mask(mask),
            NmfOptions.builder(4).mask(mask)};
        for (NmfOptions.Builder variant : variants) {
            variant.precision(p).seed(7).maxIterations(30).tolerance(0).initialization(Initialization.RANDOM)
                    .threads(1);
            NmfResult java = Nmf.fit(v, variant.backend("java").build());
            String previous = System.getProperty(CudaConfig.LIBRARY_PATH);
            System.setProperty(CudaConfig.LIBRARY_PATH, CudaTestSupport.libraryPathProperty());
            NmfResult cuda;
            try {
                cuda = Nmf.fit(v, variant.backend("cuda").build());
            } finally {
                if (previous == null) {
                    System.clearProperty(CudaConfig.LIBRARY_PATH);
                } else {
                    System.setProperty(CudaConfig.LIBRARY_PATH, previous);
                }
            }
            assertEquals("cuda", cuda.backend());
            double tolerance = p == Precision.SINGLE ? 3e-3 : 1e-7;
            CudaTestSupport.assertClose(java.w().toDoubleArray(), cuda.w().toDoubleArray(), tolerance, cuda.lossName() + " W " + p);
            assertRelative(java.loss(), cuda.loss(), tolerance, cuda.lossName() + " loss " + p);
            assertRelative(java.relativeProjectedGradient(), cuda.relativeProjectedGradient(), tolerance * 10,
                    cuda.lossName() + " relative ‖∇ᴾ‖ " + p);
        }
    }

    /** A sparse non-negative low-rank-plus-noise matrix (about 30% stored) with an empty row and column. */
    private static SparseMatrix sparseLowRank(int n, int m, int k, long seed) {
        double[] dense = noisyLowRank(n, m, k, seed).toDoubleArray();
        SplittableRandom r = new SplittableRandom(seed + 1);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                if (i == 3 || j == 2 || r.nextDouble() > 0.3) {
                    dense[i * m + j] = 0;
                }
            }
        }
        return SparseMatrix.fromDense(DenseMatrix.wrap(n, m, dense));
    }

    /**
     * Sparse V on cuSPARSE against the Java backend's sparse kernels: V·Hᵀ and Wᵀ·V, ‖V‖², the direct
     * residual and β-divergences over every entry, and the sampled power V ⊙ (W·H)^e in both of its layouts
     * (read through the products it feeds).
     */
    @ParameterizedTest
    @EnumSource(Precision.class)
    void sparseProductsAndLossesMatchTheJavaBackend(Precision p) {
        SparseMatrix v = sparseLowRank(N, M, 3, 5);
        SplittableRandom r = new SplittableRandom(2);
        double[] w = random(r, N * K);
        double[] h = random(r, K * M);
        try (JavaBackend java = new JavaBackend(p, 1); CudaBackend cuda = CudaTestSupport.open(p)) {
            Backend[] backends = {java, cuda};
            double[][][] out = new double[2][][];
            double[][] scalars = new double[2][];
            for (int b = 0; b < 2; b++) {
                Backend be = backends[b];
                DeviceMatrix dv = be.upload(v);
                assertTrue(dv.sparse());
                DeviceMatrix dw = be.upload(N, K, w);
                DeviceMatrix dh = be.upload(K, M, h);
                DeviceMatrix vht = be.allocate(N, K);
                DeviceMatrix wtv = be.allocate(K, M);
                DeviceMatrix quotient = be.allocateLike(dv);
                DeviceMatrix qht = be.allocate(N, K);
                DeviceMatrix wtq = be.allocate(K, M);
                be.multiplyByTransposed(dv, dh, vht);
                be.multiplyTransposedBy(dw, dv, wtv);
                be.sampledPower(dv, dw, dh, -1, quotient);
                be.multiplyByTransposed(quotient, dh, qht);
                be.multiplyTransposedBy(dw, quotient, wtq);
                out[b] = new double[][] {be.download(vht), be.download(wtv), be.download(qht), be.download(wtq)};
                scalars[b] = new double[] {be.squaredNorm(dv), be.residualSquared(dv, dw, dh),
                        be.betaDivergence(dv, dw, dh, 1), be.betaDivergence(dv, dw, dh, 0.5),
                        be.betaDivergence(dv, dw, dh, 0)};
                for (DeviceMatrix x : new DeviceMatrix[] {dv, dw, dh, vht, wtv, quotient, qht, wtq}) {
                    x.close();
                }
            }
            String[] names = {"sparse V·Hᵀ", "Wᵀ·sparse V", "(V ⊙ (WH)⁻¹)·Hᵀ", "Wᵀ·(V ⊙ (WH)⁻¹)"};
            for (int i = 0; i < names.length; i++) {
                CudaTestSupport.assertClose(out[0][i], out[1][i], tolerance(p) * 4, names[i] + " " + p);
            }
            String[] scalarNames = {"‖V‖²", "‖V − WH‖²", "KL", "β = 0.5", "Itakura–Saito"};
            for (int i = 0; i < scalarNames.length; i++) {
                assertRelative(scalars[0][i], scalars[1][i], p == Precision.SINGLE ? 1e-5 : 1e-12,
                        scalarNames[i] + " " + p);
            }
        }
    }

    /** Whole fits of a sparse V on cuSPARSE against the Java backend: HALS, MU, ANLS with penalties, KL, β = 0.5. */
    @ParameterizedTest
    @EnumSource(Precision.class)
    void sparseFitsAgreeWithTheJavaBackend(Precision p) {
        CudaTestSupport.open(p).close(); // skips where CUDA is not usable
        SparseMatrix v = sparseLowRank(41, 29, 4, 13);
        NmfOptions.Builder[] variants = {
            NmfOptions.builder(4), NmfOptions.builder(4).algorithm(Algorithm.MULTIPLICATIVE),
            NmfOptions.builder(4).algorithm(Algorithm.ANLS).regularization(0.1, 0.2, 0.3, 0.4),
            NmfOptions.builder(4).beta(1), NmfOptions.builder(4).beta(0.5).regularization(0.01, 0.02, 0.03, 0.04)};
        for (NmfOptions.Builder variant : variants) {
            variant.precision(p).seed(7).maxIterations(30).tolerance(0).initialization(Initialization.RANDOM)
                    .threads(1);
            NmfResult java = Nmf.fit(v, variant.backend("java").build());
            NmfResult cuda = fitOnCuda(v, variant.backend("cuda").build());
            assertEquals("cuda", cuda.backend());
            String what = cuda.lossName() + " " + variant.build().algorithm() + " " + p;
            double tolerance = p == Precision.SINGLE ? 3e-3 : 1e-7;
            CudaTestSupport.assertClose(java.w().toDoubleArray(), cuda.w().toDoubleArray(), tolerance, what + " W");
            CudaTestSupport.assertClose(java.h().toDoubleArray(), cuda.h().toDoubleArray(), tolerance, what + " H");
            assertRelative(java.loss(), cuda.loss(), tolerance, what + " loss");
        }
    }

    /** Nmf.fit with the test's CUDA libraries (the stand-ins in CI) on the search path. */
    private static NmfResult fitOnCuda(org.jnmf.Matrix v, NmfOptions options) {
        String previous = System.getProperty(CudaConfig.LIBRARY_PATH);
        System.setProperty(CudaConfig.LIBRARY_PATH, CudaTestSupport.libraryPathProperty());
        try {
            return Nmf.fit(v, options);
        } finally {
            if (previous == null) {
                System.clearProperty(CudaConfig.LIBRARY_PATH);
            } else {
                System.setProperty(CudaConfig.LIBRARY_PATH, previous);
            }
        }
    }

    private static DenseMatrix noisyLowRank(int n, int m, int k, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] w = random(r, n * k);
        double[] h = random(r, k * m);
        double[] v = new double[n * m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += w[i * k + p] * h[p * m + j];
                }
                v[i * m + j] = s + 0.1 * r.nextDouble();
            }
        }
        return DenseMatrix.wrap(n, m, v);
    }

    private static NmfResult fit(DenseMatrix v, Algorithm algorithm, Precision p, String backend) {
        NmfOptions options = NmfOptions.builder(4).algorithm(algorithm).precision(p).seed(7).maxIterations(40)
                .tolerance(0).initialization(Initialization.RANDOM).backend(backend).threads(1).build();
        if (!backend.equals("cuda")) {
            return Nmf.fit(v, options);
        }
        String previous = System.getProperty(CudaConfig.LIBRARY_PATH);
        System.setProperty(CudaConfig.LIBRARY_PATH, CudaTestSupport.libraryPathProperty());
        try {
            return Nmf.fit(v, options);
        } finally {
            if (previous == null) {
                System.clearProperty(CudaConfig.LIBRARY_PATH);
            } else {
                System.setProperty(CudaConfig.LIBRARY_PATH, previous);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void fullFitsAgreeWithTheJavaBackend(Precision p) {
        CudaTestSupport.open(p).close(); // skips where CUDA is not usable
        DenseMatrix v = noisyLowRank(41, 29, 4, 11);
        for (Algorithm algorithm : new Algorithm[] {Algorithm.HALS, Algorithm.MULTIPLICATIVE}) {
            NmfResult java = fit(v, algorithm, p, "java");
            NmfResult cuda = fit(v, algorithm, p, "cuda");
            assertEquals("cuda", cuda.backend());
            assertTrue(cuda.backendReason().startsWith("requested: CUDA"), cuda.backendReason());
            assertEquals(java.iterations(), cuda.iterations());
            // The loss comes from the trace identity ‖V‖² − 2⟨WᵀV, H⟩ + ⟨WᵀW, HHᵀ⟩, whose float32 rounding is
            // relative to ‖V‖², not to the (much smaller) loss: compare on that scale.
            double scale = 0;
            for (double x : v.toDoubleArray()) {
                scale += x * x;
            }
            double lossJava = java.loss();
            double lossCuda = cuda.loss();
            double allowed = (p == Precision.SINGLE ? 1e-6 : 1e-12) * scale;
            assertTrue(Math.abs(lossJava - lossCuda) <= allowed,
                    () -> algorithm + " loss " + p + ": java " + lossJava + ", cuda " + lossCuda);
            double[] wj = java.w().toDoubleArray();
            double[] wc = cuda.w().toDoubleArray();
            for (double x : wc) {
                assertTrue(x >= 0, "W ≥ 0");
            }
            for (double x : cuda.h().toDoubleArray()) {
                assertTrue(x >= 0, "H ≥ 0");
            }
            // float32: cuBLAS sums in another order than the Java kernels and 40 iterations carry that on.
            CudaTestSupport.assertClose(wj, wc, p == Precision.SINGLE ? 3e-3 : 1e-7, algorithm + " W " + p);
            double[] losses = cuda.lossHistory();
            for (int i = 1; i < losses.length; i++) {
                assertTrue(losses[i] <= losses[i - 1] * (1 + 1e-6), algorithm + " loss must not increase");
            }
        }
    }

    /** A V held off the heap is uploaded from where it is (converted on the way when the precision differs). */
    @ParameterizedTest
    @EnumSource(Precision.class)
    void anOffHeapVFitsToTheSameBitsAsTheHeapOne(Precision p) {
        CudaTestSupport.open(p).close(); // skips where CUDA is not usable
        for (Precision stored : Precision.values()) {
            DenseMatrix heap = noisyLowRank(41, 29, 4, 13).toPrecision(stored);
            NmfResult expected = fit(heap, Algorithm.HALS, p, "cuda");
            NmfResult actual = fit(TestMatrices.offHeap(heap), Algorithm.HALS, p, "cuda");
            assertArrayEquals(expected.w().toDoubleArray(), actual.w().toDoubleArray(), p + " from " + stored);
            assertArrayEquals(expected.h().toDoubleArray(), actual.h().toDoubleArray(), p + " from " + stored);
        }
    }

    @Test
    void largerThanOneCopyChunkAndOneUpdateGrid() {
        // 300 000 elements: several update blocks and reduction blocks; checks offsets in the kernels.
        int n = 600;
        int m = 500;
        SplittableRandom r = new SplittableRandom(5);
        double[] x = random(r, n * m);
        double[] num = random(r, n * m);
        double[] den = random(r, n * m);
        try (JavaBackend java = new JavaBackend(Precision.SINGLE, 1);
             CudaBackend cuda = CudaTestSupport.open(Precision.SINGLE)) {
            double[][] out = new double[2][];
            Backend[] backends = {java, cuda};
            for (int b = 0; b < 2; b++) {
                try (DeviceMatrix dx = backends[b].upload(n, m, x); DeviceMatrix dn = backends[b].upload(n, m, num);
                     DeviceMatrix dd = backends[b].upload(n, m, den)) {
                    backends[b].multiplicativeUpdate(dx, dn, dd, 0);
                    out[b] = backends[b].download(dx);
                }
            }
            assertArrayEquals(out[0], out[1]);
        }
    }
}
