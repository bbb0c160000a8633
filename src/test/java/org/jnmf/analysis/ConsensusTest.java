package org.jnmf.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jnmf.DenseMatrix;
import org.jnmf.NmfOptions;
import org.jnmf.TestMatrices;
import org.junit.jupiter.api.Test;

class ConsensusTest {
    /**
     * Three fits of four samples: {0,1}{2,3} twice and {0}{1,2,3} once. Consensus: C01 = 2/3, C12 = C13 = 1/3,
     * C23 = 1, C02 = C03 = 0. Distances 1 − C; average linkage merges {2,3} at 0, then {0,1} at 1/3, then both at
     * the mean of d02, d03, d12, d13 = (1 + 1 + 2/3 + 2/3)/4 = 5/6. Over the pairs (01, 02, 03, 12, 13, 23):
     * d = (1/3, 1, 1, 2/3, 2/3, 0), cophenetic = (1/3, 5/6, 5/6, 5/6, 5/6, 0), both with mean 11/18; in units of
     * 1/18 the deviations are (−5, 7, 7, 1, 1, −11) and (−5, 4, 4, 4, 4, −11): Σxy = 210, Σxx = 246, Σyy = 210,
     * so r = 210/√(246·210) = √(35/41). Dispersion: diagonal 4 × 4·(1/2)² = 4; off-diagonal pairs, twice each,
     * 2·(3·4/36 + 3·1) = 20/3; (4 + 20/3)/16 = 2/3.
     */
    @Test
    void consensusFiguresMatchHandComputedValuesOnATinyCase() {
        Consensus c = new Consensus(4);
        c.add(new int[] {0, 0, 1, 1});
        c.add(new int[] {1, 1, 0, 0});
        c.add(new int[] {0, 1, 1, 1});
        assertEquals(2.0 / 3, c.matrix()[0][1], 1e-15);
        assertEquals(1.0 / 3, c.matrix()[3][1], 1e-15);
        assertEquals(Math.sqrt(35.0 / 41.0), c.copheneticCorrelation(), 1e-12);
        assertEquals(2.0 / 3, c.dispersion(), 1e-12);
    }

    @Test
    void averageLinkageGivesTheMergeHeights() {
        double[][] d = {{0, 1, 4, 5}, {1, 0, 4, 6}, {4, 4, 0, 2}, {5, 6, 2, 0}};
        double[][] coph = Linkage.averageCophenetic(d);
        assertEquals(1, coph[0][1]);
        assertEquals(2, coph[2][3]);
        assertEquals((4 + 5 + 4 + 6) / 4.0, coph[0][3]);
        assertEquals(coph[0][3], coph[1][2]);
    }

    @Test
    void stableClusteringsScoreOne() {
        Consensus c = new Consensus(5);
        for (int r = 0; r < 3; r++) {
            c.add(new int[] {r, r, r + 1, r + 1, r + 1});
        }
        assertEquals(1.0, c.copheneticCorrelation(), 1e-12);
        assertEquals(1.0, c.dispersion(), 1e-12);
    }

    @Test
    void refusesTooFewSamplesOrWrongLengths() {
        assertThrows(IllegalArgumentException.class, () -> new Consensus(1));
        Consensus c = new Consensus(3);
        assertThrows(IllegalArgumentException.class, () -> c.add(new int[] {0, 1}));
        assertThrows(IllegalStateException.class, c::dispersion);
    }

    /** 8 groups of 20 samples ({@link TestMatrices#clusters}): fewer components must merge groups, and restarts disagree on which. */
    @Test
    void consensusPeaksAtTheTrueNumberOfClusters() {
        DenseMatrix v = TestMatrices.clusters(8, 160, 60, 1);
        double[] cophenetic = new double[11];
        for (int k = 5; k <= 10; k++) {
            cophenetic[k] = RankSelection.consensus(v, k, 8, 1, RankSelection.Samples.ROWS,
                    rank -> NmfOptions.builder(rank).maxIterations(200).threads(1), null).cophenetic();
        }
        String all = java.util.Arrays.toString(cophenetic);
        for (int k = 5; k <= 10; k++) {
            assertTrue(cophenetic[8] >= cophenetic[k] - 1e-9, "k = 8 should peak: " + all);
        }
        for (int k = 5; k < 8; k++) {
            assertTrue(cophenetic[k] < cophenetic[8] - 1e-4, "below 8, clusters merge unstably: " + all);
        }
    }
}
