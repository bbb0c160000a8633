package org.jnmf.analysis;

import java.util.Arrays;
import org.jnmf.DenseMatrix;

/**
 * Clusters read off a factorisation (each sample goes to its largest component) and how well they agree
 * with known classes: adjusted Rand index, purity and entropy. Labels are non-negative integers.
 */
public final class Clustering {
    private Clustering() {
    }

    /** For each row, the column of its largest entry (the first on ties): rows of W are samples when V's rows are. */
    public static int[] dominantPerRow(DenseMatrix m) {
        int[] cluster = new int[m.rows()];
        double[] row = new double[m.cols()];
        for (int i = 0; i < m.rows(); i++) {
            m.copyRow(i, row);
            int best = 0;
            for (int j = 1; j < row.length; j++) {
                if (row[j] > row[best]) {
                    best = j;
                }
            }
            cluster[i] = best;
        }
        return cluster;
    }

    /** For each column, the row of its largest entry (the first on ties): columns of H are samples when V's columns are. */
    public static int[] dominantPerColumn(DenseMatrix m) {
        int[] cluster = new int[m.cols()];
        double[] best = new double[m.cols()];
        Arrays.fill(best, Double.NEGATIVE_INFINITY);
        double[] row = new double[m.cols()];
        for (int i = 0; i < m.rows(); i++) {
            m.copyRow(i, row);
            for (int j = 0; j < row.length; j++) {
                if (row[j] > best[j]) {
                    best[j] = row[j];
                    cluster[j] = i;
                }
            }
        }
        return cluster;
    }

    /**
     * The adjusted Rand index (Hubert &amp; Arabie 1985) of two labellings of the same items: 1 for identical
     * partitions (up to renaming), about 0 for independent ones.
     */
    public static double adjustedRandIndex(int[] a, int[] b) {
        long[][] table = contingency(a, b);
        double pairs = 0;
        double rowPairs = 0;
        double colPairs = 0;
        long[] colSums = new long[table[0].length];
        for (long[] row : table) {
            long rowSum = 0;
            for (int j = 0; j < row.length; j++) {
                pairs += choose2(row[j]);
                rowSum += row[j];
                colSums[j] += row[j];
            }
            rowPairs += choose2(rowSum);
        }
        for (long c : colSums) {
            colPairs += choose2(c);
        }
        double expected = rowPairs * colPairs / choose2(a.length);
        double max = (rowPairs + colPairs) / 2;
        if (max == expected) {
            return 1; // both partitions trivial (one cluster, or all singletons) and equal
        }
        return (pairs - expected) / (max - expected);
    }

    /** The share of items whose cluster's most common class is their own: 1 when every cluster is pure. */
    public static double purity(int[] clusters, int[] classes) {
        long[][] table = contingency(clusters, classes);
        long hit = 0;
        for (long[] row : table) {
            hit += Arrays.stream(row).max().orElse(0);
        }
        return (double) hit / clusters.length;
    }

    /**
     * The entropy of the clustering as Kim &amp; Park (2007) use it: Σ_r (n_r/n)·(−1/log q)·Σ_i (n_ir/n_r)·log(n_ir/n_r)
     * over clusters r and the q classes i; 0 when every cluster is pure, 1 at most. 0 when there is one class.
     */
    public static double entropy(int[] clusters, int[] classes) {
        long[][] table = contingency(clusters, classes);
        int q = table[0].length;
        if (q < 2) {
            return 0;
        }
        double n = clusters.length;
        double sum = 0;
        for (long[] row : table) {
            long size = Arrays.stream(row).sum();
            for (long count : row) {
                if (count > 0) {
                    double p = (double) count / size;
                    sum += (size / n) * p * Math.log(p);
                }
            }
        }
        return Math.max(0, -sum / Math.log(q));
    }

    /** Rows: labels of {@code a}; columns: labels of {@code b}; empty labels dropped. */
    private static long[][] contingency(int[] a, int[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("the labellings have different lengths: " + a.length + " and " + b.length);
        }
        if (a.length < 2) {
            throw new IllegalArgumentException("need at least two items to compare clusterings; got " + a.length);
        }
        int[] ra = relabel(a);
        int[] rb = relabel(b);
        int ka = Arrays.stream(ra).max().getAsInt() + 1;
        int kb = Arrays.stream(rb).max().getAsInt() + 1;
        long[][] table = new long[ka][kb];
        for (int i = 0; i < a.length; i++) {
            table[ra[i]][rb[i]]++;
        }
        return table;
    }

    /** Maps labels to 0..(distinct − 1) in order of first appearance. */
    private static int[] relabel(int[] labels) {
        java.util.Map<Integer, Integer> index = new java.util.HashMap<>();
        int[] out = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0) {
                throw new IllegalArgumentException("labels must be ≥ 0; item " + i + " has " + labels[i]);
            }
            out[i] = index.computeIfAbsent(labels[i], x -> index.size());
        }
        return out;
    }

    private static double choose2(long n) {
        return n * (n - 1) / 2.0;
    }
}
