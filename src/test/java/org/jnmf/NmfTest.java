package org.jnmf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.stream.Stream;
import org.jnmf.backend.ReferenceBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** NMF theory as assertions: non-negativity, monotone loss, recovery, KKT, agreement between set-ups. */
class NmfTest {
    private static final DenseMatrix NOISY = TestMatrices.lowRank(60, 45, 4, 0.05, 1);

    private static NmfOptions.Builder options(int rank) {
        return NmfOptions.builder(rank).threads(2).seed(7);
    }

    static Stream<Arguments> algorithmsAndInits() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (Algorithm a : Algorithm.values()) {
            for (Initialization i : new Initialization[] {Initialization.RANDOM, Initialization.NNDSVD,
                    Initialization.NNDSVDA}) {
                for (Precision p : Precision.values()) {
                    b.add(Arguments.of(a, i, p));
                }
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} from {1} in {2}")
    @MethodSource("algorithmsAndInits")
    void factorsStayNonNegativeAndFiniteAndTheLossNeverRises(Algorithm algorithm, Initialization init,
                                                             Precision precision) {
        NmfResult r = Nmf.fit(NOISY, options(6).algorithm(algorithm).initialization(init).precision(precision)
                .maxIterations(40).tolerance(0).checkInterval(1).build());
        for (DenseMatrix x : new DenseMatrix[] {r.w(), r.h()}) {
            for (double value : x.toDoubleArray()) {
                assertTrue(value >= 0 && Double.isFinite(value), "entry " + value);
            }
        }
        double[] loss = r.lossHistory();
        assertEquals(41, loss.length);
        // Both MU and HALS never increase the loss (Lee & Seung 2001; exact block minimisation for HALS);
        // the slack covers the rounding of the loss itself in the working precision.
        double slack = precision == Precision.SINGLE ? 1e-5 : 1e-12;
        for (int i = 1; i < loss.length; i++) {
            assertTrue(loss[i] <= loss[i - 1] * (1 + slack), "loss rose at check " + i + ": " + loss[i - 1]
                    + " → " + loss[i]);
        }
        assertEquals(Math.sqrt(2 * r.loss()) / frobenius(NOISY), r.relativeError(), 1e-6);
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void recoversAnExactLowRankMatrix(Algorithm algorithm) {
        DenseMatrix v = TestMatrices.lowRank(50, 40, 3, 0, 2);
        NmfResult r = Nmf.fit(v, options(3).algorithm(algorithm).precision(Precision.DOUBLE)
                .maxIterations(2000).tolerance(0).build());
        // HALS converges linearly here; MU only sublinearly (its known weakness), hence the looser bound.
        double bound = algorithm == Algorithm.HALS ? 1e-4 : 5e-3;
        assertTrue(r.relativeError() < bound, "relative error " + r.relativeError());
        assertTrue(r.relativeError() >= 0);
    }

    @Test
    void halsMeetsTheKktConditionsAtConvergence() {
        NmfResult r = Nmf.fit(NOISY, options(4).precision(Precision.DOUBLE).maxIterations(3000).tolerance(0).build());
        double[] w = r.w().toDoubleArray();
        double[] h = r.h().toDoubleArray();
        double[] v = NOISY.toDoubleArray();
        int n = 60, m = 45, k = 4;
        double[] wh = product(w, h, n, k, m);
        // ∇_W f = (WH − V)Hᵀ and ∇_H f = Wᵀ(WH − V); KKT: min(x, ∇) = 0 entry-wise.
        double[] residual = new double[n * m];
        for (int i = 0; i < residual.length; i++) {
            residual[i] = wh[i] - v[i];
        }
        double worst = 0;
        double scale = 0;
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < k; p++) {
                double g = 0;
                for (int j = 0; j < m; j++) {
                    g += residual[i * m + j] * h[p * m + j];
                }
                worst = Math.max(worst, Math.abs(Math.min(w[i * k + p], g)));
                scale = Math.max(scale, Math.abs(w[i * k + p]) * 1e-3);
            }
        }
        for (int p = 0; p < k; p++) {
            for (int j = 0; j < m; j++) {
                double g = 0;
                for (int i = 0; i < n; i++) {
                    g += w[i * k + p] * residual[i * m + j];
                }
                worst = Math.max(worst, Math.abs(Math.min(h[p * m + j], g)));
            }
        }
        assertTrue(worst < 1e-6, "largest KKT violation " + worst);
    }

