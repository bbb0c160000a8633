package org.jnmf.backend;

/**
 * A matrix that lives where its backend computes: on the Java heap for the CPU backend, in GPU memory
 * for the CUDA backend. Solvers only pass these handles back to the backend that made them; the
 * values come back to the host through {@link Backend#download}.
 */
public interface DeviceMatrix extends AutoCloseable {
    int rows();

    int cols();

    /** Whether this is a sparse data matrix (only data matrices may be sparse). */
    default boolean sparse() {
        return false;
    }

    /** Releases the memory; using the handle afterwards is an error. Closing twice is harmless. */
    @Override
    void close();
}
