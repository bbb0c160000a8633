package org.jnmf.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.jnmf.Algorithm;
import org.jnmf.DenseMatrix;
import org.jnmf.Initialization;
import org.jnmf.Precision;
import org.jnmf.StopReason;
import scala.Tuple2;

/**
 * What a distributed fit found: H on the driver, W where it was computed (an RDD of row blocks, cached and
 * locally checkpointed: call {@link #unpersist()} when done with it), and what happened.
 */
public final class DistributedNmfResult {
    private final JavaRDD<double[]> wBlocks;
    private final long[] rowStart;
    private final int rows;
    private final int rank;
    private final DenseMatrix h;
    private final int iterations;
    private final StopReason stopReason;
    private final double[] lossHistory;
    private final int[] checkIterations;
    private final double relativeError;
    private final double seconds;
    private final double loopSeconds;
    private final Algorithm algorithm;
    private final Initialization initialization;
    private final Precision precision;
    private final int partitions;
    private final int hBroadcastBlocks;
    private final boolean sparse;
    // Set on the kept run by DistributedNmf when the options asked for restarts.
    private double[] restartLosses;
    private long[] restartSeeds = new long[0];
    private int bestRestart;
    // Set by DistributedNmf: each distinct executor backend with the reason it was chosen.
    List<String> executorBackends = List.of();

    DistributedNmfResult(JavaRDD<double[]> wBlocks, long[] rowStart, int rows, int rank, DenseMatrix h, int iterations,
                         StopReason stopReason, double[] lossHistory, int[] checkIterations, double relativeError,
                         double seconds, double loopSeconds, Algorithm algorithm, Initialization initialization,
                         Precision precision, int partitions, int hBroadcastBlocks, boolean sparse) {
        this.wBlocks = wBlocks;
        this.rowStart = rowStart;
        this.rows = rows;
        this.rank = rank;
        this.h = h;
        this.iterations = iterations;
        this.stopReason = stopReason;
        this.lossHistory = lossHistory;
        this.checkIterations = checkIterations;
        this.relativeError = relativeError;
        this.seconds = seconds;
        this.loopSeconds = loopSeconds;
        this.algorithm = algorithm;
        this.initialization = initialization;
        this.precision = precision;
        this.partitions = partitions;
        this.hBroadcastBlocks = hBroadcastBlocks;
        this.sparse = sparse;
    }

    /**
     * The backends the executors fitted their blocks on, each once, with the reason it was chosen (on a GPU
     * executor the device and whether Spark's resource scheduling gave it).
     */
    public List<String> executorBackends() {
        return executorBackends;
    }

    /** H (k×m). */
    public DenseMatrix h() {
        return h;
    }

    /** The rows of W, keyed by row index (0-based, the row order of V). */
    public JavaPairRDD<Long, Vector> w() {
        long[] start = rowStart;
        int k = rank;
        return wBlocks.mapPartitionsWithIndex((b, it) -> {
            double[] block = it.next();
            List<Tuple2<Long, Vector>> out = new ArrayList<>(block.length / k);
            for (int r = 0; r < block.length / k; r++) {
                out.add(new Tuple2<>(start[b] + r, Vectors.dense(java.util.Arrays.copyOfRange(block, r * k, r * k + k))));
            }
            return out.iterator();
        }, true).mapToPair(t -> t);
    }

    /** W (n×k) collected on the driver: for results that fit there. */
    public DenseMatrix collectW() {
        double[] w = new double[Math.multiplyExact(rows, rank)];
        List<double[]> blocks = wBlocks.collect();
        for (int b = 0; b < blocks.size(); b++) {
            System.arraycopy(blocks.get(b), 0, w, (int) rowStart[b] * rank, blocks.get(b).length);
        }
        return DenseMatrix.wrap(rows, rank, w);
    }

    public int rank() {
        return rank;
    }

    public int iterations() {
        return iterations;
    }

    public StopReason stopReason() {
        return stopReason;
    }

    /** The objective (½‖V − WH‖² or the β-divergence, penalties included) at each check, the first at iteration 0. */
    public double[] lossHistory() {
        return lossHistory.clone();
    }

    /** The final objective. */
    public double loss() {
        return lossHistory[lossHistory.length - 1];
    }

    /**
     * The final loss of every run when the options asked for {@link NmfOptions#restarts()}, in run order (fewer
     * when a run was cancelled or the time limit ended the series); one entry, this fit's loss, otherwise.
     */
    public double[] restartLosses() {
        return restartLosses == null ? new double[] {loss()} : restartLosses.clone();
    }

    /** The seed of each run in {@link #restartLosses()} (empty for a single run). */
    public long[] restartSeeds() {
        return restartSeeds.clone();
    }

    /** Which run of {@link #restartLosses()} this result is (0 for a single run). */
    public int bestRestart() {
        return bestRestart;
    }

    void setRestarts(double[] losses, long[] seeds, int best) {
        this.restartLosses = losses.clone();
        this.restartSeeds = seeds.clone();
        this.bestRestart = best;
    }

    public int[] checkIterations() {
        return checkIterations.clone();
    }

    /** ‖V − WH‖ / ‖V‖ at the end. */
    public double relativeError() {
        return relativeError;
    }

    /** Wall time of the whole fit, setup (partitioning, caching V, the start) included. */
    public double seconds() {
        return seconds;
    }

    /** Wall time of the iterations alone. */
    public double loopSeconds() {
        return loopSeconds;
    }

    public Algorithm algorithm() {
        return algorithm;
    }

    public Initialization initialization() {
        return initialization;
    }

    public Precision precision() {
        return precision;
    }

    /** Row blocks V was cut into. */
    public int partitions() {
        return partitions;
    }

    /** Column blocks H was broadcast in (1 unless k·m·8 bytes exceeded {@code broadcastBlockBytes}). */
    public int hBroadcastBlocks() {
        return hBroadcastBlocks;
    }

    /** Whether V's row blocks were stored as CSR. */
    public boolean sparse() {
        return sparse;
    }

    /** Releases the cached W. */
    public void unpersist() {
        wBlocks.unpersist(false);
    }

    @Override
    public String toString() {
        return "DistributedNmfResult[" + algorithm + ", rank " + rank + ", " + iterations + " iterations, "
                + stopReason + ", relative error " + relativeError + ", " + partitions + " partitions]";
    }
}
