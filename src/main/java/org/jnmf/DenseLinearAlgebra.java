package org.jnmf;

/** Small dense linear algebra in double on the host: transposes, orthonormalisation and a one-sided Jacobi SVD. */
final class DenseLinearAlgebra {
    /** A row whose projection leaves at most this fraction of its norm counts as linearly dependent. */
    static final double DEPENDENT = 1e-12;

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
     * Orthonormalises the columns of the row-major n×l matrix {@code a} in place, as {@link #orthonormalizeRows}
     * on its transpose: a column of a row-major array is a stride-l walk, a cache line per element, and the
     * randomized SVD's power iterations make 16 such walks per pair of columns.
     */
    static void orthonormalizeColumns(double[] a, int n, int l) {
        double[] t = transpose(a, n, l);
        orthonormalizeRows(t, l, n);
        System.arraycopy(transpose(t, l, n), 0, a, 0, a.length);
    }

    /**
     * Orthonormalises the rows of the row-major l×m matrix {@code a} in place (modified Gram–Schmidt,
     * applied twice for stability). A row that lies in the span of the rows before it (what remains after
     * projecting is at most {@link #DEPENDENT} of its norm) becomes zeros, as does a zero row.
     */
    static void orthonormalizeRows(double[] a, int l, int m) {
        // Row j is worked on in a copy of its own: an update of a[j·m + c] from a[p·m + c] in one array is
        // one C2 does not vectorise (it cannot rule out overlap); from another array it does.
        double[] row = new double[m];
        for (int pass = 0; pass < 2; pass++) {
            for (int j = 0; j < l; j++) {
                System.arraycopy(a, j * m, row, 0, m);
                double before = dot(row, 0, row, 0, m);
                for (int p = 0; p < j; p++) {
                    double proj = dot(a, p * m, row, 0, m);
                    for (int c = 0; c < m; c++) {
                        row[c] -= proj * a[p * m + c];
                    }
                }
                double after = dot(row, 0, row, 0, m);
                // What is left of a row in the span of the earlier ones is rounding: scaled up, it would point
                // anywhere, along an earlier row too (a rank-2 V with a sketch of 4 gave σ₁ 11.1 for 7.85).
                double scale = after > DEPENDENT * DEPENDENT * before ? 1 / Math.sqrt(after) : 0;
                for (int c = 0; c < m; c++) {
                    a[j * m + c] = row[c] * scale;
                }
            }
        }
    }

    /**
     * x[xo, xo + length) · y[yo, yo + length) in four interleaved partial sums: one running sum is a chain of
     * dependent additions, four overlap them (with the changes beside it, the randomized SVD's host side on
     * 2000×1500 went from 114 to 90 ms in a fresh JVM).
     */
    static double dot(double[] x, int xo, double[] y, int yo, int length) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int c = 0;
        for (; c + 4 <= length; c += 4) {
            s0 = Math.fma(x[xo + c], y[yo + c], s0);
            s1 = Math.fma(x[xo + c + 1], y[yo + c + 1], s1);
            s2 = Math.fma(x[xo + c + 2], y[yo + c + 2], s2);
            s3 = Math.fma(x[xo + c + 3], y[yo + c + 3], s3);
        }
        for (; c < length; c++) {
            s0 = Math.fma(x[xo + c], y[yo + c], s0);
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** B = U·diag(s)·Vt with singular values in decreasing order. */
    record Svd(double[] u, double[] s, double[] vt, int l, int m) {
    }

    /**
     * SVD of the row-major l×m matrix {@code b} (l small) by one-sided Jacobi rotations of its rows
     * (Hestenes): rotate row pairs until all are orthogonal; the row norms are then the singular values.
     */
    static Svd svdOfWide(double[] b, int l, int m) {
        double[][] rows = new double[l][]; // one array a row, for the reason orthonormalizeRows gives
        for (int p = 0; p < l; p++) {
            rows[p] = java.util.Arrays.copyOfRange(b, p * m, (p + 1) * m);
        }
        double[] u = new double[l * l];
        for (int i = 0; i < l; i++) {
            u[i * l + i] = 1;
        }
        double[] norms = new double[l];
        for (int sweep = 0; sweep < 60; sweep++) {
            // Each rotation below updates the two squared row norms it changes (Hestenes' α − t·γ, β + t·γ), so
            // a pair costs one dot product, not three; recomputing them every sweep keeps the drift at ε.
            for (int p = 0; p < l; p++) {
                norms[p] = dot(rows[p], 0, rows[p], 0, m);
            }
            boolean rotated = false;
            for (int p = 0; p < l - 1; p++) {
                for (int q = p + 1; q < l; q++) {
                    double alpha = norms[p];
                    double beta = norms[q];
                    double gamma = dot(rows[p], 0, rows[q], 0, m);
                    if (gamma == 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) {
                        continue;
                    }
                    rotated = true;
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = Math.signum(zeta == 0 ? 1 : zeta) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
                    double cos = 1 / Math.sqrt(1 + t * t);
                    double sin = cos * t;
                    double[] first = rows[p];
                    double[] second = rows[q];
                    for (int c = 0; c < m; c++) {
                        double x = first[c];
                        double y = second[c];
                        first[c] = cos * x - sin * y;
                        second[c] = sin * x + cos * y;
                    }
                    norms[p] = Math.max(alpha - t * gamma, 0);
                    norms[q] = beta + t * gamma;
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
            s[p] = Math.sqrt(dot(rows[p], 0, rows[p], 0, m));
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
                vt[idx * m + c] = rows[p][c] * inv;
            }
        }
        return new Svd(sortedU, sortedS, vt, l, m);
    }
}
