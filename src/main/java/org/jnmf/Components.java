package org.jnmf;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Normalising and ordering the components of a finished fit, as {@link NmfOptions#normalization()} and
 * {@link NmfOptions#sortComponents()} ask. W·H is unchanged up to rounding: column j of W is divided by
 * s_j and row j of H multiplied by it, and a permutation moves both together.
 */
final class Components {
    private Components() {
    }

    static NmfResult arrange(NmfResult result, NmfOptions options) {
        if (options.normalization() == Normalization.NONE && !options.sortComponents()) {
            return result;
        }
        DenseMatrix wIn = result.w();
        DenseMatrix hIn = result.h();
        int n = wIn.rows();
        int k = wIn.cols();
        int m = hIn.cols();
        double[] w = wIn.toDoubleArray();
        double[] h = hIn.toDoubleArray();
        if (options.normalization() != Normalization.NONE) {
            for (int j = 0; j < k; j++) {
                double scale = columnNorm(w, n, k, j, options.normalization());
                // A dead component (zero column) has nothing to scale.
                if (scale > 0) {
                    for (int i = 0; i < n; i++) {
                        w[i * k + j] /= scale;
                    }
                    for (int c = 0; c < m; c++) {
                        h[j * m + c] *= scale;
                    }
                }
            }
        }
        if (options.sortComponents()) {
            double[] weight = new double[k];
            for (int j = 0; j < k; j++) {
                double hNorm = 0;
                for (int c = 0; c < m; c++) {
                    hNorm += h[j * m + c] * h[j * m + c];
                }
                weight[j] = columnNorm(w, n, k, j, Normalization.L2) * Math.sqrt(hNorm);
            }
            Integer[] order = new Integer[k];
            for (int j = 0; j < k; j++) {
                order[j] = j;
            }
            // Stable: equal weights keep their order.
            Arrays.sort(order, Comparator.comparingDouble((Integer j) -> weight[j]).reversed());
            double[] wSorted = new double[w.length];
            double[] hSorted = new double[h.length];
            for (int to = 0; to < k; to++) {
                int from = order[to];
                for (int i = 0; i < n; i++) {
                    wSorted[i * k + to] = w[i * k + from];
                }
                System.arraycopy(h, from * m, hSorted, to * m, m);
            }
            w = wSorted;
            h = hSorted;
        }
        return result.withFactors(DenseMatrix.wrap(n, k, w, wIn.precision()),
                DenseMatrix.wrap(k, m, h, hIn.precision()));
    }

    private static double columnNorm(double[] w, int n, int k, int j, Normalization norm) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            double x = w[i * k + j];
            s += norm == Normalization.L1 ? Math.abs(x) : x * x;
        }
        return norm == Normalization.L1 ? s : Math.sqrt(s);
    }
}
