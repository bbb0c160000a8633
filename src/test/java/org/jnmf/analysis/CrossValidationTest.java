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
            error[k] = RankSelection.crossValidation(v, k, holdOuts, 300, 1e-6, 1, null).heldOutError();
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

    @Test
    void heldOutEntriesTakeNoPartInTheFit() {
        // A rank-1 matrix with one entry spoiled: held out, the fit still reproduces the others exactly and
        // predicts the rank-1 value there, not the spoiled one.
        double[] u = {1, 2, 3, 4};
        double[] t = {1, 0.5, 2};
        double[] v = new double[12];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 3; j++) {
                v[i * 3 + j] = u[i] * t[j];
            }
        }
        v[5] = 100; // row 1, column 2: rank-1 value 4
        boolean[] observed = new boolean[12];
        java.util.Arrays.fill(observed, true);
        observed[5] = false;
        MaskedNmf.Factors f = MaskedNmf.fit(v, observed, 4, 3, 1, 500, 0, 3);
        assertEquals(4, f.predict(1, 2), 1e-6);
        assertEquals(8, f.predict(3, 2), 1e-6);
        assertEquals(0.5, f.predict(0, 1), 1e-6);
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
