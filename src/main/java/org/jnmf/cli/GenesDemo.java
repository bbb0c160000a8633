package org.jnmf.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jnmf.Algorithm;
import org.jnmf.Matrix;
import org.jnmf.NmfResult;
import org.jnmf.analysis.Clustering;
import org.jnmf.demo.BundledData;
import org.jnmf.demo.Heatmap;
import org.jnmf.io.AtomicFiles;

/**
 * {@code jnmf demo genes}: the Golub ALL/AML leukaemia set (5000 genes × 38 samples) factored as Brunet et
 * al. (2004) did: columns of W are metagenes, and each sample (a column of V and of H) joins the cluster of
 * its largest metagene. The clusters are compared with the known ALL B-cell, ALL T-cell and AML labels.
 */
final class GenesDemo implements DemoCommand.Demo {
    private static final String EXPRESSION = "golub_5000x38.csv.gz";
    private static final int LISTED_GENES = 20;

    private List<String> genes;
    private List<String> samples;
    private List<String> classes;

    @Override
    public int defaultRank() {
        return 3;
    }

    @Override
    public Algorithm defaultAlgorithm() {
        return Algorithm.MULTIPLICATIVE;
    }

    @Override
    public int defaultMaxIterations() {
        return 2000;
    }

    /** Kullback–Leibler, as Brunet et al. (2004). */
    @Override
    public double defaultBeta() {
        return 1;
    }

    @Override
    public Matrix load(Path data) {
        genes = BundledData.lines("golub_genes.txt.gz");
        samples = new ArrayList<>();
        classes = new ArrayList<>();
        List<String> table = BundledData.lines("golub_samples.tsv");
        for (String line : table.subList(1, table.size())) {
            String[] f = line.split("\t");
            samples.add(f[1]);
            classes.add(f[2].equals("ALL") ? "ALL-" + f[3].charAt(0) : f[2]);
        }
        Matrix v = data == null ? BundledData.matrix(EXPRESSION) : DemoCommand.readData(data);
        String name = data == null ? "the bundled " + EXPRESSION : "--data " + data;
        DemoCommand.checkSamples(name + " (samples are columns)", v.cols(), samples);
        if (v.rows() != genes.size()) {
            throw CliException.usage(name + " has " + v.rows() + " rows but the gene list has " + genes.size()
                    + "; give a file with the bundled data's layout (genes × samples)");
        }
        return v;
    }

    @Override
    public String label() {
        return "bundled Golub ALL/AML expression (" + EXPRESSION + ")";
    }

    @Override
    public String describe(Matrix v, int rank) {
        return "Golub leukaemia: " + v.rows() + " genes × " + v.cols() + " samples (19 ALL-B, 8 ALL-T, 11 AML), "
                + rank + " metagenes";
    }

    int[] classIds() {
        Map<String, Integer> ids = new HashMap<>();
        return classes.stream().mapToInt(c -> ids.computeIfAbsent(c, x -> ids.size())).toArray();
    }

    @Override
    public void addScores(NmfResult result, Json summary, PrintStream out) {
        DemoCommand.scoreClusters(Clustering.dominantPerColumn(result.h()), classIds(), summary, out,
                "samples clustered (ALL-B, ALL-T, AML)");
    }

    @Override
    public void draw(Matrix v, NmfResult result, Path dir, PrintStream out) {
        int k = result.rank();
        int[] cluster = Clustering.dominantPerColumn(result.h());
        StringBuilder table = new StringBuilder("sample\tclass\tcluster\n");
        for (int j = 0; j < samples.size(); j++) {
            table.append(samples.get(j)).append('\t').append(classes.get(j)).append('\t').append(cluster[j] + 1).append('\n');
        }
        Path clusters = dir.resolve("clusters.tsv");
        AtomicFiles.writeString(clusters, table.toString());
        for (int c = 0; c < k; c++) {
            Map<String, Integer> counts = new java.util.TreeMap<>();
            for (int j = 0; j < cluster.length; j++) {
                if (cluster[j] == c) {
                    counts.merge(classes.get(j), 1, Integer::sum);
                }
            }
            out.println("cluster " + (c + 1) + ": " + (counts.isEmpty() ? "empty" : counts.toString()
                    .replaceAll("[{}]", "").replace("=", " × ")));
        }

        double[][] w = result.w().toArray();
        StringBuilder metagenes = new StringBuilder();
        for (int c = 0; c < k; c++) {
            double[] column = new double[w.length];
            for (int i = 0; i < w.length; i++) {
                column[i] = w[i][c];
            }
            int[] topGenes = TopicsDemo.top(column, Math.min(LISTED_GENES, column.length));
            List<String> names = new ArrayList<>();
            for (int g : topGenes) {
                names.add(genes.get(g));
            }
            metagenes.append(String.format(Locale.ROOT, "metagene %d: %s%n", c + 1, String.join(" ", names)));
        }
        Path metagenesFile = dir.resolve("metagenes.txt");
        AtomicFiles.writeString(metagenesFile, metagenes.toString());

        // H with its samples grouped by cluster (the order of clusters.tsv within each), labelled by class.
        double[][] h = result.h().toArray();
        Integer[] order = new Integer[samples.size()];
        for (int j = 0; j < order.length; j++) {
            order[j] = j;
        }
        java.util.Arrays.sort(order, java.util.Comparator.comparingInt((Integer j) -> cluster[j])
                .thenComparing(j -> classes.get(j)));
        double[][] grouped = new double[k][order.length];
        List<String> columnNames = new ArrayList<>();
        List<Heatmap.Group> groups = new ArrayList<>();
        for (int x = 0; x < order.length; x++) {
            for (int c = 0; c < k; c++) {
                grouped[c][x] = h[c][order[x]];
            }
            columnNames.add(classes.get(order[x]) + " " + samples.get(order[x]).replaceAll("^[A-Z]+_|_.*$", ""));
            if (x == 0 || cluster[order[x]] != cluster[order[x - 1]]) {
                groups.add(new Heatmap.Group("cluster " + (cluster[order[x]] + 1), x, x + 1));
            } else {
                Heatmap.Group last = groups.removeLast();
                groups.add(new Heatmap.Group(last.name(), last.from(), x + 1));
            }
        }
        List<String> metageneNames = new ArrayList<>();
        for (int c = 1; c <= k; c++) {
            metageneNames.add("metagene " + c);
        }
        Path heatmap = dir.resolve("H.png");
        Heatmap.of(grouped, Heatmap.Scale.PER_ROW, k, samples.size()).writeFigure(heatmap, dir.resolve("H.svg"),
                new Heatmap.Labels("H: " + k + " metagenes × " + samples.size() + " samples, grouped by cluster",
                        "sample (class and id)", "metagene", metageneNames, columnNames, groups, "÷ row max"), 16, 40);
        out.println("samples and their clusters: " + clusters);
        out.println("the " + LISTED_GENES + " genes with the largest weight in each metagene: " + metagenesFile);
        out.println("heatmap of H (metagenes × samples, grouped by cluster): " + heatmap);
    }
}
