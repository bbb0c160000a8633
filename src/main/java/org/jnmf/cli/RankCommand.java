package org.jnmf.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.function.IntFunction;
import me.tongfei.progressbar.ProgressBar;
import org.jnmf.Matrix;
import org.jnmf.NmfOptions;
import org.jnmf.analysis.RankSelection;
import org.jnmf.analysis.RankSelection.ConsensusFigures;
import org.jnmf.demo.Charts;
import org.jnmf.io.AtomicFiles;
import org.jnmf.io.MatrixReader;
import org.jnmf.io.ReadOptions;
import org.knowm.xchart.XYChart;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jnmf rank INPUT --ranks 2..20 --out DIR}: figures for choosing k, a table on stdout, rank.csv and
 * rank.png/.svg in DIR, and a recommendation.
 */
@Command(name = "rank", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = Main.VersionProvider.class,
        description = {"Help choose the rank k of INPUT: for each k in --ranks, fit --restarts times from random"
                + " starting points and measure how consistently the fits cluster the samples (consensus"
                + " clustering, Brunet et al. 2004): the cophenetic correlation and the dispersion (Kim & Park"
                + " 2007), both 1 for perfectly stable clusters.",
                "Prints a table and 'recommended rank: K' with the reason; writes rank.csv, rank.png and rank.svg"
                        + " to --out."},
        footer = {"", "Example: jnmf rank data.csv --ranks 2..10 --restarts 20 --out ranks"})
final class RankCommand implements Callable<Integer> {
    /** Cophenetic correlations this close count as equal. */
    static final double TIE = 1e-6;

    private final PrintStream out;
    private final PrintStream err;

    @Parameters(index = "0", paramLabel = "INPUT", description = "The matrix V (rows are samples unless --cluster columns).")
    Path input;

