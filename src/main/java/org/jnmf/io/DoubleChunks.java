package org.jnmf.io;

import java.util.ArrayList;
import java.util.List;
import org.jnmf.MatrixTooLargeException;

/**
 * A growable list of doubles in fixed-size chunks, allocated as values arrive: a reader that cannot
 * trust a header's size (gzip input) never allocates more than the data it has actually seen. Before each
 * chunk it checks that the heap has room for the chunk and for the matrix the values will be copied into,
 * so that a file too large for the heap is refused with the sizes, not with an OutOfMemoryError.
 */
final class DoubleChunks {
    private static final int CHUNK_BITS = 16;
    private static final int CHUNK = 1 << CHUNK_BITS;

    private final String file;
    private final List<double[]> chunks = new ArrayList<>();
    private double[] current;
    private int fill = CHUNK;
    private long size;

    /** Values read from {@code file} (named in the refusal when the heap runs short). */
    DoubleChunks(String file) {
        this.file = file;
    }

    void add(double value) {
        if (fill == CHUNK) {
            MatrixTooLargeException.requireHeap(8L * CHUNK + 8 * size, "reading " + file + ": the "
                    + size + " values read so far, and the matrix they become,");
            current = new double[CHUNK];
            chunks.add(current);
            fill = 0;
        }
        current[fill++] = value;
        size++;
    }

    double get(long index) {
        return chunks.get((int) (index >>> CHUNK_BITS))[(int) (index & (CHUNK - 1))];
    }

    long size() {
        return size;
    }
}
