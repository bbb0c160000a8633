package org.jnmf.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * H (k×m) and HHᵀ (k×k) as the executors see them: H cut into column blocks of at most
 * {@code broadcastBlockBytes}, each its own broadcast, so that no single broadcast outgrows what Spark
 * moves comfortably. Tasks put the blocks back together into the row-major H the local backend takes.
 */
final class FactorBroadcast implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int k;
    private final int m;
    private final int[] columnStart;
    private final List<Broadcast<double[]>> blocks;
    private final double[] hht;

    private FactorBroadcast(int k, int m, int[] columnStart, List<Broadcast<double[]>> blocks, double[] hht) {
        this.k = k;
        this.m = m;
        this.columnStart = columnStart;
        this.blocks = blocks;
        this.hht = hht;
    }

    /** Column blocks of H no larger than {@code maxBytes} each (at least one column per block). */
    static int[] columnBlocks(int k, int m, long maxBytes) {
        long columnBytes = 8L * k;
        int width = (int) Math.max(1, Math.min(m, maxBytes / columnBytes));
        int count = (m + width - 1) / width;
        int[] start = new int[count + 1];
        for (int b = 0; b <= count; b++) {
            start[b] = Math.min(m, b * width);
        }
        return start;
    }

    static FactorBroadcast of(JavaSparkContext sc, double[] h, double[] hht, int k, int m, long maxBytes) {
        int[] start = columnBlocks(k, m, maxBytes);
        List<Broadcast<double[]>> blocks = new ArrayList<>(start.length - 1);
        for (int b = 0; b + 1 < start.length; b++) {
            int width = start[b + 1] - start[b];
            double[] block = new double[k * width];
            for (int p = 0; p < k; p++) {
                System.arraycopy(h, p * m + start[b], block, p * width, width);
            }
            blocks.add(sc.broadcast(block));
        }
        return new FactorBroadcast(k, m, start, blocks, hht);
    }

    int blockCount() {
        return blocks.size();
    }

    /** Row-major H, reassembled from the column blocks. */
    double[] h() {
        if (blocks.size() == 1) {
            return blocks.get(0).value();
        }
        double[] h = new double[k * m];
        for (int b = 0; b < blocks.size(); b++) {
            double[] block = blocks.get(b).value();
            int width = columnStart[b + 1] - columnStart[b];
            for (int p = 0; p < k; p++) {
                System.arraycopy(block, p * width, h, p * m + columnStart[b], width);
            }
        }
        return h;
    }

    double[] hht() {
        return hht;
    }

    /** Drops the executors' copies; the driver keeps the values, so lineage that still needs them can refetch. */
    void unpersist() {
        for (Broadcast<double[]> b : blocks) {
            b.unpersist(false);
        }
    }

    /** Frees the values everywhere: only once no un-truncated lineage refers to them. */
    void destroy() {
        for (Broadcast<double[]> b : blocks) {
            b.destroy(false);
        }
    }
}
