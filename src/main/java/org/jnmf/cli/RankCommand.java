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
import org.jnmf.analysis.RankSelection.CrossValidationFigures;
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
        description = {"Help choose the rank k of INPUT. For each k in --ranks:",
                "  cross-validation: hide --cv-fraction of the entries at random, fit the rest, and measure the"
                        + " relative error on the hidden ones (--cv-repeats times); the recommended rank has the"
                        + " lowest held-out error;",
                "  consensus clustering (Brunet et al. 2004): fit --restarts times from random starting points and"
                        + " measure how consistently the fits cluster the samples: the cophenetic correlation and"
                        + " the dispersion (Kim & Park 2007), both 1 for perfectly stable clusters.",
                "Prints a table and 'recommended rank: K' with the reason; writes rank.csv, rank-cv.png/.svg and"
                        + " rank-consensus.png/.svg to --out."},
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
            description = "Folder for rank.csv and the charts; created if missing.")
    Path outDir;

    @Option(names = "--restarts", paramLabel = "N", defaultValue = "10",
            description = "Fits per rank for the consensus (Brunet et al. used 50). Default: ${DEFAULT-VALUE}.")
    int restarts;

    @Option(names = "--cv-fraction", paramLabel = "X", defaultValue = "0.1",
            description = "Share of the entries hidden in each cross-validation repeat. Default: ${DEFAULT-VALUE}.")
    double cvFraction;

    @Option(names = "--cv-repeats", paramLabel = "N", defaultValue = "3",
            description = "Cross-validation repeats, each hiding other entries. Default: ${DEFAULT-VALUE}.")
    int cvRepeats;

    @Option(names = "--cluster", paramLabel = "rows|columns", defaultValue = "rows",
            description = "Which are the samples to cluster: rows of V (W's rows) or columns (H's columns, as for"
                    + " genes × samples data). Default: ${DEFAULT-VALUE}.")
    String cluster;

    @Option(names = "--algorithm", paramLabel = "NAME", defaultValue = "hals",
            description = "hals or mu. Default: ${DEFAULT-VALUE}.")
    String algorithm;

    @Option(names = "--max-iter", paramLabel = "N", defaultValue = "1000",
            description = "Most iterations of each fit. Default: ${DEFAULT-VALUE} (the figures need converged fits:"
                    + " an unfinished fit at the true rank makes larger ranks look better).")
    int maxIterations;

    @Option(names = "--tol", paramLabel = "X", defaultValue = "1e-6",
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
        if (!(cvFraction > 0 && cvFraction < 1)) {
            throw CliException.usage("--cv-fraction must be between 0 and 1 (exclusive); got " + cvFraction);
        }
        if (cvRepeats < 1) {
            throw CliException.usage("--cv-repeats must be at least 1; got " + cvRepeats);
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

        List<boolean[]> holdOuts;
        try {
            holdOuts = RankSelection.holdOuts(v.rows(), v.cols(), cvFraction, cvRepeats, seed);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--cv-fraction " + cvFraction + ": " + e.getMessage());
        }
        List<Row> rows = new ArrayList<>();
        long fits = (long) ks.size() * (restarts + cvRepeats);
        ProgressBar bar = Progress.shown(quiet) ? Progress.bar("ranks", fits, " fits", err) : null;
        try {
            for (int k : ks) {
                if (bar != null) {
                    bar.setExtraMessage(" k = " + k);
                }
                Runnable step = bar == null ? null : bar::step;
                try {
                    CrossValidationFigures cv = RankSelection.crossValidation(v, k, holdOuts, optionsForRank, seed, step);
                    ConsensusFigures consensus = RankSelection.consensus(v, k, restarts, seed, samples, optionsForRank,
                            step);
                    rows.add(new Row(cv, consensus));
                } catch (IllegalArgumentException e) {
                    throw CliException.usage(input + ": " + e.getMessage());
                }
            }
        } finally {
            if (bar != null) {
                bar.close();
            }
        }
        Row best = recommended(rows);
        ConsensusFigures stablest = mostStable(rows.stream().map(Row::consensus).toList());
        writeResults(rows);
        if (!quiet) {
            out.println(table(rows));
            out.println("wrote " + outDir.resolve("rank.csv") + ", rank-cv.png/.svg and rank-consensus.png/.svg");
        }
        out.println("recommended rank: " + best.rank());
        out.println(String.format(Locale.ROOT, "why: the lowest held-out error (%.6f, mean of %d repeats hiding %.0f%% of"
                        + " the entries each) of the ranks tried; consensus clustering finds k = %d the most stable"
                        + " (cophenetic correlation %.4f)%s", best.cv().heldOutError(), best.cv().repeats(),
                100 * cvFraction, stablest.rank(), stablest.cophenetic(),
                stablest.rank() == best.rank() ? ", in agreement" : ""));
        return 0;
    }

    /** One rank's figures. */
    record Row(CrossValidationFigures cv, ConsensusFigures consensus) {
        int rank() {
            return cv.rank();
        }
    }

    /** The rank with the lowest mean held-out error (the smaller on a tie). */
    static Row recommended(List<Row> rows) {
        Row best = rows.getFirst();
        for (Row r : rows) {
            if (r.cv().heldOutError() < best.cv().heldOutError()) {
                best = r;
            }
        }
        return best;
    }

    /**
     * The smallest rank whose cophenetic correlation is within {@link #TIE} of the highest: past the true
     * number of clusters the figure often stays at its peak (extra components take no samples), so the
     * first rank to reach it is the one the data supports.
     */
    static ConsensusFigures mostStable(List<ConsensusFigures> figures) {
        double peak = figures.stream().mapToDouble(ConsensusFigures::cophenetic).filter(c -> !Double.isNaN(c))
                .max().orElse(Double.NaN);
        for (ConsensusFigures f : figures) {
            if (Double.isNaN(peak) || f.cophenetic() >= peak - TIE) {
                return f;
            }
        }
        throw new IllegalStateException("no ranks");
    }

    private String table(List<Row> rows) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%4s  %14s  %10s  %14s  %10s  %10s%n",
                "k", "held-out error", "(± sd)", "training error", "cophenetic", "dispersion"));
        for (Row r : rows) {
            s.append(String.format(Locale.ROOT, "%4d  %14.6f  %10.6f  %14.6f  %10.4f  %10.4f%n", r.rank(),
                    r.cv().heldOutError(), r.cv().heldOutErrorSpread(), r.cv().trainingError(),
                    r.consensus().cophenetic(), r.consensus().dispersion()));
        }
        return s.toString().stripTrailing();
    }

    private void writeResults(List<Row> rows) {
        StringBuilder csv = new StringBuilder("rank,held_out_error,held_out_error_sd,training_error,cv_repeats,"
                + "cophenetic,dispersion,restarts,mean_relative_error\n");
        int count = rows.size();
        double[] k = new double[count];
        double[] heldOut = new double[count];
        double[] training = new double[count];
        double[] cophenetic = new double[count];
        double[] dispersion = new double[count];
        for (int i = 0; i < count; i++) {
            Row r = rows.get(i);
            csv.append(r.rank());
            for (double x : new double[] {r.cv().heldOutError(), r.cv().heldOutErrorSpread(), r.cv().trainingError(),
                    r.cv().repeats(), r.consensus().cophenetic(), r.consensus().dispersion(), r.consensus().runs(),
                    r.consensus().meanRelativeError()}) {
                csv.append(',').append(Double.isFinite(x) ? (x == Math.rint(x) && Math.abs(x) < 1e9
                        ? Long.toString((long) x) : Double.toString(x)) : "");
            }
            csv.append('\n');
            k[i] = r.rank();
            heldOut[i] = r.cv().heldOutError();
            training[i] = r.cv().trainingError();
            cophenetic[i] = r.consensus().cophenetic();
            dispersion[i] = r.consensus().dispersion();
        }
        AtomicFiles.writeString(outDir.resolve("rank.csv"), csv.toString());
        XYChart cv = Charts.line("Cross-validation (" + cvRepeats + " repeats, " + Math.round(100 * cvFraction)
                + "% held out)", "rank k", "relative error", 800, 500, false);
        Charts.addSeries(cv, "held-out error", k, heldOut);
        Charts.addSeries(cv, "training error", k, training);
        Charts.writePng(cv, outDir.resolve("rank-cv.png"));
        Charts.writeSvg(cv, outDir.resolve("rank-cv.svg"));
        XYChart consensus = Charts.line("Consensus over " + restarts + " restarts", "rank k", "", 800, 500, false);
        Charts.addSeries(consensus, "cophenetic correlation", k, cophenetic);
        Charts.addSeries(consensus, "dispersion", k, dispersion);
        consensus.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSW);
        Charts.writePng(consensus, outDir.resolve("rank-consensus.png"));
        Charts.writeSvg(consensus, outDir.resolve("rank-consensus.svg"));
    }
}
