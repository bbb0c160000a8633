package org.jnmf.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import org.jnmf.Algorithm;
import org.jnmf.Matrix;
import org.jnmf.NmfResult;
import org.jnmf.SparseMatrix;
import org.jnmf.analysis.Clustering;
import org.jnmf.demo.BundledData;
import org.jnmf.demo.Charts;
import org.jnmf.io.AtomicFiles;
import org.knowm.xchart.CategoryChart;

/**
 * {@code jnmf demo topics}: the 500 documents of the Brown corpus (word counts, 15 genres) factored into
 * topics: each row of H weights the vocabulary, each row of W says how much of each topic a document holds.
 */
final class TopicsDemo implements DemoCommand.Demo {
    private static final String COUNTS = "brown_counts.mtx.gz";

    private final boolean tfidf;
    private final int topWords;
    private List<String> vocabulary;
    private List<String> documents;
    private List<String> genres;

    TopicsDemo(boolean tfidf, int topWords) {
        this.tfidf = tfidf;
        this.topWords = topWords;
    }

    @Override
    public int defaultRank() {
        return 12;
    }

    @Override
    public Algorithm defaultAlgorithm() {
        return Algorithm.HALS;
    }

    @Override
    public int defaultMaxIterations() {
        return 200;
    }

    @Override
    public Matrix load(Path data) {
        vocabulary = BundledData.lines("brown_vocab.txt");
        documents = new ArrayList<>();
        genres = new ArrayList<>();
        List<String> docs = BundledData.lines("brown_docs.tsv");
        for (String line : docs.subList(1, docs.size())) {
            String[] fields = line.split("\t");
            documents.add(fields[0]);
            genres.add(fields[1]);
        }
        Matrix counts = data == null ? BundledData.matrix(COUNTS) : DemoCommand.readData(data);
        String name = data == null ? "the bundled " + COUNTS : "--data " + data;
        DemoCommand.checkSamples(name, counts.rows(), documents);
        if (counts.cols() != vocabulary.size()) {
            throw CliException.usage(name + " has " + counts.cols() + " columns but the vocabulary has "
                    + vocabulary.size() + " words; give a file with the bundled data's layout");
        }
        SparseMatrix sparse = counts instanceof SparseMatrix s ? s
                : SparseMatrix.fromDense((org.jnmf.DenseMatrix) counts);
        return tfidf ? tfidf(sparse) : sparse;
    }

    /**
     * TF-IDF as scikit-learn's TfidfTransformer does by default: count · (ln((1 + N) / (1 + df)) + 1), with N
     * documents and df the number holding the word, then each document scaled to unit Euclidean length.
     */
    static SparseMatrix tfidf(SparseMatrix counts) {
        int n = counts.rows();
        int[] start = counts.rowStart();
        int[] columns = counts.columnIndices();
        double[] values = counts.values();
        int[] df = new int[counts.cols()];
        for (int p = 0; p < start[n]; p++) {
            if (values[p] != 0) {
                df[columns[p]]++;
            }
        }
        double[] weighted = new double[values.length];
        for (int i = 0; i < n; i++) {
            double norm = 0;
            for (int p = start[i]; p < start[i + 1]; p++) {
                weighted[p] = values[p] * (Math.log((1.0 + n) / (1.0 + df[columns[p]])) + 1);
                norm += weighted[p] * weighted[p];
            }
            norm = Math.sqrt(norm);
            for (int p = start[i]; p < start[i + 1]; p++) {
                weighted[p] = norm > 0 ? weighted[p] / norm : 0;
            }
        }
        return SparseMatrix.ofCsr(n, counts.cols(), start.clone(), columns.clone(), weighted);
    }

    @Override
    public String label() {
        return "bundled Brown corpus word counts (" + COUNTS + ")" + (tfidf ? ", TF-IDF weighted" : "");
    }

    @Override
    public String describe(Matrix v, int rank) {
        return "Brown corpus: " + v.rows() + " documents × " + v.cols() + " words" + (tfidf ? " (TF-IDF)" : " (counts)")
                + ", " + rank + " topics";
    }

    @Override
    public void addScores(NmfResult result, Json summary, PrintStream out) {
        DemoCommand.scoreClusters(Clustering.dominantPerRow(result.w()), genreIds(), summary, out,
                "documents clustered (15 genres)");
    }

    private int[] genreIds() {
        Map<String, Integer> ids = new HashMap<>();
        return genres.stream().mapToInt(g -> ids.computeIfAbsent(g, x -> ids.size())).toArray();
    }

    /** The {@code count} largest entries of {@code row}, largest first. */
    static int[] top(double[] row, int count) {
        return IntStream.range(0, row.length).boxed()
                .sorted(Comparator.comparingDouble((Integer j) -> -row[j]).thenComparingInt(j -> j))
                .limit(count).mapToInt(Integer::intValue).toArray();
    }

    @Override
    public void draw(Matrix v, NmfResult result, Path dir, PrintStream out) {
        int k = result.rank();
        double[][] h = result.h().toArray();
        StringBuilder text = new StringBuilder();
        List<CategoryChart> charts = new ArrayList<>();
        for (int t = 0; t < k; t++) {
            int[] words = top(h[t], Math.min(topWords, h[t].length));
            List<String> names = new ArrayList<>();
            double[] weights = new double[words.length];
            for (int i = 0; i < words.length; i++) {
                names.add(vocabulary.get(words[i]));
                weights[i] = h[t][words[i]];
            }
            String line = String.format(Locale.ROOT, "topic %2d: %s", t + 1, String.join(" ", names));
            text.append(line).append('\n');
            out.println(line);
            charts.add(Charts.bars("topic " + (t + 1), "", "weight in H", 360, 300, names, weights));
        }
        Path topics = dir.resolve("topics.txt");
        AtomicFiles.writeString(topics, text.toString());
        Path chart = dir.resolve("topics.png");
        Charts.writePngGrid(charts, 4, chart);

        double[][] w = result.w().toArray();
        int[] dominant = Clustering.dominantPerRow(result.w());
        StringBuilder table = new StringBuilder("document\tgenre\tdominant_topic\tshare\n");
        for (int i = 0; i < w.length; i++) {
            double sum = Arrays.stream(w[i]).sum();
            table.append(documents.get(i)).append('\t').append(genres.get(i)).append('\t').append(dominant[i] + 1)
                    .append('\t').append(String.format(Locale.ROOT, "%.3f", sum > 0 ? w[i][dominant[i]] / sum : 0))
                    .append('\n');
        }
        Path docs = dir.resolve("documents.tsv");
        AtomicFiles.writeString(docs, table.toString());
        out.println("top words per topic: " + topics + " and " + chart);
        out.println("each document's dominant topic (share of its W row): " + docs);
    }
}
