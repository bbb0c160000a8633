package org.jnmf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.jnmf.backend.ReferenceBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** Fits that leave missing entries out: recovery of hidden entries, monotone masked loss, the three ways to say which. */
class MissingValuesTest {
    private static final int N = 60;
    private static final int M = 45;
    /** Exactly rank 3, all entries > 0. */
    private static final DenseMatrix TRUTH = TestMatrices.lowRank(N, M, 3, 0, 21);
    /** 30% of the entries, chosen at random. */
    private static final boolean[] HIDDEN = hidden(0.3, 22);

    private static boolean[] hidden(double fraction, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        boolean[] hidden = new boolean[N * M];
        for (int i = 0; i < hidden.length; i++) {
            hidden[i] = random.nextDouble() < fraction;
        }
        return hidden;
    }

    private static DenseMatrix withHidden(double value) {
        double[] v = TRUTH.toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            if (HIDDEN[i]) {
                v[i] = value;
            }
        }
        return DenseMatrix.wrap(N, M, v);
    }

    /** ‖(WH − truth) on the hidden entries‖ / ‖truth on the hidden entries‖. */
    private static double hiddenError(NmfResult r) {
        double[] w = r.w().toDoubleArray();
        double[] h = r.h().toDoubleArray();
        double[] truth = TRUTH.toDoubleArray();
        int k = r.rank();
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < M; j++) {
                if (!HIDDEN[i * M + j]) {
                    continue;
                }
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += w[i * k + p] * h[p * M + j];
                }
                diff += (s - truth[i * M + j]) * (s - truth[i * M + j]);
                scale += truth[i * M + j] * truth[i * M + j];
            }
        }
        return Math.sqrt(diff / scale);
    }

    private static NmfOptions.Builder options(Algorithm algorithm) {
        return NmfOptions.builder(3).algorithm(algorithm).threads(2).seed(5).precision(Precision.DOUBLE)
                .tolerance(0).initialization(Initialization.RANDOM);
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void aLowRankMatrixWith30PercentHiddenIsRecoveredOnTheHiddenEntries(Algorithm algorithm) {
        int iterations = algorithm == Algorithm.MULTIPLICATIVE ? 3000 : 800;
        NmfResult r = Nmf.fit(withHidden(Double.NaN), options(algorithm).missing(Missing.NAN)
                .maxIterations(iterations).build());
        double error = hiddenError(r);
        // EM converges linearly at a rate set by the hidden fraction; MU, sublinear, is the slowest of the three.
        assertTrue(error < (algorithm == Algorithm.MULTIPLICATIVE ? 2e-2 : 1e-2),
                algorithm + ": relative error on the hidden entries " + error);
        assertTrue(r.relativeError() < error + 1e-3, "the observed entries fit at least as well");
        // Without the mask the hidden entries, read as zeros, pull the fit away from the truth.
        NmfResult naive = Nmf.fit(withHidden(0), options(algorithm).maxIterations(iterations).build());
        assertTrue(hiddenError(naive) > 0.3, "zeros taken as data: " + hiddenError(naive));
    }

    @ParameterizedTest
    @CsvSource({"HALS, 0", "HALS, 0.5", "MULTIPLICATIVE, 0", "ANLS, 0"})
    void theMaskedLossNeverRises(Algorithm algorithm, double acceleration) {
        NmfResult r = Nmf.fit(withHidden(Double.NaN), options(algorithm).missing(Missing.NAN)
                .acceleration(acceleration).regularization(0.01, 0.02, 0.03, 0.04).maxIterations(40)
                .checkInterval(1).build());
        double[] loss = r.lossHistory();
        for (int i = 1; i < loss.length; i++) {
            assertTrue(loss[i] <= loss[i - 1] * (1 + 1e-12), "loss rose at check " + i + ": " + loss[i - 1] + " → "
                    + loss[i]);
        }
    }

    /** NaN entries, zero entries and an explicit mask say the same thing here, so the fits are identical. */
    @Test
    void nanZerosAndAnExplicitMaskAgree() {
        double[] mask = new double[N * M];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = HIDDEN[i] ? 0 : 1;
        }
        NmfOptions.Builder o = options(Algorithm.HALS).maxIterations(30);
        NmfResult nan = Nmf.fit(withHidden(Double.NaN), o.missing(Missing.NAN).build());
        NmfResult zeros = Nmf.fit(SparseMatrix.fromDense(withHidden(0)), o.missing(Missing.ZEROS).build());
        NmfResult explicit = Nmf.fit(withHidden(7), o.missing(Missing.NONE).mask(DenseMatrix.wrap(N, M, mask)).build());
        for (NmfResult other : new NmfResult[] {zeros, explicit}) {
            assertEquals(0, TestMatrices.relativeDifference(other.w().toDoubleArray(), nan.w().toDoubleArray()));
            assertEquals(0, TestMatrices.relativeDifference(other.h().toDoubleArray(), nan.h().toDoubleArray()));
        }
    }

    @ParameterizedTest
    @EnumSource(Algorithm.class)
    void maskedFitsAgreeWithTheReferenceBackend(Algorithm algorithm) {
        NmfOptions o = options(algorithm).missing(Missing.NAN).maxIterations(20).build();
        NmfResult java = Nmf.fit(withHidden(Double.NaN), o);
        NmfResult reference;
        try (ReferenceBackend backend = new ReferenceBackend()) {
            reference = Nmf.fit(withHidden(Double.NaN), o, backend);
        }
        assertTrue(TestMatrices.relativeDifference(java.w().toDoubleArray(), reference.w().toDoubleArray()) < 1e-8);
        assertEquals(reference.loss(), java.loss(), 1e-9 * reference.loss());
    }

    @Test
    void badMissingValueSetupsAreRefused() {
        DenseMatrix withNaN = withHidden(Double.NaN);
        IllegalArgumentException plain = assertThrows(IllegalArgumentException.class,
                () -> Nmf.fit(withNaN, NmfOptions.rank(2)));
        assertTrue(plain.getMessage().contains("NaN"), plain.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Nmf.fit(withNaN, NmfOptions.builder(2)
                .missing(Missing.NAN).mask(withHidden(1)).build()));
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class, () -> Nmf.fit(withNaN,
                NmfOptions.builder(2).mask(DenseMatrix.zeros(3, 3, Precision.DOUBLE)).build()));
        assertTrue(shape.getMessage().contains("shape"), shape.getMessage());
        IllegalArgumentException values = assertThrows(IllegalArgumentException.class, () -> Nmf.fit(TRUTH,
                NmfOptions.builder(2).mask(withHidden(0.5)).build()));
        assertTrue(values.getMessage().contains("only 0") , values.getMessage());
        IllegalArgumentException loss = assertThrows(IllegalArgumentException.class, () -> Nmf.fit(withNaN,
                NmfOptions.builder(2).missing(Missing.NAN).beta(1).build()));
        assertTrue(loss.getMessage().contains("Frobenius"), loss.getMessage());
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> Nmf.fit(
                DenseMatrix.wrap(1, 2, new double[] {Double.NaN, Double.NaN}), NmfOptions.builder(1)
                        .missing(Missing.NAN).build()));
        assertTrue(empty.getMessage().contains("every entry"), empty.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> Nmf.fit(
                DenseMatrix.wrap(1, 2, new double[] {Double.NaN, -1}), NmfOptions.builder(1)
                        .missing(Missing.NAN).build()));
        assertTrue(negative.getMessage().contains("negative observed entry"), negative.getMessage());
    }
}
