package org.jnmf.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.function.BiConsumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jnmf.Algorithm;
import org.jnmf.BackendUnavailableException;
import org.jnmf.DenseMatrix;
import org.jnmf.Initialization;
import org.jnmf.Matrix;
import org.jnmf.Nmf;
import org.jnmf.NmfOptions;
import org.jnmf.NmfResult;
import org.jnmf.Precision;
import org.jnmf.TestMatrices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The BLAS backend against the reference backend for every product it takes over, and whole fits
 * against the Java backend. Needs a BLAS library (CI installs Debian's OpenBLAS); where none exists
 * the tests that call it are skipped with the reasons, and only those.
 */
class BlasBackendTest {
    /** float32 rounding of sums of a few hundred terms, relative to the largest entry (as JavaBackendTest). */
    private static final double SINGLE_TOLERANCE = 2e-5;
    private static final double DOUBLE_TOLERANCE = 1e-12;

    private static BlasBackend open(Precision precision, int threads) {
        BlasBackend.Attempt attempt = BlasBackend.attempt(precision, threads);
        assumeTrue(attempt.usable(), () -> "no BLAS library here, skipped: " + attempt.reasons());
        return attempt.backend();
    }

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> cases = Stream.builder();
        int[][] shapes = {{1, 1, 1}, {5, 3, 2}, {37, 131, 7}, {130, 70, 13}, {9, 1030, 4}, {300, 17, 5}, {64, 1, 3}};
        for (Precision precision : Precision.values()) {
            for (int[] s : shapes) {
                for (String kind : new String[] {"dense", "blocks", "sparse"}) {
                    cases.add(Arguments.of(precision, s[0], s[1], s[2], kind));
                }
            }
        }
        return cases.build();
    }

    @ParameterizedTest(name = "{0} {1}×{2} k={3} {4}")
    @MethodSource("cases")
    void productsMatchTheReference(Precision precision, int n, int m, int k, String kind) {
        Matrix v = TestMatrices.ofKind(n, m, kind, 21);
        double[] w = TestMatrices.uniform(n * k, 22);
        double[] h = TestMatrices.uniform(k * m, 23);
        double[] square = TestMatrices.uniform(k * k, 24);
        double tolerance = precision == Precision.SINGLE ? SINGLE_TOLERANCE : DOUBLE_TOLERANCE;
        try (BlasBackend blas = open(precision, 2); ReferenceBackend ref = new ReferenceBackend()) {
            DeviceMatrix bv = blas.upload(v);
            DeviceMatrix rv = ref.upload(v);
            check("V·Hᵀ", blas, ref, n, k, tolerance, (b, out) -> b.multiplyByTransposed(b == blas ? bv : rv,
                    b.upload(k, m, h), out));
            check("Wᵀ·V", blas, ref, k, m, tolerance, (b, out) -> b.multiplyTransposedBy(b.upload(n, k, w),
                    b == blas ? bv : rv, out));
            check("WᵀW", blas, ref, k, k, tolerance, (b, out) -> b.gramOfColumns(b.upload(n, k, w), out));
            check("HHᵀ", blas, ref, k, k, tolerance, (b, out) -> b.gramOfRows(b.upload(k, m, h), out));
            check("W·G", blas, ref, n, k, tolerance, (b, out) -> b.multiply(b.upload(n, k, w),
                    b.upload(k, k, square), out));
            check("G·H", blas, ref, k, m, tolerance, (b, out) -> b.multiply(b.upload(k, k, square),
                    b.upload(k, m, h), out));
            // The inherited element-wise work still reads V's heap copy.
            double scale = ref.squaredNorm(rv);
            assertEquals(scale, blas.squaredNorm(bv), tolerance * scale, "‖V‖²");
        }
    }

    /** Runs {@code op} into a fresh rows×cols output on both backends and compares. */
    private static void check(String what, Backend blas, Backend ref, int rows, int cols, double tolerance,
                              BiConsumer<Backend, DeviceMatrix> op) {
        double[] expected = run(ref, rows, cols, op);
        double[] actual = run(blas, rows, cols, op);
        double diff = TestMatrices.relativeDifference(actual, expected);
        assertTrue(diff <= tolerance, what + ": relative difference " + diff + " > " + tolerance);
    }

    private static double[] run(Backend backend, int rows, int cols, BiConsumer<Backend, DeviceMatrix> op) {
        try (DeviceMatrix out = backend.allocate(rows, cols)) {
            if (backend instanceof BlasBackend) {
                // Garbage in the output first: every product must overwrite all of it.
                double[] junk = new double[rows * cols];
                java.util.Arrays.fill(junk, -7);
                try (DeviceMatrix dirty = backend.upload(rows, cols, junk)) {
                    op.accept(backend, dirty);
                    return backend.download(dirty);
                }
            }
            op.accept(backend, out);
            return backend.download(out);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Precision.class)
    void oneAndThreeThreadsAgreeToRoundingNotNecessarilyToTheBit(Precision precision) {
        int n = 400, m = 300, k = 12;
        Matrix v = DenseMatrix.wrap(n, m, TestMatrices.uniform(n * m, 71));
        double[] h = TestMatrices.uniform(k * m, 72);
        double[][] results = new double[2][];
        int[] threads = {1, 3};
        for (int t = 0; t < 2; t++) {
            try (BlasBackend blas = open(precision, threads[t]); DeviceMatrix out = blas.allocate(n, k)) {
                blas.multiplyByTransposed(blas.upload(v), blas.upload(k, m, h), out);
                results[t] = blas.download(out);
            }
        }
        double tolerance = precision == Precision.SINGLE ? SINGLE_TOLERANCE : DOUBLE_TOLERANCE;
        assertTrue(TestMatrices.relativeDifference(results[1], results[0]) <= tolerance);
    }

    @Test
    void rowBlocksOfVAccumulateInWtV() {
        // Many one-row blocks: Wᵀ·V is a sum over blocks, V·Hᵀ a row range per block.
        DenseMatrix dense = DenseMatrix.wrap(23, 41, TestMatrices.uniform(23 * 41, 31));
        Matrix blocks = TestMatrices.reblocked(dense, 1);
        double[] w = TestMatrices.uniform(23 * 6, 32);
        try (BlasBackend blas = open(Precision.DOUBLE, 1); ReferenceBackend ref = new ReferenceBackend()) {
            DeviceMatrix bv = blas.upload(blocks);
            check("Wᵀ·V over 23 blocks", blas, ref, 6, 41, DOUBLE_TOLERANCE,
                    (b, out) -> b.multiplyTransposedBy(b.upload(23, 6, w), b == blas ? bv : ref.upload(dense), out));
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Precision.class)
    void aWorkMatrixShapedLikeABlockedVStandsInItsPlace(Precision precision) {
        // The β-divergence steps form V ⊙ (WH)^(β−2) in a matrix from allocateLike and multiply by it.
        int n = 31, m = 27, k = 4;
        Matrix v = TestMatrices.reblocked(DenseMatrix.wrap(n, m, TestMatrices.uniform(n * m, 51)), 7);
        double[] w = TestMatrices.uniform(n * k, 52);
        double[] h = TestMatrices.uniform(k * m, 53);
        double tolerance = precision == Precision.SINGLE ? SINGLE_TOLERANCE * 10 : DOUBLE_TOLERANCE;
        try (BlasBackend blas = open(precision, 2); ReferenceBackend ref = new ReferenceBackend()) {
            DeviceMatrix bv = blas.upload(v);
            DeviceMatrix rv = ref.upload(v);
            BiConsumer<Backend, DeviceMatrix> ratio = (b, like) -> b.sampledPower(b == blas ? bv : rv,
                    b.upload(n, k, w), b.upload(k, m, h), -1, like);
            check("(V ⊘ WH)·Hᵀ", blas, ref, n, k, tolerance, (b, out) -> {
                DeviceMatrix like = b.allocateLike(b == blas ? bv : rv);
                ratio.accept(b, like);
                b.multiplyByTransposed(like, b.upload(k, m, h), out);
            });
            check("Wᵀ·(V ⊘ WH)", blas, ref, k, m, tolerance, (b, out) -> {
                DeviceMatrix like = b.allocateLike(b == blas ? bv : rv);
                ratio.accept(b, like);
                b.multiplyTransposedBy(b.upload(n, k, w), like, out);
            });
        }
    }

    @ParameterizedTest(name = "{0} β={1}")
    @MethodSource("betaFits")
    void betaDivergenceFitsAgreeWithTheJavaBackend(Precision precision, double beta) {
        try (BlasBackend probe = open(precision, 1)) {
            assertEquals("blas", probe.name());
        }
        DenseMatrix v = TestMatrices.lowRank(50, 40, 3, 0.05, 61);
        NmfOptions.Builder options = NmfOptions.builder(3).algorithm(Algorithm.MULTIPLICATIVE).beta(beta)
                .precision(precision).seed(5).initialization(Initialization.NNDSVDA).maxIterations(40).tolerance(0)
                .threads(2);
        NmfResult java = Nmf.fit(v, options.backend("java").build());
        NmfResult blas = Nmf.fit(v, options.backend("blas").build());
        double tolerance = precision == Precision.SINGLE ? 1e-3 : 1e-9;
        assertTrue(TestMatrices.relativeDifference(product(blas), product(java)) < tolerance,
                () -> "W·H differ by " + TestMatrices.relativeDifference(product(blas), product(java)));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Algorithm.class)
    void fitsWithMissingEntriesAgreeWithTheJavaBackend(Algorithm algorithm) {
        try (BlasBackend probe = open(Precision.DOUBLE, 1)) {
            assertEquals("blas", probe.name());
        }
        double[] values = TestMatrices.lowRank(40, 30, 3, 0.05, 81).toDoubleArray();
        java.util.SplittableRandom random = new java.util.SplittableRandom(82);
        for (int i = 0; i < values.length; i++) {
            if (random.nextDouble() < 0.2) {
                values[i] = Double.NaN;
            }
        }
        DenseMatrix v = DenseMatrix.wrap(40, 30, values);
        NmfOptions.Builder options = NmfOptions.builder(3).algorithm(algorithm).missing(org.jnmf.Missing.NAN)
                .precision(Precision.DOUBLE).seed(7).initialization(Initialization.RANDOM).maxIterations(50)
                .tolerance(0).threads(2);
        NmfResult java = Nmf.fit(v, options.backend("java").build());
        NmfResult blas = Nmf.fit(v, options.backend("blas").build());
        assertEquals("blas", blas.backend());
        assertTrue(TestMatrices.relativeDifference(product(blas), product(java)) < 1e-9,
                () -> "W·H differ by " + TestMatrices.relativeDifference(product(blas), product(java)));
    }

    static Stream<Arguments> betaFits() {
        return Stream.of(Precision.values()).flatMap(p -> Stream.of(Arguments.of(p, 1.0), Arguments.of(p, 0.5)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("fits")
    void fitsAgreeWithTheJavaBackend(Precision precision, Algorithm algorithm) {
        try (BlasBackend probe = open(precision, 1)) {
            assertEquals("blas", probe.name());
        }
        DenseMatrix v = TestMatrices.lowRank(60, 45, 4, 0.05, 41);
        NmfOptions.Builder options = NmfOptions.builder(4).algorithm(algorithm).precision(precision).seed(3)
                .initialization(Initialization.NNDSVDA).maxIterations(60).tolerance(0).threads(2);
        NmfResult java = Nmf.fit(v, options.backend("java").build());
        NmfResult blas = Nmf.fit(v, options.backend("blas").build());
        assertEquals("blas", blas.backend());
        assertTrue(blas.backendReason().startsWith("requested: BLAS ("), blas.backendReason());
        // Rounding differs (BLAS sums in another order), so trajectories drift apart by rounding only.
        double tolerance = precision == Precision.SINGLE ? 1e-4 : 1e-10;
        assertEquals(java.relativeError(), blas.relativeError(), tolerance * 10);
        assertTrue(TestMatrices.relativeDifference(product(blas), product(java)) < tolerance * 100,
                () -> "W·H differ by " + TestMatrices.relativeDifference(product(blas), product(java)));
    }

    static Stream<Arguments> fits() {
        return Stream.of(Precision.values()).flatMap(p -> Stream.of(Algorithm.values()).map(a -> Arguments.of(p, a)));
    }

    private static double[] product(NmfResult r) {
        double[][] w = r.w().toArray();
        double[][] h = r.h().toArray();
        double[] out = new double[w.length * h[0].length];
        for (int i = 0; i < w.length; i++) {
            for (int j = 0; j < h[0].length; j++) {
                double s = 0;
                for (int p = 0; p < h.length; p++) {
                    s += w[i][p] * h[p][j];
                }
                out[i * h[0].length + j] = s;
            }
        }
        return out;
    }

    @Test
    void aBogusLibraryPathIsAClearErrorNamingIt() {
        BackendUnavailableException e = withLibrary("/nonexistent/libnotblas.so", () -> assertThrows(
                BackendUnavailableException.class, () -> Backends.open("blas", Precision.SINGLE, 1)));
        String message = e.getMessage();
        assertTrue(message.contains("-Djnmf.blas.library=/nonexistent/libnotblas.so: cannot be loaded"), message);
        assertTrue(message.contains("apt-get install libopenblas0"), message);
        assertFalse(message.contains("libblis"), "an explicit path is the only one tried: " + message);
    }

    @Test
    void aLibraryWithoutCblasIsNamedAsSuch() {
        // libm loads but is no BLAS.
        BackendUnavailableException e = withLibrary("libm.so.6", () -> assertThrows(
                BackendUnavailableException.class, () -> Backends.open("blas", Precision.DOUBLE, 1)));
        assertTrue(e.getMessage().contains("libm.so.6: loads but does not export cblas_sgemm"), e.getMessage());
    }

    @Test
    void autoNeverTakesBlasForSparseInput() {
        assertFalse(CpuChoice.choose(Precision.SINGLE, new Backends.Shape(5000, 5000, 500, true)).blas());
        Backends.Selection s = Backends.open("auto", Precision.SINGLE, 1, new Backends.Shape(50, 40, 3, true), false);
        try (Backend b = s.backend()) {
            assertEquals("java", b.name(), s.reason());
            assertTrue(s.reason().contains("sparse"), s.reason());
        }
    }

    @Test
    void autoTakesJavaForThinRanksAndBlasFromTheThresholdOn() {
        Backends.Shape thin = new Backends.Shape(80, 60, 3, false);
        Backends.Selection s = Backends.open("auto", Precision.DOUBLE, 1, thin, false);
        try (Backend b = s.backend()) {
            assertEquals("java", b.name(), s.reason());
            assertTrue(s.reason().contains("faster than BLAS at rank 3 < " + CpuChoice.BLAS_MIN_RANK), s.reason());
        }
        Backends.Shape wide = new Backends.Shape(800, 600, CpuChoice.BLAS_MIN_RANK, false);
        boolean genericKernels;
        try (BlasBackend probe = open(Precision.DOUBLE, 1)) {
            genericKernels = probe.fallbackKernels();
        }
        Backends.Selection w = Backends.open("auto", Precision.DOUBLE, 1, wide, false);
        try (Backend b = w.backend()) {
            if (genericKernels) {
                // OpenBLAS did not know this CPU (OPENBLAS_CORETYPE unset): its SSE3 kernels are no faster.
                assertEquals("java", b.name(), w.reason());
                assertTrue(w.reason().contains("generic SSE3 kernels"), w.reason());
            } else {
                assertEquals("blas", b.name(), w.reason());
                assertTrue(w.reason().startsWith("auto: BLAS (") && w.reason().contains("cuda is not usable"),
                        w.reason());
            }
        }
        Backends.Selection missing = withLibrary("/nonexistent/libblas.so",
                () -> Backends.open("auto", Precision.DOUBLE, 1, wide, false));
        try (Backend b = missing.backend()) {
            assertEquals("java", b.name(), missing.reason());
            assertTrue(missing.reason().contains("BLAS would be faster")
                    && missing.reason().contains("/nonexistent/libblas.so"), missing.reason());
        }
    }

    private static <T> T withLibrary(String value, Supplier<T> body) {
        String previous = System.getProperty(Cblas.LIBRARY_PROPERTY);
        System.setProperty(Cblas.LIBRARY_PROPERTY, value);
        try {
            return body.get();
        } finally {
            if (previous == null) {
                System.clearProperty(Cblas.LIBRARY_PROPERTY);
            } else {
                System.setProperty(Cblas.LIBRARY_PROPERTY, previous);
            }
        }
    }
}
