package org.jnmf.spark;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.mllib.linalg.distributed.IndexedRowMatrix;
import org.apache.spark.mllib.linalg.distributed.RowMatrix;
import org.apache.spark.storage.StorageLevel;
import org.jnmf.Algorithm;
import org.jnmf.BetaProducts;
import org.jnmf.Checkpoint;
import org.jnmf.DenseMatrix;
import org.jnmf.FitLoop;
import org.jnmf.FrobeniusHalfStep;
import org.jnmf.Initialization;
import org.jnmf.Initializer;
import org.jnmf.Missing;
import org.jnmf.NmfOptions;
import org.jnmf.Normalization;
import org.jnmf.Precision;
import org.jnmf.Restarts;
import org.jnmf.backend.Backend;
import org.jnmf.backend.Backends;
import org.jnmf.backend.DeviceMatrix;
import scala.Tuple2;

/**
 * NMF of a row-distributed V on Spark, with the solvers of {@link org.jnmf.Nmf} (HALS, accelerated HALS, MU,
 * ANLS; MU for the β losses) in the 1-D row scheme of MPI-FAUN: V is cut into row blocks, each partition holding
 * its rows of V and of W; H (k×m) is broadcast; every iteration is one Spark job in which each task updates its
 * rows of W with the local jnmf backend and returns its share of WᵀV and WᵀW, which the driver sums to update H.
 * Accelerated HALS takes two: its inner sweeps stop by a rule over all of W, so the first job runs the most
 * sweeps on every block and returns how far each moved the block, and the second repeats as many as the summed
 * moves keep (the same bits, sweeps being deterministic) before the products.
 *
 * <p>Same seed, same answer: the steps, their order and the starting factors are those of
 * {@code Nmf.fit}; with one partition the result is bit-identical to it. With P partitions WᵀV, WᵀW,
 * ‖V‖² and mean(V) become sums of P partials, which rounds differently from the single running sum of the
 * single-machine kernels, so results agree to rounding (tested: relative differences below 1e-9 in double
 * on 200×150, rank 5, after 100 iterations). With {@code treeDepth} 1 the partials are added on the driver
 * in partition order, so a given partitioning gives the same bits on every run.
 *
 * <p>Initialisation: RANDOM (the default here, drawn on the driver exactly as the single-machine fit
 * draws it; W then travels once to the executors), CUSTOM, or the NNDSVD variants ({@link BlockSketch}: the
 * randomized SVD's products over the row blocks, its QR and small SVD on the driver, as {@code Nmf.fit} does).
 *
 * <p>Missing entries ({@link NmfOptions#missing()}: NaN or zeros in the rows; or an explicit
 * {@link NmfOptions#mask()}, whose row blocks go to the executors with V's) are fitted on the observed ones
 * as {@code MaskedFrobeniusStep} does: each task completes its block with the current model for its W step
 * and products, and a check's loss is one job over the observed entries. V is then held dense.
 *
 * <p>Checkpoints ({@link NmfOptions#checkpointEvery()}) are {@code Nmf.fit}'s: W's blocks collected on the driver,
 * H and the histories (‖∇ᴾf‖ at every check, one more job then); {@link NmfOptions#resumeFrom()} continues one,
 * the distributed fit's or the single machine's, to the uninterrupted fit's bits.
 *
 * <p>Backends: the tasks and the driver's H update use {@link DistributedOptions#executorBackend()} (Java by
 * default; {@link NmfOptions#backend()} is not used here), the driver with {@link NmfOptions#threads()}
 * threads, each task with {@link DistributedOptions#executorThreads()}. An executor keeps each block's backend
 * and data for the fit ({@link ExecutorBackends}); a task given a GPU by Spark uses that device.
 */
public final class DistributedNmf {
    /** Below this fraction of ‖V‖², the trace identity has cancelled too much: compute the residual. */
    private static final double DIRECT_RESIDUAL_BELOW = 1e-6;

    private DistributedNmf() {
    }

    /** Factors the matrix whose rows are {@code rows}, in RDD order. */
    public static DistributedNmfResult fit(JavaRDD<Vector> rows, NmfOptions options) {
        return fit(rows, options, DistributedOptions.defaults());
    }

    /**
     * Factors the matrix whose rows are {@code rows}, in RDD order. When {@code cluster} keeps the input's
     * partitioning (partitions 0 or equal to the RDD's) and no partition is empty, each partition becomes a
     * row block where it is, with no shuffle of V.
     */
    public static DistributedNmfResult fit(JavaRDD<Vector> rows, NmfOptions options, DistributedOptions cluster) {
        return withRestarts(options, one -> fitOnce(rows, one, cluster));
    }

    private static DistributedNmfResult fitOnce(JavaRDD<Vector> rows, NmfOptions options, DistributedOptions cluster) {
        boolean inPlace = cluster.partitions() == 0 || cluster.partitions() == rows.getNumPartitions();
        try {
            if (inPlace) {
                DistributedNmfResult result = new Run(null, rows, -1, options, cluster).fit();
                if (result != null) {
                    return result;
                }
            }
            JavaPairRDD<Long, Vector> indexed = rows.zipWithIndex().mapToPair(t -> new Tuple2<>(t._2(), t._1()));
            return new Run(indexed, null, -1, options, cluster).fit();
        } catch (SparkException e) {
            throw userError(e);
        }
    }

    public static DistributedNmfResult fit(RowMatrix matrix, NmfOptions options, DistributedOptions cluster) {
        return fit(matrix.rows().toJavaRDD().map(v -> v.asML()), options, cluster);
    }

    /** Row i of V is the row with index i; indices absent from the matrix are rows of zeros. */
    public static DistributedNmfResult fit(IndexedRowMatrix matrix, NmfOptions options, DistributedOptions cluster) {
        JavaPairRDD<Long, Vector> indexed = matrix.rows().toJavaRDD()
                .mapToPair(r -> new Tuple2<>(r.index(), r.vector().asML()));
        return fitIndexed(indexed, matrix.numRows(), options, cluster);
    }