    @Option(names = "--ranks", paramLabel = "LIST", defaultValue = "2..10",
            description = "Ranks to try: A..B, or a comma-separated list (2,3,5..8). Default: ${DEFAULT-VALUE}.")
    String ranks;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR",
            description = "Folder for rank.csv, rank.png and rank.svg; created if missing.")
    Path outDir;

    @Option(names = "--restarts", paramLabel = "N", defaultValue = "10",
            description = "Fits per rank for the consensus (Brunet et al. used 50). Default: ${DEFAULT-VALUE}.")
    int restarts;

    @Option(names = "--cluster", paramLabel = "rows|columns", defaultValue = "rows",
            description = "Which are the samples to cluster: rows of V (W's rows) or columns (H's columns, as for"
                    + " genes × samples data). Default: ${DEFAULT-VALUE}.")
    String cluster;

    @Option(names = "--algorithm", paramLabel = "NAME", defaultValue = "hals",
            description = "hals or mu. Default: ${DEFAULT-VALUE}.")
    String algorithm;

    @Option(names = "--max-iter", paramLabel = "N", defaultValue = "200",
            description = "Most iterations of each fit. Default: ${DEFAULT-VALUE}.")
    int maxIterations;

    @Option(names = "--tol", paramLabel = "X", defaultValue = "1e-4",
            description = "Convergence tolerance of each fit, as for fit. Default: ${DEFAULT-VALUE}.")
    double tolerance;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
            description = "Seed of the first restart (the others take the next seeds). Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads. Default: all processors.")
    Integer threads;

    @Option(names = "--backend", paramLabel = "NAME", defaultValue = "${sys:jnmf.backend:-auto}",
            description = "auto or a backend name. Default: ${DEFAULT-VALUE}.")
    String backend;

    @Option(names = {"-q", "--quiet"}, description = "Only the recommendation on stdout, no table and no progress bar.")
    boolean quiet;

    @Option(names = "--debug", description = "Print the stack trace of an error.")
    boolean debug;

    RankCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** The ranks in a list such as {@code 2..20} or {@code 2,3,5..8}, ascending, each once. */
    static List<Integer> parseRanks(String text) {
        TreeSet<Integer> set = new TreeSet<>();
        for (String part : text.split(",")) {
            String p = part.strip();
            try {
                int dots = p.indexOf("..");
                if (dots >= 0) {
                    int from = Integer.parseInt(p.substring(0, dots).strip());
                    int to = Integer.parseInt(p.substring(dots + 2).strip());
                    if (to < from) {
                        throw CliException.usage("--ranks " + p + " runs backwards; write the smaller rank first");
                    }
                    for (int k = from; k <= to; k++) {
                        set.add(k);
                    }
                } else {
                    set.add(Integer.parseInt(p));
                }
            } catch (NumberFormatException e) {
                throw CliException.usage("--ranks '" + text + "' is not a list of ranks; write e.g. 2..20 or 2,4,6..9");
            }
        }
        if (set.isEmpty() || set.first() < 1) {
            throw CliException.usage("--ranks must name ranks of at least 1; got '" + text + "'");
        }
        return new ArrayList<>(set);
    }

    @Override
    public Integer call() {
        List<Integer> ks = parseRanks(ranks);
        if (restarts < 2) {
            throw CliException.usage("--restarts must be at least 2 for consensus clustering; got " + restarts);
        }
        RankSelection.Samples samples = switch (cluster.toLowerCase(Locale.ROOT)) {
            case "rows" -> RankSelection.Samples.ROWS;
            case "columns" -> RankSelection.Samples.COLUMNS;
            default -> throw CliException.usage("--cluster must be rows or columns; got '" + cluster + "'");
        };
        if (maxIterations < 1) {
            throw CliException.usage("--max-iter must be at least 1; got " + maxIterations);
        }
        if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
            throw CliException.usage("--tol must be a finite number ≥ 0; got " + tolerance);
        }
        if (threads != null && threads < 1) {
            throw CliException.usage("--threads must be at least 1; got " + threads);
        }
        var algorithmChoice = FitOptions.parseAlgorithm(algorithm);
        if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
            throw CliException.usage("--out " + outDir + " is a file, not a folder; name a folder for the results");
        }
        Matrix v;
        try {
            v = MatrixReader.read(input, ReadOptions.defaults());
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage());
        }
        int sampleCount = samples == RankSelection.Samples.ROWS ? v.rows() : v.cols();
        if (sampleCount < 2) {
            throw CliException.usage(input + " has " + sampleCount + " " + cluster + "; consensus clustering needs"
                    + " at least two samples");
        }
        int largest = ks.getLast();
        if (largest > Math.min(v.rows(), v.cols())) {
            throw CliException.usage("--ranks goes up to " + largest + ", more than min(n, m) = "
                    + Math.min(v.rows(), v.cols()) + " of the " + v.rows() + "×" + v.cols() + " matrix in " + input);
        }
        try {
            Files.createDirectories(outDir);
        } catch (IOException e) {
            throw CliException.usage("cannot create output folder " + outDir + ": " + e.getMessage()
                    + "; choose another --out");
        }
        IntFunction<NmfOptions.Builder> optionsForRank = k -> {
            NmfOptions.Builder b = NmfOptions.builder(k).algorithm(algorithmChoice).maxIterations(maxIterations)
                    .tolerance(tolerance).backend(backend);
            if (threads != null) {
                b.threads(threads);
            }
            return b;
        };

        List<ConsensusFigures> figures = new ArrayList<>();
        ProgressBar bar = Progress.shown(quiet) ? Progress.bar("ranks", (long) ks.size() * restarts, " fits", err) : null;
        try {
            for (int k : ks) {
                if (bar != null) {
                    bar.setExtraMessage(" k = " + k);
                }
                try {
                    figures.add(RankSelection.consensus(v, k, restarts, seed, samples, optionsForRank,
                            bar == null ? null : bar::step));
                } catch (IllegalArgumentException e) {
                    throw CliException.usage(input + ": " + e.getMessage());
                }
            }
        } finally {
            if (bar != null) {
                bar.close();
            }
        }
        ConsensusFigures best = recommended(figures);
        writeResults(figures);
        if (!quiet) {
            out.println(table(figures));
            out.println("wrote " + outDir.resolve("rank.csv") + ", rank.png and rank.svg");
        }
        out.println("recommended rank: " + best.rank());
        out.println(String.format(Locale.ROOT, "why: its clusters are the most stable of the ranks tried"
                        + " (cophenetic correlation %.4f, dispersion %.4f over %d restarts); of equally stable ranks,"
                        + " the smallest", best.cophenetic(), best.dispersion(), best.runs()));
        return 0;
    }

    /**
     * The smallest rank whose cophenetic correlation is within {@link #TIE} of the highest: past the true
     * number of clusters the figure often stays at its peak (extra components take no samples), so the
     * first rank to reach it is the one the data supports.
     */
    static ConsensusFigures recommended(List<ConsensusFigures> figures) {
        double peak = figures.stream().mapToDouble(ConsensusFigures::cophenetic).filter(c -> !Double.isNaN(c))
                .max().orElse(Double.NaN);
        for (ConsensusFigures f : figures) {
            if (Double.isNaN(peak) || f.cophenetic() >= peak - TIE) {
                return f;
            }
        }
        throw new IllegalStateException("no ranks");
    }

    private String table(List<ConsensusFigures> figures) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%4s  %10s  %10s  %14s%n",
                "k", "cophenetic", "dispersion", "relative error"));
        for (ConsensusFigures f : figures) {
            s.append(String.format(Locale.ROOT, "%4d  %10.4f  %10.4f  %14.6f%n",
                    f.rank(), f.cophenetic(), f.dispersion(), f.meanRelativeError()));
        }
        return s.toString().stripTrailing();
    }

    private void writeResults(List<ConsensusFigures> figures) {
        StringBuilder csv = new StringBuilder("rank,restarts,cophenetic,dispersion,mean_relative_error\n");
        double[] k = new double[figures.size()];
        double[] cophenetic = new double[figures.size()];
        double[] dispersion = new double[figures.size()];
        for (int i = 0; i < figures.size(); i++) {
            ConsensusFigures f = figures.get(i);
            csv.append(f.rank()).append(',').append(f.runs()).append(',').append(Json.number(f.cophenetic()))
                    .append(',').append(Json.number(f.dispersion())).append(',')
                    .append(Json.number(f.meanRelativeError())).append('\n');
            k[i] = f.rank();
            cophenetic[i] = f.cophenetic();
            dispersion[i] = f.dispersion();
        }
        AtomicFiles.writeString(outDir.resolve("rank.csv"), csv.toString().replace("null", ""));
        XYChart chart = Charts.line("Consensus over " + restarts + " restarts", "rank k", "", 800, 500, false);
        Charts.addSeries(chart, "cophenetic correlation", k, cophenetic);
        Charts.addSeries(chart, "dispersion", k, dispersion);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSW);
        Charts.writePng(chart, outDir.resolve("rank.png"));
        Charts.writeSvg(chart, outDir.resolve("rank.svg"));
    }
}
