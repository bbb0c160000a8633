package org.jnmf.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.jnmf.DenseMatrix;
import org.jnmf.Nmf;
import org.jnmf.NmfOptions;
import org.jnmf.NmfResult;
import org.jnmf.SparseMatrix;
import org.junit.jupiter.api.Test;

class QualityTest {
    @Test
    void hoyerSparsenessOfKnownVectors() {
        assertEquals(1.0, Quality.hoyer(new double[] {0, 3, 0, 0}), 1e-15);
        assertEquals(0.0, Quality.hoyer(new double[] {2, 2, 2, 2}), 1e-15);
        // n = 4, ‖x‖₁ = 2, ‖x‖₂ = √2: (2 − √2)/(2 − 1).
        assertEquals(2 - Math.sqrt(2), Quality.hoyer(new double[] {1, 1, 0, 0}), 1e-15);
        assertTrue(Double.isNaN(Quality.hoyer(new double[] {0, 0})));
        assertTrue(Double.isNaN(Quality.hoyer(new double[] {5})));
    }

    @Test
    void sparsenessOfFactorsAveragesColumnsOfWAndRowsOfH() {
        DenseMatrix w = DenseMatrix.of(new double[][] {{1, 2}, {0, 2}, {0, 2}, {0, 2}});
        assertEquals(0.5, Quality.sparsenessOfColumns(w), 1e-15, "columns score 1 and 0");
        DenseMatrix h = DenseMatrix.of(new double[][] {{1, 1, 0, 0}, {0, 0, 0, 0}});
        assertEquals(2 - Math.sqrt(2), Quality.sparsenessOfRows(h), 1e-15, "the zero row is left out");
    }

    @Test
    void explainedVarianceAgreesWithItsDefinitionComputedDirectly() {
        SplittableRandom random = new SplittableRandom(4);
        double[][] values = new double[30][20];
        for (double[] row : values) {
            for (int j = 0; j < row.length; j++) {
                row[j] = random.nextDouble() < 0.4 ? 0 : random.nextDouble() * 3;
            }
        }
        DenseMatrix v = DenseMatrix.of(values);
        NmfResult r = Nmf.fit(v, NmfOptions.builder(3).maxIterations(50).build());
        double[][] w = r.w().toArray();
        double[][] h = r.h().toArray();
        double mean = 0;
        for (double[] row : values) {
            for (double x : row) {
                mean += x / (30 * 20);
            }
        }
        double residual = 0;
        double total = 0;
        for (int i = 0; i < 30; i++) {
            for (int j = 0; j < 20; j++) {
                double wh = 0;
                for (int c = 0; c < 3; c++) {
                    wh += w[i][c] * h[c][j];
                }
                residual += (values[i][j] - wh) * (values[i][j] - wh);
                total += (values[i][j] - mean) * (values[i][j] - mean);
            }
        }
        double expected = 1 - residual / total;
        assertEquals(expected, Quality.explainedVariance(v, r), 1e-9);
        assertEquals(expected, Quality.explainedVariance(SparseMatrix.fromDense(v), r), 1e-9);
        assertTrue(expected > 0 && expected < 1, "a rank-3 fit of noise explains part of it: " + expected);
    }

    @Test
    void anExactFitExplainsAllTheVariance() {
        DenseMatrix v = DenseMatrix.of(new double[][] {{1, 0, 2, 0}, {0, 3, 0, 1}, {2, 0, 4, 0}, {0, 6, 0, 2}, {1, 3, 2, 1}});
        NmfResult r = Nmf.fit(v, NmfOptions.builder(2).seed(1).maxIterations(500).build());
        assertEquals(1.0, Quality.explainedVariance(v, r), 1e-12);
    }
}
