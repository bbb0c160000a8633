package org.jnmf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jnmf.backend.ReferenceBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * β-divergence losses, L1/L2 penalties, the projected-gradient (KKT) stop and accelerated HALS: monotone
 * objectives where theory promises them, agreement with the slow reference backend, and optimality.
 */
class LossesAndPenaltiesTest {
    /** Positive everywhere (uniform noise on a low-rank product), so every β, Itakura–Saito included, applies. */
    private static final DenseMatrix POSITIVE = TestMatrices.lowRank(40, 30, 3, 0.05, 11);
    private static final SparseMatrix COUNTS = TestMatrices.sparseCounts(50, 40, 0.2, 5);

    private static NmfOptions.Builder options(int rank) {
        return NmfOptions.builder(rank).threads(2).seed(3).tolerance(0);
    }

    private static void assertNonIncreasing(double[] loss, double slack) {
        for (int i = 1; i < loss.length; i++) {
            assertTrue(loss[i] <= loss[i - 1] * (1 + slack) + 1e-300, "loss rose at check " + i + ": " + loss[i - 1]
                    + " → " + loss[i]);
        }
    }

    @ParameterizedTest(name = "beta {0} in {1}, penalties {2}")
    @CsvSource({"0, DOUBLE, false", "0.5, DOUBLE, false", "1, DOUBLE, false", "1.5, DOUBLE, false",
        "0.5, SINGLE, false", "1, SINGLE, false", "0, DOUBLE, true", "1, DOUBLE, true", "1.5, SINGLE, true"})
    void multiplicativeUpdatesNeverRaiseTheBetaObjective(double beta, Precision precision, boolean penalties) {
        NmfOptions.Builder o = options(4).beta(beta).precision(precision).maxIterations(60).checkInterval(1);
        if (penalties) {
            o.regularization(0.05, 0.1, 0.02, 0.3);
        }
        NmfResult r = Nmf.fit(POSITIVE, o.build());
        assertEquals(Algorithm.MULTIPLICATIVE, r.algorithm());
        double[] loss = r.lossHistory();
        assertEquals(61, loss.length);
        assertNonIncreasing(loss, precision == Precision.SINGLE ? 1e-5 : 1e-12);
        assertTrue(loss[60] < 0.5 * loss[0], "little progress: " + loss[0] + " → " + loss[60]);
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.5, 1, 1.5})
    void multiplicativeUpdatesOnSparseInputNeverRaiseTheObjective(double beta) {
        NmfResult r = Nmf.fit(COUNTS, options(5).beta(beta).precision(Precision.DOUBLE).maxIterations(40)
                .checkInterval(1).build());
        assertNonIncreasing(r.lossHistory(), 1e-12);
    }

    /** The Java backend's sampled (sparse) and dense paths against the slow, obvious reference backend. */
    @ParameterizedTest(name = "beta {0}, sparse {1}, penalties {2}")
    @CsvSource({"0, false, false", "0.5, false, false", "1, false, false", "1.5, false, true", "1, true, false",
        "0.5, true, true", "1, false, true"})
    void betaFitsAgreeWithTheReferenceBackend(double beta, boolean sparse, boolean penalties) {
        NmfOptions.Builder o = options(4).beta(beta).precision(Precision.DOUBLE).maxIterations(25);
        if (penalties) {
            o.regularization(0.05, 0.1, 0.02, 0.3);
        }
        Matrix v = sparse ? COUNTS : POSITIVE;
        assertAgreement(v, o.build());
    }

    @ParameterizedTest(name = "{0}, accelerated {1}")
    @CsvSource({"HALS, 0", "HALS, 0.5", "MULTIPLICATIVE, 0", "ANLS, 0"})
    void penalisedFrobeniusFitsAgreeWithTheReferenceBackend(Algorithm algorithm, double acceleration) {
        NmfOptions o = options(4).algorithm(algorithm).acceleration(acceleration).regularization(0.3, 0.5, 0.1, 0.2)
                .precision(Precision.DOUBLE).maxIterations(25).build();
        assertAgreement(POSITIVE, o);
        assertAgreement(COUNTS, o);
    }

    private static void assertAgreement(Matrix v, NmfOptions o) {
        NmfResult java = Nmf.fit(v, o);
        NmfResult reference;
        try (ReferenceBackend backend = new ReferenceBackend()) {
            reference = Nmf.fit(v, o, backend);
        }
        double dw = TestMatrices.relativeDifference(java.w().toDoubleArray(), reference.w().toDoubleArray());
        double dh = TestMatrices.relativeDifference(java.h().toDoubleArray(), reference.h().toDoubleArray());
        assertTrue(dw < 1e-8 && dh < 1e-8, "W differs by " + dw + ", H by " + dh);
        assertEquals(reference.loss(), java.loss(), 1e-9 * Math.abs(reference.loss()));
        double[] gj = java.projectedGradientHistory();
        double[] gr = reference.projectedGradientHistory();
        assertEquals(gr.length, gj.length);
        for (int i = 0; i < gr.length; i++) {
            assertEquals(gr[i], gj[i], 1e-7 * (gr[0] + gr[i]), "projected gradient at check " + i);
        }
    }

    @ParameterizedTest
    @CsvSource({"HALS, 0", "HALS, 0.5", "MULTIPLICATIVE, 0", "ANLS, 0"})
    void penalisedFrobeniusObjectiveNeverRises(Algorithm algorithm, double acceleration) {
        NmfResult r = Nmf.fit(POSITIVE, options(4).algorithm(algorithm).acceleration(acceleration)
                .regularization(0.3, 0.5, 0.1, 0.2).precision(Precision.DOUBLE).maxIterations(50).checkInterval(1)
                .build());
        assertNonIncreasing(r.lossHistory(), 1e-12);
        assertTrue(r.loss() > r.dataLoss(), "the loss includes the penalty");
    }

    @Test
    void anL1PenaltyOnWMakesItSparser() {
        NmfOptions.Builder o = options(6).precision(Precision.DOUBLE).maxIterations(300);
        NmfResult plain = Nmf.fit(POSITIVE, o.build());
        NmfResult lasso = Nmf.fit(POSITIVE, o.regularization(2, 0, 0, 0).build());
        assertTrue(zeros(lasso.w()) > zeros(plain.w()) + 10, zeros(lasso.w()) + " zeros with L1, "
                + zeros(plain.w()) + " without");
    }

    private static int zeros(DenseMatrix x) {
        int z = 0;
        for (double value : x.toDoubleArray()) {
            z += value == 0 ? 1 : 0;
        }
        return z;
    }

    /**
     * At convergence of HALS and of ANLS (exact alternating NNLS; the KKT conditions of each subproblem are
     * NnlsTest's), with and without penalties, the KKT conditions of the penalised objective hold:
     * min(x, ∇f) = 0 entry-wise with ∇_W f = (WH − V)Hᵀ + l1W + l2W·W (and likewise for H), computed here
     * from the returned factors with plain loops; and the reported projected-gradient norm is that of
     * these gradients.
     */
    @ParameterizedTest
    @CsvSource({"HALS, 0, 0, 0, 0", "HALS, 0.2, 0.4, 0.1, 0.3", "ANLS, 0, 0, 0, 0", "ANLS, 0.2, 0.4, 0.1, 0.3"})
    void meetsTheKktConditionsOfThePenalisedObjectiveAtConvergence(Algorithm algorithm, double l1W, double l2W,
                                                                   double l1H, double l2H) {
        NmfResult r = Nmf.fit(POSITIVE, options(3).algorithm(algorithm).precision(Precision.DOUBLE).maxIterations(5000)
                .regularization(l1W, l2W, l1H, l2H).kktTolerance(1e-9).build());
        assertEquals(StopReason.STATIONARY, r.stopReason());
        assertTrue(r.converged());
        double[][] g = gradients(POSITIVE, r.w(), r.h(), l1W, l2W, l1H, l2H);
        double worst = 0;
        double projected = 0;
        double[][] x = {r.w().toDoubleArray(), r.h().toDoubleArray()};
        for (int s = 0; s < 2; s++) {
            for (int i = 0; i < x[s].length; i++) {
                worst = Math.max(worst, Math.abs(Math.min(x[s][i], g[s][i])));
                double p = x[s][i] > 0 ? g[s][i] : Math.min(0, g[s][i]);
                projected += p * p;
            }
        }
        assertTrue(worst < 1e-6, "largest KKT violation " + worst);
        double[] history = r.projectedGradientHistory();
        assertEquals(Math.sqrt(projected), history[history.length - 1], 1e-9 * history[0] + 1e-12);
        assertTrue(r.relativeProjectedGradient() <= 1e-9);
    }

    /** ∇_W and ∇_H of ½‖V − WH‖² + l1W·ΣW + ½l2W‖W‖² + l1H·ΣH + ½l2H‖H‖², by definition. */
    private static double[][] gradients(DenseMatrix vm, DenseMatrix wm, DenseMatrix hm, double l1W, double l2W,
                                        double l1H, double l2H) {
        int n = vm.rows(), m = vm.cols(), k = wm.cols();
        double[] v = vm.toDoubleArray(), w = wm.toDoubleArray(), h = hm.toDoubleArray();
        double[] residual = new double[n * m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += w[i * k + p] * h[p * m + j];
                }
                residual[i * m + j] = s - v[i * m + j];
            }
        }
        double[] gw = new double[n * k];
        double[] gh = new double[k * m];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < k; p++) {
                double s = 0;
                for (int j = 0; j < m; j++) {
                    s += residual[i * m + j] * h[p * m + j];
                }
                gw[i * k + p] = s + l1W + l2W * w[i * k + p];
            }
        }
        for (int p = 0; p < k; p++) {
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (int i = 0; i < n; i++) {
                    s += w[i * k + p] * residual[i * m + j];
                }
                gh[p * m + j] = s + l1H + l2H * h[p * m + j];
            }
        }
        return new double[][] {gw, gh};
    }

    @ParameterizedTest
    @CsvSource({"HALS, 2", "MULTIPLICATIVE, 2", "MULTIPLICATIVE, 1", "MULTIPLICATIVE, 0.5", "ANLS, 2"})
    void theKktToleranceStopsWhenTheProjectedGradientHasFallenEnough(Algorithm algorithm, double beta) {
        NmfResult r = Nmf.fit(POSITIVE, options(3).algorithm(algorithm).beta(beta).precision(Precision.DOUBLE)
                .maxIterations(20000).kktTolerance(1e-2).build());
        assertEquals(StopReason.STATIONARY, r.stopReason());
        double[] g = r.projectedGradientHistory();
        assertEquals(r.lossHistory().length, g.length);
        assertTrue(g[g.length - 1] <= 1e-2 * g[0]);
        assertTrue(g[g.length - 2] > 1e-2 * g[0], "it stopped at the first check that met the tolerance");
        assertEquals(g[g.length - 1] / g[0], r.relativeProjectedGradient(), 1e-15);
        assertTrue(r.relativeDecrease() >= 0 && r.relativeDecrease() < 1);
    }

    @Test
    void acceleratedHalsNeverRaisesTheLossAndGetsFurtherPerIteration() {
        DenseMatrix v = TestMatrices.lowRank(200, 150, 5, 0.01, 4);
        NmfOptions.Builder o = options(5).precision(Precision.DOUBLE).maxIterations(30).checkInterval(1)
                .initialization(Initialization.RANDOM);
        NmfResult plain = Nmf.fit(v, o.acceleration(0).build());
        NmfResult accelerated = Nmf.fit(v, o.acceleration(0.5).build());
        assertNonIncreasing(accelerated.lossHistory(), 1e-12);
        assertTrue(accelerated.loss() < plain.loss(), "accelerated " + accelerated.loss() + ", plain " + plain.loss());
    }

    @Test
    void itakuraSaitoRefusesAZeroInV() {
        DenseMatrix withZero = DenseMatrix.wrap(2, 2, new double[] {1, 2, 0, 3});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Nmf.fit(withZero, options(1).beta(0).build()));
        assertTrue(e.getMessage().contains("row 1, column 0") && e.getMessage().contains("Itakura"), e.getMessage());
        IllegalArgumentException sparse = assertThrows(IllegalArgumentException.class,
                () -> Nmf.fit(COUNTS, options(2).beta(0).build()));
        assertTrue(sparse.getMessage().contains("zero"), sparse.getMessage());
    }

    @Test
    void badLossAndPenaltyOptionsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> NmfOptions.builder(2).beta(2.5));
        assertThrows(IllegalArgumentException.class, () -> NmfOptions.builder(2).beta(-0.1));
        assertThrows(IllegalArgumentException.class, () -> NmfOptions.builder(2).beta(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> NmfOptions.builder(2).regularization(-1, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> NmfOptions.builder(2).regularization(0, 0, 0, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> NmfOptions.builder(2).kktTolerance(-1));
        assertThrows(IllegalArgumentException.class, () -> NmfOptions.builder(2).acceleration(-0.5));
        IllegalArgumentException hals = assertThrows(IllegalArgumentException.class,
                () -> NmfOptions.builder(2).algorithm(Algorithm.HALS).beta(1).build());
        assertTrue(hals.getMessage().contains("mu"), hals.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> NmfOptions.builder(2).algorithm(Algorithm.MULTIPLICATIVE).acceleration(0.5).build());
        assertEquals(Algorithm.MULTIPLICATIVE, NmfOptions.builder(2).beta(1).build().algorithm());
    }

    /**
     * Accelerated HALS is the default for HALS only: the other algorithms, and HALS made another by toBuilder,
     * get 0 unless α was set; a set α stays, and 0 is plain HALS.
     */
    @Test
    void accelerationDefaultsToHalfForHalsAndToZeroElsewhere() {
        NmfOptions hals = NmfOptions.builder(2).build();
        assertEquals(NmfOptions.DEFAULT_ACCELERATION, hals.acceleration());
        assertEquals(0.5, NmfOptions.DEFAULT_ACCELERATION);
        assertEquals(0, hals.toBuilder().algorithm(Algorithm.MULTIPLICATIVE).build().acceleration());
        assertEquals(0, hals.toBuilder().algorithm(Algorithm.ANLS).build().acceleration());
        assertEquals(0, NmfOptions.builder(2).beta(1).build().acceleration());
        assertEquals(0, hals.toBuilder().acceleration(0).build().acceleration());
        assertEquals(1.5, hals.toBuilder().acceleration(1.5).build().acceleration());
        assertEquals(0, NmfOptions.builder(2).algorithm(Algorithm.MULTIPLICATIVE).acceleration(0).build()
                .acceleration());
    }
}
