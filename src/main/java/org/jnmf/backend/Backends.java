package org.jnmf.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jnmf.BackendUnavailableException;
import org.jnmf.Precision;
import org.jnmf.cuda.CudaBackend;
import org.jnmf.cuda.CudaConfig;
import org.jnmf.cuda.CudaProbe;
import org.jnmf.cuda.MultiGpuBackend;

/**
 * The one place that decides which backend runs a fit. {@code auto} walks an ordered chain (CUDA
 * first, then the CPU backend that is faster for the problem's shape, see {@link CpuChoice}) and takes
 * the first usable candidate; naming a backend that
 * cannot run here fails with every reason and the fix. The choice and its reason end up in the result.
 */
public final class Backends {
    /** Backend names accepted besides {@code auto}. */
    public static final List<String> NAMES = List.of("cuda", "blas", "java");

    private Backends() {
    }

    private static final boolean VECTOR_API = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    /**
     * Fails with the JVM flags to add when this JVM was started without the incubating Vector API, which
     * every CPU kernel uses: called where a caller enters the library ({@code Nmf.fit}, {@code NmfModel}'s
     * transforms), so that the mistake is one message there instead of a NoClassDefFoundError deep inside.
     *
     * @throws BackendUnavailableException without {@code --add-modules jdk.incubator.vector}
     */
    public static void requireVectorApi() {
        if (!VECTOR_API) {
            throw new BackendUnavailableException("jnmf needs the JDK's Vector API module, and this JVM was started"
                    + " without it: add --add-modules jdk.incubator.vector to the java command (Maven Surefire:"
                    + " <argLine>; Gradle: jvmArgs; an IDE: the run configuration's VM options), with"
                    + " --enable-native-access=ALL-UNNAMED for the blas and cuda backends, and for full CPU speed"
                    + " -XX:+UnlockDiagnosticVMOptions -XX:CompilerDirectivesFile=kernels-c2-only.json (in jnmf's"
                    + " src/main/jvm) or -XX:-TieredCompilation");
        }
    }

    /** A chosen backend and why it was chosen. */
    public record Selection(Backend backend, String reason) {
    }

    /**
     * Opens the backend called {@code name} ({@code auto} or one of {@link #NAMES}) for one fit.
     *
     * @throws IllegalArgumentException for an unknown name
     * @throws BackendUnavailableException when the named backend cannot run here
     */
    public static Selection open(String name, Precision precision, int threads) {
        return open(name, precision, threads, false, CudaConfig.fromSystemProperties().tf32());
    }

    /**
     * Opens the backend called {@code name} for one fit on dense or sparse input of unknown shape
     * ({@code auto} then treats the problem as the CPU rule's default class).
     */
    public static Selection open(String name, Precision precision, int threads, boolean sparseInput, boolean tf32) {
        return open(name, precision, threads, new Shape(0, 0, 0, sparseInput), tf32);
    }

    /**
     * The shape of a problem, which {@code auto} uses to pick the faster CPU backend; {@code offHeap}: V is
     * held off the Java heap ({@link org.jnmf.DenseMatrix#offHeap()}).
     */
    public record Shape(int rows, int cols, int rank, boolean sparse, boolean offHeap) {
        public Shape(int rows, int cols, int rank, boolean sparse) {
            this(rows, cols, rank, sparse, false);
        }
    }

    /**
     * Opens the backend called {@code name} for one fit: {@code auto} takes CUDA when its probe succeeds
     * (driver, device, test allocation, cuBLAS handle, kernels), and for sparse input cuSPARSE too, else the CPU
     * backend that {@link CpuChoice} says is faster for the shape, and says why.
     *
     * With {@code tf32}, float32 GEMMs on the GPU may use TF32 tensor cores.
     *
     * @throws IllegalArgumentException for an unknown name
     * @throws BackendUnavailableException when the named backend cannot run here
     */
    public static Selection open(String name, Precision precision, int threads, Shape shape, boolean tf32) {
        return open(name, precision, threads, shape, CudaConfig.fromSystemProperties().withTf32(tf32));
    }

    /** As {@link #open(String, Precision, int, Shape, boolean)}, with this CUDA configuration (a Spark task's GPU). */
    public static Selection open(String name, Precision precision, int threads, Shape shape, CudaConfig cuda) {
        String key = name == null ? "auto" : name.toLowerCase(Locale.ROOT);
        boolean sparseInput = shape.sparse();
        return switch (key) {
            case "auto" -> {
                if (cuda.devices().isEmpty()) {
                    yield auto(precision, threads, shape, cuda);
                }
                try {
                    yield severalGpus(cuda, precision, sparseInput, "auto");
                } catch (BackendUnavailableException e) {
                    yield cpu(precision, threads, shape, "cuda is not usable on " + CudaConfig.DEVICES + ": "
                            + e.getMessage().replace('\n', ' '));
                }
            }
            case "cuda" -> {
                if (!cuda.devices().isEmpty()) {
                    yield severalGpus(cuda, precision, sparseInput, "requested");
                }
                CudaBackend.Attempt attempt = CudaBackend.attempt(cuda, precision);
                if (!attempt.usable()) {
                    throw new BackendUnavailableException("the cuda backend cannot run here:\n  - "
                            + String.join("\n  - ", attempt.reasons()) + "\nFix: " + CudaProbe.fix() + ".");
                }
                if (sparseInput && attempt.backend().sparseUnavailable() != null) {
                    String why = attempt.backend().sparseUnavailable();
                    attempt.backend().close();
                    throw new BackendUnavailableException(CudaBackend.SPARSE_MESSAGE + ": " + why
                            + "\nFix: install cuSPARSE 12 or use --backend java.");
                }
                yield new Selection(attempt.backend(), "requested: CUDA (" + attempt.backend().summary() + ")");
            }
            case "blas" -> {
                BlasBackend.Attempt attempt = BlasBackend.attempt(precision, threads);
                if (!attempt.usable()) {
                    throw new BackendUnavailableException("the blas backend cannot run here: no BLAS library could"
                            + " be used:\n  - " + String.join("\n  - ", attempt.reasons()) + "\nFix: "
                            + BlasBackend.fix() + ".");
                }
                yield new Selection(attempt.backend(), "requested: BLAS (" + attempt.backend().summary() + ")"
                        + (sparseInput ? "; sparse V runs in the Java kernels" : ""));
            }
            case "java" -> new Selection(new JavaBackend(precision, threads),
                    "requested: the pure-Java CPU backend (" + threads + " threads)");
            default -> throw new IllegalArgumentException("unknown backend '" + name + "'; use auto or one of "
                    + String.join(", ", NAMES));
        };
    }

