package org.jnmf;

import java.util.SplittableRandom;
import org.jnmf.backend.Backend;
import org.jnmf.backend.DeviceMatrix;

/**
 * Starting factors, computed on the host in double from the seed, so every backend starts from the same
 * W and H up to the rounding of its products. NNDSVD follows Boutsidis &amp; Gallopoulos (2008) with the
 * post-processing scikit-learn applies (entries below 1e-6 set to 0; NNDSVDA fills zeros with mean(V),
 * NNDSVDAR with |N(0,1)|·mean(V)/100).
 * Public for the distributed fit (jnmf-spark), which must start from the same factors as {@link Nmf}.
 */
public final class Initializer {
    /** Entries of an NNDSVD factor below this are set to 0, as scikit-learn does. */
    private static final double NNDSVD_ZERO = 1e-6;
    /** The randomized SVD's oversampling: its sketches have rank + 10 rows or columns. */
    public static final int OVERSAMPLES = 10;

    private Initializer() {
    }

    /** Row-major W (n×k) and H (k×m). */
    public record Factors(double[] w, double[] h) {
    }

    /** |N(0,1)|·√(mean(V)/k) entries from {@code seed}: all of H first, then W, both row by row. */
    public static Factors random(int n, int m, int k, double meanOfV, long seed) {
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

    /**
     * The two products of V (n×m) the randomized SVD needs, on host row-major arrays: on one backend, or over
     * the row blocks of a distributed V (jnmf-spark), so that both start from the same factors.
     */
    public interface Sketch {
        /** V·Zᵀ (n×l) for Z (l×m). */
        double[] timesTransposed(double[] z, int l);

        /** Qᵀ·V (l×m) for Q (n×l). */
        double[] transposedTimes(double[] q, int l);
    }

    /** The sketch's products by {@code backend} on V held there. */
    static Sketch sketch(Backend backend, DeviceMatrix v) {
        int n = v.rows();
        int m = v.cols();
        return new Sketch() {
            @Override
            public double[] timesTransposed(double[] z, int l) {
                try (DeviceMatrix zDevice = backend.upload(l, m, z); DeviceMatrix y = backend.allocate(n, l)) {
                    backend.multiplyByTransposed(v, zDevice, y);
                    return backend.download(y);
                }
            }

            @Override
            public double[] transposedTimes(double[] q, int l) {
                try (DeviceMatrix qDevice = backend.upload(n, l, q); DeviceMatrix zt = backend.allocate(l, m)) {
                    backend.multiplyTransposedBy(qDevice, v, zt);
                    return backend.download(zt);
                }
            }
        };
    }

    /** NNDSVD, NNDSVDA or NNDSVDAR as {@code variant} says. */
    static Factors nndsvd(Backend backend, DeviceMatrix v, int n, int m, int k, double meanOfV, long seed,
                          Initialization variant) {
        return nndsvd(sketch(backend, v), n, m, k, meanOfV, seed, variant);
    }

    /** NNDSVD, NNDSVDA or NNDSVDAR from the products of V that {@code sketch} computes. */
    public static Factors nndsvd(Sketch sketch, int n, int m, int k, double meanOfV, long seed,
                                 Initialization variant) {
        Svd svd = truncatedSvd(sketch, n, m, k, seed);
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
     * the products done by the sketch (a backend, or the row blocks of a distributed V) and the small
     * factorisations on the host. Signs are fixed so
     * that the largest-magnitude entry of each left singular vector is positive (scikit-learn's rule), which
     * makes the result independent of the backend's rounding.
     */
    static Svd truncatedSvd(Sketch sketch, int n, int m, int k, long seed) {
        int l = Math.min(k + OVERSAMPLES, Math.min(n, m));
        int powerIterations = k < 0.1 * Math.min(n, m) ? 7 : 4;
        SplittableRandom random = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
        double[] z = new double[l * m];
        for (int i = 0; i < z.length; i++) {
            z[i] = random.nextGaussian();
        }
        double[] q = sketch.timesTransposed(z, l);
        for (int it = 0; it < powerIterations; it++) {
            DenseLinearAlgebra.orthonormalizeColumns(q, n, l);
            z = sketch.transposedTimes(q, l);
            DenseLinearAlgebra.orthonormalizeRows(z, l, m);
            q = sketch.timesTransposed(z, l);
        }
        DenseLinearAlgebra.orthonormalizeColumns(q, n, l);
        z = sketch.transposedTimes(q, l);
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