    /**
     * Factors V given as (row index, row) pairs; absent indices are rows of zeros.
     *
     * @param numRows n, or ≤ 0 for the largest index + 1
     */
    public static DistributedNmfResult fitIndexed(JavaPairRDD<Long, Vector> rows, long numRows, NmfOptions options,
                                                  DistributedOptions cluster) {
        return withRestarts(options, one -> {
            try {
                return new Run(rows, null, numRows, one, cluster).fit();
            } catch (SparkException e) {
                throw userError(e);
            }
        });
    }

    /**
     * {@link NmfOptions#restarts()} seeded fits, the series {@code Nmf.fit} runs ({@link Restarts#series}: the
     * same seeds, the time limit covering the series, the lowest final loss kept); the others' W is released.
     */
    private static DistributedNmfResult withRestarts(NmfOptions options,
                                                     java.util.function.Function<NmfOptions, DistributedNmfResult> fit) {
        if (options.restarts() <= 1) {
            return fit.apply(options);
        }
        Restarts.Series<DistributedNmfResult> s = Restarts.series(options, run -> fit.apply(run.build()),
                DistributedNmfResult::loss, DistributedNmfResult::stopReason, DistributedNmfResult::unpersist);
        s.best().setRestarts(s.losses(), s.seeds(), s.bestRun());
        return s.best();
    }