    /**
     * The devices {@code jnmf.cuda.devices} names ({@code all}: every device the driver reports), each
     * opened as for one; one device gives that device's backend, several a {@link MultiGpuBackend}.
     *
     * @throws BackendUnavailableException naming the first device that cannot run and why
     */
    private static Selection severalGpus(CudaConfig cuda, Precision precision, boolean sparseInput, String how) {
        List<Integer> ordinals = cuda.devices();
        List<CudaBackend> opened = new ArrayList<>();
        try {
            if (ordinals.equals(List.of(-1))) {
                CudaBackend first = openDevice(cuda, 0, precision, sparseInput);
                opened.add(first);
                ordinals = new ArrayList<>();
                for (int d = 0; d < first.deviceCount(); d++) {
                    ordinals.add(d);
                }
            }
            for (int d : ordinals) {
                if (opened.size() <= ordinals.indexOf(d)) {
                    opened.add(openDevice(cuda, d, precision, sparseInput));
                }
            }
        } catch (RuntimeException e) {
            for (CudaBackend b : opened) {
                b.close();
            }
            throw e;
        }
        if (opened.size() == 1) {
            return new Selection(opened.getFirst(), how + ": CUDA (" + opened.getFirst().summary() + ")");
        }
        MultiGpuBackend several = new MultiGpuBackend(opened);
        return new Selection(several, how + ": CUDA on " + several.summary());
    }

    private static CudaBackend openDevice(CudaConfig cuda, int device, Precision precision, boolean sparseInput) {
        CudaBackend.Attempt attempt = CudaBackend.attempt(cuda.withDevice(device), precision);
        if (!attempt.usable()) {
            throw new BackendUnavailableException("the cuda backend cannot run on device " + device + " ("
                    + CudaConfig.DEVICES + "):\n  - " + String.join("\n  - ", attempt.reasons()) + "\nFix: "
                    + CudaProbe.fix() + ".");
        }
        if (sparseInput && attempt.backend().sparseUnavailable() != null) {
            String why = attempt.backend().sparseUnavailable();
            attempt.backend().close();
            throw new BackendUnavailableException(CudaBackend.SPARSE_MESSAGE + ": " + why
                    + "\nFix: install cuSPARSE 12 or use --backend java.");
        }
        return attempt.backend();
    }

    private static Selection auto(Precision precision, int threads, Shape shape, CudaConfig cuda) {
        CudaBackend.Attempt attempt = CudaBackend.attempt(cuda, precision);
        if (attempt.usable() && shape.sparse() && attempt.backend().sparseUnavailable() != null) {
            String why = attempt.backend().sparseUnavailable();
            attempt.backend().close();
            return cpu(precision, threads, shape, "cuda cannot take sparse V here: " + why);
        }
        if (attempt.usable()) {
            return new Selection(attempt.backend(), "auto: CUDA (" + attempt.backend().summary() + ")"
                    + (shape.sparse() ? ", sparse V on cuSPARSE" : ""));
        }
        return cpu(precision, threads, shape, "cuda is not usable: " + String.join("; ", attempt.reasons()));
    }

    /** The CPU backend {@link CpuChoice} prefers; the pure-Java one when BLAS would win but cannot run. */
    private static Selection cpu(Precision precision, int threads, Shape shape, String whyNotCuda) {
        String java = "the pure-Java CPU backend (" + threads + " threads)";
        CpuChoice.Choice choice = CpuChoice.choose(precision, shape);
        if (!choice.blas()) {
            return new Selection(new JavaBackend(precision, threads),
                    "auto: " + java + ", " + choice.why() + "; " + whyNotCuda);
        }
        BlasBackend.Attempt blas = BlasBackend.attempt(precision, threads);
        if (blas.usable() && blas.backend().fallbackKernels() && !shape.offHeap()) {
            blas.backend().close();
            return new Selection(new JavaBackend(precision, threads), "auto: " + java + "; BLAS would be faster ("
                    + choice.why() + ") but OpenBLAS runs its generic SSE3 kernels on this CPU (set OPENBLAS_CORETYPE,"
                    + " see jnmf devices); " + whyNotCuda);
        }
        if (blas.usable()) {
            return new Selection(blas.backend(), "auto: BLAS (" + blas.backend().summary() + "), " + choice.why()
                    + "; " + whyNotCuda);
        }
        return new Selection(new JavaBackend(precision, threads), "auto: " + java + "; BLAS would be faster ("
                + choice.why() + ") but is not usable: " + String.join("; ", blas.reasons()) + "; " + whyNotCuda);
    }
}
