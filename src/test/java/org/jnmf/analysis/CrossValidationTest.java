package org.jnmf.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jnmf.DenseMatrix;
import org.jnmf.TestMatrices;
import org.junit.jupiter.api.Test;

class CrossValidationTest {
    /** V = W0·H0 with W0, H0 uniform on [0, 1) at rank 8 (entries about 2), plus uniform noise up to 0.5. */
    @Test
    void heldOutErrorIsLowestAtTheTrueRank() {
        DenseMatrix v = TestMatrices.lowRank(120, 90, 8, 0.5, 11);
        List<boolean[]> holdOuts = RankSelection.holdOuts(120, 90, 0.1, 3, 5);
        double[] error = new double[13];
        StringBuilder all = new StringBuilder();
        for (int k = 5; k <= 11; k++) {
            error[k] = RankSelection.crossValidation(v, k, holdOuts,
                    rank -> org.jnmf.NmfOptions.builder(rank).maxIterations(1000).tolerance(1e-6).threads(1), 1, null).heldOutError();
            all.append(k).append(": ").append(error[k]).append("  ");
        }
        int best = 5;
        for (int k = 6; k <= 11; k++) {
            if (error[k] < error[best]) {
                best = k;
            }
        }
        assertEquals(8, best, all.toString());
    }

    /**
     * Held-out entries spoiled to 1000 leave the fit of the others (rank-2 product, fitted at rank 2) near exact
     * and show up whole in the held-out error: they take no part in the fit.
     */
    @Test
    void heldOutEntriesTakeNoPartInTheFit() {
        DenseMatrix clean = TestMatrices.lowRank(40, 30, 2, 0, 2);
        List<boolean[]> holdOuts = RankSelection.holdOuts(40, 30, 0.1, 1, 3);
        double[][] spoiled = clean.toArray();
        for (int p = 0; p < 40 * 30; p++) {
            if (holdOuts.getFirst()[p]) {
                spoiled[p / 30][p % 30] = 1000;
            }
        }
        RankSelection.CrossValidationFigures f = RankSelection.crossValidation(DenseMatrix.of(spoiled), 2, holdOuts,
                rank -> org.jnmf.NmfOptions.builder(rank).maxIterations(2000).tolerance(0).threads(1), 1, null);
        // Exact up to the masked fit's slow final convergence (1.7e-4 measured); a fit that saw the 1000s would
        // miss the observed entries (about 0.5 each) by far more.
        assertTrue(f.trainingError() < 1e-3, "the observed entries are fitted: " + f);
        assertTrue(f.heldOutError() > 0.99, "predictions near the clean values, far from 1000: " + f);
    }

    @Test
    void holdOutsHideTheAskedFractionAndAreShared() {
        List<boolean[]> patterns = RankSelection.holdOuts(10, 20, 0.25, 2, 1);
        assertEquals(2, patterns.size());
        for (boolean[] p : patterns) {
            int hidden = 0;
            for (boolean b : p) {
                hidden += b ? 1 : 0;
            }
            assertEquals(50, hidden);
        }
        assertTrue(!java.util.Arrays.equals(patterns.get(0), patterns.get(1)), "repeats hide different entries");
        assertThrows(IllegalArgumentException.class, () -> RankSelection.holdOuts(10, 20, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> RankSelection.holdOuts(10, 20, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> RankSelection.holdOuts(10, 20, 0.1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> RankSelection.holdOuts(2, 2, 0.01, 1, 1));
    }
}
