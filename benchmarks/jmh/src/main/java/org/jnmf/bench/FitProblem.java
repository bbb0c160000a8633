package org.jnmf.bench;

import java.util.SplittableRandom;
import org.jnmf.DenseMatrix;
import org.jnmf.Precision;

/**
 * The benchmark's fit problem, as benchmarks/sklearn/make_problem.py builds it: V = max(W0·H0 + N, 0) with
 * W0, H0 uniform on [0, 1) and N Gaussian with standard deviation 1 % of mean(W0·H0); plus a fixed,
 * seeded starting point (uniform, scaled to √(mean(V)/k) as random initialisation does) so timed fits
 * skip initialisation and every backend starts from the same factors.
 */
record FitProblem(DenseMatrix v, DenseMatrix w0, DenseMatrix h0) {
    static FitProblem of(int n, int m, int k, Precision precision) {
        SplittableRandom random = new SplittableRandom(7);
        double[] w = random.doubles((long) n * k).toArray();
        double[] h = random.doubles((long) k * m).toArray();
        double[][] clean = new double[n][m];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            for (int l = 0; l < k; l++) {
                double wil = w[i * k + l];
                for (int j = 0; j < m; j++) {
                    clean[i][j] += wil * h[l * m + j];
                }
            }
            for (int j = 0; j < m; j++) {
                sum += clean[i][j];
            }
        }
        double sd = 0.01 * sum / ((double) n * m);
        DenseMatrix.Builder v = new DenseMatrix.Builder(n, m, precision);
        double sumV = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                clean[i][j] = Math.max(clean[i][j] + sd * random.nextGaussian(), 0);
                sumV += clean[i][j];
            }
            v.setRow(i, clean[i]);
        }
        double scale = Math.sqrt(sumV / ((double) n * m) / k);
        double[] ws = random.doubles((long) n * k).map(x -> x * scale).toArray();
        double[] hs = random.doubles((long) k * m).map(x -> x * scale).toArray();
        return new FitProblem(v.build(),
                DenseMatrix.wrap(n, k, ws).toPrecision(precision), DenseMatrix.wrap(k, m, hs).toPrecision(precision));
    }
}
