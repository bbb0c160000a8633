package org.jnmf;

/** Small dense linear algebra in double on the host: transposes, orthonormalisation and a one-sided Jacobi SVD. */
final class DenseLinearAlgebra {
    private DenseLinearAlgebra() {
    }

    /** The transpose of a row-major rows×cols array. */
    static double[] transpose(double[] a, int rows, int cols) {
        double[] t = new double[a.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = a[i * cols + j];
            }
        }
        return t;
    }

    /**
     * Orthonormalises the columns of the row-major n×l matrix {@code a} in place (modified Gram–Schmidt,
     * applied twice for stability). A column that vanishes is left as zeros.
     */
    static void orthonormalizeColumns(double[] a, int n, int l) {
        for (int pass = 0; pass < 2; pass++) {
            for (int j = 0; j < l; j++) {
                for (int p = 0; p < j; p++) {
                    double proj = 0;
                    for (int i = 0; i < n; i++) {
                        proj += a[i * l + p] * a[i * l + j];
                    }
                    for (int i = 0; i < n; i++) {
                        a[i * l + j] -= proj * a[i * l + p];
                    }
                }
                double norm = 0;
                for (int i = 0; i < n; i++) {
                    norm += a[i * l + j] * a[i * l + j];
                }
                norm = Math.sqrt(norm);
                double scale = norm > 0 ? 1 / norm : 0;
                for (int i = 0; i < n; i++) {
                    a[i * l + j] *= scale;
                }
            }
        }
    }

    /** Orthonormalises the rows of the row-major l×m matrix {@code a} in place. */
    static void orthonormalizeRows(double[] a, int l, int m) {
        for (int pass = 0; pass < 2; pass++) {
            for (int j = 0; j < l; j++) {
                for (int p = 0; p < j; p++) {
                    double proj = 0;
                    for (int c = 0; c < m; c++) {
                        proj += a[p * m + c] * a[j * m + c];
                    }
                    for (int c = 0; c < m; c++) {
                        a[j * m + c] -= proj * a[p * m + c];
                    }
                }
                double norm = 0;
                for (int c = 0; c < m; c++) {
                    norm += a[j * m + c] * a[j * m + c];
                }
                norm = Math.sqrt(norm);
                double scale = norm > 0 ? 1 / norm : 0;
                for (int c = 0; c < m; c++) {
                    a[j * m + c] *= scale;
                }
            }
        }
    }

    /** B = U·diag(s)·Vt with singular values in decreasing order. */
    record Svd(double[] u, double[] s, double[] vt, int l, int m) {
    }

    /**
     * SVD of the row-major l×m matrix {@code b} (l small) by one-sided Jacobi rotations of its rows
     * (Hestenes): rotate row pairs until all are orthogonal; the row norms are then the singular values.
     */
    static Svd svdOfWide(double[] b, int l, int m) {
        double[] rows = b.clone();
        double[] u = new double[l * l];
        for (int i = 0; i < l; i++) {
            u[i * l + i] = 1;
        }
        for (int sweep = 0; sweep < 60; sweep++) {
            boolean rotated = false;
            for (int p = 0; p < l - 1; p++) {
                for (int q = p + 1; q < l; q++) {
                    double alpha = 0;
                    double beta = 0;
                    double gamma = 0;
                    for (int c = 0; c < m; c++) {
                        double x = rows[p * m + c];
                        double y = rows[q * m + c];
                        alpha += x * x;
                        beta += y * y;
                        gamma += x * y;
                    }
                    if (gamma == 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) {
                        continue;
                    }
                    rotated = true;
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = Math.signum(zeta == 0 ? 1 : zeta) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
                    double cos = 1 / Math.sqrt(1 + t * t);
                    double sin = cos * t;
                    for (int c = 0; c < m; c++) {
                        double x = rows[p * m + c];
                        double y = rows[q * m + c];
                        rows[p * m + c] = cos * x - sin * y;
                        rows[q * m + c] = sin * x + cos * y;
                    }
                    for (int r = 0; r < l; r++) {
                        double x = u[r * l + p];
                        double y = u[r * l + q];
                        u[r * l + p] = cos * x - sin * y;
                        u[r * l + q] = sin * x + cos * y;
                    }
                }
            }
            if (!rotated) {
                break;
            }
        }
        double[] s = new double[l];
        for (int p = 0; p < l; p++) {
            double norm = 0;
            for (int c = 0; c < m; c++) {
                norm += rows[p * m + c] * rows[p * m + c];
            }
            s[p] = Math.sqrt(norm);
        }
        Integer[] order = new Integer[l];
        for (int p = 0; p < l; p++) {
            order[p] = p;
        }
        java.util.Arrays.sort(order, (x, y) -> Double.compare(s[y], s[x]));
        double[] sortedS = new double[l];
        double[] sortedU = new double[l * l];
        double[] vt = new double[l * m];
        for (int idx = 0; idx < l; idx++) {
            int p = order[idx];
            sortedS[idx] = s[p];
            for (int r = 0; r < l; r++) {
                sortedU[r * l + idx] = u[r * l + p];
            }
            double inv = s[p] > 0 ? 1 / s[p] : 0;
            for (int c = 0; c < m; c++) {
                vt[idx * m + c] = rows[p * m + c] * inv;
            }
        }
        return new Svd(sortedU, sortedS, vt, l, m);
    }
}
