package org.jnmf.spark;

import java.io.Serializable;
import java.util.Locale;
import org.jnmf.backend.Backends;

/**
 * How a distributed fit uses the cluster; what it computes stays in {@link org.jnmf.NmfOptions}. Immutable;
 * build with {@link #builder()}.
 *
 * <table>
 *   <caption>Defaults</caption>
 *   <tr><td>partitions</td><td>0: as many as the input RDD has (at most one per row)</td></tr>
 *   <tr><td>format</td><td>AUTO: sparse row blocks when under 30 % of V's entries are non-zero</td></tr>
 *   <tr><td>checkpointInterval</td><td>10 iterations between {@code localCheckpoint}s of W</td></tr>
 *   <tr><td>treeDepth</td><td>1: partials summed on the driver in partition order (deterministic);
 *       ≥ 2: Spark's {@code treeAggregate} of that depth</td></tr>
 *   <tr><td>broadcastBlockBytes</td><td>128 MiB: H (k×m doubles) is broadcast in column blocks of at most this size</td></tr>
 *   <tr><td>executorBackend</td><td>{@code java}: the jnmf backend each task opens</td></tr>
 *   <tr><td>executorThreads</td><td>1 per task (Spark already runs one task per core)</td></tr>
 * </table>
 */
public final class DistributedOptions implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Storage of the row blocks of V. */
    public enum Format { AUTO, DENSE, SPARSE }

    /** Below this fraction of non-zero entries, AUTO stores V's row blocks as CSR. */
    static final double SPARSE_BELOW_DENSITY = 0.3;

    private final int partitions;
    private final Format format;
    private final int checkpointInterval;
    private final int treeDepth;
    private final long broadcastBlockBytes;
    private final String executorBackend;
    private final int executorThreads;

    private DistributedOptions(Builder b) {
        this.partitions = b.partitions;
        this.format = b.format;
        this.checkpointInterval = b.checkpointInterval;
        this.treeDepth = b.treeDepth;
        this.broadcastBlockBytes = b.broadcastBlockBytes;
        this.executorBackend = b.executorBackend;
        this.executorThreads = b.executorThreads;
    }

    public static DistributedOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public int partitions() {
        return partitions;
    }

    public Format format() {
        return format;
    }

    public int checkpointInterval() {
        return checkpointInterval;
    }

    public int treeDepth() {
        return treeDepth;
    }

    public long broadcastBlockBytes() {
        return broadcastBlockBytes;
    }

    public String executorBackend() {
        return executorBackend;
    }

    public int executorThreads() {
        return executorThreads;
    }

    public static final class Builder {
        private int partitions = 0;
        private Format format = Format.AUTO;
        private int checkpointInterval = 10;
        private int treeDepth = 1;
        private long broadcastBlockBytes = 128L << 20;
        private String executorBackend = "java";
        private int executorThreads = 1;

        private Builder() {
        }

        /** Row blocks (partitions) of V; 0 keeps the input's partition count. */
        public Builder partitions(int partitions) {
            if (partitions < 0) {
                throw new IllegalArgumentException("partitions must be ≥ 0 (0 = as many as the input has); got "
                        + partitions);
            }
            this.partitions = partitions;
            return this;
        }

        public Builder format(Format format) {
            if (format == null) {
                throw new IllegalArgumentException("format must be AUTO, DENSE or SPARSE; got null");
            }
            this.format = format;
            return this;
        }

        /** Iterations between {@code localCheckpoint}s that cut W's lineage. */
        public Builder checkpointInterval(int iterations) {
            if (iterations < 1) {
                throw new IllegalArgumentException("checkpointInterval must be at least 1 iteration; got " + iterations);
            }
            this.checkpointInterval = iterations;
            return this;
        }

        /**
         * 1 sums the per-partition WᵀV and WᵀW on the driver in partition order (the same bits on every run;
         * the driver receives one k×m partial per partition); ≥ 2 uses {@code treeAggregate} of that depth
         * (less driver traffic with many partitions, but the order of additions, and so the last bits,
         * depend on task timing).
         */
        public Builder treeDepth(int depth) {
            if (depth < 1) {
                throw new IllegalArgumentException("treeDepth must be at least 1 (1 = ordered sum on the driver); got "
                        + depth);
            }
            this.treeDepth = depth;
            return this;
        }

        /** Largest broadcast of H; a wider H is split into column blocks broadcast separately. */
        public Builder broadcastBlockBytes(long bytes) {
            if (bytes < 8) {
                throw new IllegalArgumentException("broadcastBlockBytes must be at least 8 (one double); got " + bytes);
            }
            this.broadcastBlockBytes = bytes;
            return this;
        }

        /** The jnmf backend the executors (and the driver's H update) use: {@code java}, {@code cuda} or {@code auto}. */
        public Builder executorBackend(String name) {
            String key = name == null ? "" : name.toLowerCase(Locale.ROOT);
            if (!key.equals("auto") && !Backends.NAMES.contains(key)) {
                throw new IllegalArgumentException("unknown backend '" + name + "'; use auto or one of "
                        + String.join(", ", Backends.NAMES));
            }
            this.executorBackend = key;
            return this;
        }

        public Builder executorThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("executorThreads must be at least 1; got " + threads);
            }
            this.executorThreads = threads;
            return this;
        }

        public DistributedOptions build() {
            return new DistributedOptions(this);
        }
    }
}
