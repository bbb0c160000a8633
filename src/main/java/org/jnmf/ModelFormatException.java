package org.jnmf;

import java.nio.file.Path;

/**
 * A file that cannot be loaded as a saved {@link NmfModel}: not one, damaged, truncated, or written by a
 * newer jnmf. The message names the file and what is wrong.
 */
public final class ModelFormatException extends IllegalArgumentException {
    private final Path file;

    ModelFormatException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
