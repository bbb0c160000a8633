package org.jnmf;

import java.util.SplittableRandom;
import org.jnmf.backend.Backend;
import org.jnmf.backend.DeviceMatrix;

/**
 * Starting factors, computed on the host in double from the seed, so every backend starts from the same
 * W and H up to the rounding of its products. NNDSVD follows Boutsidis &amp; Gallopoulos (2008) with the
 * post-processing scikit-learn applies (entries below 1e-6 set to 0; NNDSVDA fills zeros with mean(V),
 * NNDSVDAR with |N(0,1)|·mean(V)/100).
 */
final class Initializer {
    /** Entries of an NNDSVD factor below this are set to 0, as scikit-learn does. */
    private static final double NNDSVD_ZERO = 1e-6;
    private static final int OVERSAMPLES = 10;

    private Initializer() {
    }

    /** Row-major W (n×k) and H (k×m). */
    record Factors(double[] w, double[] h) {
    }

    static Factors random(int n, int m, int k, double meanOfV, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double scale = Math.sqrt(meanOfV / k);
        double[] h = new double[k * m];
        double[] w = new double[n * k];
        for (int i = 0; i < h.length; i++) {
            h[i] = scale * Math.abs(random.nextGaussian());
        }
        for (int i = 0; i < w.length; i++) {
            w[i] = scale * Math.abs(random.nextGaussian());
        }
        return new Factors(w, h);
    }

    /** NNDSVD, NNDSVDA or NNDSVDAR as {@code variant} says. */
    static Factors nndsvd(Backend backend, DeviceMatrix v, int n, int m, int k, double meanOfV, long seed,
                          Initialization variant) {
        Svd svd = truncatedSvd(backend, v, n, m, k, seed);
        double[] w = new double[n * k];
        double[] h = new double[k * m];
        double[] x = new double[n];
        double[] y = new double[m];
        for (int j = 0; j < k; j++) {
            for (int i = 0; i < n; i++) {
                x[i] = svd.u[i * k + j];
            }
            System.arraycopy(svd.vt, j * m, y, 0, m);
            double sigma = svd.s[j];
            if (j == 0) {
                double root = Math.sqrt(sigma);
                for (int i = 0; i < n; i++) {
                    w[i * k] = root * Math.abs(x[i]);
                }
                for (int c = 0; c < m; c++) {
                    h[c] = root * Math.abs(y[c]);
                }
                continue;
            }
            double xPos = positiveNorm(x, 1);
            double xNeg = positiveNorm(x, -1);
            double yPos = positiveNorm(y, 1);
            double yNeg = positiveNorm(y, -1);
            double mPos = xPos * yPos;
            double mNeg = xNeg * yNeg;
            boolean positive = mPos > mNeg;
            double weight = positive ? mPos : mNeg;
            if (weight == 0) {
                continue;
            }
            double sign = positive ? 1 : -1;
            double lambda = Math.sqrt(sigma * weight);
            double xNorm = positive ? xPos : xNeg;
            double yNorm = positive ? yPos : yNeg;
            for (int i = 0; i < n; i++) {
                w[i * k + j] = lambda * Math.max(sign * x[i], 0) / xNorm;
            }
            for (int c = 0; c < m; c++) {
                h[j * m + c] = lambda * Math.max(sign * y[c], 0) / yNorm;
            }
        }
        // A stream of its own, apart from the SVD's, for NNDSVDAR's fill (W first, then H, row by row).
        SplittableRandom fill = new SplittableRandom(seed ^ 0x5DEECE66DL);
        postProcess(w, variant, meanOfV, fill);
        postProcess(h, variant, meanOfV, fill);
        return new Factors(w, h);
    }

    private static void postProcess(double[] x, Initialization variant, double mean, SplittableRandom fill) {
        for (int i = 0; i < x.length; i++) {
            if (x[i] < NNDSVD_ZERO) {
                x[i] = switch (variant) {
                    case NNDSVDA -> mean;
                    case NNDSVDAR -> Math.abs(fill.nextGaussian()) * mean / 100;
                    default -> 0;
                };
            }
        }
    }

    /** ‖max(sign·x, 0)‖₂. */
    private static double positiveNorm(double[] x, int sign) {
        double s = 0;
        for (double value : x) {
            double p = Math.max(sign * value, 0);
            s += p * p;
        }
        return Math.sqrt(s);
    }

    /** Rank-k truncated SVD: U (n×k), s (k), Vt (k×m). */
    record Svd(double[] u, double[] s, double[] vt) {
    }

    /**
     * Randomized truncated SVD (Halko, Martinsson &amp; Tropp 2011, as scikit-learn's
     * {@code randomized_svd}: 10 oversamples, 7 power iterations when k &lt; 0.1·min(n, m), else 4), with
     * the products done by the backend and the small factorisations on the host. Signs are fixed so
     * that the largest-magnitude entry of each left singular vector is positive (scikit-learn's rule), which
     * makes the result independent of the backend's rounding.
     */
    static Svd truncatedSvd(Backend backend, DeviceMatrix v, int n, int m, int k, long seed) {
        int l = Math.min(k + OVERSAMPLES, Math.min(n, m));
        int powerIterations = k < 0.1 * Math.min(n, m) ? 7 : 4;
        SplittableRandom random = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
        double[] z = new double[l * m];
        for (int i = 0; i < z.length; i++) {
            z[i] = random.nextGaussian();
        }
        double[] q;
        try (DeviceMatrix y = backend.allocate(n, l); DeviceMatrix zt = backend.allocate(l, m)) {
            try (DeviceMatrix zDevice = backend.upload(l, m, z)) {
                backend.multiplyByTransposed(v, zDevice, y);
            }
            for (int it = 0; it < powerIterations; it++) {
                q = backend.download(y);
                DenseLinearAlgebra.orthonormalizeColumns(q, n, l);
                try (DeviceMatrix qDevice = backend.upload(n, l, q)) {
                    backend.multiplyTransposedBy(qDevice, v, zt);
                }
                z = backend.download(zt);
                DenseLinearAlgebra.orthonormalizeRows(z, l, m);
                try (DeviceMatrix zDevice = backend.upload(l, m, z)) {
                    backend.multiplyByTransposed(v, zDevice, y);
                }
            }
            q = backend.download(y);
            DenseLinearAlgebra.orthonormalizeColumns(q, n, l);
            try (DeviceMatrix qDevice = backend.upload(n, l, q)) {
                backend.multiplyTransposedBy(qDevice, v, zt);
            }
            z = backend.download(zt);
        }
        DenseLinearAlgebra.Svd small = DenseLinearAlgebra.svdOfWide(z, l, m);
        double[] u = new double[n * k];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                double s = 0;
                for (int p = 0; p < l; p++) {
                    s += q[i * l + p] * small.u()[p * l + j];
                }
                u[i * k + j] = s;
            }
        }
        double[] vt = java.util.Arrays.copyOf(small.vt(), k * m);
        double[] s = java.util.Arrays.copyOf(small.s(), k);
        for (int j = 0; j < k; j++) {
            int largest = 0;
            for (int i = 1; i < n; i++) {
                if (Math.abs(u[i * k + j]) > Math.abs(u[largest * k + j])) {
                    largest = i;
                }
            }
            if (u[largest * k + j] < 0) {
                for (int i = 0; i < n; i++) {
                    u[i * k + j] = -u[i * k + j];
                }
                for (int c = 0; c < m; c++) {
                    vt[j * m + c] = -vt[j * m + c];
                }
            }
        }
        return new Svd(u, s, vt);
    }
}
