package org.jnmf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.jnmf.backend.Backend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Awkward but legal data: all-zero rows and columns, an all-zero matrix, a rank the data cannot support,
 * values spanning 1e-30…1e30, values whose squares overflow float32. Each gives finite, non-negative
 * factors and a finite loss (never NaN), or a clear refusal. {@link #assertSane} is shared with the CUDA
 * stand-in's version of these tests.
 */
public class RobustnessTest {
    static Stream<Arguments> setUps() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (Algorithm a : Algorithm.values()) {
            for (Precision p : Precision.values()) {
                for (Initialization i : new Initialization[] {Initialization.RANDOM, Initialization.NNDSVDA}) {
                    b.add(Arguments.of(a, p, i));
                }
            }
        }
        return b.build();
    }

    static NmfOptions options(int rank, Algorithm a, Precision p, Initialization i) {
        return NmfOptions.builder(rank).algorithm(a).precision(p).initialization(i).threads(2).seed(11)
                .maxIterations(60).tolerance(0).build();
    }

    /** V with rows 2 and 7 and columns 0 and 9 all zero. */
    public static DenseMatrix withZeroRowsAndColumns() {
        DenseMatrix base = TestMatrices.lowRank(12, 10, 3, 0.01, 5);
        DenseMatrix.Builder b = new DenseMatrix.Builder(12, 10, Precision.DOUBLE);
        for (int i = 0; i < 12; i++) {
            for (int j = 0; j < 10; j++) {
                boolean zero = i == 2 || i == 7 || j == 0 || j == 9;
                b.set(i, j, zero ? 0 : base.get(i, j));
            }
        }
        return b.build();
    }

    /** Entries spread over 60 decades: 1e-30 … 1e30, every factor of 10 in between. */
    public static DenseMatrix spanningSixtyDecades() {
        DenseMatrix.Builder b = new DenseMatrix.Builder(61, 8, Precision.DOUBLE);
        for (int i = 0; i < 61; i++) {
            for (int j = 0; j < 8; j++) {
                b.set(i, j, Math.pow(10, i - 30) * (1 + j * 0.125));
            }
        }
        return b.build();
    }

    /** Finite, non-negative factors, a finite loss history that never rises above the start, no NaN anywhere. */
    public static void assertSane(NmfResult r, String what) {
        for (DenseMatrix x : new DenseMatrix[] {r.w(), r.h()}) {
            double[] values = x.toDoubleArray();
            for (int e = 0; e < values.length; e++) {
                assertTrue(values[e] >= 0 && Double.isFinite(values[e]), what + ": entry " + e + " is " + values[e]);
            }
        }
        for (double loss : r.lossHistory()) {
            assertTrue(loss >= 0 && Double.isFinite(loss), what + ": loss " + loss);
        }
        assertTrue(r.relativeError() >= 0 && Double.isFinite(r.relativeError()), what + ": relative error "
                + r.relativeError());
    }

    @ParameterizedTest(name = "{0} {1} from {2}")
    @MethodSource("setUps")
    void zeroRowsAndColumnsGetZeroFactorsAndNoNaN(Algorithm a, Precision p, Initialization i) {
        DenseMatrix v = withZeroRowsAndColumns();
        NmfResult r = Nmf.fit(v, options(3, a, p, i));
        assertSane(r, "zero rows/columns");
        // A zero row of V is best fitted by a zero row of W (and a zero column by a zero column of H); HALS
        // reaches it exactly, MU shrinks it geometrically.
        double bound = a == Algorithm.HALS ? 0 : 1e-3;
        for (int c = 0; c < 3; c++) {
            assertTrue(r.w().get(2, c) <= bound && r.w().get(7, c) <= bound, "W row of a zero row: " + r.w().get(2, c));
            assertTrue(r.h().get(c, 0) <= bound && r.h().get(c, 9) <= bound, "H column of a zero column");
        }
        // ANLS from NNDSVDa stops in a poorer local minimum here (0.14 measured); HALS and MU reach < 0.1.
        double worst = a == Algorithm.ANLS && i == Initialization.NNDSVDA ? 0.15 : 0.1;
        assertTrue(r.relativeError() < worst, "relative error " + r.relativeError());
    }

    @ParameterizedTest(name = "{0} {1} from {2}")
    @MethodSource("setUps")
    void anAllZeroMatrixIsFittedExactlyByZeros(Algorithm a, Precision p, Initialization i) {
        NmfResult r = Nmf.fit(DenseMatrix.zeros(6, 5, Precision.DOUBLE), options(2, a, p, i));
        assertSane(r, "all zero");
        assertEquals(0, r.loss());
        assertEquals(StopReason.CONVERGED, r.stopReason());
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("setUps")
    void aRankAboveWhatTheDataSupportsLeavesSpareComponentsFiniteAndZero(Algorithm a, Precision p,
                                                                          Initialization i) {
        // Rank 2 data, asked for 8 components: the spare ones collapse; collapsing must not divide by zero.
        DenseMatrix v = TestMatrices.lowRank(10, 9, 2, 0, 3);
        if (i == Initialization.NNDSVDA) {
            NmfResult r = Nmf.fit(v, options(9, a, p, i));
            assertSane(r, "rank 9 of a rank-2 10×9 matrix, NNDSVDa");
            return;
        }
        NmfResult r = Nmf.fit(v, NmfOptions.builder(8).algorithm(a).precision(p).seed(4).threads(2)
                .maxIterations(500).tolerance(0).build());
        assertSane(r, "rank 8 of a rank-2 matrix");
        assertTrue(r.relativeError() < (a == Algorithm.HALS ? 1e-3 : 2e-2), "relative error " + r.relativeError());
        // Rank above min(n, m) is allowed with random initialisation...
        assertSane(Nmf.fit(v, NmfOptions.builder(15).algorithm(a).precision(p).seed(4).threads(2)
                .maxIterations(50).initialization(Initialization.RANDOM).build()), "rank 15 of a 10×9 matrix");
    }

    @Test
    void nndsvdRefusesARankAboveMinOfNAndM() {
        DenseMatrix v = TestMatrices.lowRank(10, 9, 2, 0, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Nmf.fit(v, NmfOptions.builder(10).initialization(Initialization.NNDSVD).build()));
        assertTrue(e.getMessage().startsWith("rank must be ≤ min(n, m) = 9 for nndsvd"), e.getMessage());
        assertTrue(e.getMessage().contains("Use random initialisation or a smaller rank"), e.getMessage());
    }

    @ParameterizedTest(name = "{0} {1} from {2}")
    @MethodSource("setUps")
    void valuesSpanningSixtyDecadesGiveFiniteFactors(Algorithm a, Precision p, Initialization i) {
        if (p == Precision.SINGLE) {
            assertRefusedForFloat32(spanningSixtyDecades(), options(2, a, p, i), "1.0E30", "1.0E30;");
            return;
        }
        NmfResult r = Nmf.fit(spanningSixtyDecades(), options(2, a, p, i));
        assertSane(r, "1e-30…1e30");
        // Each row is a multiple of one pattern over the columns: rank 1 fits it (to float rounding).
        assertTrue(r.relativeError() < (p == Precision.SINGLE ? 1e-3 : 1e-6), "relative error " + r.relativeError());
    }

    @ParameterizedTest(name = "{0} {1} from {2}")
    @MethodSource("setUps")
    void squaresBeyondFloat32RangeDoNotOverflowTheLoss(Algorithm a, Precision p, Initialization i) {
        // 1e25² = 1e50 overflows float32 (max 3.4e38): float32 refuses such data up front, with the fix;
        // float64 fits it, its norms and losses in V's units squared.
        DenseMatrix v = TestMatrices.lowRank(9, 7, 2, 0.1, 8);
        DenseMatrix.Builder b = new DenseMatrix.Builder(9, 7, Precision.DOUBLE);
        for (int r = 0; r < 9; r++) {
            for (int c = 0; c < 7; c++) {
                b.set(r, c, v.get(r, c) * 1e25);
            }
        }
        if (p == Precision.SINGLE) {
            assertRefusedForFloat32(b.build(), options(2, a, p, i), "is too large for float32", "1.0E25;");
            return;
        }
        NmfResult r = Nmf.fit(b.build(), options(2, a, p, i));
        assertSane(r, "1e25-scale values");
        assertTrue(r.lossHistory()[0] > 1e40, "the loss is in V's units squared: " + r.lossHistory()[0]);
        assertTrue(r.relativeError() < 0.2, "relative error " + r.relativeError());
    }

    @ParameterizedTest(name = "{0} {1} from {2}")
    @MethodSource("setUps")
    void tinyValuesBelowFloat32RangeAreRefusedOrFitted(Algorithm a, Precision p, Initialization i) {
        // 1e-30-scale products (1e-45) are below float32's smallest normal (1.2e-38): float32 refuses such data
        // up front, with the fix, instead of stalling at zero factors; float64 fits it.
        DenseMatrix v = TestMatrices.lowRank(9, 7, 2, 0.1, 9);
        DenseMatrix.Builder b = new DenseMatrix.Builder(9, 7, Precision.DOUBLE);
        for (int r = 0; r < 9; r++) {
            for (int c = 0; c < 7; c++) {
                b.set(r, c, v.get(r, c) * 1e-30);
            }
        }
        if (p == Precision.SINGLE) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Nmf.fit(b.build(), options(2, a, p, i)));
            assertTrue(e.getMessage().contains("is too small for float32 arithmetic")
                    && e.getMessage().contains("Fit in double precision (--precision double), or multiply V by a"
                    + " constant first (e.g. 1.0E30;"), e.getMessage());
            return;
        }
        NmfResult r = Nmf.fit(b.build(), options(2, a, p, i));
        assertSane(r, "1e-30-scale values");
        assertTrue(r.relativeError() < 0.2, "relative error " + r.relativeError());
    }

    private static void assertRefusedForFloat32(DenseMatrix v, NmfOptions options, String... phrases) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Nmf.fit(v, options));
        assertTrue(e.getMessage().startsWith("V's largest entry, "), e.getMessage());
        assertTrue(e.getMessage().contains("Fit in double precision (--precision double)"), e.getMessage());
        for (String phrase : phrases) {
            assertTrue(e.getMessage().contains(phrase), () -> phrase + " missing from " + e.getMessage());
        }
    }

    @Test
    void float64RefusesOnlyValuesBeyondItsOwnRange() {
        DenseMatrix v = DenseMatrix.wrap(2, 2, new double[] {1e300, 1, 1, 1});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Nmf.fit(v, NmfOptions.builder(1).precision(Precision.DOUBLE).build()));
        assertTrue(e.getMessage().contains("too large for float64 arithmetic") && e.getMessage().contains("1.0E300"),
                e.getMessage());
    }

    /** Used by the CUDA stand-in's copy of these checks: every case on one given backend. */
    public static void allCasesOn(java.util.function.Supplier<Backend> backends, Precision p) {
        for (Algorithm a : Algorithm.values()) {
            DenseMatrix[] inputs = {withZeroRowsAndColumns(), p == Precision.DOUBLE ? spanningSixtyDecades()
                    : TestMatrices.lowRank(8, 6, 2, 0, 1),
                    DenseMatrix.zeros(6, 5, Precision.DOUBLE), TestMatrices.lowRank(10, 9, 2, 0, 3)};
            int[] ranks = {3, 2, 2, 8};
            for (int c = 0; c < inputs.length; c++) {
                try (Backend backend = backends.get()) {
                    assertSane(Nmf.fit(inputs[c], options(ranks[c], a, p, Initialization.RANDOM), backend),
                            a + " " + p + " case " + c + " on " + backend.name());
                }
            }
        }
    }
}
