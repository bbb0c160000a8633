package org.jnmf.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import me.tongfei.progressbar.ProgressBar;
import org.jnmf.Cancellation;
import org.jnmf.Matrix;
import org.jnmf.Nmf;
import org.jnmf.NmfOptions;
import org.jnmf.NmfResult;
import org.jnmf.io.AtomicFiles;
import org.jnmf.io.MatrixWriter;

/**
 * One fit from the command line, from the output folder to the summary: checks that the folder can be
 * written before any work, runs the fit with a progress bar (stderr, terminals only) and a Ctrl-C
 * handler that stops it and still writes the factors, writes W, H and summary.json all or none, and
 * prints one summary line. Commands that fit ({@code fit}, a demo) share it.
 */
final class FitJob implements AutoCloseable {
    private final Path outDir;
    private final String format;
    private final boolean quiet;
    private final PrintStream out;
    private final PrintStream err;
    private Cancellation cancellation = new Cancellation();
    private java.util.function.BiConsumer<NmfResult, Json> summaryExtras = (result, json) -> { };
    /** The highest folder this job created, removed again if the job fails; null when none. */
    private Path createdRoot;
    /** Guards {@link #phase} between the main thread and the interrupt hook. */
    private final Object lock = new Object();
    private Phase phase = Phase.PREPARING;
    private final CountDownLatch finished = new CountDownLatch(1);
    private Thread hook;
    private Path modelFile;
    private java.util.List<String> rowNames = java.util.List.of();
    private java.util.List<String> columnNames = java.util.List.of();

    private static final long PROGRESS_AFTER_NANOS = 1_000_000_000L;

    private enum Phase {
        /** Before the fit: an interrupt just removes what the job created. */
        PREPARING,
        /** Fitting or writing: an interrupt stops the fit, and the factors so far are written. */
        FITTING,
        /** Interrupted before the fit began. */
        ABANDONED
    }

    FitJob(Path outDir, String format, boolean quiet, PrintStream out, PrintStream err) {
        this.outDir = outDir;
        this.format = format;
        this.quiet = quiet;
        this.out = out;
        this.err = err;
    }

    /** Also saves the model to {@code file} (with W, H and the summary, all or none); null for none. */
    FitJob saveModel(Path file) {
        this.modelFile = file;
        return this;
    }

    /**
     * Names of V's rows and columns (empty lists for none): they label W's rows and H's columns in CSV output,
     * and go into summary.json.
     */
    FitJob names(java.util.List<String> rows, java.util.List<String> columns) {
        this.rowNames = rows;
        this.columnNames = columns;
        return this;
    }

    /** Uses {@code cancellation} instead of a fresh one (tests cancel through it). */
    FitJob cancellation(Cancellation cancellation) {
        this.cancellation = cancellation;
        return this;
    }

    /** Adds entries of its own (a demo's clustering scores) to summary.json, after the standard ones. */
    FitJob summaryExtras(java.util.function.BiConsumer<NmfResult, Json> extras) {
        this.summaryExtras = extras;
        return this;
    }

    /**
     * Installs the Ctrl-C handler, creates the output folder if needed and checks that a file can be
     * written in it. {@link #close()} removes the handler.
     */
    void prepareOutput() {
        hook = new Thread(this::interrupted, "jnmf-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
            throw CliException.usage("--out " + outDir + " is a file, not a folder; name a folder for the results");
        }
        Path absolute = outDir.toAbsolutePath();
        Path top = null;
        for (Path p = absolute; p != null && !Files.exists(p); p = p.getParent()) {
            top = p;
        }
        createdRoot = top;
        try {
            Files.createDirectories(absolute);
        } catch (FileAlreadyExistsException e) {
            abandonOutput();
            throw CliException.usage("cannot create output folder " + outDir + ": " + e.getFile()
                    + " is a file; choose another --out");
        } catch (IOException e) {
            abandonOutput();
            throw CliException.usage("cannot create output folder " + outDir + ": " + reason(e)
                    + "; choose another --out");
        }
        try {
            AtomicFiles.probeWritable(absolute);
        } catch (IOException e) {
            abandonOutput();
            throw CliException.usage("cannot write to output folder " + outDir + ": " + reason(e)
                    + "; choose another --out or fix the folder's permissions");
        }
    }

