package org.jnmf.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds and opens a shared library: each candidate name in turn, first in the configured folders, then
 * through the system's normal search ({@code dlopen(name)}: {@code LD_LIBRARY_PATH}, the loader cache),
 * then in the usual CUDA install folders. Libraries stay open for the life of the process
 * ({@link Arena#global()}): closing one under live CUDA state would crash. Stub folders are never searched
 * (a stub libcuda only returns CUDA_ERROR_STUB_LIBRARY).
 */
final class NativeLibraries {
    private NativeLibraries() {
    }

    /** An opened library and where it came from. */
    record Opened(SymbolLookup lookup, String location) {
    }

    /** Thrown when no candidate opens; the message lists what was tried. */
    static final class NotFound extends Exception {
        NotFound(String message) {
            super(message, null, false, false);
        }
    }

    static Opened open(List<String> names, List<Path> configuredDirs) throws NotFound {
        List<String> tried = new ArrayList<>();
        for (String name : names) {
            if (name.contains("/")) {
                Opened o = tryOpen(name, tried);
                if (o != null) {
                    return o;
                }
                continue;
            }
            for (Path dir : configuredDirs) {
                Path file = dir.resolve(name);
                if (Files.exists(file)) {
                    Opened o = tryOpen(file.toString(), tried);
                    if (o != null) {
                        return o;
                    }
                }
            }
            Opened o = tryOpen(name, tried);
            if (o != null) {
                return o;
            }
            for (Path dir : defaultDirs()) {
                Path file = dir.resolve(name);
                if (Files.exists(file)) {
                    o = tryOpen(file.toString(), tried);
                    if (o != null) {
                        return o;
                    }
                }
            }
        }
        String where = configuredDirs.isEmpty() ? "" : " (also searched " + configuredDirs + ")";
        throw new NotFound(String.join(" or ", names) + " could not be loaded" + where + ": "
                + String.join("; ", tried));
    }

    private static Opened tryOpen(String nameOrPath, List<String> tried) {
        try {
            return new Opened(SymbolLookup.libraryLookup(nameOrPath, Arena.global()), nameOrPath);
        } catch (IllegalArgumentException e) {
            String reason = e.getMessage() == null ? "not found" : e.getMessage();
            tried.add(nameOrPath + ": " + reason);
            return null;
        }
    }

    /** Usual install folders of the driver and the toolkit; never a stubs folder. */
    static List<Path> defaultDirs() {
        Set<Path> dirs = new LinkedHashSet<>();
        for (String env : new String[] {"CUDA_HOME", "CUDA_PATH"}) {
            String home = System.getenv(env);
            if (home != null && !home.isBlank()) {
                dirs.add(Path.of(home, "lib64"));
            }
        }
        for (String dir : new String[] {"/usr/local/cuda/lib64", "/usr/local/nvidia/lib64",
                "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib/wsl/lib"}) {
            dirs.add(Path.of(dir));
        }
        return List.copyOf(dirs);
    }
}
