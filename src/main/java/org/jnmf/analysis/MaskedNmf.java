package org.jnmf.analysis;

import java.util.SplittableRandom;

/**
 * NMF of the observed entries of a dense V only: minimises ½·Σ_{observed (i,j)} (V_ij − (WH)_ij)² by HALS
 * (exact coordinate updates of each column of W and row of H against the residual on observed entries), so
 * that held-out entries take no part in the fit. Cross-validation of the rank needs it.
 *
 * <p>Host-only, single-threaded and O(n·m·k) per iteration: a stand-in that cross-validation uses until the
 * library's own fit takes a mask of missing values, then cross-validation should call that instead.
 */
final class MaskedNmf {
    /** Iterations between convergence checks, as in {@link org.jnmf.Nmf}'s default. */
    private static final int CHECK_EVERY = 10;

    private MaskedNmf() {
    }

    /** W (n×k) and H (k×m), row-major, with the error on the observed entries. */
    record Factors(double[] w, double[] h, int n, int m, int k, int iterations) {
        double predict(int i, int j) {
            double s = 0;
            for (int p = 0; p < k; p++) {
                s += w[i * k + p] * h[p * m + j];
            }
            return s;
        }
    }

    /**
     * Fits the entries of {@code v} (row-major n×m) where {@code observed} is true, from a random start seeded
     * {@code seed} (|N(0,1)|·√(mean/k), scikit-learn's scale), until the error e = ‖observed residual‖ falls by
     * less than {@code tolerance}·e₀ between checks every 10 iterations (the rule of {@code NmfOptions}), or
     * {@code maxIterations}.
     */
    static Factors fit(double[] v, boolean[] observed, int n, int m, int k, int maxIterations, double tolerance,
                       long seed) {
        double sum = 0;
        long count = 0;
        for (int p = 0; p < v.length; p++) {
            if (observed[p]) {
                sum += v[p];
                count++;
            }
        }
        if (count == 0) {
            throw new IllegalArgumentException("no observed entries to fit");
        }
        double scale = Math.sqrt(sum / count / k);
        SplittableRandom random = new SplittableRandom(seed);
        double[] w = new double[n * k];
        double[] h = new double[k * m];
        for (int p = 0; p < w.length; p++) {
            w[p] = Math.abs(gaussian(random)) * scale;
        }
        for (int p = 0; p < h.length; p++) {
            h[p] = Math.abs(gaussian(random)) * scale;
        }
        // Residual on observed entries, 0 elsewhere.
        double[] r = new double[n * m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                int p = i * m + j;
                if (observed[p]) {
                    double s = 0;
                    for (int c = 0; c < k; c++) {
                        s += w[i * k + c] * h[c * m + j];
                    }
                    r[p] = v[p] - s;
                }
            }
        }
        double first = Math.sqrt(squares(r));
        double previous = first;
        int iteration = 0;
        while (iteration < maxIterations) {
            for (int c = 0; c < k; c++) {
                addComponent(r, observed, w, h, n, m, k, c, 1);
                updateColumnOfW(r, observed, w, h, n, m, k, c);
                updateRowOfH(r, observed, w, h, n, m, k, c);
                addComponent(r, observed, w, h, n, m, k, c, -1);
            }
            iteration++;
            if (iteration % CHECK_EVERY == 0) {
                double now = Math.sqrt(squares(r));
                if (first == 0 || (previous - now) / first < tolerance) {
                    break;
                }
                previous = now;
            }
        }
        return new Factors(w, h, n, m, k, iteration);
    }

    /** W[:,c] minimising the observed residual with the rest fixed; r holds V − WH without component c. */
    private static void updateColumnOfW(double[] r, boolean[] observed, double[] w, double[] h, int n, int m, int k,
                                        int c) {
        for (int i = 0; i < n; i++) {
            double num = 0;
            double den = 0;
            for (int j = 0; j < m; j++) {
                if (observed[i * m + j]) {
                    double hj = h[c * m + j];
                    num += r[i * m + j] * hj;
                    den += hj * hj;
                }
            }
            w[i * k + c] = den > 0 ? Math.max(0, num / den) : 0;
        }
    }

    /** H[c,:] likewise. */
    private static void updateRowOfH(double[] r, boolean[] observed, double[] w, double[] h, int n, int m, int k,
                                     int c) {
        double[] num = new double[m];
        double[] den = new double[m];
        for (int i = 0; i < n; i++) {
            double wi = w[i * k + c];
            for (int j = 0; j < m; j++) {
                if (observed[i * m + j]) {
                    num[j] += r[i * m + j] * wi;
                    den[j] += wi * wi;
                }
            }
        }
        for (int j = 0; j < m; j++) {
            h[c * m + j] = den[j] > 0 ? Math.max(0, num[j] / den[j]) : 0;
        }
    }

    /** r += sign · W[:,c]·H[c,:] on the observed entries. */
    private static void addComponent(double[] r, boolean[] observed, double[] w, double[] h, int n, int m, int k,
                                     int c, int sign) {
        for (int i = 0; i < n; i++) {
            double wi = sign * w[i * k + c];
            if (wi == 0) {
                continue;
            }
            for (int j = 0; j < m; j++) {
                int p = i * m + j;
                if (observed[p]) {
                    r[p] += wi * h[c * m + j];
                }
            }
        }
    }

    private static double squares(double[] r) {
        double s = 0;
        for (double x : r) {
            s += x * x;
        }
        return s;
    }

    private static double gaussian(SplittableRandom random) {
        // Box–Muller; one of the pair is enough here.
        double u = 1 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}
