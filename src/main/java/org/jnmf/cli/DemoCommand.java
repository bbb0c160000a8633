package org.jnmf.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jnmf.Algorithm;
import org.jnmf.Matrix;
import org.jnmf.NmfOptions;
import org.jnmf.NmfResult;
import org.jnmf.io.MatrixReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jnmf demo [images|topics|genes]}: factors a bundled real data set and writes what NMF found in
 * it as pictures and text: parts of images, topics of documents, metagenes of leukaemia samples. The
 * demos themselves are {@link ImagesDemo}, {@link TopicsDemo} and {@link GenesDemo}.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = Main.VersionProvider.class,
        description = {"Factor a bundled real data set and draw what NMF finds:",
                "  images  MNIST digits (or --dataset fashion: Fashion-MNIST) into parts: parts.png, reconstructions.png",
                "  topics  500 Brown corpus documents into topics: topics.txt, topics.png, documents.tsv",
                "  genes   the Golub ALL/AML leukaemia samples into metagenes: metagenes.txt, clusters.tsv, H.png",
                "Each also writes W.npy, H.npy and summary.json (with clustering scores against the known labels) to --out."})
final class DemoCommand implements Callable<Integer> {
    private final PrintStream out;
    private final PrintStream err;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DEMO", defaultValue = "images",
            description = "images, topics or genes. Default: ${DEFAULT-VALUE}.")
    String demo;

    @Option(names = {"-o", "--out"}, paramLabel = "DIR",
            description = "Folder for the results; created if missing. Default: demo-output/DEMO (images with"
                    + " --dataset fashion: demo-output/fashion), one folder per demo.")
    Path outDir;

    @Option(names = {"-k", "--rank"}, paramLabel = "K",
            description = "Number of components. Default: 16 (images), 12 (topics), 3 (genes).")
    Integer rank;

    @Option(names = "--dataset", paramLabel = "NAME", defaultValue = "mnist",
            description = "images: mnist or fashion. Default: ${DEFAULT-VALUE}.")
    String dataset;

    @Option(names = "--tfidf", description = "topics: weight counts by TF-IDF (log inverse document frequency, rows"
            + " scaled to unit length) before factoring.")
    boolean tfidf;

    @Option(names = "--top-words", paramLabel = "N", defaultValue = "10",
            description = "topics: words listed per topic. Default: ${DEFAULT-VALUE}.")
    int topWords;

    @Option(names = "--data", paramLabel = "FILE",
            description = "Factor this matrix file instead of the bundled one; it must have the bundled one's layout"
                    + " (as many samples as the bundled labels, and for images 784 pixels per row).")
    Path data;

    @Option(names = "--algorithm", paramLabel = "NAME",
            description = "hals or mu (kl needs mu). Default: hals (images, topics), mu (genes, as Brunet et al. 2004).")
    String algorithm;

    @Option(names = "--loss", paramLabel = "NAME",
            description = "frobenius or kl (generalised Kullback–Leibler, multiplicative updates)."
                    + " Default: frobenius (images, topics), kl (genes).")
    String loss;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
            description = "Seed for the initialisation. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--max-iter", paramLabel = "N",
            description = "Most iterations. Default: 200 (images, topics), 2000 (genes).")
    Integer maxIterations;

    @Option(names = "--tol", paramLabel = "X", defaultValue = "1e-5",
            description = "Convergence tolerance, as for fit. Default: ${DEFAULT-VALUE}.")
    double tolerance;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads. Default: all processors.")
    Integer threads;

    @Option(names = "--backend", paramLabel = "NAME", defaultValue = "${sys:jnmf.backend:-auto}",
            description = "auto or a backend name. Default: ${DEFAULT-VALUE}.")
    String backend;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar.")
    boolean quiet;

    @Option(names = "--debug", description = "Print the stack trace of an error.")
    boolean debug;

    DemoCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** One demo: its data, its defaults, and what it draws from a fit. */
    interface Demo {
        int defaultRank();

        Algorithm defaultAlgorithm();

        int defaultMaxIterations();

        /** The β of the default loss: 2 Frobenius, 1 Kullback–Leibler. */
        default double defaultBeta() {
            return 2;
        }

        /** Reads the data (the bundled set, or {@code file} in its layout) and checks it against the labels. */
        Matrix load(Path file);

        /** What the input is, for messages and the summary. */
        String label();

        /** A line saying what is being factored. */
        String describe(Matrix v, int rank);

        /** Scores against the known labels for summary.json, also printed. */
        void addScores(NmfResult result, Json summary, PrintStream out);

        /** Writes the pictures and text files to {@code dir} and prints what they are. */
        void draw(Matrix v, NmfResult result, Path dir, PrintStream out);
    }

    /** demo-output/DEMO: one folder per demo (and one for Fashion-MNIST), so that no demo overwrites another's files. */
    static Path defaultOutput(String demo, String dataset) {
        return Path.of("demo-output", demo.equalsIgnoreCase("images") && dataset.equalsIgnoreCase("fashion")
                ? "fashion" : demo.toLowerCase(Locale.ROOT));
    }

    @Override
    public Integer call() {
        Demo chosen = switch (demo.toLowerCase(Locale.ROOT)) {
            case "images" -> new ImagesDemo(dataset);
            case "topics" -> new TopicsDemo(tfidf, topWords);
            case "genes" -> new GenesDemo();
            default -> throw CliException.usage("unknown demo '" + demo + "'; choose images, topics or genes");
        };
        checkOptionsFit(chosen);
        int k = rank != null ? rank : chosen.defaultRank();
        if (k < 1) {
            throw CliException.usage("--rank must be at least 1; got " + k);
        }
        int iterations = maxIterations != null ? maxIterations : chosen.defaultMaxIterations();
        if (iterations < 0) {
            throw CliException.usage("--max-iter must be at least 0; got " + iterations);
        }
        if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
            throw CliException.usage("--tol must be a finite number ≥ 0; got " + tolerance);
        }
        double beta = loss == null ? chosen.defaultBeta() : switch (loss.toLowerCase(Locale.ROOT)) {
            case "frobenius" -> 2;
            case "kl" -> 1;
            default -> throw CliException.usage("--loss must be frobenius or kl; got '" + loss + "'");
        };
        Algorithm chosenAlgorithm = algorithm != null ? FitOptions.parseAlgorithm(algorithm)
                : beta == 2 ? chosen.defaultAlgorithm() : Algorithm.MULTIPLICATIVE;
        if (beta != 2 && chosenAlgorithm != Algorithm.MULTIPLICATIVE) {
            throw CliException.usage("--loss kl needs --algorithm mu (multiplicative updates)");
        }
        NmfOptions.Builder options = NmfOptions.builder(k).seed(seed).maxIterations(iterations).tolerance(tolerance)
                .backend(backend).algorithm(chosenAlgorithm).beta(beta);
        if (threads != null) {
            if (threads < 1) {
                throw CliException.usage("--threads must be at least 1; got " + threads);
            }
            options.threads(threads);
        }
        if (outDir == null) {
            outDir = defaultOutput(demo, dataset);
        }
        try (FitJob job = new FitJob(outDir, "npy", quiet, out, err)) {
            job.prepareOutput();
            try {
                Matrix v = chosen.load(data);
                if (k > Math.min(v.rows(), v.cols())) {
                    throw CliException.usage("--rank " + k + " is more than this data's min(n, m) = "
                            + Math.min(v.rows(), v.cols()));
                }
                NmfOptions planned = options.build();
                out.println(chosen.describe(v, k) + "; " + planned.lossLabel() + " loss, " + planned.algorithm().label());
                job.summaryExtras((result, summary) -> chosen.addScores(result, summary, out));
                NmfResult result = job.run(v, options, chosen.label());
                chosen.draw(v, result, outDir, out);
            } catch (RuntimeException | Error e) {
                job.abandonOutput();
                throw e;
            }
        }
        return 0;
    }

    /** Options that only some demos read are refused for the others, rather than silently ignored. */
    private void checkOptionsFit(Demo chosen) {
        if (!(chosen instanceof ImagesDemo) && !dataset.equalsIgnoreCase("mnist")) {
            throw CliException.usage("--dataset is for the images demo; " + demo + " has one data set");
        }
        if (!(chosen instanceof TopicsDemo) && tfidf) {
            throw CliException.usage("--tfidf is for the topics demo");
        }
        if (topWords < 1) {
            throw CliException.usage("--top-words must be at least 1; got " + topWords);
        }
    }

    /** Reads {@code file} (a demo's --data), with the reader's own message when it is malformed. */
    static Matrix readData(Path file) {
        try {
            return MatrixReader.read(file);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--data " + file + ": " + e.getMessage());
        }
    }

    /** Refuses data whose number of samples does not match the labels the demo scores against. */
    static void checkSamples(String label, int samples, List<?> labels) {
        if (samples != labels.size()) {
            throw CliException.usage(label + " has " + samples + " samples but the demo's labels cover "
                    + labels.size() + "; give a file with the bundled data's layout");
        }
    }

    /** Puts and prints the agreement of {@code clusters} with the known {@code classes}. */
    static void scoreClusters(int[] clusters, int[] classes, Json summary, PrintStream out, String what) {
        double ari = org.jnmf.analysis.Clustering.adjustedRandIndex(clusters, classes);
        double purity = org.jnmf.analysis.Clustering.purity(clusters, classes);
        double entropy = org.jnmf.analysis.Clustering.entropy(clusters, classes);
        summary.put("cluster_adjusted_rand_index", ari)
                .put("cluster_purity", purity)
                .put("cluster_entropy", entropy);
        out.println(String.format(Locale.ROOT, "%s by dominant component against the known %s:"
                + " adjusted Rand index %.3f, purity %.3f, entropy %.3f", what, "labels", ari, purity, entropy));
    }
}
