package org.jnmf;

/** A failure of the factorization itself (not a caller mistake, which is an IllegalArgumentException). */
public class NmfException extends RuntimeException {
    public NmfException(String message) {
        super(message);
    }

    public NmfException(String message, Throwable cause) {
        super(message, cause);
    }
}
