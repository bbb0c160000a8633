package org.jnmf;

import java.util.Locale;

/**
 * A matrix that does not fit in the memory left, refused before anything is allocated for it (rather than
 * an {@link OutOfMemoryError} halfway through). The message names the size needed, the size available
 * and the fix.
 */
public class MatrixTooLargeException extends IllegalArgumentException {
    private final long needed;
    private final long available;

    public MatrixTooLargeException(String message, long needed, long available) {
        super(message);
        this.needed = needed;
        this.available = available;
    }

    /** Bytes the refused allocation needed. */
    public long needed() {
        return needed;
    }

    /** Bytes that were available for it. */
    public long available() {
        return available;
    }

    /**
     * Refuses {@code bytes} more of Java heap for {@code what} (e.g. "a 100000×50000 float64 matrix") when
     * the heap cannot hold them besides what it holds now. Near the limit it asks for one garbage
     * collection first, so that garbage is not counted as used.
     */
    public static void requireHeap(long bytes, String what) {
        if (!heapHolds(bytes)) {
            long available = availableHeap();
            Runtime r = Runtime.getRuntime();
            long used = r.totalMemory() - r.freeMemory();
            long suggest = Math.max(1, (long) Math.ceil((used + bytes) * 1.25 / (1L << 30)));
            throw new MatrixTooLargeException(what + " needs " + size(bytes) + " of Java heap but only "
                    + size(Math.max(available, 0)) + " is free (maximum heap " + size(r.maxMemory())
                    + "); give Java more memory (./jnmf -Xmx" + suggest + "g …, or JNMF_JAVA_OPTS=-Xmx" + suggest
                    + "g; java: -Xmx" + suggest
                    + "g), or make the matrix smaller: float32 (a '<f4' .npy) halves it, and a mostly-zero matrix is far smaller"
                    + " stored sparse (.mtx)",
                    bytes, Math.max(available, 0));
        }
    }

    /**
     * Whether {@code bytes} more fit in the heap besides what it holds now; near the limit it asks for one
     * garbage collection first, so that garbage is not counted as used.
     */
    public static boolean heapHolds(long bytes) {
        if (bytes <= availableHeap()) {
            return true;
        }
        System.gc();
        return bytes <= availableHeap();
    }

    /**
     * Whether {@code bytes} of input data belong on the heap: it holds them with a quarter of the maximum
     * heap still to spare for the fit's factors and work matrices. Data that does not is held off-heap.
     */
    public static boolean heapHoldsData(long bytes) {
        return heapHolds(bytes + Runtime.getRuntime().maxMemory() / 4);
    }

    /** Heap bytes that can still be allocated: the maximum less what is in use. */
    public static long availableHeap() {
        Runtime r = Runtime.getRuntime();
        return r.maxMemory() - (r.totalMemory() - r.freeMemory());
    }

    /** A byte count for people: "512 B", "15.3 MiB", "1.2 GiB", "8.0 TiB". */
    public static String size(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