    @Test
    void javaBackendAgreesWithTheReferenceBackendOnAWholeFit() {
        for (Algorithm algorithm : Algorithm.values()) {
            NmfOptions o = options(5).algorithm(algorithm).precision(Precision.DOUBLE).maxIterations(30).tolerance(0)
                    .build();
            NmfResult java = Nmf.fit(NOISY, o);
            NmfResult reference;
            try (ReferenceBackend backend = new ReferenceBackend()) {
                reference = Nmf.fit(NOISY, o, backend);
            }
            assertTrue(TestMatrices.relativeDifference(java.w().toDoubleArray(), reference.w().toDoubleArray()) < 1e-8);
            assertTrue(TestMatrices.relativeDifference(java.h().toDoubleArray(), reference.h().toDoubleArray()) < 1e-8);
            assertEquals(reference.relativeError(), java.relativeError(), 1e-10);
        }
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void singleAndDoublePrecisionAgree(Algorithm algorithm) {
        NmfOptions.Builder o = options(5).algorithm(algorithm).maxIterations(100).tolerance(0);
        NmfResult single = Nmf.fit(NOISY, o.precision(Precision.SINGLE).build());
        NmfResult dbl = Nmf.fit(NOISY, o.precision(Precision.DOUBLE).build());
        assertEquals(Precision.SINGLE, single.precision());
        // float32 carries ~7 digits; after 100 iterations the errors agree to well within 1e-4 relative.
        // ANLS solves each half-problem exactly from float32 Gram and cross products, which multiplies their
        // rounding by the Gram matrix's condition number: 1e-3.
        double bound = algorithm == Algorithm.ANLS ? 1e-3 : 1e-4;
        assertEquals(dbl.relativeError(), single.relativeError(), bound * dbl.relativeError());
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void resultsAreBitIdenticalWhateverTheThreadCount(Precision precision) {
        for (Matrix v : new Matrix[] {NOISY, TestMatrices.sparseCounts(80, 70, 0.2, 3)}) {
            for (Algorithm algorithm : Algorithm.values()) {
                NmfOptions.Builder o = NmfOptions.builder(5).seed(3).algorithm(algorithm).precision(precision)
                        .maxIterations(25);
                NmfResult one = Nmf.fit(v, o.threads(1).build());
                for (int threads : new int[] {2, 4}) {
                    NmfResult many = Nmf.fit(v, o.threads(threads).build());
                    assertArrayEquals(one.w().toDoubleArray(), many.w().toDoubleArray());
                    assertArrayEquals(one.h().toDoubleArray(), many.h().toDoubleArray());
                    assertArrayEquals(one.lossHistory(), many.lossHistory());
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void denseAndSparseInputsAgree(Algorithm algorithm) {
        SparseMatrix sparse = TestMatrices.sparseCounts(90, 60, 0.25, 4);
        DenseMatrix dense = sparse.toDense(Precision.DOUBLE);
        // Plain HALS: accelerated HALS's sweep count follows the product's cost, which V's storage changes.
        NmfOptions o = options(4).algorithm(algorithm).acceleration(0).maxIterations(30).tolerance(0).build();
        NmfResult a = Nmf.fit(dense, o);
        NmfResult b = Nmf.fit(sparse, o);
        assertTrue(TestMatrices.relativeDifference(b.w().toDoubleArray(), a.w().toDoubleArray()) < 1e-9);
        assertTrue(TestMatrices.relativeDifference(b.h().toDoubleArray(), a.h().toDoubleArray()) < 1e-9);
        assertEquals(a.relativeError(), b.relativeError(), 1e-12);
    }

    @Test
    void multiBlockStorageGivesTheSameBits() {
        DenseMatrix blocked = TestMatrices.reblocked(NOISY, 7);
        assertEquals(9, blocked.blockCount());
        NmfOptions o = options(4).maxIterations(20).build();
        NmfResult a = Nmf.fit(NOISY, o);
        NmfResult b = Nmf.fit(blocked, o);
        assertArrayEquals(a.w().toDoubleArray(), b.w().toDoubleArray());
        assertArrayEquals(a.h().toDoubleArray(), b.h().toDoubleArray());
    }

    static Stream<Arguments> degenerateShapes() {
        return Stream.of(Arguments.of(1, 30, 1), Arguments.of(30, 1, 1), Arguments.of(12, 9, 9),
                Arguments.of(9, 12, 9), Arguments.of(1, 1, 1));
    }

    @ParameterizedTest(name = "{0}×{1} rank {2}")
    @MethodSource("degenerateShapes")
    void degenerateShapesFit(int n, int m, int k) {
        DenseMatrix v = DenseMatrix.wrap(n, m, TestMatrices.uniform(n * m, 5));
        for (Algorithm algorithm : Algorithm.values()) {
            NmfResult r = Nmf.fit(v, options(k).algorithm(algorithm).maxIterations(50).build());
            assertEquals(n, r.w().rows());
            assertEquals(m, r.h().cols());
            assertTrue(Double.isFinite(r.relativeError()) && r.relativeError() >= 0 && r.relativeError() < 1);
        }
    }

    @Test
    void zeroRowsAndColumnsStayZeroAndNothingBecomesNaN() {
        double[] x = TestMatrices.uniform(20 * 15, 6);
        for (int j = 0; j < 15; j++) {
            x[3 * 15 + j] = 0;
        }
        for (int i = 0; i < 20; i++) {
            x[i * 15 + 8] = 0;
        }
        DenseMatrix v = DenseMatrix.wrap(20, 15, x);
        for (Algorithm algorithm : Algorithm.values()) {
            NmfResult r = Nmf.fit(v, options(3).algorithm(algorithm).maxIterations(200).build());
            double[] w = r.w().toDoubleArray();
            double[] h = r.h().toDoubleArray();
            for (double value : w) {
                assertTrue(Double.isFinite(value));
            }
            for (double value : h) {
                assertTrue(Double.isFinite(value));
            }
            double row3 = 0;
            for (int p = 0; p < 3; p++) {
                row3 += w[3 * 3 + p];
            }
            assertTrue(row3 < 1e-3, "zero row of V should give a (near) zero row of W: " + row3);
        }
        DenseMatrix zeros = DenseMatrix.zeros(5, 4, Precision.DOUBLE);
        NmfResult r = Nmf.fit(zeros, options(2).build());
        assertEquals(0, r.relativeError());
        assertEquals(StopReason.CONVERGED, r.stopReason());
    }

    @Test
    void stopsOnConvergenceTimeLimitAndCancellation() {
        NmfResult converged = Nmf.fit(NOISY, options(4).tolerance(1e-3).maxIterations(5000).build());
        assertEquals(StopReason.CONVERGED, converged.stopReason());
        assertTrue(converged.iterations() < 5000);

        DenseMatrix big = TestMatrices.lowRank(400, 300, 10, 0.1, 9);
        NmfResult timed = Nmf.fit(big, options(10).timeLimit(Duration.ofMillis(200)).tolerance(0)
                .maxIterations(1_000_000).build());
        assertEquals(StopReason.TIME_LIMIT, timed.stopReason());
        assertTrue(timed.seconds() < 10);
        assertEquals(timed.iterations(), timed.checkIterations()[timed.checkIterations().length - 1]);

        Cancellation cancel = new Cancellation();
        NmfResult cancelled = Nmf.fit(big, options(10).cancellation(cancel).tolerance(0).maxIterations(1_000_000)
                .progress((it, max, err, change) -> {
                    if (it >= 20) {
                        cancel.cancel();
                    }
                }).build());
        assertEquals(StopReason.CANCELLED, cancelled.stopReason());
        assertEquals(20, cancelled.iterations());

        NmfResult budget = Nmf.fit(NOISY, options(4).maxIterations(7).tolerance(0).build());
        assertEquals(StopReason.MAX_ITERATIONS, budget.stopReason());
        assertArrayEquals(new int[] {0, 7}, budget.checkIterations());
    }

    @Test
    void badInputIsRejectedWithTheEntryAndTheFix() {
        double[] x = TestMatrices.uniform(12, 1);
        x[7] = -0.5;
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> Nmf.fit(DenseMatrix.wrap(3, 4, x), 2));
        assertTrue(negative.getMessage().contains("negative entry (-0.5) at row 1, column 3"), negative.getMessage());
        x[7] = Double.NaN;
        String nan = assertThrows(IllegalArgumentException.class, () -> Nmf.fit(DenseMatrix.wrap(3, 4, x), 2))
                .getMessage();
        assertTrue(nan.contains("NaN entry") && nan.contains("--missing nan") && nan.contains("Missing.NAN"), nan);
        x[7] = Double.POSITIVE_INFINITY;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Nmf.fit(DenseMatrix.wrap(3, 4, x), 2))
                .getMessage().contains("infinite entry"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> Nmf.fit(DenseMatrix.zeros(0, 4, Precision.DOUBLE), 1)).getMessage().contains("empty"));
        IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class,
                () -> Nmf.fit(NOISY, options(46).initialization(Initialization.NNDSVD).build()));
        assertTrue(tooBig.getMessage().contains("≤ min(n, m) = 45"), tooBig.getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NmfOptions.rank(0)).getMessage()
                .contains("at least 1"));
        // rank above min(n, m) is fine with random initialisation, the default there
        assertEquals(Initialization.RANDOM, Nmf.fit(NOISY, options(50).maxIterations(3).build()).initialization());
    }

    private static double frobenius(DenseMatrix x) {
        double s = 0;
        for (double value : x.toDoubleArray()) {
            s += value * value;
        }
        return Math.sqrt(s);
    }

    private static double[] product(double[] w, double[] h, int n, int k, int m) {
        double[] out = new double[n * m];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < k; p++) {
                for (int j = 0; j < m; j++) {
                    out[i * m + j] += w[i * k + p] * h[p * m + j];
                }
            }
        }
        return out;
    }
}
