package org.jnmf.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jnmf.Algorithm;
import org.jnmf.Checkpoint;
import org.jnmf.DenseMatrix;
import org.jnmf.Initialization;
import org.jnmf.Matrix;
import org.jnmf.ModelFormatException;
import org.jnmf.Missing;
import org.jnmf.NmfOptions;
import org.jnmf.Normalization;
import org.jnmf.Precision;
import org.jnmf.SparseMatrix;
import org.jnmf.backend.Backends;
import org.jnmf.io.MatrixReader;
import picocli.CommandLine.Option;

/**
 * The options of every command that fits and writes results ({@code --rank}, {@code --out},
 * {@code --algorithm}, ...), as a picocli mixin: {@code @Mixin FitOptions fit;} in a command adds them.
 */
final class FitOptions {
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)\\s*(ms|s|m|h)?");

    @Option(names = {"-k", "--rank"}, required = true, paramLabel = "K", description = "Number of components k.")
    int rank;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR",
            description = "Folder for W, H and summary.json; created if missing.")
    Path outDir;

    @Option(names = "--algorithm", paramLabel = "NAME",
            description = "hals (coordinate descent), mu (multiplicative updates) or anls (exact alternating"
                    + " non-negative least squares). Default: hals; mu for a"
                    + " --loss other than frobenius.")
    String algorithm;

    @Option(names = "--loss", paramLabel = "NAME", defaultValue = "frobenius",
            description = "frobenius (½‖V − WH‖²), kl (generalised Kullback–Leibler), is (Itakura–Saito; V > 0)"
                    + " or beta (the β-divergence, with --beta). All but frobenius run mu. Default: ${DEFAULT-VALUE}.")
    String loss;

    @Option(names = "--beta", paramLabel = "B", description = "β in [0, 2] for --loss beta (2 frobenius, 1 kl, 0 is).")
    Double beta;

    @Option(names = "--l1-w", paramLabel = "X", defaultValue = "0",
            description = "L1 penalty on W: adds X·‖W‖₁ to the loss (scikit-learn: alpha_W·l1_ratio·columns)."
                    + " Default: ${DEFAULT-VALUE}.")
    double l1W;

    @Option(names = "--l2-w", paramLabel = "X", defaultValue = "0",
            description = "L2 penalty on W: adds ½X·‖W‖² to the loss. Default: ${DEFAULT-VALUE}.")
    double l2W;

    @Option(names = "--l1-h", paramLabel = "X", defaultValue = "0",
            description = "L1 penalty on H: adds X·‖H‖₁ to the loss (scikit-learn: alpha_H·l1_ratio·rows)."
                    + " Default: ${DEFAULT-VALUE}.")
    double l1H;

    @Option(names = "--l2-h", paramLabel = "X", defaultValue = "0",
            description = "L2 penalty on H: adds ½X·‖H‖² to the loss. Default: ${DEFAULT-VALUE}.")
    double l2H;

    @Option(names = "--kkt-tol", paramLabel = "T", defaultValue = "0",
            description = "Also stop when the projected-gradient (KKT) norm falls to T times its initial value;"
                    + " 0 never. Default: ${DEFAULT-VALUE}.")
    double kktTolerance;

    @Option(names = "--accelerate", paramLabel = "ALPHA", arity = "0..1", fallbackValue = "0.5",
            description = "hals: repeat the cheap inner sweeps while they pay (Gillis & Glineur 2012), at most"
                    + " 1 + ALPHA·(product cost / sweep cost) times. Without ALPHA: 0.5. Default: 0.5 for hals;"
                    + " --accelerate 0 is plain HALS, scikit-learn's cd iteration for iteration.")
    Double accelerate;

    @Option(names = "--missing", paramLabel = "WHICH", defaultValue = "none",
            description = "Entries of V that are missing, left out of the loss and the updates: nan (NaN entries),"
                    + " zeros (rating matrices) or none. Frobenius loss. Default: ${DEFAULT-VALUE}.")
    String missing;

    @Option(names = "--mask", paramLabel = "FILE",
            description = "A 0/1 matrix of V's shape, any input format: 1 where an entry is observed, 0 where"
                    + " it is missing.")
    Path mask;

    @Option(names = "--init", paramLabel = "NAME",
            description = "random, nndsvd, nndsvda or nndsvdar. Default: nndsvda when k ≤ min(n, m), else random"
                    + " (random with --restarts).")
    String init;

    @Option(names = "--init-w", paramLabel = "FILE",
            description = "Start from this W (n×k, any input format); needs --init-h too.")
    Path initW;

    @Option(names = "--init-h", paramLabel = "FILE",
            description = "Start from this H (k×m, any input format); needs --init-w too.")
    Path initH;

    @Option(names = "--restarts", paramLabel = "R", defaultValue = "1",
            description = "Run R times from seeded random starts and keep the lowest loss; summary.json lists"
                    + " every run's. Default: ${DEFAULT-VALUE}.")
    int restarts;

    @Option(names = "--normalize", paramLabel = "NAME", defaultValue = "none",
            description = "Scale W's columns to unit sum (l1) or norm (l2), carrying the scale into H; or none."
                    + " Default: ${DEFAULT-VALUE}.")
    String normalize;

    @Option(names = "--sort", description = "Order the components by weight ‖W_j‖·‖H_j‖, largest first.")
    boolean sort;

    @Option(names = "--save", paramLabel = "FILE",
            description = "Also save the model (W, H, options, losses) to FILE, for 'jnmf transform'.")
    Path save;

    @Option(names = "--checkpoint", paramLabel = "DIR",
            description = "Save the fit's state to DIR/checkpoint.jnmf every --checkpoint-every iterations and when"
                    + " it stops (atomically), for --resume after a kill.")
    Path checkpoint;

    @Option(names = "--checkpoint-every", paramLabel = "N", defaultValue = "100",
            description = "Iterations between checkpoints. Default: ${DEFAULT-VALUE}.")
    int checkpointEvery;

    @Option(names = "--resume", paramLabel = "DIR",
            description = "Continue the fit whose checkpoint is in DIR (or is the file DIR), up to --max-iter"
                    + " iterations in all, to the same bits as an uninterrupted fit; same input and options.")
    Path resume;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
            description = "Seed for the initialisation. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--max-iter", paramLabel = "N", defaultValue = "200",
            description = "Most iterations (each updates W, then H). Default: ${DEFAULT-VALUE}.")
    int maxIterations;

    @Option(names = "--tol", paramLabel = "X", defaultValue = "1e-4",
            description = "Stop when the error falls by less than this (relative to the initial error) between"
                    + " two checks; 0 never stops early. Default: ${DEFAULT-VALUE}.")
    double tolerance;

    @Option(names = "--check-every", paramLabel = "N", defaultValue = "10",
            description = "Iterations between loss checks. Default: ${DEFAULT-VALUE}.")
    int checkEvery;

    @Option(names = "--time-limit", paramLabel = "TIME",
            description = "Stop after this much time: seconds (90) or with a unit (500ms, 90s, 5m, 2h)."
                    + " Default: no limit.")
    String timeLimit;

    @Option(names = "--precision", paramLabel = "NAME",
            description = "single or double. Default: that of the input (float32 .npy: single; otherwise double).")
    String precision;

    @Option(names = "--threads", paramLabel = "N",
            description = "Worker threads. Default: all available processors.")
    Integer threads;

    @Option(names = "--backend", paramLabel = "NAME", defaultValue = "${sys:jnmf.backend:-auto}",
            description = "auto or ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE} (-Djnmf.backend sets it).",
            completionCandidates = BackendNames.class)
    String backend;

    @Option(names = "--floor", paramLabel = "X", defaultValue = "0",
            description = "For mu: raise every updated entry to at least this (1e-16, say) so that none gets"
                    + " stuck at 0. Default: ${DEFAULT-VALUE} (off).")
    double floor;

    @Option(names = "--tf32", description = "cuda backend, float32: let cuBLAS use TF32 tensor cores (several times"
            + " faster products, about 1e-3 relative error each). Default: off.")
    boolean tf32;

    @Option(names = "--format", paramLabel = "NAME", defaultValue = "npy",
            description = "Format of W and H: npy or csv. Default: ${DEFAULT-VALUE}.")
    String format;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar (the summary is still printed).")
    boolean quiet;

    @Option(names = "--debug", description = "Print the stack trace of an error.")
    boolean debug;

    /** A job writing to {@code --out} in {@code --format}, quiet or not. */
    FitJob job(PrintStream out, PrintStream err) {
        return new FitJob(outDir, format.toLowerCase(Locale.ROOT), quiet, out, err).saveModel(save);
    }

    /** The file in a --checkpoint folder. */
    static final String CHECKPOINT_FILE = "checkpoint.jnmf";

    /** The {@code --algorithm} value: hals or mu. */
    static Algorithm parseAlgorithm(String algorithm) {
        return switch (algorithm.toLowerCase(Locale.ROOT)) {
            case "hals" -> Algorithm.HALS;
            case "mu" -> Algorithm.MULTIPLICATIVE;
            case "anls" -> Algorithm.ANLS;
            default -> throw CliException.usage("--algorithm must be hals, mu or anls; got '" + algorithm + "'");
        };
    }

    /** The fit options from the flags, each checked with the flag's name in the message. */
    NmfOptions.Builder options() {
        if (rank < 1) {
            throw CliException.usage("--rank must be at least 1; got " + rank);
        }
        NmfOptions.Builder b = NmfOptions.builder(rank).seed(seed);
        if (tf32) {
            b.tf32(true);
        }
        double b2 = parseLoss();
        if (algorithm != null) {
            Algorithm chosen = parseAlgorithm(algorithm);
            if (b2 != 2 && chosen != Algorithm.MULTIPLICATIVE) {
                throw CliException.usage("--loss " + loss.toLowerCase(Locale.ROOT) + " runs with --algorithm mu"
                        + " only; drop --algorithm " + algorithm + " or use --loss frobenius");
            }
            b.algorithm(chosen);
        }
        b.beta(b2);
        b.regularization(penalty("--l1-w", l1W), penalty("--l2-w", l2W), penalty("--l1-h", l1H),
                penalty("--l2-h", l2H));
        b.kktTolerance(penalty("--kkt-tol", kktTolerance));
        if (accelerate != null) {
            // --accelerate 0 (plain HALS) is harmless with any algorithm; a positive α needs HALS.
            if (accelerate != 0 && (algorithm != null && parseAlgorithm(algorithm) != Algorithm.HALS || b2 != 2)) {
                throw CliException.usage("--accelerate applies to --algorithm hals with --loss frobenius only");
            }
            b.acceleration(penalty("--accelerate", accelerate));
        }
        if (init != null) {
            b.initialization(switch (init.toLowerCase(Locale.ROOT)) {
                case "random" -> Initialization.RANDOM;
                case "nndsvd" -> Initialization.NNDSVD;
                case "nndsvda" -> Initialization.NNDSVDA;
                case "nndsvdar" -> Initialization.NNDSVDAR;
                default -> throw CliException.usage("--init must be random, nndsvd, nndsvda or nndsvdar; got '"
                        + init + "'");
            });
        }
        addStartAndOutputOptions(b);
        addCheckpointOptions(b);
        addMissingValues(b);
        if (maxIterations < 0) {
            throw CliException.usage("--max-iter must be at least 0; got " + maxIterations);
        }
        b.maxIterations(maxIterations);
        if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
            throw CliException.usage("--tol must be a finite number ≥ 0; got " + tolerance);
        }
        b.tolerance(tolerance);
        if (checkEvery < 1) {
            throw CliException.usage("--check-every must be at least 1; got " + checkEvery);
        }
        b.checkInterval(checkEvery);
        if (timeLimit != null) {
            b.timeLimit(parseDuration(timeLimit));
        }
        if (precision != null) {
            b.precision(switch (precision.toLowerCase(Locale.ROOT)) {
                case "single", "float32" -> Precision.SINGLE;
                case "double", "float64" -> Precision.DOUBLE;
                default -> throw CliException.usage("--precision must be single or double; got '" + precision + "'");
            });
        }
        if (threads != null) {
            if (threads < 1) {
                throw CliException.usage("--threads must be at least 1; got " + threads);
            }
            b.threads(threads);
        }
        String backendName = backend.toLowerCase(Locale.ROOT);
        if (!backendName.equals("auto") && !Backends.NAMES.contains(backendName)) {
            throw CliException.usage("--backend must be auto or one of " + String.join(", ", Backends.NAMES)
                    + "; got '" + backend + "'");
        }
        b.backend(backendName);
        if (!(floor >= 0) || Double.isInfinite(floor)) {
            throw CliException.usage("--floor must be a finite number ≥ 0; got " + floor);
        }
        b.floor(floor);
        if (!format.equalsIgnoreCase("npy") && !format.equalsIgnoreCase("csv")) {
            throw CliException.usage("--format must be npy or csv; got '" + format + "'");
        }
        return b;
    }

    /** The β of {@code --loss} (and {@code --beta}). */
    private double parseLoss() {
        String name = loss.toLowerCase(Locale.ROOT);
        if (beta != null && !name.equals("beta")) {
            throw CliException.usage("--beta goes with --loss beta; got --loss " + loss);
        }
        return switch (name) {
            case "frobenius" -> 2;
            case "kl" -> 1;
            case "is" -> 0;
            case "beta" -> {
                if (beta == null) {
                    throw CliException.usage("--loss beta needs --beta B, with B in [0, 2]");
                }
                if (!(beta >= 0 && beta <= 2)) {
                    throw CliException.usage("--beta must be in [0, 2] (2 frobenius, 1 kl, 0 is); got " + beta);
                }
                yield beta;
            }
            default -> throw CliException.usage("--loss must be frobenius, kl, is or beta; got '" + loss + "'");
        };
    }

    /** A finite number ≥ 0 for the named flag. */
    private static double penalty(String flag, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw CliException.usage(flag + " must be a finite number ≥ 0; got " + value);
        }
        return value;
    }

    /** Whether {@code --missing nan} was given, so that a CSV/TSV input's missing values read as NaN. */
    boolean missingAreNan() {
        return missing.equalsIgnoreCase("nan");
    }

    /** --missing and --mask (read here, named in its errors). */
    private void addMissingValues(NmfOptions.Builder b) {
        Missing which = switch (missing.toLowerCase(Locale.ROOT)) {
            case "none" -> Missing.NONE;
            case "nan" -> Missing.NAN;
            case "zeros" -> Missing.ZEROS;
            default -> throw CliException.usage("--missing must be nan, zeros or none; got '" + missing + "'");
        };
        if (mask != null && which != Missing.NONE) {
            throw CliException.usage("--mask and --missing " + missing + " both say which entries are missing;"
                    + " give one");
        }
        b.missing(which);
        if (mask != null) {
            try {
                b.mask(MatrixReader.read(mask));
            } catch (IllegalArgumentException e) {
                throw CliException.usage("--mask " + e.getMessage());
            } catch (java.io.UncheckedIOException e) {
                throw CliException.usage("--mask: " + e.getMessage());
            }
        }
    }

    /**
     * --init-w/--init-h (read here, each file named in its errors), --restarts, --normalize, --sort and
     * --save.
     */
    private void addStartAndOutputOptions(NmfOptions.Builder b) {
        if ((initW == null) != (initH == null)) {
            throw CliException.usage("--init-w and --init-h go together; give both files, W (n×k) and H (k×m)");
        }
        if (initW != null) {
            if (init != null) {
                throw CliException.usage("--init " + init + " and --init-w/--init-h both say how to start; give one");
            }
            DenseMatrix w = readFactor(initW, "--init-w");
            DenseMatrix h = readFactor(initH, "--init-h");
            try {
                b.initialFactors(w, h);
            } catch (IllegalArgumentException e) {
                throw CliException.usage("--init-w " + initW + ", --init-h " + initH + ": " + e.getMessage());
            }
        }
        if (restarts < 1) {
            throw CliException.usage("--restarts must be at least 1; got " + restarts);
        }
        if (restarts > 1) {
            Initialization start = initW != null ? Initialization.CUSTOM : b.build().initialization();
            if (start != null && start != Initialization.RANDOM && start != Initialization.NNDSVDAR) {
                throw CliException.usage("--restarts " + restarts + " needs a random start, but "
                        + (initW != null ? "--init-w/--init-h give" : "--init " + init + " gives")
                        + " (almost) the same one every run; use --init random or nndsvdar, or drop --restarts");
            }
            b.restarts(restarts);
        }
        b.normalization(switch (normalize.toLowerCase(Locale.ROOT)) {
            case "none" -> Normalization.NONE;
            case "l1" -> Normalization.L1;
            case "l2" -> Normalization.L2;
            default -> throw CliException.usage("--normalize must be l1, l2 or none; got '" + normalize + "'");
        });
        b.sortComponents(sort);
        if (save != null) {
            Path folder = save.toAbsolutePath().getParent();
            if (Files.isDirectory(save)) {
                throw CliException.usage("--save " + save + " is a folder; name a file for the model, e.g. model.jnmf");
            }
            if (folder == null || !Files.isDirectory(folder)) {
                throw CliException.usage("--save " + save + ": folder " + folder + " does not exist; create it or"
                        + " save elsewhere");
            }
            if (!Files.isWritable(folder)) {
                throw CliException.usage("--save " + save + ": cannot write to folder " + folder);
            }
        }
    }

    /** --checkpoint DIR (created if missing), --checkpoint-every N and --resume DIR. */
    private void addCheckpointOptions(NmfOptions.Builder b) {
        if (checkpointEvery < 1) {
            throw CliException.usage("--checkpoint-every must be at least 1; got " + checkpointEvery);
        }
        if ((checkpoint != null || resume != null) && restarts > 1) {
            throw CliException.usage("--checkpoint and --resume work on a single run; drop --restarts " + restarts);
        }
        if (resume != null) {
            Path file = Files.isDirectory(resume) ? resume.resolve(CHECKPOINT_FILE) : resume;
            try {
                b.resumeFrom(Checkpoint.load(file));
            } catch (ModelFormatException e) {
                throw CliException.usage("--resume: " + e.getMessage());
            } catch (java.io.UncheckedIOException e) {
                throw CliException.usage("--resume " + resume + ": " + e.getMessage()
                        + (Files.isDirectory(resume) ? "; is this the folder given to --checkpoint?" : ""));
            }
        }
        if (checkpoint != null) {
            if (Files.exists(checkpoint) && !Files.isDirectory(checkpoint)) {
                throw CliException.usage("--checkpoint " + checkpoint + " is a file; name a folder for checkpoints");
            }
            try {
                Files.createDirectories(checkpoint);
            } catch (java.io.IOException e) {
                throw CliException.usage("--checkpoint " + checkpoint + ": cannot create the folder (" + e + ")");
            }
            if (!Files.isWritable(checkpoint)) {
                throw CliException.usage("--checkpoint " + checkpoint + ": cannot write to the folder");
            }
            Path file = checkpoint.resolve(CHECKPOINT_FILE);
            b.checkpoints(checkpointEvery, c -> c.save(file));
        }
    }

    /** A starting factor from {@code file}, dense, every entry finite and ≥ 0, errors naming the file. */
    private static DenseMatrix readFactor(Path file, String flag) {
        Matrix x;
        try {
            x = MatrixReader.read(file);
        } catch (IllegalArgumentException e) {
            throw CliException.usage(flag + " " + e.getMessage());
        } catch (java.io.UncheckedIOException e) {
            throw CliException.usage(flag + ": " + e.getMessage());
        }
        DenseMatrix d = x instanceof SparseMatrix s ? s.toDense(Precision.DOUBLE) : (DenseMatrix) x;
        double[] row = new double[d.cols()];
        for (int i = 0; i < d.rows(); i++) {
            d.copyRow(i, row);
            for (int j = 0; j < row.length; j++) {
                if (!(row[j] >= 0) || Double.isInfinite(row[j])) {
                    throw CliException.usage(flag + " " + file + ": entry (" + row[j] + ") at row " + i + ", column "
                            + j + " (0-based) is not a finite number ≥ 0; a starting factor must be non-negative");
                }
            }
        }
        return d;
    }

    /**
     * Refuses a rank NNDSVD cannot start from, naming the input {@code label}, and starting factors whose
     * shapes do not fit V, naming their files.
     */
    void checkRank(Matrix v, NmfOptions options, String label) {
        int n = v.rows();
        int m = v.cols();
        if (initW != null) {
            checkFactorShape(options.initialW(), initW, "--init-w", "W", n, rank, v, label);
            checkFactorShape(options.initialH(), initH, "--init-h", "H", rank, m, v, label);
        }
        Initialization chosen = options.initializationFor(n, m);
        if (chosen.usesSvd() && rank > Math.min(n, m)) {
            throw CliException.usage("--rank " + rank + " is more than min(n, m) = " + Math.min(n, m) + " of the "
                    + n + "×" + m + " matrix in " + label + ", which " + chosen.label() + " initialisation needs;"
                    + " use --init random or a smaller --rank");
        }
    }

    private static void checkFactorShape(DenseMatrix x, Path file, String flag, String name, int rows, int cols,
                                         Matrix v, String label) {
        if (x.rows() != rows || x.cols() != cols) {
            throw CliException.usage(flag + " " + file + " holds a " + x.rows() + "×" + x.cols() + " matrix, but " + name
                    + " must be " + rows + "×" + cols + " for the " + v.rows() + "×" + v.cols() + " matrix in " + label
                    + " at --rank " + (name.equals("W") ? cols : rows));
        }
    }

    /** Seconds as a plain number, or a number with ms, s, m or h. */
    static Duration parseDuration(String text) {
        Matcher matcher = DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!matcher.matches()) {
            throw CliException.usage("--time-limit '" + text + "' is not a duration; give seconds (90) or a number"
                    + " with a unit: 500ms, 90s, 5m, 2h");
        }
        double amount = Double.parseDouble(matcher.group(1));
        String unit = matcher.group(2) == null ? "s" : matcher.group(2);
        double seconds = switch (unit) {
            case "ms" -> amount / 1000;
            case "m" -> amount * 60;
            case "h" -> amount * 3600;
            default -> amount;
        };
        long nanos = (long) Math.min(seconds * 1e9, Long.MAX_VALUE);
        if (nanos <= 0) {
            throw CliException.usage("--time-limit must be positive; got '" + text + "'");
        }
        return Duration.ofNanos(nanos);
    }

    /** The backend names for --help. */
    static final class BackendNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Backends.NAMES.iterator();
        }
    }
}
