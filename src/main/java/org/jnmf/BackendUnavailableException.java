package org.jnmf;

/** The backend that was asked for explicitly cannot run here; the message lists every reason and the fix. */
public class BackendUnavailableException extends NmfException {
    public BackendUnavailableException(String message) {
        super(message);
    }
}
