package org.jnmf.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jnmf.Algorithm;
import org.jnmf.DenseMatrix;
import org.jnmf.Precision;
import org.jnmf.backend.Backends;
import org.jnmf.backend.BlasBackend;
import org.jnmf.bench.FitBench;
import org.jnmf.bench.FmaPeak;
import org.jnmf.bench.ProductBench;
import org.jnmf.cuda.CudaProbe;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code jnmf bench gemm} and {@code jnmf bench fit}: speed of each backend usable here, as a table on
 * stdout (one row per measurement, columns separated by spaces, lines starting with {@code #} are notes).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "Measure the backends usable here: 'bench gemm' (GFLOP/s of the products, next to the"
                + " measured FMA peak) and 'bench fit' (ms per iteration of whole fits).")
final class BenchCommand implements Callable<Integer> {
    private final PrintStream err;

    private BenchCommand(PrintStream err) {
        this.err = err;
    }

    /** The {@code bench} command with its two subcommands. */
    static CommandLine commandLine(PrintStream out, PrintStream err) {
        CommandLine bench = new CommandLine(new BenchCommand(err));
        bench.addSubcommand("gemm", new Gemm(out));
        bench.addSubcommand("fit", new Fit(out));
        return bench;
    }

    @Override
    public Integer call() {
        err.println("jnmf: name what to measure: 'jnmf bench gemm' or 'jnmf bench fit' (see 'jnmf bench --help')");
        return CliException.USAGE;
    }

    /** Options both subcommands share. */
    abstract static class Common {
        @Option(names = "--backends", split = ",", paramLabel = "NAME",
                description = "Backends to measure (default: every one usable here, of ${COMPLETION-CANDIDATES}).",
                completionCandidates = FitOptions.BackendNames.class)
        List<String> backends;

        @Option(names = "--precision", split = ",", paramLabel = "P", defaultValue = "single,double",
                description = "single, double or both (default: ${DEFAULT-VALUE}).")
        List<String> precisions;

        @Option(names = "--threads", paramLabel = "T", description = "Threads (default: all CPU threads).")
        Integer threads;

        final PrintStream out;

        Common(PrintStream out) {
            this.out = out;
        }

        int threads() {
            int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
            if (t < 1) {
                throw CliException.usage("--threads must be at least 1; got " + t);
            }
            return t;
        }

        List<Precision> precisions() {
            List<Precision> list = new ArrayList<>();
            for (String p : precisions) {
                list.add(switch (p.strip().toLowerCase(Locale.ROOT)) {
                    case "single", "float32" -> Precision.SINGLE;
                    case "double", "float64" -> Precision.DOUBLE;
                    default -> throw CliException.usage("--precision must be single or double; got '" + p + "'");
                });
            }
            return list;
        }

        /** The backends to run: those asked for (each must be usable), or every usable one with a note for the rest. */
        List<String> backends() {
            if (backends != null) {
                for (String b : backends) {
                    if (!Backends.NAMES.contains(b.toLowerCase(Locale.ROOT))) {
                        throw CliException.usage("--backends must name some of " + String.join(", ", Backends.NAMES)
                                + "; got '" + b + "'");
                    }
                }
                List<String> named = backends.stream().map(b -> b.toLowerCase(Locale.ROOT)).toList();
                if (named.contains("blas")) {
                    out.println("# " + BlasBackend.report().lines().findFirst().orElse(""));
                }
                return named;
            }
            List<String> usable = new ArrayList<>(List.of("java"));
            BlasBackend.Attempt blas = BlasBackend.attempt(Precision.SINGLE, 1);
            if (blas.usable()) {
                out.println("# " + BlasBackend.report().strip());
                blas.backend().close();
                usable.add("blas");
            } else {
                out.println("# blas: not usable (" + String.join("; ", blas.reasons()) + ")");
            }
            CudaProbe.Result cuda = CudaProbe.probe();
            if (cuda.usable()) {
                usable.add("cuda");
            } else {
                out.println("# cuda: not usable (" + String.join("; ", cuda.reasons()) + ")");
            }
            return usable;
        }

        /** "2000x1500x20" → {2000, 1500, 20}. */
        static int[] shape(String text, int parts, String option) {
            String[] fields = text.strip().toLowerCase(Locale.ROOT).split("[x×]");
            int[] dims = new int[fields.length];
            try {
                for (int i = 0; i < fields.length; i++) {
                    dims[i] = Integer.parseInt(fields[i]);
                }
            } catch (NumberFormatException e) {
                dims = new int[0];
            }
            if (dims.length != parts || java.util.Arrays.stream(dims).anyMatch(d -> d < 1)) {
                throw CliException.usage(option + " takes " + (parts == 3 ? "n x m x k" : "sizes") + " with positive"
                        + " whole numbers, e.g. " + (parts == 3 ? "2000x1500x20" : "512") + "; got '" + text + "'");
            }
            return dims;
        }
    }

    @Command(name = "gemm", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
            sortOptions = false,
            description = {"GFLOP/s of V·Hᵀ and Wᵀ·V at NMF shapes and of A·B at square sizes, for each backend"
                    + " and precision, next to the machine's FMA peak measured with Vector API FMAs on all threads.",
                    "Each case: warm-up, then the best of --repeats calls. Columns: op shape precision backend"
                            + " threads best_ms gflops peak_pct."})
    static final class Gemm extends Common implements Callable<Integer> {
        @Option(names = "--shapes", split = ",", paramLabel = "NxMxK", defaultValue = "2000x1500x20,8000x4000x50",
                description = "NMF shapes: V n×m, rank k (default: ${DEFAULT-VALUE}).")
        List<String> shapes;

        @Option(names = "--square", split = ",", paramLabel = "S", defaultValue = "512,1024",
                description = "Square sizes for A·B; 0 for none (default: ${DEFAULT-VALUE}).")
        List<Integer> squares;

        @Option(names = "--repeats", paramLabel = "R", defaultValue = "5",
                description = "Timed calls per case; the best counts (default: ${DEFAULT-VALUE}).")
        int repeats;

        @Option(names = "--warmup-ms", paramLabel = "MS", defaultValue = "2000",
                description = "Warm-up time per case, at least 2 calls (default: ${DEFAULT-VALUE}; C2 takes about"
                        + " 1-2 s to compile the kernels, and a shorter warm-up times partly interpreted code).")
        long warmupMillis;

        Gemm(PrintStream out) {
            super(out);
        }

        @Override
        public Integer call() {
            int threads = threads();
            List<Precision> precisions = precisions();
            List<int[]> nmfShapes = shapes.stream().map(s -> shape(s, 3, "--shapes")).toList();
            for (int s : squares) {
                if (s < 0) {
                    throw CliException.usage("--square takes sizes ≥ 0; got " + s);
                }
            }
            if (warmupMillis < 0) {
                throw CliException.usage("--warmup-ms must be ≥ 0; got " + warmupMillis);
            }
            ProductBench bench = new ProductBench(repeats, warmupMillis);
            List<String> names = backends();
            Map<Precision, Double> peak = new LinkedHashMap<>();
            for (Precision p : precisions) {
                peak.put(p, FmaPeak.gflops(p == Precision.SINGLE, threads, 3));
            }
            out.println("# jnmf bench gemm: " + threads + " threads, best of " + repeats + " after " + warmupMillis
                    + " ms warm-up; Java " + Runtime.version());
            out.println("# FMA peak (Vector API, " + threads + " threads): " + peakLine(peak));
            out.println(String.format(Locale.ROOT, "%-6s %-14s %-9s %-7s %7s %10s %9s %8s", "op", "shape",
                    "precision", "backend", "threads", "best_ms", "gflops", "peak_pct"));
            for (String name : names) {
                for (Precision p : precisions) {
                    Backends.Selection selection = Backends.open(name, p, threads);
                    try (var backend = selection.backend()) {
                        for (int[] s : nmfShapes) {
                            row(bench.nmfProduct(backend, ProductBench.Op.V_HT, s[0], s[1], s[2]), p, name, threads, peak);
                            row(bench.nmfProduct(backend, ProductBench.Op.WT_V, s[0], s[1], s[2]), p, name, threads, peak);
                        }
                        for (int s : squares) {
                            if (s > 0) {
                                row(bench.square(backend, s), p, name, threads, peak);
                            }
                        }
                    }
                }
            }
            out.flush();
            return 0;
        }

        private void row(ProductBench.Result r, Precision p, String backend, int threads, Map<Precision, Double> peak) {
            out.println(String.format(Locale.ROOT, "%-6s %-14s %-9s %-7s %7d %10.4g %9.4g %8.1f", r.op().label(),
                    r.shape(), p.label(), backend, threads, r.bestSeconds() * 1e3, r.gflops(),
                    100 * r.gflops() / peak.get(p)));
            out.flush();
        }

        private static String peakLine(Map<Precision, Double> peak) {
            List<String> parts = new ArrayList<>();
            peak.forEach((p, g) -> parts.add(String.format(Locale.ROOT, "%s %.1f GFLOP/s", p.label(), g)));
            return String.join(", ", parts);
        }
    }

    @Command(name = "fit", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
            sortOptions = false,
            description = {"Milliseconds per iteration of whole fits on a synthetic V = max(W0·H0 + noise, 0),"
                    + " as (t(2N) − t(N)) / N (each the best of 3 fits) so that set-up cancels, with the relative"
                    + " error after 2N iterations.",
                    "Columns: shape algorithm precision backend iterations ms_per_iter rel_error."})
    static final class Fit extends Common implements Callable<Integer> {
        @Option(names = "--shapes", split = ",", paramLabel = "NxMxK", defaultValue = "2000x1500x20",
                description = "Problems: V n×m, rank k (default: ${DEFAULT-VALUE}; the issue's large one is"
                        + " 8000x4000x50).")
        List<String> shapes;

        @Option(names = "--algorithms", split = ",", paramLabel = "A", defaultValue = "hals,mu",
                description = "hals (plain HALS, scikit-learn's cd step for step), mu or both (default:"
                        + " ${DEFAULT-VALUE}).")
        List<String> algorithms;

        @Option(names = "--iterations", paramLabel = "N", defaultValue = "20",
                description = "N: fits of N and 2N iterations are timed (default: ${DEFAULT-VALUE}).")
        int iterations;

        Fit(PrintStream out) {
            super(out);
        }

        @Override
        public Integer call() {
            int threads = threads();
            List<Precision> precisions = precisions();
            List<int[]> problems = shapes.stream().map(s -> shape(s, 3, "--shapes")).toList();
            List<Algorithm> algos = algorithms.stream().map(a -> switch (a.strip().toLowerCase(Locale.ROOT)) {
                case "hals" -> Algorithm.HALS;
                case "mu" -> Algorithm.MULTIPLICATIVE;
                default -> throw CliException.usage("--algorithms must be hals or mu; got '" + a + "'");
            }).toList();
            FitBench bench = new FitBench(iterations, threads);
            List<String> names = backends();
            out.println("# jnmf bench fit: " + threads + " threads, ms/iteration = (t(2N) - t(N)) / N, best of 3"
                    + " each, N = " + iterations + "; Java " + Runtime.version());
            out.println(String.format(Locale.ROOT, "%-14s %-5s %-9s %-7s %10s %11s %10s", "shape", "algo",
                    "precision", "backend", "iterations", "ms_per_iter", "rel_error"));
            for (int[] s : problems) {
                for (Precision p : precisions) {
                    DenseMatrix v = FitBench.problem(s[0], s[1], s[2], p);
                    for (Algorithm a : algos) {
                        for (String name : names) {
                            FitBench.Result r = bench.run(v, s[2], a, name);
                            out.println(String.format(Locale.ROOT, "%-14s %-5s %-9s %-7s %10d %11.4g %10.6f",
                                    r.shape(), a == Algorithm.HALS ? "hals" : "mu", p.label(), r.backend(),
                                    r.iterations(), r.msPerIteration(), r.relativeError()));
                            out.flush();
                        }
                    }
                }
            }
            return 0;
        }
    }
}
