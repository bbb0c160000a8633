package org.jnmf.spark;

import java.util.Arrays;
import org.apache.spark.Partitioner;

/** Sends row index i to the partition whose row range [start[b], start[b+1]) holds it. */
final class RowRangePartitioner extends Partitioner {
    private static final long serialVersionUID = 1L;

    private final long[] start;

    RowRangePartitioner(long[] start) {
        this.start = start;
    }

    /** P nearly equal, non-empty ranges of consecutive rows over n ≥ P rows (n &lt; 2³¹): start[b] = ⌊b·n/P⌋. */
    static long[] balanced(long n, int partitions) {
        long[] start = new long[partitions + 1];
        for (int b = 0; b <= partitions; b++) {
            start[b] = b * n / partitions;
        }
        return start;
    }

    @Override
    public int numPartitions() {
        return start.length - 1;
    }

    @Override
    public int getPartition(Object key) {
        long row = (Long) key;
        int at = Arrays.binarySearch(start, row);
        return at >= 0 ? at : -at - 2;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RowRangePartitioner p && Arrays.equals(start, p.start);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(start);
    }
}
