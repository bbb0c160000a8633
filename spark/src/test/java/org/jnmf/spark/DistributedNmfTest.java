package org.jnmf.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.jnmf.Algorithm;
import org.jnmf.DenseMatrix;
import org.jnmf.Initialization;
import org.jnmf.Matrix;
import org.jnmf.Nmf;
import org.jnmf.NmfOptions;
import org.jnmf.NmfResult;
import org.jnmf.SparseMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DistributedNmfTest {
    private static final DenseMatrix V = Problems.lowRankPlusNoise(200, 150, 5, 11);

    /**
     * With several partitions WᵀV, WᵀW, ‖V‖² and mean(V) are sums of per-partition partials, rounded
     * differently from the single running sum; after 100 iterations in double the factors stay this close.
     */
    static final double PARTITIONED_TOLERANCE = 1e-9;

    /** A fit on several partitions: H and W within {@link #PARTITIONED_TOLERANCE} of the single-machine fit's. */
    private static void assertWithinPartitionedTolerance(DistributedNmfResult partitioned, NmfResult local) {
        assertTrue(Problems.relativeDifference(partitioned.h(), local.h()) < PARTITIONED_TOLERANCE,
                () -> "H differs by " + Problems.relativeDifference(partitioned.h(), local.h()));
        assertTrue(Problems.relativeDifference(partitioned.collectW(), local.w()) < PARTITIONED_TOLERANCE,
                () -> "W differs by " + Problems.relativeDifference(partitioned.collectW(), local.w()));
    }

    private static NmfOptions options(Algorithm algorithm, int iterations) {
        return NmfOptions.builder(5).algorithm(algorithm).initialization(Initialization.RANDOM).seed(3)
                .maxIterations(iterations).tolerance(0).backend("java").threads(2).build();
    }

    private static DistributedOptions partitions(int p) {
        return DistributedOptions.builder().partitions(p).build();
    }

    @ParameterizedTest
    @EnumSource(value = Algorithm.class, names = {"HALS", "MULTIPLICATIVE", "ANLS"})
    void onePartitionIsBitIdenticalToTheSingleMachineFit(Algorithm algorithm) {
        NmfOptions options = options(algorithm, 60);
        NmfResult local = Nmf.fit(V, options);
        DistributedNmfResult distributed = DistributedNmf.fit(Problems.rdd(Problems.rows(V), 1), options, partitions(1));
        assertArrayEquals(local.h().toDoubleArray(), distributed.h().toDoubleArray());
        assertArrayEquals(local.w().toDoubleArray(), distributed.collectW().toDoubleArray());
        assertArrayEquals(local.lossHistory(), distributed.lossHistory());
        assertEquals(local.relativeError(), distributed.relativeError());
        distributed.unpersist();
    }

    /**
     * Penalties (l1 and l2 on both factors) enter the W step on the executors and the H step on the driver
     * as on one machine: one partition gives Nmf.fit's bits, losses (penalties included) and stopping
     * iteration; four partitions agree to the partitioned tolerance and stop at the same iteration.
     */
    @ParameterizedTest
    @EnumSource(value = Algorithm.class, names = {"HALS", "MULTIPLICATIVE", "ANLS"})
    void penalisedFitsMatchTheSingleMachineFit(Algorithm algorithm) {
        NmfOptions options = options(algorithm, 300).toBuilder().regularization(0.05, 0.2, 0.1, 0.3).tolerance(1e-4)
                .build();
        NmfResult local = Nmf.fit(V, options);
        DistributedNmfResult one = DistributedNmf.fit(Problems.rdd(Problems.rows(V), 1), options, partitions(1));
        assertArrayEquals(local.h().toDoubleArray(), one.h().toDoubleArray());
        assertArrayEquals(local.w().toDoubleArray(), one.collectW().toDoubleArray());
        assertArrayEquals(local.lossHistory(), one.lossHistory());
        assertEquals(local.iterations(), one.iterations());
        assertTrue(local.iterations() < 300, "the tolerance stops the fit: " + local.iterations());
        NmfResult plain = Nmf.fit(V, options(algorithm, local.iterations()));
        assertTrue(Problems.relativeDifference(plain.h(), local.h()) > 1e-3, "the penalties change the fit");
        DistributedNmfResult four = DistributedNmf.fit(Problems.rdd(Problems.rows(V), 3), options, partitions(4));
        assertEquals(local.iterations(), four.iterations());
        assertWithinPartitionedTolerance(four, local);
        assertEquals(local.lossHistory()[local.lossHistory().length - 1],
                four.lossHistory()[four.lossHistory().length - 1], 1e-9 * local.lossHistory()[0]);
        one.unpersist();
        four.unpersist();
    }

    /**
     * β losses by MU: the executors update their W rows and return their shares of H's numerator and
     * denominator at the new W; the driver updates H. One partition is Nmf.fit bit for bit (losses are the
     * β-divergence, penalties included), four agree within the partitioned tolerance; KL also on a sparse V.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(doubles = {1.0, 0.5, 1.5})
    void betaLossesMatchTheSingleMachineFit(double beta) {
        NmfOptions options = options(Algorithm.MULTIPLICATIVE, 60).toBuilder().beta(beta)
                .regularization(0.01, 0.02, 0, 0.01).build();
        NmfResult local = Nmf.fit(V, options);
        DistributedNmfResult one = DistributedNmf.fit(Problems.rdd(Problems.rows(V), 1), options, partitions(1));
        assertArrayEquals(local.h().toDoubleArray(), one.h().toDoubleArray());
        assertArrayEquals(local.w().toDoubleArray(), one.collectW().toDoubleArray());
        assertArrayEquals(local.lossHistory(), one.lossHistory());
        assertEquals(local.relativeError(), one.relativeError());
        NmfResult frobenius = Nmf.fit(V, options.toBuilder().beta(2).build());
        assertTrue(Problems.relativeDifference(frobenius.h(), local.h()) > 1e-3, "the loss changes the fit");
        DistributedNmfResult four = DistributedNmf.fit(Problems.rdd(Problems.rows(V), 3), options, partitions(4));
        assertWithinPartitionedTolerance(four, local);
        one.unpersist();
        four.unpersist();
        if (beta == 1) {
            SparseMatrix sparse = Problems.sparsify(Problems.lowRankPlusNoise(240, 180, 4, 5), 0.1, 6);
            NmfOptions kl = options;
            NmfResult sparseLocal = Nmf.fit(sparse, kl);
            DistributedNmfResult sparseOne = DistributedNmf.fit(Problems.rdd(Problems.rows(sparse), 1), kl,
                    partitions(1));
            assertTrue(sparseOne.sparse());
            assertArrayEquals(sparseLocal.h().toDoubleArray(), sparseOne.h().toDoubleArray());
            assertArrayEquals(sparseLocal.lossHistory(), sparseOne.lossHistory());
            sparseOne.unpersist();
        }
    }

    /** The KKT test (‖∇ᴾf‖ ≤ kktTolerance·‖∇ᴾf‖ at the start) stops at Nmf.fit's iteration, Frobenius and KL. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(doubles = {2.0, 1.0})
    void theKktTestStopsWhereTheSingleMachineFitStops(double beta) {
        NmfOptions options = options(beta == 2 ? Algorithm.HALS : Algorithm.MULTIPLICATIVE, 400).toBuilder()
                .beta(beta).regularization(0, 0.01, 0.01, 0).kktTolerance(beta == 2 ? 1e-3 : 3e-2).build();
        NmfResult local = Nmf.fit(V, options);
        assertEquals(org.jnmf.StopReason.STATIONARY, local.stopReason());
        DistributedNmfResult one = DistributedNmf.fit(Problems.rdd(Problems.rows(V), 1), options, partitions(1));
        assertEquals(org.jnmf.StopReason.STATIONARY, one.stopReason());
        assertEquals(local.iterations(), one.iterations());
        assertArrayEquals(local.h().toDoubleArray(), one.h().toDoubleArray());
        assertArrayEquals(local.lossHistory(), one.lossHistory());
        DistributedNmfResult four = DistributedNmf.fit(Problems.rdd(Problems.rows(V), 3), options, partitions(4));
        assertEquals(local.iterations(), four.iterations());
        assertTrue(Problems.relativeDifference(four.h(), local.h()) < PARTITIONED_TOLERANCE);
        one.unpersist();
        four.unpersist();
    }

    /** Normalised and sorted components as Nmf.fit reports them: W's column sums are added across the blocks. */
    @ParameterizedTest
    @EnumSource(value = org.jnmf.Normalization.class, names = {"L1", "L2"})
    void normalisedAndSortedComponentsMatchTheSingleMachineFit(org.jnmf.Normalization normalization) {
        for (org.jnmf.Precision precision : org.jnmf.Precision.values()) {
            NmfOptions options = options(Algorithm.HALS, 40).toBuilder().normalization(normalization)
                    .sortComponents(true).precision(precision).build();
            NmfResult local = Nmf.fit(V, options);
            NmfResult plain = Nmf.fit(V, options.toBuilder().normalization(org.jnmf.Normalization.NONE)
                    .sortComponents(false).build());
            assertTrue(Problems.relativeDifference(plain.h(), local.h()) > 1e-3, "arranging changes H");
            DistributedNmfResult one = DistributedNmf.fit(Problems.rdd(Problems.rows(V), 1), options, partitions(1));
            assertArrayEquals(local.h().toDoubleArray(), one.h().toDoubleArray(), precision + " H");
            assertArrayEquals(local.w().toDoubleArray(), one.collectW().toDoubleArray(), precision + " W");
            one.unpersist();
            if (precision == org.jnmf.Precision.DOUBLE) {
                DistributedNmfResult four = DistributedNmf.fit(Problems.rdd(Problems.rows(V), 3), options,
                        partitions(4));
                assertWithinPartitionedTolerance(four, local);
                four.unpersist();
            }
        }
    }

    @Test
    void restartsKeepTheBestRunAsTheSingleMachineFitDoes() {
        NmfOptions options = options(Algorithm.HALS, 30).toBuilder().restarts(3).build();
        NmfResult local = Nmf.fit(V, options);
        DistributedNmfResult one = DistributedNmf.fit(Problems.rdd(Problems.rows(V), 1), options, partitions(1));
        assertArrayEquals(local.restartLosses(), one.restartLosses());
        assertArrayEquals(local.restartSeeds(), one.restartSeeds());
        assertEquals(3, one.restartLosses().length);
        assertEquals(local.bestRestart(), one.bestRestart());
        assertArrayEquals(local.h().toDoubleArray(), one.h().toDoubleArray());
        assertArrayEquals(local.w().toDoubleArray(), one.collectW().toDoubleArray());
        double lowest = java.util.Arrays.stream(one.restartLosses()).min().orElseThrow();
        assertEquals(lowest, one.loss());
        assertTrue(java.util.Arrays.stream(one.restartLosses()).distinct().count() > 1, "the runs differ");
        one.unpersist();
    }

    /**
     * In local mode the executor is this JVM: a fit opens one backend per block (not one per task), every
     * later task of the fit finds its block's V already uploaded, and the fit's end releases them all.
     */
    @Test
    void eachBlockOpensItsBackendAndUploadsVOncePerFit() {
        NmfOptions options = options(Algorithm.HALS, 25).toBuilder().kktTolerance(1e-12).build();
        long opened = ExecutorBackends.opened();
        int held = ExecutorBackends.held();
        DistributedNmfResult r = DistributedNmf.fit(Problems.rdd(Problems.rows(V), 2), options, partitions(4));
        assertEquals(25, r.iterations());
        assertEquals(4, ExecutorBackends.opened() - opened, "one backend per block for the whole fit");
        assertEquals(held, ExecutorBackends.held(), "the fit's blocks are released at its end");
        assertEquals(List.of("requested: the pure-Java CPU backend (1 threads)"), r.executorBackends());
        r.unpersist();
    }

    /**
     * Missing entries (NaN, or zeros with Missing.ZEROS): each executor completes its block with the current
     * model and takes the W half-step there, as Nmf.fit's masked step does; losses are over the observed entries.
     */
    @ParameterizedTest
    @EnumSource(value = Algorithm.class, names = {"HALS", "MULTIPLICATIVE", "ANLS"})
    void missingEntriesGiveTheSingleMachineMaskedFit(Algorithm algorithm) {
        double[] values = V.toDoubleArray();
        java.util.SplittableRandom r = new java.util.SplittableRandom(4);
        for (int i = 0; i < values.length; i++) {
            if (r.nextDouble() < 0.2) {
                values[i] = Double.NaN;
            }
        }
        org.jnmf.DenseMatrix withNan = org.jnmf.DenseMatrix.wrap(V.rows(), V.cols(), values);
        NmfOptions options = options(algorithm, 30).toBuilder().missing(org.jnmf.Missing.NAN)
                .regularization(0.01, 0.02, 0.03, 0.04).kktTolerance(1e-12).checkInterval(5).build();
        NmfResult local = Nmf.fit(withNan, options);
        List<Vector> rows = Problems.rows(withNan);
        DistributedNmfResult one = DistributedNmf.fit(Problems.rdd(rows, 1), options, partitions(1));
        assertFalse(one.sparse(), "a masked fit holds V dense");
        assertArrayEquals(local.lossHistory(), one.lossHistory());
        assertArrayEquals(local.h().toDoubleArray(), one.h().toDoubleArray());
        assertArrayEquals(local.w().toDoubleArray(), one.collectW().toDoubleArray());
        assertEquals(local.relativeError(), one.relativeError());
        DistributedNmfResult four = DistributedNmf.fit(Problems.rdd(rows, 2), options, partitions(4));
        assertWithinPartitionedTolerance(four, local);
        one.unpersist();
        four.unpersist();
    }

    /**
     * An explicit mask: the executors receive their rows of it with their rows of V and fit the entries it marks
     * observed, as Nmf.fit does (an entry it marks missing may be anything: here negative or NaN). One partition
     * is Nmf.fit's masked fit bit for bit, four agree within the partitioned tolerance; a mask that is not 0/1 is
     * refused naming the entry.
     */
    @Test
    void anExplicitMaskGivesTheSingleMachineMaskedFit() {
        double[] values = V.toDoubleArray();
        double[] mask = new double[values.length];
        java.util.SplittableRandom r = new java.util.SplittableRandom(12);
        for (int i = 0; i < values.length; i++) {
            mask[i] = r.nextDouble() < 0.25 ? 0 : 1;
            if (mask[i] == 0) {
                values[i] = i % 2 == 0 ? -1 : Double.NaN;
            }
        }
        DenseMatrix v = DenseMatrix.wrap(V.rows(), V.cols(), values);
        NmfOptions options = options(Algorithm.HALS, 30).toBuilder().mask(DenseMatrix.wrap(V.rows(), V.cols(), mask))
                .regularization(0.01, 0.02, 0.03, 0.04).build();
        NmfResult local = Nmf.fit(v, options);
        List<Vector> rows = Problems.rows(v);
        DistributedNmfResult one = DistributedNmf.fit(Problems.rdd(rows, 1), options, partitions(1));
        assertArrayEquals(local.lossHistory(), one.lossHistory());
        assertArrayEquals(local.h().toDoubleArray(), one.h().toDoubleArray());
        assertArrayEquals(local.w().toDoubleArray(), one.collectW().toDoubleArray());
        DistributedNmfResult four = DistributedNmf.fit(Problems.rdd(rows, 3), options, partitions(4));
        assertWithinPartitionedTolerance(four, local);
        one.unpersist();
        four.unpersist();
        mask[151 * V.cols() + 7] = 0.5;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DistributedNmf.fit(
                Problems.rdd(rows, 3), options, partitions(4)));
        assertEquals("the mask must hold only 0 (missing) and 1 (observed); got 0.5 at row 151, column 7 (0-based)",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DistributedNmf.fit(Problems.rdd(rows, 3),
                options.toBuilder().mask(DenseMatrix.wrap(2, 2, new double[4])).build(), partitions(4)));
        assertEquals("the mask must have V's shape 200×150; got 2×2", e.getMessage());
    }

    /**
     * NNDSVD and its variants: the randomized SVD's products run over the row blocks (one job each), the small
     * factorisations on the driver, so one partition starts, and ends, where Nmf.fit does.
     */
    @ParameterizedTest
    @EnumSource(value = Initialization.class, names = {"NNDSVD", "NNDSVDA", "NNDSVDAR"})
    void nndsvdStartsWhereTheSingleMachineFitStarts(Initialization init) {
        NmfOptions options = options(Algorithm.HALS, 20).toBuilder().initialization(init).build();
        NmfResult local = Nmf.fit(V, options);
        List<Vector> rows = Problems.rows(V);
        DistributedNmfResult one = DistributedNmf.fit(Problems.rdd(rows, 1), options, partitions(1));
        assertEquals(init, one.initialization());
        assertArrayEquals(local.lossHistory(), one.lossHistory());
        assertArrayEquals(local.h().toDoubleArray(), one.h().toDoubleArray());
        assertArrayEquals(local.w().toDoubleArray(), one.collectW().toDoubleArray());
        DistributedNmfResult three = DistributedNmf.fit(Problems.rdd(rows, 2), options, partitions(3));
        assertWithinPartitionedTolerance(three, local);
        one.unpersist();
        three.unpersist();
    }

    /**
     * Accelerated HALS: the inner sweeps stop by a rule over all of W, which the driver applies to the blocks'
     * summed trial moves before they repeat the kept sweeps. One partition is Nmf.fit bit for bit (plain,
     * penalised, with missing entries), four agree within the partitioned tolerance and stop where it stops.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"plain", "penalised", "missing"})
    void acceleratedHalsMatchesTheSingleMachineFit(String variant) {
        NmfOptions options = options(Algorithm.HALS, 40).toBuilder().acceleration(0.5).tolerance(1e-6).build();
        DenseMatrix v = V;
        if (variant.equals("penalised")) {
            options = options.toBuilder().regularization(0.05, 0.2, 0.1, 0.3).build();
        } else if (variant.equals("missing")) {
            double[] values = V.toDoubleArray();
            java.util.SplittableRandom r = new java.util.SplittableRandom(8);
            for (int i = 0; i < values.length; i++) {
                if (r.nextDouble() < 0.2) {
                    values[i] = Double.NaN;
                }
            }
            v = DenseMatrix.wrap(V.rows(), V.cols(), values);
            options = options.toBuilder().missing(org.jnmf.Missing.NAN).build();
        }
        NmfResult local = Nmf.fit(v, options);
        NmfResult plain = Nmf.fit(v, options.toBuilder().acceleration(0).build());
        assertTrue(Problems.relativeDifference(plain.h(), local.h()) > 1e-3, "the inner sweeps change the fit");
        List<Vector> rows = Problems.rows(v);
        DistributedNmfResult one = DistributedNmf.fit(Problems.rdd(rows, 1), options, partitions(1));
        assertArrayEquals(local.lossHistory(), one.lossHistory());
        assertArrayEquals(local.h().toDoubleArray(), one.h().toDoubleArray());
        assertArrayEquals(local.w().toDoubleArray(), one.collectW().toDoubleArray());
        assertEquals(local.iterations(), one.iterations());
        DistributedNmfResult four = DistributedNmf.fit(Problems.rdd(rows, 2), options, partitions(4));
        assertEquals(local.iterations(), four.iterations());
        assertWithinPartitionedTolerance(four, local);
        one.unpersist();
        four.unpersist();
    }

    /**
     * Checkpoints as Nmf.fit takes them (every few iterations and at the stop, W collected from the blocks): a
     * fit resumed from one, saved to a file and loaded, reaches the uninterrupted fit's bits, on four partitions
     * and across machines (a one-partition Spark checkpoint continued by Nmf.fit, and the other way round).
     */
    @ParameterizedTest
    @EnumSource(value = Algorithm.class, names = {"HALS", "MULTIPLICATIVE", "ANLS"})
    void aResumedFitReachesTheUninterruptedFitsBits(Algorithm algorithm, @org.junit.jupiter.api.io.TempDir
            java.nio.file.Path dir) {
        NmfOptions base = options(algorithm, 30).toBuilder().checkInterval(5)
                .acceleration(algorithm == Algorithm.HALS ? 0.5 : 0).build();
        List<org.jnmf.Checkpoint> taken = new java.util.ArrayList<>();
        NmfOptions checkpointed = base.toBuilder().checkpoints(10, taken::add).build();
        List<Vector> rows = Problems.rows(V);
        DistributedNmfResult whole = DistributedNmf.fit(Problems.rdd(rows, 2), checkpointed, partitions(4));
        assertEquals(List.of(10, 20, 30), taken.stream().map(org.jnmf.Checkpoint::iteration).toList());
        java.nio.file.Path file = dir.resolve("checkpoint.jnmf");
        taken.get(0).save(file);
        NmfOptions resumed = base.toBuilder().resumeFrom(org.jnmf.Checkpoint.load(file)).build();
        DistributedNmfResult rest = DistributedNmf.fit(Problems.rdd(rows, 2), resumed, partitions(4));
        assertEquals(30, rest.iterations());
        assertArrayEquals(whole.h().toDoubleArray(), rest.h().toDoubleArray());
        assertArrayEquals(whole.collectW().toDoubleArray(), rest.collectW().toDoubleArray());
        assertArrayEquals(whole.lossHistory(), rest.lossHistory());
        assertArrayEquals(taken.get(2).w().toDoubleArray(), whole.collectW().toDoubleArray(),
                "the last checkpoint holds the final W");

        NmfResult local = Nmf.fit(V, base);
        taken.clear();
        DistributedNmf.fit(Problems.rdd(rows, 1), checkpointed, partitions(1)).unpersist();
        NmfResult localRest = Nmf.fit(V, base.toBuilder().resumeFrom(taken.get(1)).build());
        assertArrayEquals(local.h().toDoubleArray(), localRest.h().toDoubleArray());
        assertArrayEquals(local.w().toDoubleArray(), localRest.w().toDoubleArray());
        assertArrayEquals(local.lossHistory(), localRest.lossHistory());
        taken.clear();
        Nmf.fit(V, checkpointed);
        DistributedNmfResult sparkRest = DistributedNmf.fit(Problems.rdd(rows, 1),
                base.toBuilder().resumeFrom(taken.get(0)).build(), partitions(1));
        assertArrayEquals(local.h().toDoubleArray(), sparkRest.h().toDoubleArray());
        assertArrayEquals(local.w().toDoubleArray(), sparkRest.collectW().toDoubleArray());
        assertArrayEquals(local.lossHistory(), sparkRest.lossHistory());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DistributedNmf.fit(
                Problems.rdd(rows, 2), base.toBuilder().regularization(0.1, 0, 0, 0).resumeFrom(taken.get(0)).build(),
                partitions(4)));
        assertTrue(e.getMessage().startsWith("cannot resume: the checkpoint was taken with l1_w = 0.0"),
                e.getMessage());
        whole.unpersist();
        rest.unpersist();
        sparkRest.unpersist();
    }

    @Test
    void float32WithOnePartitionIsBitIdenticalToo() {
        NmfOptions options = options(Algorithm.HALS, 30).toBuilder().precision(org.jnmf.Precision.SINGLE).build();
        NmfResult local = Nmf.fit(V, options);
        DistributedNmfResult distributed = DistributedNmf.fit(Problems.rdd(Problems.rows(V), 1), options, partitions(1));
        assertEquals(org.jnmf.Precision.SINGLE, distributed.precision());
        assertArrayEquals(local.h().toDoubleArray(), distributed.h().toDoubleArray());
        assertArrayEquals(local.w().toDoubleArray(), distributed.collectW().toDoubleArray());
        distributed.unpersist();
    }

    @ParameterizedTest
    @EnumSource(value = Algorithm.class, names = {"HALS", "MULTIPLICATIVE", "ANLS"})
    void partitionedFitAgreesWithTheSingleMachineFitAndRepeatsBitForBit(Algorithm algorithm) {
        NmfOptions options = options(algorithm, 100);
        NmfResult local = Nmf.fit(V, options);
        DistributedNmfResult first = DistributedNmf.fit(Problems.rdd(Problems.rows(V), 3), options, partitions(4));
        DistributedNmfResult second = DistributedNmf.fit(Problems.rdd(Problems.rows(V), 2), options, partitions(4));
        assertEquals(4, first.partitions());
        assertWithinPartitionedTolerance(first, local);
        assertEquals(local.relativeError(), first.relativeError(), 1e-12);
        assertEquals(local.iterations(), first.iterations());
        assertArrayEquals(first.h().toDoubleArray(), second.h().toDoubleArray(), "ordered sums give the same bits");
        assertArrayEquals(first.collectW().toDoubleArray(), second.collectW().toDoubleArray());
        DistributedNmfResult inPlace = DistributedNmf.fit(Problems.rdd(Problems.rows(V), 4), options,
                DistributedOptions.defaults());
        assertArrayEquals(first.h().toDoubleArray(), inPlace.h().toDoubleArray(),
                "the input's own 4 partitions of 50 rows are the same blocks as the shuffled ones");
        first.unpersist();
        second.unpersist();
        inPlace.unpersist();
    }

    @Test
    void treeAggregateAgreesWithinRounding() {
        NmfOptions options = options(Algorithm.HALS, 60);
        NmfResult local = Nmf.fit(V, options);
        DistributedNmfResult tree = DistributedNmf.fit(Problems.rdd(Problems.rows(V), 2), options,
                DistributedOptions.builder().partitions(5).treeDepth(2).build());
        assertWithinPartitionedTolerance(tree, local);
        tree.unpersist();
    }

    @Test
    void sparseRowBlocksMatchTheSparseSingleMachineFit() {
        SparseMatrix sparse = Problems.sparsify(Problems.lowRankPlusNoise(240, 180, 4, 5), 0.1, 6);
        NmfOptions options = NmfOptions.builder(4).algorithm(Algorithm.HALS).initialization(Initialization.RANDOM)
                .seed(9).maxIterations(50).tolerance(0).backend("java").build();
        NmfResult local = Nmf.fit(sparse, options);
        List<Vector> rows = Problems.rows(sparse);
        DistributedNmfResult one = DistributedNmf.fit(Problems.rdd(rows, 1), options, partitions(1));
        assertTrue(one.sparse(), "10 % non-zeros are stored as CSR");
        assertArrayEquals(local.h().toDoubleArray(), one.h().toDoubleArray());
        assertArrayEquals(local.w().toDoubleArray(), one.collectW().toDoubleArray());
        DistributedNmfResult three = DistributedNmf.fit(Problems.rdd(rows, 2), options, partitions(3));
        assertTrue(Problems.relativeDifference(three.h(), local.h()) < PARTITIONED_TOLERANCE);
        assertEquals(local.relativeError(), three.relativeError(), 1e-12);
        one.unpersist();
        three.unpersist();
    }

    @Test
    void splitBroadcastOfHGivesTheSameBits() {
        NmfOptions options = options(Algorithm.MULTIPLICATIVE, 30);
        DistributedNmfResult whole = DistributedNmf.fit(Problems.rdd(Problems.rows(V), 2), options, partitions(2));
        DistributedNmfResult split = DistributedNmf.fit(Problems.rdd(Problems.rows(V), 2), options,
                DistributedOptions.builder().partitions(2).broadcastBlockBytes(5 * 8 * 40).build());
        assertEquals(1, whole.hBroadcastBlocks());
        assertEquals(4, split.hBroadcastBlocks(), "150 columns in blocks of 40");
        assertArrayEquals(whole.h().toDoubleArray(), split.h().toDoubleArray());
        assertArrayEquals(whole.collectW().toDoubleArray(), split.collectW().toDoubleArray());
        whole.unpersist();
        split.unpersist();
    }

    @Test
    void stopsAtTheSameIterationAsTheSingleMachineFitWhenConverged() {
        NmfOptions options = NmfOptions.builder(5).initialization(Initialization.RANDOM).seed(1).maxIterations(500)
                .tolerance(1e-3).checkInterval(5).backend("java").build();
        NmfResult local = Nmf.fit(V, options);
        DistributedNmfResult distributed = DistributedNmf.fit(Problems.rdd(Problems.rows(V), 2), options,
                DistributedOptions.builder().checkpointInterval(3).build());
        assertEquals(local.stopReason(), distributed.stopReason());
        assertEquals(local.iterations(), distributed.iterations());
        assertArrayEquals(local.checkIterations(), distributed.checkIterations());
        distributed.unpersist();
    }

    @Test
    void progressIsReportedAtEachCheckAndCancellationStopsTheFit() {
        org.jnmf.Cancellation cancellation = new org.jnmf.Cancellation();
        List<Integer> seen = new java.util.ArrayList<>();
        NmfOptions options = options(Algorithm.HALS, 100).toBuilder().checkInterval(5).cancellation(cancellation)
                .progress((iteration, max, error, change) -> {
                    seen.add(iteration);
                    if (iteration == 15) {
                        cancellation.cancel();
                    }
                }).build();
        DistributedNmfResult r = DistributedNmf.fit(Problems.rdd(Problems.rows(V), 2), options);
        assertEquals(org.jnmf.StopReason.CANCELLED, r.stopReason());
        assertEquals(15, r.iterations());
        assertEquals(List.of(5, 10, 15), seen);
        r.unpersist();
    }

    @Test
    void indexedRowsWithGapsAreZeroRows() {
        Matrix v = DenseMatrix.of(new double[][] {{1, 2, 0}, {0, 0, 0}, {3, 0, 1}, {0, 1, 1}});
        NmfOptions options = NmfOptions.builder(2).initialization(Initialization.RANDOM).seed(4).maxIterations(20)
                .tolerance(0).backend("java").build();
        NmfResult local = Nmf.fit(v, options);
        var indexed = SharedSpark.context().parallelizePairs(List.of(
                new scala.Tuple2<>(3L, Vectors.dense(0, 1, 1)), new scala.Tuple2<>(0L, Vectors.dense(1, 2, 0)),
                new scala.Tuple2<>(2L, Vectors.dense(3, 0, 1))), 2);
        DistributedNmfResult distributed = DistributedNmf.fitIndexed(indexed, 4, options, partitions(1));
        assertArrayEquals(local.w().toDoubleArray(), distributed.collectW().toDoubleArray());
        for (scala.Tuple2<Long, Vector> row : distributed.w().collect()) {
            double[] expected = new double[2];
            local.w().copyRow((int) (long) row._1(), expected);
            assertArrayEquals(expected, row._2().toArray());
        }
        assertEquals(4, distributed.w().count());
        assertArrayEquals(local.h().toDoubleArray(), distributed.h().toDoubleArray());
        distributed.unpersist();
    }

    @Test
    void emptyInputPartitionsAreLeftOut() {
        Matrix v = DenseMatrix.of(new double[][] {{1, 2, 0}, {0, 1, 1}, {3, 0, 1}});
        NmfOptions options = NmfOptions.builder(2).initialization(Initialization.RANDOM).seed(4).maxIterations(20)
                .tolerance(0).backend("java").build();
        NmfResult local = Nmf.fit(v, options);
        DistributedNmfResult distributed = DistributedNmf.fit(Problems.rdd(Problems.rows((DenseMatrix) v), 5), options);
        assertEquals(3, distributed.partitions(), "5 input partitions, 2 of them empty: one block per row");
        assertTrue(Problems.relativeDifference(distributed.collectW(), local.w()) < PARTITIONED_TOLERANCE);
        assertTrue(Problems.relativeDifference(distributed.h(), local.h()) < PARTITIONED_TOLERANCE);
        distributed.unpersist();
    }

    @Test
    void badInputIsRefusedWithTheReason() {
        NmfOptions options = NmfOptions.builder(2).initialization(Initialization.RANDOM).maxIterations(5).build();
        var negative = Problems.rdd(List.of(Vectors.dense(1, 2), Vectors.dense(0, -1)), 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DistributedNmf.fit(negative, options));
        assertTrue(e.getMessage().contains("negative entry (-1.0) at row 1, column 1"), e.getMessage());
        var ragged = Problems.rdd(List.of(Vectors.dense(1, 2), Vectors.dense(1, 2, 3)), 2);
        e = assertThrows(IllegalArgumentException.class, () -> DistributedNmf.fit(ragged, options));
        assertTrue(e.getMessage().contains("differ in length"), e.getMessage());
        var fine = Problems.rdd(Problems.rows(V), 2);
        var tall = Problems.rdd(List.of(Vectors.dense(1, 2), Vectors.dense(3, 4)), 2);
        e = assertThrows(IllegalArgumentException.class, () -> DistributedNmf.fit(tall,
                NmfOptions.builder(3).initialization(Initialization.NNDSVDA).build()));
        assertEquals("rank must be ≤ min(n, m) = 2 for nndsvda initialisation; got 3. Use random initialisation or a"
                + " smaller rank.", e.getMessage());
        for (NmfOptions unsupported : List.of(
                options.toBuilder().missing(org.jnmf.Missing.NAN).algorithm(Algorithm.MULTIPLICATIVE).beta(1).build(),
                options.toBuilder().mask(org.jnmf.DenseMatrix.wrap(200, 150, new double[200 * 150]))
                        .algorithm(Algorithm.MULTIPLICATIVE).beta(1).build())) {
            e = assertThrows(IllegalArgumentException.class, () -> DistributedNmf.fit(fine, unsupported));
            assertTrue(e.getMessage().startsWith("the distributed fit does not support"), e.getMessage());
        }
        var duplicate = SharedSpark.context().parallelizePairs(List.of(
                new scala.Tuple2<>(0L, Vectors.dense(1, 2)), new scala.Tuple2<>(0L, Vectors.dense(1, 2))), 1);
        e = assertThrows(IllegalArgumentException.class,
                () -> DistributedNmf.fitIndexed(duplicate, -1, options, DistributedOptions.defaults()));
        assertTrue(e.getMessage().contains("given twice"), e.getMessage());
    }

    @Test
    void badDistributedOptionsAreRefused() {
        var b = DistributedOptions.builder();
        assertThrows(IllegalArgumentException.class, () -> b.partitions(-1));
        assertThrows(IllegalArgumentException.class, () -> b.checkpointInterval(0));
        assertThrows(IllegalArgumentException.class, () -> b.treeDepth(0));
        assertThrows(IllegalArgumentException.class, () -> b.broadcastBlockBytes(4));
        assertThrows(IllegalArgumentException.class, () -> b.executorBackend("gpu"));
        assertThrows(IllegalArgumentException.class, () -> b.executorThreads(0));
        assertThrows(IllegalArgumentException.class, () -> b.format(null));
    }
}