    /** Removes the folders {@link #prepareOutput()} created, as far as they are still empty. */
    void abandonOutput() {
        synchronized (lock) {
            removeCreatedFolders();
        }
    }

    private void removeCreatedFolders() {
        if (createdRoot == null) {
            return;
        }
        Path stop = createdRoot.getParent();
        for (Path p = outDir.toAbsolutePath(); p != null && !p.equals(stop); p = p.getParent()) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                break; // not empty any more, or not ours to remove
            }
        }
        createdRoot = null;
    }

    /**
     * Fits {@code v} and writes the results; {@code inputLabel} names the input in messages and the summary.
     * Call after {@link #prepareOutput()}.
     *
     * @throws CliException if V or the options do not suit each other (exit status 2)
     */
    NmfResult run(Matrix v, NmfOptions.Builder builder, String inputLabel) {
        synchronized (lock) {
            if (phase == Phase.ABANDONED) {
                throw new CliException(CliException.FAILURE, "interrupted before the fit began");
            }
            phase = Phase.FITTING;
        }
        // The bar appears only once a fit has run for a second: quick fits print nothing but their result.
        ProgressBar[] bar = new ProgressBar[1];
        if (showProgress()) {
            long start = System.nanoTime();
            builder.progress((iteration, max, relativeError, change) -> {
                if (bar[0] == null && System.nanoTime() - start > PROGRESS_AFTER_NANOS) {
                    bar[0] = progressBar(max);
                }
                if (bar[0] != null) {
                    bar[0].stepTo(iteration);
                    bar[0].setExtraMessage(String.format(Locale.ROOT, " error %.5f", relativeError));
                }
            });
        }
        NmfOptions options = builder.cancellation(cancellation).build();
        NmfResult result;
        try {
            result = Nmf.fit(v, options);
        } catch (IllegalArgumentException e) {
            throw new CliException(CliException.USAGE, inputLabel + ": " + e.getMessage(), e);
        } finally {
            if (bar[0] != null) {
                bar[0].close();
            }
        }
        write(result, options, v, inputLabel);
        return result;
    }

    /** The shutdown hook (Ctrl-C, SIGTERM): stops the fit and waits until its factors are written. */
    private void interrupted() {
        synchronized (lock) {
            if (phase == Phase.PREPARING) {
                phase = Phase.ABANDONED;
                removeCreatedFolders();
                return;
            }
        }
        err.println();
        err.println("jnmf: interrupted; stopping after this iteration and writing the factors so far");
        err.flush();
        cancellation.cancel();
        try {
            finished.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Lets an interrupt that waits for the results go on, and removes the Ctrl-C handler. */
    @Override
    public void close() {
        finished.countDown();
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running and now finishes.
            }
            hook = null;
        }
    }

    private void write(NmfResult result, NmfOptions options, Matrix v, String inputLabel) {
        Path w = outDir.resolve("W." + format);
        Path h = outDir.resolve("H." + format);
        Path summary = outDir.resolve("summary.json");
        Map<Path, AtomicFiles.Content> files = new LinkedHashMap<>();
        java.util.List<String> components = componentNames(result.rank());
        boolean named = !rowNames.isEmpty() || !columnNames.isEmpty();
        files.put(w, MatrixWriter.contentFor(result.w(), w, rowNames, named ? components : java.util.List.of()));
        files.put(h, MatrixWriter.contentFor(result.h(), h, named ? components : java.util.List.of(), columnNames));
        Json summaryFields = summaryJson(result, options, v, inputLabel, w, h, modelFile)
                .put("row_names", rowNames.isEmpty() ? null : rowNames)
                .put("column_names", columnNames.isEmpty() ? null : columnNames);
        summaryExtras.accept(result, summaryFields);
        String json = summaryFields.toString();
        files.put(summary, stream -> stream.write(json.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        if (modelFile != null) {
            files.put(modelFile, org.jnmf.NmfModel.of(result, options)::writeTo);
        }
        AtomicFiles.writeAll(files);
        out.println(String.format(Locale.ROOT, "rank %d, %s, %d iterations (%s), relative error %s, %.2f s, backend %s",
                result.rank(), result.algorithm().label(), result.iterations(), result.stopReason().label(),
                formatError(result.relativeError()), result.seconds(), result.backend()));
        out.println("wrote " + w + " (" + result.w().rows() + "×" + result.w().cols() + "), " + h + " ("
                + result.h().rows() + "×" + result.h().cols() + ") and " + summary
                + (modelFile == null ? "" : "; saved the model to " + modelFile));
        out.flush();
    }

    static Json summaryJson(NmfResult r, NmfOptions options, Matrix v, String inputLabel, Path w, Path h,
                            Path model) {
        return new Json()
                .put("jnmf_version", Main.version())
                .put("input", inputLabel)
                .put("rows", v.rows())
                .put("cols", v.cols())
                .put("sparse", v instanceof org.jnmf.SparseMatrix)
                .put("rank", r.rank())
                .put("algorithm", r.algorithm().label())
                .put("init", r.initialization().label())
                .put("seed", options.seed())
                .put("max_iterations", options.maxIterations())
                .put("tolerance", options.tolerance())
                .put("check_every", options.checkInterval())
                .raw("time_limit_seconds", options.timeLimit() == null ? "null"
                        : Json.number(options.timeLimit().toNanos() / 1e9))
                .put("backend", r.backend())
                .put("backend_reason", r.backendReason())
                .put("precision", r.precision().label())
                .put("threads", options.threads())
                .put("tf32", options.tf32())
                .put("iterations", r.iterations())
                .put("stop_reason", r.stopReason().label())
                .put("converged", r.converged())
                .put("relative_error", r.relativeError())
                .put("loss_name", r.lossName())
                .put("l1_w", options.l1W())
                .put("l2_w", options.l2W())
                .put("l1_h", options.l1H())
                .put("l2_h", options.l2H())
                .put("kkt_tolerance", options.kktTolerance())
                .put("acceleration", options.acceleration())
                .put("missing", options.mask() != null ? "mask" : options.missing().label())
                .put("data_loss", r.dataLoss())
                .put("relative_decrease", r.relativeDecrease())
                .put("relative_projected_gradient", r.relativeProjectedGradient())
                .put("projected_gradient_history", r.projectedGradientHistory())
                .put("loss", r.loss())
                .put("explained_variance", org.jnmf.analysis.Quality.explainedVariance(v, r))
                .put("sparseness_w", r.sparsenessW())
                .put("sparseness_h", r.sparsenessH())
                .put("seconds", r.seconds())
                .put("loss_history", r.lossHistory())
                .put("check_iterations", r.checkIterations())
                .put("w", w.getFileName().toString())
                .put("h", h.getFileName().toString())
                .put("restarts", options.restarts())
                .put("restart_losses", r.restartLosses())
                .raw("restart_seeds", java.util.Arrays.toString(r.restartSeeds().length == 0
                        ? new long[] {options.seed()} : r.restartSeeds()))
                .put("best_restart", r.bestRestart())
                .put("normalization", options.normalization().label())
                .put("sort_components", options.sortComponents())
                .put("model", model == null ? null : model.toString());
    }

    /** The names of the components in CSV output and plots: component_1 … component_k. */
    static java.util.List<String> componentNames(int rank) {
        return java.util.stream.IntStream.rangeClosed(1, rank).mapToObj(j -> "component_" + j).toList();
    }

    private static String formatError(double e) {
        return e >= 1e-4 || e == 0 ? String.format(Locale.ROOT, "%.6f", e) : String.format(Locale.ROOT, "%.3e", e);
    }

    private boolean showProgress() {
        return Progress.shown(quiet);
    }

    private ProgressBar progressBar(int maxIterations) {
        return Progress.bar("NMF", maxIterations, " it", err);
    }

    private static String reason(IOException e) {
        String kind = switch (e) {
            case java.nio.file.AccessDeniedException x -> "permission denied";
            case java.nio.file.NoSuchFileException x -> "no such folder";
            case java.nio.file.FileSystemException x when x.getReason() != null -> x.getReason();
            default -> e.getClass().getSimpleName();
        };
        return e.getMessage() == null ? kind : e.getMessage() + " (" + kind + ")";
    }
}
