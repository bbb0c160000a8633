package org.jnmf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.jnmf.DenseMatrix;
import org.jnmf.io.MatrixWriter;
import org.junit.jupiter.api.Test;

/** The demos, plot and rank commands, end to end through {@link Main#run}. */
class ApplicationsCliTest extends CliTestSupport {
    private static BufferedImage png(Path file) throws IOException {
        BufferedImage image = ImageIO.read(file.toFile());
        assertTrue(image != null, file + " is not a decodable image");
        return image;
    }

    private static void assertSvg(Path file) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        var document = factory.newDocumentBuilder().parse(file.toFile());
        assertEquals("svg", document.getDocumentElement().getNodeName(), file.toString());
    }

    private static double field(String json, String key) {
        var m = java.util.regex.Pattern.compile("\"" + key + "\": ([-0-9.eE]+)").matcher(json);
        assertTrue(m.find(), key + " missing from " + json);
        return Double.parseDouble(m.group(1));
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(bytes)) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    private static List<String> list(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void imagesDemoOnFashionMnistDrawsPartsAndReconstructions() throws IOException {
        int status = run("demo", "images", "--dataset", "fashion", "--out", out.toString(), "--rank", "6",
                "--max-iter", "5", "--quiet");
        assertEquals(0, status, stderr);
        assertTrue(stdout.contains("Fashion-MNIST: 1000 images of 28×28 pixels, 6 parts"), stdout);
        assertEquals(List.of("H.npy", "W.npy", "parts.png", "reconstructions.png", "summary.json"), list(out));
        BufferedImage parts = png(out.resolve("parts.png"));
        assertEquals(6 * (28 * 4 + 2) + 2, parts.getWidth(), "six 28×28 tiles at 4× with 2-pixel gaps in one row");
        assertEquals(28 * 4 + 2 + 2, parts.getHeight());
        BufferedImage pairs = png(out.resolve("reconstructions.png"));
        assertEquals(8 * (28 * 4 + 2) + 2, pairs.getWidth());
        assertEquals(2 * (28 * 4 + 2) + 2, pairs.getHeight(), "originals over reconstructions");
        String json = summary();
        for (String key : List.of("explained_variance", "sparseness_w", "sparseness_h", "cluster_adjusted_rand_index",
                "cluster_purity", "cluster_entropy")) {
            field(json, key);
        }
        assertTrue(field(json, "cluster_purity") > 0.1 && field(json, "cluster_purity") <= 1, json);
    }

    @Test
    void topicsDemoListsTopWordsChartsThemAndGivesEachDocumentItsTopic() throws IOException {
        int status = run("demo", "topics", "--tfidf", "--out", out.toString(), "--rank", "3", "--top-words", "5",
                "--max-iter", "20", "--quiet");
        assertEquals(0, status, stderr);
        List<String> topics = Files.readAllLines(out.resolve("topics.txt"));
        assertEquals(3, topics.size(), String.join("\n", topics));
        for (String line : topics) {
            assertEquals(5, line.substring(line.indexOf(':') + 1).strip().split(" ").length, line);
        }
        BufferedImage chart = png(out.resolve("topics.png"));
        assertEquals(3 * 360, chart.getWidth(), "three 360-pixel charts in a row");
        assertEquals(300, chart.getHeight());
        List<String> documents = Files.readAllLines(out.resolve("documents.tsv"));
        assertEquals(501, documents.size(), "a header and the 500 Brown documents");
        assertTrue(documents.get(1).startsWith("ca01\tpress_reportage\t"), documents.get(1));
        assertTrue(stdout.contains("(TF-IDF)"), stdout);
    }

    /**
     * Brunet et al. (2004) separate ALL-B, ALL-T and AML at k = 3 with Kullback–Leibler multiplicative updates,
     * the demo's default (from NNDSVDA, tolerance 1e-5). Measured: adjusted Rand index 0.831 after 130 iterations
     * (clusters {11 AML + 1 ALL-B}, {8 ALL-T + 1 ALL-B}, {17 ALL-B}); scikit-learn's clustering gives 0.911.
     */
    @Test
    void genesDemoSeparatesTheThreeLeukaemiaTypes() throws IOException {
        int status = run("demo", "genes", "--out", out.toString(), "--quiet");
        assertEquals(0, status, stderr);
        assertTrue(stdout.contains("3 metagenes; kl loss, mu"), stdout);
        double ari = field(summary(), "cluster_adjusted_rand_index");
        assertTrue(ari >= 0.8, "adjusted Rand index " + ari + "\n" + stdout);
        assertTrue(stdout.contains(String.format(java.util.Locale.ROOT, "adjusted Rand index %.3f", ari)), stdout);
        assertEquals(39, Files.readAllLines(out.resolve("clusters.tsv")).size());
        assertEquals(3, Files.readAllLines(out.resolve("metagenes.txt")).size());
        // A figure: the 38×3 cells (16×40 pixels) with a title, axes, sample names, clusters and a colour bar.
        BufferedImage heatmap = png(out.resolve("H.png"));
        assertTrue(heatmap.getWidth() > 38 * 16 + 100 && heatmap.getHeight() > 3 * 40 + 100,
                heatmap.getWidth() + "×" + heatmap.getHeight());
        String svg = Files.readString(out.resolve("H.svg"));
        for (String text : List.of("grouped by cluster", "cluster 1", "cluster 3", "metagene 1", "sample (class and id)",
                "row max", "AML 12", "ALL-T")) {
            assertTrue(svg.contains(text), "H.svg lacks '" + text + "'");
        }
        int firstOfCluster2 = svg.indexOf("cluster 2");
        assertTrue(firstOfCluster2 > svg.indexOf("cluster 1") && svg.indexOf("cluster 3") > firstOfCluster2, svg);
    }

    @Test
    void eachDemoWritesToAFolderOfItsOwnByDefault() {
        List<Path> folders = List.of(DemoCommand.defaultOutput("images", "mnist"),
                DemoCommand.defaultOutput("images", "fashion"), DemoCommand.defaultOutput("topics", "mnist"),
                DemoCommand.defaultOutput("genes", "mnist"));
        assertEquals(List.of(Path.of("demo-output/images"), Path.of("demo-output/fashion"),
                Path.of("demo-output/topics"), Path.of("demo-output/genes")), folders);
    }

    @Test
    void demoOnADamagedDataFileFailsWithAClearMessage() throws IOException {
        byte[] whole = gzip("1,2,3\n4,5,6\n".repeat(500));
        Path damaged = dir.resolve("golub.csv.gz");
        Files.write(damaged, java.util.Arrays.copyOf(whole, whole.length / 2));
        assertEquals(2, run("demo", "genes", "--data", damaged.toString(), "--out", out.toString()));
        assertTrue(stderr.startsWith("jnmf: --data " + damaged), stderr);
        assertEquals(1, stderr.lines().count(), "one line, no stack trace: " + stderr);
        assertFalse(Files.exists(out), "nothing written");

        Path wrongShape = dir.resolve("small.csv");
        Files.writeString(wrongShape, "1,2\n3,4\n");
        assertEquals(2, run("demo", "genes", "--data", wrongShape.toString(), "--out", out.toString()));
        assertTrue(stderr.contains("has 2 samples but the demo's labels cover 38"), stderr);

        Path notNumbers = dir.resolve("digits.csv");
        Files.writeString(notNumbers, "1,2,x\n");
        assertEquals(2, run("demo", "--data", notNumbers.toString(), "--out", out.toString()));
        assertTrue(stderr.contains(notNumbers.toString()) && stderr.contains("line 1"), stderr);
    }

    @Test
    void demoRefusesBadOptions() {
        assertEquals(2, run("demo", "pictures", "--out", out.toString()));
        assertTrue(stderr.contains("unknown demo 'pictures'; choose images, topics or genes"), stderr);
        assertEquals(2, run("demo", "images", "--dataset", "cifar", "--out", out.toString()));
        assertTrue(stderr.contains("--dataset must be mnist or fashion"), stderr);
        assertEquals(2, run("demo", "genes", "--dataset", "fashion", "--out", out.toString()));
        assertTrue(stderr.contains("--dataset is for the images demo"), stderr);
        assertEquals(2, run("demo", "images", "--tfidf", "--out", out.toString()));
        assertTrue(stderr.contains("--tfidf is for the topics demo"), stderr);
        assertEquals(2, run("demo", "topics", "--top-words", "0", "--out", out.toString()));
        assertTrue(stderr.contains("--top-words must be at least 1"), stderr);
        assertEquals(2, run("demo", "genes", "--loss", "is", "--out", out.toString()));
        assertTrue(stderr.contains("--loss must be frobenius or kl; got 'is'"), stderr);
        assertEquals(2, run("demo", "genes", "--loss", "kl", "--algorithm", "hals", "--out", out.toString()));
        assertTrue(stderr.contains("--loss kl needs --algorithm mu"), stderr);
        assertEquals(2, run("demo", "genes", "--rank", "39", "--out", out.toString()));
        assertTrue(stderr.contains("more than this data's min(n, m) = 38"), stderr);
    }

    @Test
    void plotDrawsTheLossWeightsAndHeatmapsOfAFit() throws Exception {
        Path input = dir.resolve("v.npy");
        double[][] v = new double[30][12];
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        for (double[] row : v) {
            for (int j = 0; j < row.length; j++) {
                row[j] = random.nextDouble();
            }
        }
        MatrixWriter.write(DenseMatrix.of(v), input);
        assertEquals(0, run("fit", input.toString(), "-k", "4", "-o", out.toString(), "--max-iter", "30", "--tol", "0", "-q"),
                stderr);
        assertEquals(0, run("plot", out.toString()), stderr);
        for (String name : List.of("loss", "weights", "W-heatmap", "H-heatmap")) {
            png(out.resolve(name + ".png"));
            assertSvg(out.resolve(name + ".svg"));
        }
        assertEquals(PlotCommand.CHART_WIDTH, png(out.resolve("loss.png")).getWidth());
        assertEquals(PlotCommand.CHART_HEIGHT, png(out.resolve("loss.png")).getHeight());
        // Figures around the cells (W: 4 components × 60 pixels, 30 rows × 14; H: 12 columns × 14, 4 rows × 60).
        BufferedImage w = png(out.resolve("W-heatmap.png"));
        assertTrue(w.getWidth() > 4 * 60 && w.getHeight() > 30 * 14, w.getWidth() + "×" + w.getHeight());
        BufferedImage h = png(out.resolve("H-heatmap.png"));
        assertTrue(h.getWidth() > 12 * 14 && h.getHeight() > 4 * 60, h.getWidth() + "×" + h.getHeight());
        String wSvg = Files.readString(out.resolve("W-heatmap.svg"));
        for (String text : List.of("W: 30 rows × 4 components", "component", "row of V", "column max", "max")) {
            assertTrue(wSvg.contains(text), "W-heatmap.svg lacks '" + text + "'");
        }
        assertTrue(Files.readString(out.resolve("H-heatmap.svg")).contains("H: 4 components × 12 columns"));
        assertTrue(stdout.contains("wrote loss, weights, W-heatmap and H-heatmap"), stdout);
    }

    @Test
    void plotRefusesAFolderWithoutAFit() throws IOException {
        Files.createDirectories(out);
        assertEquals(2, run("plot", out.toString()));
        assertTrue(stderr.contains("has no summary.json"), stderr);
        Files.writeString(out.resolve("summary.json"), "{\n  \"rank\": 2\n}\n");
        assertEquals(2, run("plot", out.toString()));
        assertTrue(stderr.contains("has no 'loss_history'"), stderr);
    }

    @Test
    void summaryCarriesQualityMeasuresOfAKnownFit() throws IOException {
        Path input = dir.resolve("v.csv");
        // An exact rank-2 product (the README's example): explained variance 1.
        Files.writeString(input, "1,0,2,0\n0,3,0,1\n2,0,4,0\n0,6,0,2\n1,3,2,1\n");
        assertEquals(0, run("fit", input.toString(), "-k", "2", "-o", out.toString(), "--seed", "1",
                "--max-iter", "500", "-q"), stderr);
        String json = summary();
        assertEquals(1.0, field(json, "explained_variance"), 1e-9);
        // Rows of H are multiples of (1,0,2,0) and (0,3,0,1): Hoyer (2 − 3/√5)/1 and (2 − 4/√10)/1.
        double expectedH = ((2 - 3 / Math.sqrt(5)) + (2 - 4 / Math.sqrt(10))) / 2;
        assertEquals(expectedH, field(json, "sparseness_h"), 1e-6);
        // Columns of W are multiples of (1,0,2,0,1) and (0,1,0,2,1): Hoyer (√5 − 4/√6)/(√5 − 1) each.
        assertEquals((Math.sqrt(5) - 4 / Math.sqrt(6)) / (Math.sqrt(5) - 1), field(json, "sparseness_w"), 1e-6);
    }

    @Test
    void rankRecommendsTheNumberOfClustersAndWritesTableAndCharts() throws Exception {
        Path input = dir.resolve("clusters.npy");
        MatrixWriter.write(org.jnmf.TestMatrices.clusters(8, 160, 60, 1), input);
        assertEquals(0, run("rank", input.toString(), "--ranks", "6..10", "--restarts", "4", "--cv-repeats", "2",
                "--out", out.toString(), "--threads", "1"), stderr);
        assertTrue(stdout.contains("recommended rank: 8\nwhy: the lowest held-out error"), stdout);
        assertTrue(stdout.contains("consensus clustering finds k = 8 the most stable"), stdout);
        assertTrue(stdout.contains("held-out error") && stdout.contains("cophenetic"), "the table: " + stdout);
        List<String> csv = Files.readAllLines(out.resolve("rank.csv"));
        assertEquals("rank,held_out_error,held_out_error_sd,training_error,cv_repeats,cophenetic,dispersion,restarts,"
                + "mean_relative_error", csv.getFirst());
        assertEquals(6, csv.size());
        assertTrue(csv.get(3).startsWith("8,") && csv.get(3).contains(",2,") && csv.get(3).contains(",4,"), csv.get(3));
        for (String chart : List.of("rank-cv", "rank-consensus")) {
            assertEquals(800, png(out.resolve(chart + ".png")).getWidth());
            assertSvg(out.resolve(chart + ".svg"));
        }

        assertEquals(0, run("rank", input.toString(), "--ranks", "7,8", "--restarts", "2", "--cv-repeats", "1",
                "--out", out.toString(), "--quiet"), stderr);
        assertTrue(stdout.startsWith("recommended rank: "), "--quiet prints just the recommendation: " + stdout);
        assertEquals(2, stdout.lines().count(), stdout);
    }

    @Test
    void rankRefusesBadOptions() throws IOException {
        Path input = dir.resolve("v.csv");
        Files.writeString(input, "1,2,3\n4,5,6\n7,8,9\n");
        assertEquals(2, run("rank", input.toString(), "--ranks", "5..2", "--out", out.toString()));
        assertTrue(stderr.contains("runs backwards"), stderr);
        assertEquals(2, run("rank", input.toString(), "--ranks", "two", "--out", out.toString()));
        assertTrue(stderr.contains("is not a list of ranks"), stderr);
        assertEquals(2, run("rank", input.toString(), "--ranks", "0..2", "--out", out.toString()));
        assertTrue(stderr.contains("ranks of at least 1"), stderr);
        assertEquals(2, run("rank", input.toString(), "--ranks", "2..4", "--out", out.toString()));
        assertTrue(stderr.contains("more than min(n, m) = 3"), stderr);
        assertEquals(2, run("rank", input.toString(), "--restarts", "1", "--out", out.toString()));
        assertTrue(stderr.contains("--restarts must be at least 2"), stderr);
        assertEquals(2, run("rank", input.toString(), "--cluster", "genes", "--out", out.toString()));
        assertTrue(stderr.contains("--cluster must be rows or columns"), stderr);
        assertEquals(2, run("rank", input.toString(), "--cv-fraction", "1", "--out", out.toString()));
        assertTrue(stderr.contains("--cv-fraction must be between 0 and 1"), stderr);
        assertEquals(2, run("rank", input.toString(), "--cv-repeats", "0", "--out", out.toString()));
        assertTrue(stderr.contains("--cv-repeats must be at least 1"), stderr);
        assertEquals(2, run("rank", dir.resolve("absent.csv").toString(), "--out", out.toString()));
        assertTrue(stderr.contains("does not exist"), stderr);
        assertEquals(List.of("1, 2, 3, 5, 6, 7, 8"), List.of(RankCommand.parseRanks("8,1..3,5..7").toString()
                .replaceAll("[\\[\\]]", "")));
    }
}
