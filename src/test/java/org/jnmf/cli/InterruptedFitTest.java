package org.jnmf.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jnmf.Checkpoint;
import org.jnmf.DenseMatrix;
import org.jnmf.TestMatrices;
import org.jnmf.io.MatrixReader;
import org.jnmf.io.MatrixWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real interruptions of {@code jnmf fit} in a child JVM: Ctrl-C (SIGINT) stops the fit at the next check
 * and writes complete factors with {@code stop_reason} {@code cancelled}; a kill (SIGKILL) leaves no result
 * but an intact checkpoint. Either way, {@code --resume} then ends with the bits of a fit never interrupted.
 */
@EnabledOnOs(OS.LINUX)
class InterruptedFitTest {
    private static final int N = 300;
    private static final int M = 200;
    private static final int K = 5;

    @TempDir
    static Path dir;

    private static Path input;

    @BeforeAll
    static void writeInput() {
        input = dir.resolve("v.npy");
        MatrixWriter.write(TestMatrices.lowRank(N, M, K, 0.05, 5), input);
    }

    private static String[] fitArgs(String out, String... more) {
        List<String> args = new ArrayList<>(List.of("fit", input.toString(), "--rank", String.valueOf(K), "--tol", "0",
                "--check-every", "1", "--seed", "3", "--threads", "1", "--backend", "java", "--out",
                dir.resolve(out).toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    /** Starts a fit that would run for minutes, and waits until it has written a checkpoint after {@code past}. */
    private static Process startLongFit(String out, String checkpoints, Path log, int past) throws Exception {
        Process p = ChildJvm.start("256m", List.of(), log, fitArgs(out, "--max-iter", "100000000", "--checkpoint",
                dir.resolve(checkpoints).toString(), "--checkpoint-every", "20"));
        ChildJvm.awaitCheckpoint(p, dir.resolve(checkpoints).resolve("checkpoint.jnmf"), past, log);
        return p;
    }

    private static String read(Path log) {
        return ChildJvm.read(log);
    }

    private static byte[] bytes(String out, String file) throws Exception {
        return Files.readAllBytes(dir.resolve(out).resolve(file));
    }

    /** Resumes from {@code checkpoints} to {@code total} iterations and checks the bits against a fit never stopped. */
    private static void assertResumedEqualsUninterrupted(String checkpoints, int total, String name) throws Exception {
        ChildJvm.Outcome resumed = ChildJvm.run("256m", List.of(), dir, fitArgs(name + "-resumed", "--max-iter",
                String.valueOf(total), "--resume", dir.resolve(checkpoints).toString()));
        assertEquals(0, resumed.exit(), resumed.output());
        ChildJvm.Outcome straight = ChildJvm.run("256m", List.of(), dir, fitArgs(name + "-straight", "--max-iter",
                String.valueOf(total)));
        assertEquals(0, straight.exit(), straight.output());
        assertArrayEquals(bytes(name + "-straight", "W.npy"), bytes(name + "-resumed", "W.npy"), name + ": W");
        assertArrayEquals(bytes(name + "-straight", "H.npy"), bytes(name + "-resumed", "H.npy"), name + ": H");
    }

    @Test
    void ctrlCWritesCompleteFactorsAtTheNextCheckAndTheFitResumesToTheSameBits() throws Exception {
        Path log = dir.resolve("ctrl-c.log");
        Process p = startLongFit("ctrl-c", "ctrl-c-ck", log, 40);
        assertEquals(0, new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor());
        ChildJvm.Outcome o = ChildJvm.finish(p, log);
        assertTrue(o.output().contains("jnmf: interrupted; stopping after this iteration and writing the factors"),
                o.output());
        assertFalse(o.output().contains("Exception"), o.output());
        String summary = Files.readString(dir.resolve("ctrl-c/summary.json"));
        assertTrue(summary.contains("\"stop_reason\": \"cancelled\""), summary);
        Matcher m = Pattern.compile("\"iterations\": (\\d+)").matcher(summary);
        assertTrue(m.find(), summary);
        int stopped = Integer.parseInt(m.group(1));
        assertTrue(stopped > 40, summary);
        DenseMatrix w = (DenseMatrix) MatrixReader.read(dir.resolve("ctrl-c/W.npy"));
        DenseMatrix h = (DenseMatrix) MatrixReader.read(dir.resolve("ctrl-c/H.npy"));
        assertEquals(List.of(N, K, K, M), List.of(w.rows(), w.cols(), h.rows(), h.cols()));
        try (Stream<Path> files = Files.list(dir.resolve("ctrl-c"))) {
            assertEquals(List.of("H.npy", "W.npy", "summary.json"),
                    files.map(f -> f.getFileName().toString()).sorted().toList(), "no temporary files left");
        }
        // The checkpoint taken as it stopped holds the same point as the factors written.
        assertEquals(stopped, Checkpoint.load(dir.resolve("ctrl-c-ck/checkpoint.jnmf")).iteration());
        assertResumedEqualsUninterrupted("ctrl-c-ck", stopped + 15, "ctrl-c");
    }

    @Test
    void aKilledFitLeavesAnIntactCheckpointThatResumesToTheSameBits() throws Exception {
        Path log = dir.resolve("kill.log");
        Process p = startLongFit("killed", "killed-ck", log, 60);
        p.destroyForcibly();
        p.waitFor();
        assertFalse(Files.exists(dir.resolve("killed/W.npy")), "a killed fit writes no factors");
        int at = Checkpoint.load(dir.resolve("killed-ck/checkpoint.jnmf")).iteration();
        assertEquals(0, at % 20, "checkpoints come every 20 iterations; got one at " + at);
        assertResumedEqualsUninterrupted("killed-ck", at + 15, "killed");
    }
}
