package org.jnmf.backend;

import java.util.List;
import java.util.Locale;
import org.jnmf.BackendUnavailableException;
import org.jnmf.Precision;
import org.jnmf.cuda.CudaBackend;
import org.jnmf.cuda.CudaConfig;
import org.jnmf.cuda.CudaProbe;

/**
 * The one place that decides which backend runs a fit. {@code auto} walks an ordered chain (CUDA
 * first, then the CPU) and takes the first usable candidate; naming a backend that
 * cannot run here fails with every reason and the fix. The choice and its reason end up in the result.
 */
public final class Backends {
    /** Backend names accepted besides {@code auto}. */
    public static final List<String> NAMES = List.of("cuda", "java");

    private Backends() {
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
     * Opens the backend called {@code name} for one fit on dense or sparse input: {@code auto} takes CUDA
     * when its probe succeeds (driver, device, test allocation, cuBLAS handle, kernels) and the input is
     * dense, else the Java backend, and says why.
     *
     * With {@code tf32}, float32 GEMMs on the GPU may use TF32 tensor cores.
     *
     * @throws IllegalArgumentException for an unknown name, or sparse input on {@code cuda}
     * @throws BackendUnavailableException when the named backend cannot run here
     */
    public static Selection open(String name, Precision precision, int threads, boolean sparseInput, boolean tf32) {
        String key = name == null ? "auto" : name.toLowerCase(Locale.ROOT);
        CudaConfig cuda = CudaConfig.fromSystemProperties().withTf32(tf32);
        return switch (key) {
            case "auto" -> auto(precision, threads, sparseInput, cuda);
            case "cuda" -> {
                if (sparseInput) {
                    throw new IllegalArgumentException(CudaBackend.SPARSE_MESSAGE);
                }
                CudaBackend.Attempt attempt = CudaBackend.attempt(cuda, precision);
                if (!attempt.usable()) {
                    throw new BackendUnavailableException("the cuda backend cannot run here:\n  - "
                            + String.join("\n  - ", attempt.reasons()) + "\nFix: " + CudaProbe.fix() + ".");
                }
                yield new Selection(attempt.backend(), "requested: CUDA (" + attempt.backend().summary() + ")");
            }
            case "java" -> new Selection(new JavaBackend(precision, threads),
                    "requested: the pure-Java CPU backend (" + threads + " threads)");
            default -> throw new IllegalArgumentException("unknown backend '" + name + "'; use auto or one of "
                    + String.join(", ", NAMES));
        };
    }

    private static Selection auto(Precision precision, int threads, boolean sparseInput, CudaConfig cuda) {
        String java = "the pure-Java CPU backend (" + threads + " threads)";
        if (sparseInput) {
            return new Selection(new JavaBackend(precision, threads),
                    "auto: " + java + "; the cuda backend takes dense input only");
        }
        CudaBackend.Attempt attempt = CudaBackend.attempt(cuda, precision);
        if (attempt.usable()) {
            return new Selection(attempt.backend(), "auto: CUDA (" + attempt.backend().summary() + ")");
        }
        return new Selection(new JavaBackend(precision, threads),
                "auto: " + java + "; cuda is not usable: " + String.join("; ", attempt.reasons()));
    }
}
