package org.jnmf.analysis;

/**
 * Consensus clustering over repeated fits (Brunet, Tamayo, Golub &amp; Mesirov, PNAS 101, 2004): each fit
 * clusters the samples by their dominant component; the consensus matrix holds, for each pair, the share
 * of fits that put both in the same cluster. A rank whose clusters are stable gives a consensus matrix
 * of 0s and 1s, which both summaries reward:
 * <ul>
 *   <li>cophenetic correlation: the Pearson correlation between the distances 1 − C(i, j) and the
 *       cophenetic distances of their average-linkage (UPGMA) tree, over pairs i &lt; j (Brunet 2004);</li>
 *   <li>dispersion: (1/n²)·Σ_ij 4·(C(i, j) − ½)² over all pairs, diagonal included (Kim &amp; Park,
 *       Bioinformatics 23, 2007).</li>
 * </ul>
 * Not thread-safe: add fits from one thread.
 */
public final class Consensus {
    private final int n;
    private final double[][] together;
    private int runs;

    /** A consensus over {@code samples} items, with no fits yet. */
    public Consensus(int samples) {
        if (samples < 2) {
            throw new IllegalArgumentException("consensus clustering needs at least two samples; got " + samples);
        }
        this.n = samples;
        this.together = new double[samples][samples];
    }

    /** Adds one fit's clustering (cluster label per sample). */
    public void add(int[] clusters) {
        if (clusters.length != n) {
            throw new IllegalArgumentException("expected " + n + " cluster labels; got " + clusters.length);
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (clusters[i] == clusters[j]) {
                    together[i][j]++;
                }
            }
        }
        runs++;
    }

    public int runs() {
        return runs;
    }

    /** The consensus matrix: the share of fits that clustered i and j together. */
    public double[][] matrix() {
        if (runs == 0) {
            throw new IllegalStateException("no clusterings added yet");
        }
        double[][] c = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                c[i][j] = together[i][j] / runs;
            }
        }
        return c;
    }

    /** Kim &amp; Park's dispersion: 1 for a consensus of 0s and 1s, 0 when every entry is ½. */
    public double dispersion() {
        double[][] c = matrix();
        double sum = 0;
        for (double[] row : c) {
            for (double x : row) {
                sum += 4 * (x - 0.5) * (x - 0.5);
            }
        }
        return sum / ((double) n * n);
    }

    /**
     * Brunet's cophenetic correlation coefficient; 1 for a perfectly stable clustering. NaN when all
     * distances are equal (e.g. every fit put every sample in one cluster), where it is undefined.
     */
    public double copheneticCorrelation() {
        double[][] distance = matrix();
        for (double[] row : distance) {
            for (int j = 0; j < n; j++) {
                row[j] = 1 - row[j];
            }
        }
        double[][] cophenetic = Linkage.averageCophenetic(distance);
        int pairs = n * (n - 1) / 2;
        double[] x = new double[pairs];
        double[] y = new double[pairs];
        int p = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                x[p] = distance[i][j];
                y[p] = cophenetic[i][j];
                p++;
            }
        }
        return pearson(x, y);
    }

    static double pearson(double[] x, double[] y) {
        double mx = 0;
        double my = 0;
        for (int i = 0; i < x.length; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= x.length;
        my /= y.length;
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxx == 0 || syy == 0 ? Double.NaN : sxy / Math.sqrt(sxx * syy);
    }
}
