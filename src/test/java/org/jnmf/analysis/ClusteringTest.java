package org.jnmf.analysis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.jnmf.DenseMatrix;
import org.junit.jupiter.api.Test;

class ClusteringTest {
    @Test
    void adjustedRandIndexMatchesHandComputedValues() {
        // Identical partitions up to renaming: 1.
        assertEquals(1.0, Clustering.adjustedRandIndex(new int[] {0, 0, 1, 1, 2}, new int[] {5, 5, 3, 3, 9}), 1e-15);
        // {0,1},{2,3} against {0,1},{2},{3}: pairs together in both 1, in a 2 (2 pairs), in b 1; C(4,2) = 6.
        // expected = 2·1/6 = 1/3, max = (2 + 1)/2 = 3/2: ARI = (1 − 1/3)/(3/2 − 1/3) = 4/7.
        assertEquals(4.0 / 7.0, Clustering.adjustedRandIndex(new int[] {0, 0, 1, 1}, new int[] {0, 0, 1, 2}), 1e-15);
        // Golub as scikit-learn clusters it ({19 ALL-B + 1 AML}, {10 AML}, {8 ALL-T}): sum C(n_ij,2) = 171+45+28 = 244,
        // clusters 20,10,8 give 263 pairs, classes 19,8,11 give 254, C(38,2) = 703.
        int[] classes = new int[38];
        int[] clusters = new int[38];
        for (int i = 0; i < 38; i++) {
            classes[i] = i < 19 ? 0 : i < 27 ? 1 : 2;
            clusters[i] = i < 19 ? 0 : i < 27 ? 2 : i == 27 ? 0 : 1;
        }
        double expected = 263.0 * 254 / 703;
        assertEquals((244 - expected) / ((263 + 254) / 2.0 - expected),
                Clustering.adjustedRandIndex(clusters, classes), 1e-12);
    }

    @Test
    void purityAndEntropyMatchHandComputedValues() {
        // Clusters {a,a,b} and {b,b,b}: purity (2 + 3)/6; entropy of the first cluster is −(2/3·ln 2/3 + 1/3·ln 1/3)/ln 2,
        // of the second 0, weighted by 3/6.
        int[] clusters = {0, 0, 0, 1, 1, 1};
        int[] classes = {7, 7, 8, 8, 8, 8};
        assertEquals(5.0 / 6.0, Clustering.purity(clusters, classes), 1e-15);
        double h = -(2.0 / 3 * Math.log(2.0 / 3) + 1.0 / 3 * Math.log(1.0 / 3)) / Math.log(2);
        assertEquals(0.5 * h, Clustering.entropy(clusters, classes), 1e-15);
        assertEquals(1.0, Clustering.purity(classes, classes));
        assertEquals(0.0, Clustering.entropy(classes, classes));
    }

    @Test
    void dominantComponentsAreTheLargestEntries() {
        DenseMatrix m = DenseMatrix.of(new double[][] {{1, 5, 2}, {7, 0, 7}});
        assertArrayEquals(new int[] {1, 0}, Clustering.dominantPerRow(m), "ties go to the first");
        assertArrayEquals(new int[] {1, 0, 1}, Clustering.dominantPerColumn(m));
    }

    @Test
    void refusesMismatchedOrNegativeLabels() {
        assertThrows(IllegalArgumentException.class, () -> Clustering.adjustedRandIndex(new int[] {0, 1}, new int[] {0}));
        assertThrows(IllegalArgumentException.class, () -> Clustering.purity(new int[] {0, -1}, new int[] {0, 1}));
    }
}
