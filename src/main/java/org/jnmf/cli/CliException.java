package org.jnmf.cli;

/**
 * A failure the command line reports as one line, {@code jnmf: <message>}, with its exit status:
 * {@link #USAGE} for a mistake in the command or its input, {@link #FAILURE} for anything else.
 */
final class CliException extends RuntimeException {
    /** Exit status for usage and input errors. */
    static final int USAGE = 2;
    /** Exit status for failures that are not the user's mistake (I/O, the backend). */
    static final int FAILURE = 1;

    private final int exitCode;

    CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    CliException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** A usage or input error (exit status 2). */
    static CliException usage(String message) {
        return new CliException(USAGE, message);
    }

    int exitCode() {
        return exitCode;
    }
}
