package org.jnmf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CheckpointTest {
    private static final Matrix V = TestMatrices.lowRank(70, 50, 4, 0.05, 3);

    private static NmfOptions.Builder options(String algorithm, Precision precision, double beta) {
        return NmfOptions.builder(4).algorithm(algorithm.equals("hals") ? Algorithm.HALS : Algorithm.MULTIPLICATIVE).beta(beta).precision(precision)
                .backend("java").threads(2).seed(9).maxIterations(40).tolerance(0).checkInterval(10);
    }

    @ParameterizedTest
    @CsvSource({"hals, SINGLE, 2", "hals, DOUBLE, 2", "mu, SINGLE, 2", "mu, DOUBLE, 1"})
    void resumingFromAPeriodicCheckpointGivesTheUninterruptedBits(String algorithm, Precision precision, double beta) {
        NmfResult whole = Nmf.fit(V, options(algorithm, precision, beta).build());
        List<Checkpoint> taken = new ArrayList<>();
        NmfResult first = Nmf.fit(V, options(algorithm, precision, beta).maxIterations(25)
                .checkpoints(10, taken::add).build());
        assertEquals(List.of(10, 20, 25), taken.stream().map(Checkpoint::iteration).toList());
        assertArrayEquals(first.w().toDoubleArray(), taken.get(2).w().toDoubleArray());

        // As after a kill at iteration 25: the last periodic checkpoint is iteration 20.
        NmfResult resumed = Nmf.fit(V, options(algorithm, precision, beta).resumeFrom(taken.get(1)).build());
        assertEquals(40, resumed.iterations());
        assertArrayEquals(whole.w().toDoubleArray(), resumed.w().toDoubleArray());
        assertArrayEquals(whole.h().toDoubleArray(), resumed.h().toDoubleArray());
        assertArrayEquals(whole.lossHistory(), resumed.lossHistory());
        assertArrayEquals(whole.checkIterations(), resumed.checkIterations());
    }

    @Test
    void aCancelledFitLeavesACheckpointThatContinuesExactlyThroughAFile(@TempDir Path dir) {
        NmfResult whole = Nmf.fit(V, options("hals", Precision.DOUBLE, 2).build());
        Cancellation cancel = new Cancellation();
        List<Checkpoint> taken = new ArrayList<>();
        NmfResult stopped = Nmf.fit(V, options("hals", Precision.DOUBLE, 2).cancellation(cancel)
                .checkpoints(100, c -> taken.add(c))
                .progress((iteration, max, relativeError, change) -> {
                    if (iteration == 20) {
                        cancel.cancel();
                    }
                }).build());
        assertEquals(StopReason.CANCELLED, stopped.stopReason());
        assertEquals(1, taken.size());
        Path file = dir.resolve("checkpoint.jnmf");
        taken.getFirst().save(file);
        Checkpoint loaded = Checkpoint.load(file);
        assertEquals(20, loaded.iteration());

        NmfResult resumed = Nmf.fit(V, options("hals", Precision.DOUBLE, 2).resumeFrom(loaded).build());
        assertArrayEquals(whole.w().toDoubleArray(), resumed.w().toDoubleArray());
        assertArrayEquals(whole.h().toDoubleArray(), resumed.h().toDoubleArray());
        assertArrayEquals(whole.lossHistory(), resumed.lossHistory());
    }

    @Test
    void resumingWithOtherSettingsIsRefusedNamingTheSetting() {
        List<Checkpoint> taken = new ArrayList<>();
        Nmf.fit(V, options("hals", Precision.DOUBLE, 2).maxIterations(10).checkpoints(10, taken::add).build());
        Checkpoint c = taken.getFirst();
        IllegalArgumentException algorithm = assertThrows(IllegalArgumentException.class,
                () -> Nmf.fit(V, options("mu", Precision.DOUBLE, 2).resumeFrom(c).build()));
        assertTrue(algorithm.getMessage().contains("algorithm = hals"), algorithm.getMessage());
        IllegalArgumentException precision = assertThrows(IllegalArgumentException.class,
                () -> Nmf.fit(V, options("hals", Precision.SINGLE, 2).resumeFrom(c).build()));
        assertTrue(precision.getMessage().contains("precision"), precision.getMessage());
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> Nmf.fit(TestMatrices.lowRank(71, 50, 4, 0.05, 3),
                        options("hals", Precision.DOUBLE, 2).resumeFrom(c).build()));
        assertTrue(shape.getMessage().startsWith("cannot resume"), shape.getMessage());
        IllegalArgumentException budget = assertThrows(IllegalArgumentException.class,
                () -> Nmf.fit(V, options("hals", Precision.DOUBLE, 2).maxIterations(5).resumeFrom(c).build()));
        assertTrue(budget.getMessage().contains("beyond max iterations 5"), budget.getMessage());
    }

    @Test
    void badCheckpointOptionsAndFilesAreRefused(@TempDir Path dir) throws Exception {
        assertThrows(IllegalArgumentException.class, () -> NmfOptions.builder(2).checkpoints(0, c -> { }));
        IllegalArgumentException restarts = assertThrows(IllegalArgumentException.class,
                () -> NmfOptions.builder(2).restarts(3).checkpoints(5, c -> { }).build());
        assertTrue(restarts.getMessage().contains("single run"), restarts.getMessage());

        Path model = dir.resolve("model.jnmf");
        NmfModel.of(Nmf.fit(V, options("hals", Precision.DOUBLE, 2).maxIterations(3).build()),
                NmfOptions.rank(4)).save(model);
        ModelFormatException notCheckpoint = assertThrows(ModelFormatException.class, () -> Checkpoint.load(model));
        assertTrue(notCheckpoint.getMessage().contains("not a checkpoint"), notCheckpoint.getMessage());

        Path truncated = dir.resolve("truncated.jnmf");
        byte[] bytes = Files.readAllBytes(model);
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length - 9));
        assertThrows(ModelFormatException.class, () -> Checkpoint.load(truncated));
    }
}
