package org.jnmf.backend;

import java.util.List;
import java.util.Locale;
import org.jnmf.BackendUnavailableException;
import org.jnmf.Precision;

/**
 * The one place that decides which backend runs a fit. {@code auto} walks an ordered chain (the GPU
 * first once it exists, then the CPU) and takes the first usable candidate; naming a backend that
 * cannot run here fails with every reason and the fix. The choice and its reason end up in the result.
 */
public final class Backends {
    /** Backend names accepted besides {@code auto}. */
    public static final List<String> NAMES = List.of("java");

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
        String key = name == null ? "auto" : name.toLowerCase(Locale.ROOT);
        return switch (key) {
            case "auto" -> new Selection(new JavaBackend(precision, threads),
                    "auto: the pure-Java CPU backend (" + threads + " threads) is the only backend in this build");
            case "java" -> new Selection(new JavaBackend(precision, threads),
                    "requested: the pure-Java CPU backend (" + threads + " threads)");
            default -> throw new IllegalArgumentException("unknown backend '" + name + "'; use auto or one of "
                    + String.join(", ", NAMES));
        };
    }
}
