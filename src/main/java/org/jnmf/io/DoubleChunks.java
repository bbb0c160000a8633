package org.jnmf.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.jnmf.MatrixTooLargeException;
import org.jnmf.OffHeap;

/**
 * A growable list of doubles in fixed-size chunks, allocated as values arrive: a reader that cannot
 * trust a header's size (gzip input) never allocates more than the data it has actually seen. Chunks go
 * on the heap while it has room for them and for the matrix the values will be copied into; after that,
 * into native memory ({@link OffHeap}), whose allocation refuses with the sizes when the machine runs
 * short, so that a file too large for memory is refused with the sizes, not with an OutOfMemoryError.
 */
final class DoubleChunks {
    private static final int CHUNK_BITS = 16;
    private static final int CHUNK = 1 << CHUNK_BITS;

    private final String file;
    private final List<double[]> heapChunks = new ArrayList<>();
    private final List<MemorySegment> offHeapChunks = new ArrayList<>();
    private double[] current;
    private MemorySegment currentOffHeap;
    private int fill = CHUNK;
    private long size;

    /** Values read from {@code file} (named in the refusal when memory runs short). */
    DoubleChunks(String file) {
        this.file = file;
    }

    void add(double value) {
        if (fill == CHUNK) {
            if (offHeapChunks.isEmpty() && MatrixTooLargeException.heapHoldsData(8L * CHUNK + 8 * size)) {
                current = new double[CHUNK];
                heapChunks.add(current);
            } else {
                current = null;
                currentOffHeap = OffHeap.allocate(8L * CHUNK, "reading " + file + ": the " + size
                        + " values read so far, and the matrix they become,");
                offHeapChunks.add(currentOffHeap);
            }
            fill = 0;
        }
        if (current != null) {
            current[fill++] = value;
        } else {
            currentOffHeap.setAtIndex(ValueLayout.JAVA_DOUBLE, fill++, value);
        }
        size++;
    }

    double get(long index) {
        int chunk = (int) (index >>> CHUNK_BITS);
        int at = (int) (index & (CHUNK - 1));
        return chunk < heapChunks.size() ? heapChunks.get(chunk)[at]
                : offHeapChunks.get(chunk - heapChunks.size()).getAtIndex(ValueLayout.JAVA_DOUBLE, at);
    }

    long size() {
        return size;
    }
}