    /** A caller's mistake found inside a task reaches the caller as the IllegalArgumentException it is. */
    static RuntimeException userError(SparkException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IllegalArgumentException iae) {
                return new IllegalArgumentException(iae.getMessage(), e);
            }
        }
        return new IllegalStateException("the Spark job of the distributed fit failed: " + e.getMessage(), e);
    }

    /** Shape of V found by one pass over the rows. */
    private record Shape(long count, long maxIndex, int minSize, int maxSize, long nonZeros)
            implements java.io.Serializable {
        static Shape of(long count, long maxIndex, int minSize, int maxSize, long nonZeros) {
            return new Shape(count, maxIndex, minSize, maxSize, nonZeros);
        }

        Shape merge(Shape o) {
            return new Shape(count + o.count, Math.max(maxIndex, o.maxIndex), Math.min(minSize, o.minSize),
                    Math.max(maxSize, o.maxSize), nonZeros + o.nonZeros);
        }
    }

    private static final class Run {
        /** Rows with their indices (blocks made by a shuffle), or null. */
        private final JavaPairRDD<Long, Vector> input;
        /** Rows in order (each partition a block where it is), or null. */
        private final JavaRDD<Vector> ordered;
        private final long numRows;
        private final NmfOptions options;
        private final DistributedOptions cluster;
        private final JavaSparkContext sc;
        private final long start = System.nanoTime();
        private final List<FactorBroadcast> broadcasts = new ArrayList<>();

        Run(JavaPairRDD<Long, Vector> input, JavaRDD<Vector> ordered, long numRows, NmfOptions options,
            DistributedOptions cluster) {
            this.input = input;
            this.ordered = ordered;
            this.numRows = numRows;
            this.options = options;
            this.cluster = cluster;
            this.sc = JavaSparkContext.fromSparkContext(input != null ? input.context() : ordered.context());
        }

        /** The fit, or null when the rows are in order but some partition is empty (then index and shuffle). */
        DistributedNmfResult fit() throws SparkException {
            checkSupported(options);
            List<Shape> parts = input != null ? input.mapPartitions(Run::shapeOf).collect()
                    : ordered.mapPartitions(Run::shapeOfRows).collect();
            Shape shape = parts.stream().reduce(Shape::merge).orElseThrow();
            if (ordered != null && shape.count > 0 && parts.stream().anyMatch(p -> p.count == 0)) {
                return null;
            }
            if (shape.count == 0 || shape.maxSize == 0) {
                throw new IllegalArgumentException("V is empty (" + shape.count + " rows of " + shape.maxSize
                        + " columns); NMF needs at least one row and one column");
            }
            if (shape.minSize != shape.maxSize) {
                throw new IllegalArgumentException("the rows of V differ in length (" + shape.minSize + " to "
                        + shape.maxSize + " entries); every row needs the same number of columns");
            }
            long n = ordered != null ? shape.count : numRows > 0 ? numRows : shape.maxIndex + 1;
            if (shape.maxIndex >= n) {
                throw new IllegalArgumentException("row index " + shape.maxIndex + " is outside the " + n
                        + " rows of V");
            }
            int m = shape.maxSize;
            int k = options.rank();
            if (n * (long) k > Integer.MAX_VALUE - 16 || (long) k * m > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("W (" + n + "×" + k + ") or H (" + k + "×" + m + ") has more than 2³¹ "
                        + "entries; the 1-D distributed fit keeps H and the random start of W in one driver array each");
            }
            Initialization init = options.initialization() == null ? Initialization.RANDOM : options.initialization();
            if (init.usesSvd() && k > Math.min(n, m)) {
                throw new IllegalArgumentException("rank must be ≤ min(n, m) = " + Math.min(n, m) + " for "
                        + init.label() + " initialisation; got " + k + ". Use random initialisation or a smaller rank.");
            }
            if (init == Initialization.CUSTOM) {
                checkShape("initial W", options.initialW(), n, k);
                checkShape("initial H", options.initialH(), k, m);
            }
            Missing missing = options.missing();
            org.jnmf.Matrix mask = options.mask();
            if (mask != null) {
                org.jnmf.Masking.checkShape(mask, n, m);
            }
            boolean masked = missing != Missing.NONE || mask != null;
            // A masked fit holds V dense, its mask beside it, as Nmf.fit does.
            boolean sparse = !masked && switch (cluster.format()) {
                case DENSE -> false;
                case SPARSE -> true;
                case AUTO -> shape.nonZeros < DistributedOptions.SPARSE_BELOW_DENSITY * n * m;
            };
            int partitions;
            long[] rowStart;
            if (ordered != null) {
                partitions = parts.size();
                rowStart = new long[partitions + 1];
                for (int b = 0; b < partitions; b++) {
                    rowStart[b + 1] = rowStart[b] + parts.get(b).count;
                }
            } else {
                partitions = (int) Math.min(n, cluster.partitions() > 0 ? cluster.partitions()
                        : input.getNumPartitions());
                rowStart = RowRangePartitioner.balanced(n, partitions);
            }
            Precision precision = options.precision() != null ? options.precision() : Precision.DOUBLE;
            String fitId = java.util.UUID.randomUUID().toString();
            LocalSolver solver = new LocalSolver(fitId, cluster.executorBackend(), precision, cluster.executorThreads(),
                    options.algorithm(), options.floor(), options.beta(), options.l1W(), options.l2W(), k, m, missing,
                    mask != null);

            JavaPairRDD<Long, Vector> rows = ordered != null
                    ? ordered.mapPartitionsWithIndex((b, it) -> numbered(it, rowStart[b]), true).mapToPair(t -> t)
                    : input.partitionBy(new RowRangePartitioner(rowStart));
            JavaRDD<RowBlock> blocks = (mask == null
                    ? rows.mapPartitionsWithIndex((b, it) -> Collections.singletonList(
                            RowBlocks.build(it, rowStart[b], (int) (rowStart[b + 1] - rowStart[b]), m, sparse,
                                    missing == Missing.NAN))
                            .iterator(), true)
                    : rows.zipPartitions(maskBlocks(mask, rowStart, m), (it, ms) -> {
                        Tuple2<Integer, double[]> slice = ms.next();
                        int b = slice._1();
                        return Collections.singletonList(RowBlocks.build(it, rowStart[b],
                                (int) (rowStart[b + 1] - rowStart[b]), m, slice._2())).iterator();
                    }))
                    .persist(StorageLevel.MEMORY_AND_DISK());
            // Cut the blocks' lineage at the first job: a zipped partition carries its parents' partitions,
            // and an input from parallelize would otherwise travel, all of its rows, with every task.
            blocks.rdd().localCheckpoint();
            try {
                List<LocalSolver.BlockStats> blockStats = blocks.map(solver::stats).collect();
                double sumOfV = 0;
                double normV2 = 0;
                long observed = 0;
                long stored = 0;
                java.util.Set<String> executorBackends = new java.util.TreeSet<>();
                for (LocalSolver.BlockStats s : blockStats) {
                    sumOfV += s.sum();
                    normV2 += s.squaredNorm();
                    observed += s.observed();
                    stored += s.stored();
                    executorBackends.add(s.backend());
                }
                if (observed == 0) {
                    throw new IllegalArgumentException("every entry of V is missing; there is nothing to fit");
                }
                // The mean of the entries observed (all of them without missing entries), as Nmf.fit starts from.
                double meanOfV = sumOfV / (!masked ? (double) n * m : (double) observed);
                Checkpoint resume = options.resumeFrom();
                if (resume != null) {
                    resume.checkCompatible(options, (int) n, m, precision);
                }
                Initializer.Factors start0 = resume != null
                        ? new Initializer.Factors(resume.w().toDoubleArray(), resume.h().toDoubleArray())
                        : switch (init) {
                    case CUSTOM -> new Initializer.Factors(options.initialW().toDoubleArray(),
                            options.initialH().toDoubleArray());
                    case RANDOM -> Initializer.random((int) n, m, k, meanOfV, options.seed());
                    case NNDSVD, NNDSVDA, NNDSVDAR -> Initializer.nndsvd(new BlockSketch(sc, blocks, solver, rowStart,
                            m), (int) n, m, k, meanOfV, options.seed(), init);
                };
                List<double[]> w0 = new ArrayList<>(partitions);
                for (int b = 0; b < partitions; b++) {
                    w0.add(java.util.Arrays.copyOfRange(start0.w(), (int) rowStart[b] * k, (int) rowStart[b + 1] * k));
                }
                JavaRDD<double[]> wStart = sc.parallelize(w0, partitions);
                Backends.Selection driver = Backends.open(cluster.executorBackend(), precision, options.threads(),
                        sparse, options.tf32());
                try (Backend backend = driver.backend()) {
                    DistributedNmfResult result = new Loop(this, backend, solver, blocks, rowStart, (int) n, m, k,
                            normV2, stored, init, sparse, precision).run(wStart, start0.h());
                    result.executorBackends = List.copyOf(executorBackends);
                    return result;
                }
            } finally {
                try {
                    blocks.foreachPartition(it -> ExecutorBackends.release(fitId));
                } catch (RuntimeException e) {
                    // Best effort (the context may be stopping): idle entries are evicted on the executors anyway.
                }
                blocks.unpersist(false);
                for (FactorBroadcast b : broadcasts) {
                    b.destroy();
                }
            }
        }

        /**
         * The explicit mask's row blocks, block b in partition b beside V's rows of the block (n·m doubles leave the
         * driver once, when the blocks are built).
         */
        private JavaRDD<Tuple2<Integer, double[]>> maskBlocks(org.jnmf.Matrix mask, long[] rowStart, int m) {
            DenseMatrix dense = mask instanceof org.jnmf.SparseMatrix s ? s.toDense(Precision.DOUBLE)
                    : (DenseMatrix) mask;
            List<Tuple2<Integer, double[]>> slices = new ArrayList<>();
            double[] row = new double[m];
            for (int b = 0; b + 1 < rowStart.length; b++) {
                double[] slice = new double[Math.toIntExact((rowStart[b + 1] - rowStart[b]) * m)];
                for (long i = rowStart[b]; i < rowStart[b + 1]; i++) {
                    dense.copyRow((int) i, row);
                    System.arraycopy(row, 0, slice, (int) (i - rowStart[b]) * m, m);
                }
                slices.add(new Tuple2<>(b, slice));
            }
            return sc.parallelize(slices, slices.size());
        }

        /** The rows of a partition paired with their indices from {@code first} on. */
        private static Iterator<Tuple2<Long, Vector>> numbered(Iterator<Vector> rows, long first) {
            return new Iterator<>() {
                private long next = first;

                @Override
                public boolean hasNext() {
                    return rows.hasNext();
                }

                @Override
                public Tuple2<Long, Vector> next() {
                    return new Tuple2<>(next++, rows.next());
                }
            };
        }

        private static Iterator<Shape> shapeOfRows(Iterator<Vector> rows) {
            long count = 0;
            int minSize = Integer.MAX_VALUE;
            int maxSize = 0;
            long nonZeros = 0;
            while (rows.hasNext()) {
                Vector row = rows.next();
                count++;
                minSize = Math.min(minSize, row.size());
                maxSize = Math.max(maxSize, row.size());
                nonZeros += row.numNonzeros();
            }
            return Collections.singletonList(Shape.of(count, count - 1, minSize, maxSize, nonZeros)).iterator();
        }

        private static Iterator<Shape> shapeOf(Iterator<Tuple2<Long, Vector>> rows) {
            long count = 0;
            long maxIndex = -1;
            int minSize = Integer.MAX_VALUE;
            int maxSize = 0;
            long nonZeros = 0;
            while (rows.hasNext()) {
                Tuple2<Long, Vector> row = rows.next();
                if (row._1() < 0) {
                    throw new IllegalArgumentException("row index " + row._1() + " is negative; rows are numbered from 0");
                }
                count++;
                maxIndex = Math.max(maxIndex, row._1());
                minSize = Math.min(minSize, row._2().size());
                maxSize = Math.max(maxSize, row._2().size());
                nonZeros += row._2().numNonzeros();
            }
            return Collections.singletonList(Shape.of(count, maxIndex, count == 0 ? Integer.MAX_VALUE : minSize,
                    maxSize, nonZeros)).iterator();
        }

        /**
         * The distributed fit runs HALS, MU and ANLS on the Frobenius loss and MU on the β losses, penalised or not;
         * it refuses what it would otherwise ignore.
         */
        private static void checkSupported(NmfOptions options) {
            List<String> unsupported = new ArrayList<>();
            if (options.algorithm() != Algorithm.HALS && options.algorithm() != Algorithm.MULTIPLICATIVE
                    && options.algorithm() != Algorithm.ANLS) {
                unsupported.add("the " + options.algorithm() + " algorithm (HALS, MULTIPLICATIVE and ANLS only)");
            }
            if ((options.missing() != Missing.NONE || options.mask() != null) && options.beta() != 2) {
                unsupported.add("missing entries or a mask with the " + options.lossLabel()
                        + " loss (the Frobenius loss only, as on one machine)");
            }
            if (!unsupported.isEmpty()) {
                throw new IllegalArgumentException("the distributed fit does not support " + String.join(", ", unsupported)
                        + "; leave these options at their defaults or fit on one machine with Nmf.fit");
            }
        }

        private static void checkShape(String what, DenseMatrix x, long rows, int cols) {
            if (x.rows() != rows || x.cols() != cols) {
                throw new IllegalArgumentException(what + " must be " + rows + "×" + cols + "; got "
                        + x.rows() + "×" + x.cols());
            }
        }
    }

    /** The iterations: the order of {@code Nmf.Run.iterate}, with the W step and the products on the executors. */
    private static final class Loop implements FitLoop.Fit {
        private final Run run;
        private final Backend backend;
        private final LocalSolver solver;
        private final JavaRDD<RowBlock> blocks;
        private final long[] rowStart;
        private final int n;
        private final int m;
        private final int k;
        private final double normV2;
        /** Whether the fit is over the observed entries only (missing entries or an explicit mask). */
        private final boolean masked;
        /** Accelerated HALS: the most sweeps of W's and of H's half-step (1: plain). */
        private final int innerW;
        private final int innerH;
        private final Initialization init;
        private final boolean sparse;
        private final Precision precision;
        private int hBlocks = 1;
        /** The state between iterations: W's blocks with their products, H and HHᵀ on the driver and broadcast. */
        private JavaRDD<BlockStep> steps;
        private DeviceMatrix factorH;
        private DeviceMatrix gramH;
        private FactorBroadcast current;
        /** Iterations done (from a checkpoint's on resuming), for the lineage cuts. */
        private int iteration;
        /** The last steps RDD whose lineage was cut ({@code localCheckpoint}), kept cached until the next cut. */
        private JavaRDD<BlockStep> lineageCut;
        private FrobeniusHalfStep halfH;
        private boolean[] passiveH;
        private DeviceMatrix wtwh;
        private DeviceMatrix wtv;
        private DeviceMatrix wtw;
        /** β losses: H's numerator and denominator summed over the partitions, in place of WᵀV and WᵀW. */
        private DeviceMatrix numH;
        private DeviceMatrix denH;
        private DeviceMatrix onesRow;
        /** ΣW and ‖W‖² summed over the partitions, for the penalty (0 where its weight is 0). */
        private double sumW;
        private double sumW2;
        private DeviceMatrix onesH;

        Loop(Run run, Backend backend, LocalSolver solver, JavaRDD<RowBlock> blocks, long[] rowStart, int n, int m,
             int k, double normV2, long storedEntries, Initialization init, boolean sparse, Precision precision) {
            this.run = run;
            this.backend = backend;
            this.solver = solver;
            this.blocks = blocks;
            this.rowStart = rowStart;
            this.n = n;
            this.m = m;
            this.k = k;
            this.normV2 = normV2;
            this.masked = run.options.missing() != Missing.NONE || run.options.mask() != null;
            double alpha = run.options.acceleration();
            this.innerW = FrobeniusHalfStep.innerSweeps(alpha, storedEntries, n, m, k);
            this.innerH = FrobeniusHalfStep.innerSweeps(alpha, storedEntries, m, n, k);
            this.init = init;
            this.sparse = sparse;
            this.precision = precision;
        }

        DistributedNmfResult run(JavaRDD<double[]> wStart, double[] h0) {
            NmfOptions options = run.options;
            LocalSolver solver = this.solver;
            steps = blocks.zipPartitions(wStart,
                    (vs, ws) -> Collections.singletonList(solver.step(vs.next(), ws.next(), null, null)).iterator())
                    .persist(StorageLevel.MEMORY_AND_DISK());
            factorH = backend.upload(k, m, h0);
            gramH = backend.allocate(k, k);
            boolean mu = options.algorithm() == Algorithm.MULTIPLICATIVE;
            wtwh = mu && options.beta() == 2 ? backend.allocate(k, m) : null;
            // Nmf.fit's H half-step (accelerated HALS: its sweeps' rule over all of H, here on the driver); the
            // driver's backend frees its buffers.
            halfH = new FrobeniusHalfStep(backend, options.algorithm(), false, options.l1H(), options.l2H(),
                    options.floor(), innerH, x -> x);
            loadProducts(sum(steps));
            backend.gramOfRows(factorH, gramH);
            current = broadcast(factorH, gramH);
            iteration = options.resumeFrom() != null ? options.resumeFrom().iteration() : 0;
            long loopStart = System.nanoTime();
            FitLoop.Outcome out = FitLoop.run(options, run.start, normV2, precision, this);
            double loopSeconds = (System.nanoTime() - loopStart) / 1e9;
            double[] hOut = backend.download(factorH);
            JavaRDD<double[]> w = arrange(steps.map(s -> s.w), hOut, options, k, m, precision)
                    .persist(StorageLevel.MEMORY_AND_DISK());
            w.rdd().localCheckpoint();
            w.count();
            steps.unpersist(false);
            if (lineageCut != null && lineageCut != steps) {
                lineageCut.unpersist(false);
            }
            return new DistributedNmfResult(w, rowStart, n, k, DenseMatrix.wrap(k, m, hOut), out.iterations(),
                    out.stop(), out.losses(), out.checks(), FitLoop.relative(out.last().residualSquared(), normV2),
                    (System.nanoTime() - run.start) / 1e9, loopSeconds, options.algorithm(), init, precision,
                    rowStart.length - 1, hBlocks, sparse);
        }

        /** One iteration: the W step on the executors (one job; accelerated HALS two), then H's on the driver. */
        @Override
        public void iterate() {
            NmfOptions options = run.options;
            FactorBroadcast hNow = current;
            JavaRDD<LocalSolver.Trial> trials = null;
            JavaRDD<BlockStep> next;
            if (innerW > 1) {
                // Accelerated HALS: the sweeps' stopping rule is over all of W, so one job tries innerW sweeps
                // on every block and returns their moves, and a second repeats the kept number.
                trials = JavaRDD.fromRDD(blocks.rdd().zipPartitions(steps.rdd(), true,
                        new TrialStep(solver, hNow, innerW), STEP_TAG, TRIAL_TAG), TRIAL_TAG)
                        .persist(StorageLevel.MEMORY_AND_DISK());
                int kept = FrobeniusHalfStep.sweepsKept(sumInOrder(trials));
                next = JavaRDD.fromRDD(blocks.rdd().zipPartitions(trials.rdd(), true,
                        new CommitStep(solver, hNow, kept), TRIAL_TAG, STEP_TAG), STEP_TAG)
                        .persist(StorageLevel.MEMORY_AND_DISK());
            } else {
                next = JavaRDD.fromRDD(blocks.rdd().zipPartitions(steps.rdd(), true,
                        new Step(solver, hNow), STEP_TAG, STEP_TAG), STEP_TAG)
                        .persist(StorageLevel.MEMORY_AND_DISK());
            }
            boolean cut = (iteration + 1) % run.cluster.checkpointInterval() == 0;
            if (cut) {
                next.rdd().localCheckpoint();
            }
            loadProducts(sum(next));
            if (trials != null) {
                trials.unpersist(false);
            }
            // A locally checkpointed RDD's cached blocks are its only copy: keep the last one until the
            // next cut, since the steps after it are rebuilt from it if their cache is lost.
            if (steps != lineageCut) {
                steps.unpersist(false);
            }
            steps = next;
            hNow.unpersist();
            if (cut) {
                if (lineageCut != null) {
                    lineageCut.unpersist(false);
                }
                lineageCut = next;
                // The job has cut next's lineage: no RDD still to be computed refers to the older H.
                for (FactorBroadcast b : run.broadcasts) {
                    b.destroy();
                }
                run.broadcasts.clear();
            }
            if (options.beta() != 2) {
                FrobeniusHalfStep.addPenaltyGradient(backend, denH, options.l1H(), options.l2H(), factorH);
                BetaProducts.update(backend, factorH, numH, denH, options.beta(), false, options.floor());
            } else {
                passiveH = halfH.update(factorH, wtv, wtw, wtwh, passiveH);
            }
            backend.gramOfRows(factorH, gramH);
            current = broadcast(factorH, gramH);
            iteration++;
        }

        /** The loss (one job for a β loss or a masked fit) and, when asked, ‖∇ᴾf‖ (one more job). */
        @Override
        public FitLoop.Check check(boolean gradient) {
            double[] loss = loss(steps, current, factorH, gramH);
            double objective = loss[0] + penalty(factorH);
            return new FitLoop.Check(loss[0], objective, loss[1],
                    gradient ? Math.sqrt(gradientSquared(steps, current, factorH)) : Double.NaN);
        }

        /** W's blocks collected in partition order (n·k doubles reach the driver), for a checkpoint. */
        @Override
        public DenseMatrix w() {
            double[] w = new double[Math.toIntExact((long) n * k)];
            int at = 0;
            for (double[] block : steps.map(s -> s.w).collect()) {
                System.arraycopy(block, 0, w, at, block.length);
                at += block.length;
            }
            return DenseMatrix.wrap(n, k, w, precision);
        }

        @Override
        public DenseMatrix h() {
            return DenseMatrix.wrap(k, m, backend.download(factorH), precision);
        }

        /**
         * {@code Components.arrange} on distributed W: the normalisation and the ordering of the components that
         * the options ask for, with W's column sums added block by block (in partition order) and H (k×m, on the
         * driver, changed in place); float32 results rounded to float32 as there.
         */
        private static JavaRDD<double[]> arrange(JavaRDD<double[]> w, double[] h, NmfOptions options, int k, int m,
                                                 Precision precision) {
            boolean single = precision == Precision.SINGLE;
            Normalization norm = options.normalization();
            if (norm != Normalization.NONE) {
                double[] scale = columnSums(w, k, norm == Normalization.L1);
                for (int j = 0; j < k; j++) {
                    scale[j] = norm == Normalization.L1 ? scale[j] : Math.sqrt(scale[j]);
                    if (scale[j] > 0) { // a dead component (zero column) has nothing to scale
                        for (int c = 0; c < m; c++) {
                            h[j * m + c] *= scale[j];
                        }
                    }
                }
                w = w.map(block -> {
                    double[] out = block.clone();
                    for (int i = 0; i < out.length; i++) {
                        double s = scale[i % k];
                        if (s > 0) {
                            out[i] /= s;
                        }
                    }
                    return out;
                });
            }
            if (options.sortComponents()) {
                double[] weight = columnSums(w, k, false);
                for (int j = 0; j < k; j++) {
                    double hNorm = 0;
                    for (int c = 0; c < m; c++) {
                        hNorm += h[j * m + c] * h[j * m + c];
                    }
                    weight[j] = Math.sqrt(weight[j]) * Math.sqrt(hNorm);
                }
                Integer[] boxed = new Integer[k];
                for (int j = 0; j < k; j++) {
                    boxed[j] = j;
                }
                // Stable: equal weights keep their order.
                java.util.Arrays.sort(boxed, java.util.Comparator.comparingDouble((Integer j) -> weight[j]).reversed());
                int[] order = new int[k];
                for (int j = 0; j < k; j++) {
                    order[j] = boxed[j];
                }
                double[] sorted = new double[h.length];
                for (int to = 0; to < k; to++) {
                    System.arraycopy(h, order[to] * m, sorted, to * m, m);
                }
                System.arraycopy(sorted, 0, h, 0, h.length);
                w = w.map(block -> {
                    double[] out = new double[block.length];
                    for (int i = 0; i < block.length; i += k) {
                        for (int to = 0; to < k; to++) {
                            out[i + to] = block[i + order[to]];
                        }
                    }
                    return out;
                });
            }
            if (single && (norm != Normalization.NONE || options.sortComponents())) {
                for (int i = 0; i < h.length; i++) {
                    h[i] = (float) h[i];
                }
                w = w.map(block -> {
                    double[] out = new double[block.length];
                    for (int i = 0; i < block.length; i++) {
                        out[i] = (float) block[i];
                    }
                    return out;
                });
            }
            return w;
        }

        /** Per column of W: Σ|x| (abs) or Σx², row by row within a block, the blocks' sums added in order. */
        private static double[] columnSums(JavaRDD<double[]> w, int k, boolean abs) {
            double[] total = new double[k];
            for (double[] part : w.map(block -> {
                double[] s = new double[k];
                for (int i = 0; i < block.length; i++) {
                    double x = block[i];
                    s[i % k] += abs ? Math.abs(x) : x * x;
                }
                return s;
            }).collect()) {
                for (int j = 0; j < k; j++) {
                    total[j] += part[j];
                }
            }
            return total;
        }

        private FactorBroadcast broadcast(DeviceMatrix h, DeviceMatrix hht) {
            FactorBroadcast b = FactorBroadcast.of(run.sc, backend.download(h), backend.download(hht), k, m,
                    run.cluster.broadcastBlockBytes());
            hBlocks = b.blockCount();
            run.broadcasts.add(b);
            return b;
        }

        /**
         * ‖∇ᴾf‖² at the current point, penalties included, as {@code Step.projectedGradientSquared}: W's part
         * summed over the blocks (one job), H's on the driver; for a β loss the job also brings H's products at
         * the current point (they replace the last step's, which the next step replaces in turn).
         */
        private double gradientSquared(JavaRDD<BlockStep> steps, FactorBroadcast hb, DeviceMatrix h) {
            LocalSolver solver = this.solver;
            List<double[]> parts = blocks.zipPartitions(steps, (vs, ss) -> Collections.singletonList(
                    solver.gradient(vs.next(), ss.next().w, hb)).iterator()).collect();
            NmfOptions options = run.options;
            double g = 0;
            for (double[] p : parts) {
                g += p[0];
            }
            if (masked) {
                double[] num = new double[k * m];
                double[] den = new double[k * m];
                for (double[] p : parts) {
                    for (int i = 0; i < k * m; i++) {
                        num[i] += p[1 + i];
                        den[i] += p[1 + k * m + i];
                    }
                }
                try (DeviceMatrix numHd = backend.upload(k, m, num); DeviceMatrix denHd = backend.upload(k, m, den)) {
                    FrobeniusHalfStep.addPenaltyGradient(backend, denHd, options.l1H(), options.l2H(), h);
                    return g + backend.projectedGradientSquared(h, numHd, denHd);
                }
            }
            if (options.beta() == 2) {
                try (DeviceMatrix wtwh = backend.allocate(k, m)) {
                    backend.multiply(wtw, h, wtwh);
                    FrobeniusHalfStep.addPenaltyGradient(backend, wtwh, options.l1H(), options.l2H(), h);
                    return g + backend.projectedGradientSquared(h, wtv, wtwh);
                }
            }
            double[] products = new double[solver.productsLength()];
            for (double[] p : parts) {
                for (int i = 0; i < products.length; i++) {
                    products[i] += p[i + 1];
                }
            }
            loadProducts(products);
            FrobeniusHalfStep.addPenaltyGradient(backend, denH, options.l1H(), options.l2H(), h);
            return g + backend.projectedGradientSquared(h, numH, denH);
        }

        /** l1W·ΣW + ½·l2W·‖W‖² + l1H·ΣH + ½·l2H·‖H‖², summed in the order of {@code Step.penalty}. */
        private double penalty(DeviceMatrix h) {
            NmfOptions options = run.options;
            double p = 0;
            if (options.l1W() > 0) {
                p += options.l1W() * sumW;
            }
            if (options.l2W() > 0) {
                p += options.l2W() / 2 * sumW2;
            }
            if (options.l1H() > 0) {
                if (onesH == null) {
                    onesH = backend.upload(k, m, FrobeniusHalfStep.ones(k * m));
                }
                p += options.l1H() * backend.dot(h, onesH);
            }
            if (options.l2H() > 0) {
                p += options.l2H() / 2 * backend.dot(h, h);
            }
            return p;
        }

        /** The trial sweeps' moves, summed over the partitions in partition order. */
        private double[] sumInOrder(JavaRDD<LocalSolver.Trial> trials) {
            double[][] partials = (double[][]) run.sc.sc().runJob(trials.rdd(), new Moves(), PRODUCTS_TAG);
            double[] total = partials[0].clone();
            for (int p = 1; p < partials.length; p++) {
                add(total, partials[p]);
            }
            return total;
        }

        /** WᵀV, WᵀW and the penalty sums, summed over the partitions. */
        private double[] sum(JavaRDD<BlockStep> steps) {
            int length = solver.productsLength();
            if (run.cluster.treeDepth() == 1) {
                double[][] partials = (double[][]) run.sc.sc().runJob(steps.rdd(), new Products(), PRODUCTS_TAG);
                double[] total = partials[0].clone();
                for (int p = 1; p < partials.length; p++) {
                    double[] x = partials[p];
                    for (int i = 0; i < length; i++) {
                        total[i] += x[i];
                    }
                }
                return total;
            }
            return steps.treeAggregate(new double[length], (acc, s) -> add(acc, s.products), DistributedNmf::add,
                    run.cluster.treeDepth());
        }

        /**
         * Replaces WᵀV and WᵀW (β losses: H's numerator and denominator) on the driver's backend with the
         * summed products, and keeps the penalty's sums.
         */
        private void loadProducts(double[] products) {
            for (DeviceMatrix old : new DeviceMatrix[] {wtv, wtw, numH, denH}) {
                if (old != null) {
                    old.close();
                }
            }
            if (run.options.beta() == 2) {
                wtv = backend.upload(k, m, java.util.Arrays.copyOfRange(products, 0, k * m));
                wtw = backend.upload(k, k, java.util.Arrays.copyOfRange(products, k * m, k * m + k * k));
            } else {
                numH = backend.upload(k, m, java.util.Arrays.copyOfRange(products, 0, k * m));
                if (run.options.beta() == 1) {
                    if (onesRow == null) {
                        onesRow = backend.upload(1, m, FrobeniusHalfStep.ones(m));
                    }
                    denH = backend.allocate(k, m);
                    try (DeviceMatrix sumsW = backend.upload(k, 1, java.util.Arrays.copyOfRange(products, k * m,
                            k * m + k))) {
                        BetaProducts.denominatorOfH(backend, sumsW, onesRow, denH);
                    }
                } else {
                    denH = backend.upload(k, m, java.util.Arrays.copyOfRange(products, k * m, 2 * k * m));
                }
            }
            sumW = products[products.length - 2];
            sumW2 = products[products.length - 1];
        }

        /**
         * {data loss, ‖V − WH‖²} at the current point: for Frobenius ½‖V − WH‖² from the products (below), for a
         * β loss D_β(V ‖ WH) and the residual, one job over the blocks (the sums in partition order).
         */
        private double[] loss(JavaRDD<BlockStep> steps, FactorBroadcast hb, DeviceMatrix h, DeviceMatrix hht) {
            LocalSolver solver = this.solver;
            if (masked) {
                // ½‖M ⊙ (V − WH)‖² over the observed entries: one job, summed in partition order.
                List<Double> parts = blocks.zipPartitions(steps, (vs, ss) -> Collections.singletonList(
                        solver.maskedResidual(vs.next(), ss.next().w, hb.h())).iterator()).collect();
                double r = 0;
                for (double p : parts) {
                    r += p;
                }
                return new double[] {r / 2, r};
            }
            if (run.options.beta() == 2) {
                double r = residualSquared(steps, hb, h, hht);
                return new double[] {r / 2, r};
            }
            List<double[]> parts = blocks.zipPartitions(steps, (vs, ss) -> Collections.singletonList(
                    solver.betaLoss(vs.next(), ss.next().w, hb.h())).iterator()).collect();
            double[] total = new double[2];
            for (double[] p : parts) {
                total[0] += p[0];
                total[1] += p[1];
            }
            return total;
        }

        /** ‖V − WH‖² from the current products, or computed directly where the identity cancels. */
        private double residualSquared(JavaRDD<BlockStep> steps, FactorBroadcast hb, DeviceMatrix h,
                                       DeviceMatrix hht) {
            double r = normV2 - 2 * backend.dot(wtv, h) + backend.dot(wtw, hht);
            if (r < DIRECT_RESIDUAL_BELOW * normV2) {
                LocalSolver solver = this.solver;
                List<Double> parts = blocks.zipPartitions(steps, (vs, ss) -> Collections.singletonList(
                        solver.residualSquared(vs.next(), ss.next().w, hb.h())).iterator()).collect();
                r = 0;
                for (double p : parts) {
                    r += p;
                }
            }
            return Math.max(r, 0);
        }
    }

    private static final scala.reflect.ClassTag<BlockStep> STEP_TAG = scala.reflect.ClassTag$.MODULE$.apply(BlockStep.class);
    private static final scala.reflect.ClassTag<LocalSolver.Trial> TRIAL_TAG =
            scala.reflect.ClassTag$.MODULE$.apply(LocalSolver.Trial.class);
    private static final scala.reflect.ClassTag<double[]> PRODUCTS_TAG = scala.reflect.ClassTag$.MODULE$.apply(double[].class);

    /*
     * The two functions of every iteration's job as named classes rather than lambdas through the Java API:
     * Spark's closure cleaner passes named functions through, but for each lambda wrapped by JavaRDDLike it
     * reads and parses that class's bytecode again, a millisecond or two of driver time per iteration.
     */

    /**
     * The randomized SVD's products over the row blocks (NNDSVD): V·Zᵀ as one job whose blocks' rows the
     * driver stacks in partition order, Qᵀ·V as one job over Q's matching row blocks, summed in partition order;
     * with one partition, the single-machine products' bits. n·(k + 10) doubles pass through the driver each
     * way per power iteration.
     */
    private static final class BlockSketch implements Initializer.Sketch {
        private final JavaSparkContext sc;
        private final JavaRDD<RowBlock> blocks;
        private final LocalSolver solver;
        private final long[] rowStart;
        private final int m;

        BlockSketch(JavaSparkContext sc, JavaRDD<RowBlock> blocks, LocalSolver solver, long[] rowStart, int m) {
            this.sc = sc;
            this.blocks = blocks;
            this.solver = solver;
            this.rowStart = rowStart;
            this.m = m;
        }

        @Override
        public double[] timesTransposed(double[] z, int l) {
            org.apache.spark.broadcast.Broadcast<double[]> zb = sc.broadcast(z);
            LocalSolver solver = this.solver;
            try {
                List<double[]> parts = blocks.map(block -> solver.timesTransposed(block, zb.value(), l)).collect();
                double[] y = new double[Math.toIntExact(rowStart[rowStart.length - 1] * l)];
                for (int b = 0; b < parts.size(); b++) {
                    System.arraycopy(parts.get(b), 0, y, (int) rowStart[b] * l, parts.get(b).length);
                }
                return y;
            } finally {
                zb.destroy();
            }
        }

        @Override
        public double[] transposedTimes(double[] q, int l) {
            int partitions = rowStart.length - 1;
            List<double[]> qBlocks = new ArrayList<>(partitions);
            for (int b = 0; b < partitions; b++) {
                qBlocks.add(java.util.Arrays.copyOfRange(q, (int) rowStart[b] * l, (int) rowStart[b + 1] * l));
            }
            LocalSolver solver = this.solver;
            List<double[]> parts = blocks.zipPartitions(sc.parallelize(qBlocks, partitions), (vs, qs) ->
                    Collections.singletonList(solver.transposedTimes(vs.next(), qs.next(), l)).iterator()).collect();
            double[] total = parts.getFirst().clone();
            for (int b = 1; b < parts.size(); b++) {
                double[] x = parts.get(b);
                for (int i = 0; i < total.length; i++) {
                    total[i] += x[i];
                }
            }
            return total;
        }
    }

    /** One partition's W step for the broadcast H. */
    private static final class Step extends scala.runtime.AbstractFunction2<scala.collection.Iterator<RowBlock>,
            scala.collection.Iterator<BlockStep>, scala.collection.Iterator<BlockStep>> implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private final LocalSolver solver;
        private final FactorBroadcast h;

        Step(LocalSolver solver, FactorBroadcast h) {
            this.solver = solver;
            this.h = h;
        }

        @Override
        public scala.collection.Iterator<BlockStep> apply(scala.collection.Iterator<RowBlock> vs,
                                                          scala.collection.Iterator<BlockStep> ss) {
            BlockStep previous = ss.next();
            return scala.collection.Iterator$.MODULE$.single(solver.step(vs.next(), previous.w, previous.passive, h));
        }
    }

    /** Accelerated HALS: one partition's trial sweeps for the broadcast H. */
    private static final class TrialStep extends scala.runtime.AbstractFunction2<scala.collection.Iterator<RowBlock>,
            scala.collection.Iterator<BlockStep>, scala.collection.Iterator<LocalSolver.Trial>>
            implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private final LocalSolver solver;
        private final FactorBroadcast h;
        private final int sweeps;

        TrialStep(LocalSolver solver, FactorBroadcast h, int sweeps) {
            this.solver = solver;
            this.h = h;
            this.sweeps = sweeps;
        }

        @Override
        public scala.collection.Iterator<LocalSolver.Trial> apply(scala.collection.Iterator<RowBlock> vs,
                                                                  scala.collection.Iterator<BlockStep> ss) {
            return scala.collection.Iterator$.MODULE$.single(solver.trial(vs.next(), ss.next().w, h, sweeps));
        }
    }

    /** Accelerated HALS: one partition's W step with the sweeps the rule kept. */
    private static final class CommitStep extends scala.runtime.AbstractFunction2<scala.collection.Iterator<RowBlock>,
            scala.collection.Iterator<LocalSolver.Trial>, scala.collection.Iterator<BlockStep>>
            implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        private final LocalSolver solver;
        private final FactorBroadcast h;
        private final int sweeps;

        CommitStep(LocalSolver solver, FactorBroadcast h, int sweeps) {
            this.solver = solver;
            this.h = h;
            this.sweeps = sweeps;
        }

        @Override
        public scala.collection.Iterator<BlockStep> apply(scala.collection.Iterator<RowBlock> vs,
                                                          scala.collection.Iterator<LocalSolver.Trial> ts) {
            return scala.collection.Iterator$.MODULE$.single(solver.commit(vs.next(), ts.next(), h, sweeps));
        }
    }

    /** One partition's trial moves. */
    private static final class Moves extends scala.runtime.AbstractFunction1<
            scala.collection.Iterator<LocalSolver.Trial>, double[]> implements java.io.Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public double[] apply(scala.collection.Iterator<LocalSolver.Trial> trials) {
            return trials.next().moved();
        }
    }

    /** One partition's WᵀV and WᵀW. */
    private static final class Products extends scala.runtime.AbstractFunction1<scala.collection.Iterator<BlockStep>,
            double[]> implements java.io.Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public double[] apply(scala.collection.Iterator<BlockStep> steps) {
            return steps.next().products;
        }
    }

    static double[] add(double[] into, double[] x) {
        for (int i = 0; i < into.length; i++) {
            into[i] += x[i];
        }
        return into;
    }
}
