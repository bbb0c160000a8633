package org.jnmf;

/**
 * A flag another thread sets to stop a running fit at its next iteration; the fit then returns the
 * factors it has, with {@link StopReason#CANCELLED}. Reusable across fits only if never cancelled.
 */
public final class Cancellation {
    private volatile boolean cancelled;

    public void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled;
    }
}
