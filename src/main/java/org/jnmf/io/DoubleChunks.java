package org.jnmf.io;

import java.util.ArrayList;
import java.util.List;

/**
 * A growable list of doubles in fixed-size chunks, allocated as values arrive: a reader that cannot
 * trust a header's size (gzip input) never allocates more than the data it has actually seen.
 */
final class DoubleChunks {
    private static final int CHUNK_BITS = 16;
    private static final int CHUNK = 1 << CHUNK_BITS;

    private final List<double[]> chunks = new ArrayList<>();
    private double[] current;
    private int fill = CHUNK;
    private long size;

    void add(double value) {
        if (fill == CHUNK) {
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
