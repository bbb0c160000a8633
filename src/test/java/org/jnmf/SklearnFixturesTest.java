package org.jnmf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.jnmf.io.MatrixReader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Agreement with scikit-learn 1.2.1 on the reference fixtures in src/test/resources/fixtures (made by
 * make_fixtures.py there): 10 iterations from the given W0, H0 with tolerance 0. Same update order and
 * guard, so only summation order differs: the fixtures' README expects ~1e-10 relative in float64.
 */
class SklearnFixturesTest {
    private static final Path FIXTURES = Path.of("src", "test", "resources", "fixtures");
    private static final double AGREEMENT = 1e-10;

    private static DenseMatrix dense(String file) {
        return (DenseMatrix) MatrixReader.read(FIXTURES.resolve(file));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "dense60x40.npy, cd, 5, 0.05308792081528958, 6.549477494759669",
        "dense60x40.npy, mu_fro, 5, 0.12967588526062374, 39.07812016394541",
        "sparse80x120.mtx, cd, 6, 0.8650609983863629, 6591.669481689956",
        "sparse80x120.mtx, mu_fro, 6, 0.8815225984676321, 6844.927603938987",
    })
    void tenIterationsMatchScikitLearn(String input, String solver, int rank, double relativeError, double loss) {
        String name = input.substring(0, input.indexOf('.'));
        Matrix v = MatrixReader.read(FIXTURES.resolve(input));
        NmfResult r = Nmf.fit(v, NmfOptions.builder(rank)
                .algorithm(solver.equals("cd") ? Algorithm.HALS : Algorithm.MULTIPLICATIVE)
                .initialFactors(dense(name + "_W0.npy"), dense(name + "_H0.npy")).acceleration(0) // cd: plain HALS
                .maxIterations(10).tolerance(0).precision(Precision.DOUBLE).build());
        double dw = TestMatrices.relativeDifference(r.w().toDoubleArray(), dense(name + "_" + solver + "_W.npy").toDoubleArray());
        double dh = TestMatrices.relativeDifference(r.h().toDoubleArray(), dense(name + "_" + solver + "_H.npy").toDoubleArray());
        assertTrue(dw < AGREEMENT && dh < AGREEMENT, "W differs by " + dw + ", H by " + dh);
        assertEquals(relativeError, r.relativeError(), AGREEMENT * relativeError);
        assertEquals(loss, r.loss(), AGREEMENT * loss);
    }

    /**
     * β-divergence losses and regularisation against scikit-learn 1.2.1 (mu_kl from make_fixtures.py, the
     * rest from make_more_fixtures.py): 10 iterations from W0, H0. The loss compared is the objective,
     * divergence plus penalties. The β-divergence updates take powers, so 1e-9 rather than 1e-10.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "dense60x40.npy, mu_kl, mu, 1, 0, 0, 0, 0, 0.12904240039908788, 31.510655850198773",
        "sparse80x120.mtx, mu_kl, mu, 1, 0, 0, 0, 0, 0.8972151493599345, 6688.75051942995",
        "dense60x40.npy, mu_b05, mu, 0.5, 0, 0, 0, 0, 0.13468357028791303, 31.72986631940148",
        "dense60x40.npy, mu_is, mu, 0, 0, 0, 0, 0, 0.13880750198291708, 31.882137811298122",
        "dense60x40.npy, mu_b15, mu, 1.5, 0, 0, 0, 0, 0.1293299727159463, 34.672293962157106",
        "dense60x40.npy, cd_reg, cd, 2, 0.12, 0.28, 0.36, 0.84, 0.06809974888348395, 122.30017867588725",
        "dense60x40.npy, mu_fro_reg, mu, 2, 0.12, 0.28, 0.36, 0.84, 0.12825266508225072, 131.70350047431913",
        "dense60x40.npy, mu_kl_reg, mu, 1, 0.02, 0.02, 0.06, 0.06, 0.12877684433163442, 44.35790164829484",
        "sparse80x120.mtx, mu_b05, mu, 0.5, 0, 0, 0, 0, 0.9132956036373248, 12549.190442638974",
        "sparse80x120.mtx, cd_reg, cd, 2, 0.084, 0.036, 0.056, 0.024, 0.8650406830039846, 6621.240214710959",
    })
    void lossesAndPenaltiesMatchScikitLearn(String input, String label, String solver, double beta, double l1W,
                                            double l2W, double l1H, double l2H, double relativeError,
                                            double objective) {
        String name = input.substring(0, input.indexOf('.'));
        Matrix v = MatrixReader.read(FIXTURES.resolve(input));
        int rank = name.startsWith("dense") ? 5 : 6;
        NmfResult r = Nmf.fit(v, NmfOptions.builder(rank)
                .algorithm(solver.equals("cd") ? Algorithm.HALS : Algorithm.MULTIPLICATIVE).beta(beta)
                .regularization(l1W, l2W, l1H, l2H)
                .initialFactors(dense(name + "_W0.npy"), dense(name + "_H0.npy")).acceleration(0) // cd: plain HALS
                .maxIterations(10).tolerance(0).precision(Precision.DOUBLE).build());
        double dw = TestMatrices.relativeDifference(r.w().toDoubleArray(), dense(name + "_" + label + "_W.npy").toDoubleArray());
        double dh = TestMatrices.relativeDifference(r.h().toDoubleArray(), dense(name + "_" + label + "_H.npy").toDoubleArray());
        assertTrue(dw < 1e-9 && dh < 1e-9, "W differs by " + dw + ", H by " + dh);
        assertEquals(relativeError, r.relativeError(), 1e-9 * relativeError);
        assertEquals(objective, r.loss(), 1e-9 * objective);
    }

    /**
     * scikit-learn's NNDSVD uses a randomized SVD too, but with NumPy's random numbers; both converge to the
     * exact truncated SVD here (rank-5 signal plus small noise), which the README says agrees to ~1e-8.
     */
    @ParameterizedTest
    @CsvSource({"NNDSVD, nndsvd", "NNDSVDA, nndsvda"})
    void nndsvdMatchesScikitLearn(Initialization init, String name) {
        NmfResult r = Nmf.fit(dense("dense60x40.npy"), NmfOptions.builder(5).initialization(init).maxIterations(0)
                .precision(Precision.DOUBLE).build());
        double dw = TestMatrices.relativeDifference(r.w().toDoubleArray(), dense("dense60x40_" + name + "_W.npy").toDoubleArray());
        double dh = TestMatrices.relativeDifference(r.h().toDoubleArray(), dense("dense60x40_" + name + "_H.npy").toDoubleArray());
        assertTrue(dw < 1e-7 && dh < 1e-7, "W differs by " + dw + ", H by " + dh);
    }

    /**
     * NNDSVDAR fills NNDSVD's zeros with |N(0,1)|·mean(V)/100. scikit-learn draws them from NumPy's generator,
     * so only the entries it did not fill can be compared (with its own NNDSVD, to the SVD agreement above);
     * the filled ones must sit where NNDSVD has zeros, be positive and of the documented size.
     */
    @org.junit.jupiter.api.Test
    void nndsvdarKeepsNndsvdAndFillsItsZerosWithSmallRandomValues() {
        DenseMatrix v = dense("dense60x40.npy");
        double mean = java.util.Arrays.stream(v.toDoubleArray()).average().orElseThrow();
        NmfOptions.Builder options = NmfOptions.builder(5).maxIterations(0).precision(Precision.DOUBLE).seed(3);
        NmfResult plain = Nmf.fit(v, options.initialization(Initialization.NNDSVD).build());
        NmfResult ar = Nmf.fit(v, options.initialization(Initialization.NNDSVDAR).build());
        assertEquals(Initialization.NNDSVDAR, ar.initialization());
        double[][] ours = {ar.w().toDoubleArray(), ar.h().toDoubleArray()};
        double[][] zeros = {plain.w().toDoubleArray(), plain.h().toDoubleArray()};
        double[][] theirs = {dense("dense60x40_nndsvdar_W.npy").toDoubleArray(), dense("dense60x40_nndsvdar_H.npy").toDoubleArray()};
        double[][] theirPlain = {dense("dense60x40_nndsvd_W.npy").toDoubleArray(), dense("dense60x40_nndsvd_H.npy").toDoubleArray()};
        int filled = 0;
        double filledSum = 0;
        for (int f = 0; f < 2; f++) {
            for (int i = 0; i < ours[f].length; i++) {
                if (zeros[f][i] != 0) {
                    assertEquals(zeros[f][i], ours[f][i], 0.0, "an NNDSVD entry changed");
                    assertEquals(theirs[f][i], ours[f][i], 1e-7 * Math.abs(theirs[f][i]), "differs from scikit-learn");
                } else {
                    assertEquals(0, theirPlain[f][i], "scikit-learn's NNDSVD has no zero here");
                    assertTrue(ours[f][i] > 0 && ours[f][i] < 6 * mean / 100, "filled value " + ours[f][i]);
                    filled++;
                    filledSum += ours[f][i];
                }
            }
        }
        assertTrue(filled > 100, "only " + filled + " zeros filled");
        // E|N(0,1)| = √(2/π): the fills average 0.798·mean/100, here within a few standard errors.
        assertEquals(Math.sqrt(2 / Math.PI) * mean / 100, filledSum / filled, 0.15 * mean / 100);
        NmfResult again = Nmf.fit(v, options.initialization(Initialization.NNDSVDAR).build());
        assertTrue(again.w().equals(ar.w()) && again.h().equals(ar.h()), "same seed, different start");
        NmfResult otherSeed = Nmf.fit(v, options.initialization(Initialization.NNDSVDAR).seed(4).build());
        assertTrue(!otherSeed.w().equals(ar.w()), "another seed, same fill");
    }

    /**
     * jnmf's --tol rule is scikit-learn's for solver='mu': every 10 iterations, stop when the decrease of
     * ‖V − WH‖_F since the last check, over its value at the start, is below tol. So from the same start MU
     * stops at the iteration scikit-learn 1.2.1 stopped at (make_tol_fixtures.py, expected_tol.json), with
     * the same error. (scikit-learn's 'cd' has another rule, recorded there for comparison.)
     */
    @ParameterizedTest(name = "mu tol {0}")
    @CsvSource({"0.01, 100, 0.02692761425280207", "0.001, 160, 0.013946640179027029",
        "0.0001, 550, 0.007492628854528244"})
    void muStopsAtTheIterationScikitLearnStopsAt(double tol, int iterations, double relativeError) {
        NmfResult r = Nmf.fit(dense("dense60x40.npy"), NmfOptions.builder(5).algorithm(Algorithm.MULTIPLICATIVE)
                .initialFactors(dense("dense60x40_W0.npy"), dense("dense60x40_H0.npy")).maxIterations(5000)
                .tolerance(tol).checkInterval(10).precision(Precision.DOUBLE).build());
        assertEquals(iterations, r.iterations());
        assertEquals(relativeError, r.relativeError(), 1e-9 * relativeError);
    }
}
