package org.jnmf.analysis;

/** Average-linkage (UPGMA) agglomerative clustering, for the cophenetic distances consensus clustering needs. */
final class Linkage {
    private Linkage() {
    }

    /**
     * The cophenetic distances of the average-linkage tree of a symmetric distance matrix: for each pair,
     * the height at which their clusters merge. Of equally close pairs of clusters, the one with the
     * smallest indices merges first. O(n³), meant for the few hundred samples consensus clustering sees.
     */
    static double[][] averageCophenetic(double[][] distance) {
        int n = distance.length;
        double[][] d = new double[n][];
        for (int i = 0; i < n; i++) {
            d[i] = distance[i].clone();
        }
        int[] size = new int[n];
        int[] clusterOf = new int[n]; // the representative (lowest original index) of each item's cluster
        boolean[] active = new boolean[n];
        for (int i = 0; i < n; i++) {
            size[i] = 1;
            clusterOf[i] = i;
            active[i] = true;
        }
        double[][] cophenetic = new double[n][n];
        for (int merge = 0; merge < n - 1; merge++) {
            int bestA = -1;
            int bestB = -1;
            double best = Double.POSITIVE_INFINITY;
            for (int a = 0; a < n; a++) {
                if (!active[a]) {
                    continue;
                }
                for (int b = a + 1; b < n; b++) {
                    if (active[b] && d[a][b] < best) {
                        best = d[a][b];
                        bestA = a;
                        bestB = b;
                    }
                }
            }
            for (int i = 0; i < n; i++) {
                if (clusterOf[i] != bestA) {
                    continue;
                }
                for (int j = 0; j < n; j++) {
                    if (clusterOf[j] == bestB) {
                        cophenetic[i][j] = best;
                        cophenetic[j][i] = best;
                    }
                }
            }
            for (int c = 0; c < n; c++) {
                if (active[c] && c != bestA && c != bestB) {
                    double merged = (size[bestA] * d[bestA][c] + size[bestB] * d[bestB][c]) / (size[bestA] + size[bestB]);
                    d[bestA][c] = merged;
                    d[c][bestA] = merged;
                }
            }
            size[bestA] += size[bestB];
            active[bestB] = false;
            for (int i = 0; i < n; i++) {
                if (clusterOf[i] == bestB) {
                    clusterOf[i] = bestA;
                }
            }
        }
        return cophenetic;
    }
}
