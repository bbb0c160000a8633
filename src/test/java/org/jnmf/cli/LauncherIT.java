package org.jnmf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.jnmf.TestMatrices;
import org.jnmf.io.MatrixWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./jnmf} launcher itself, run through a symlink as a user would have it on PATH. It runs after
 * {@code package} (the {@code launcher-tests} execution in the pom), so the jar it starts is the one just built.
 */
@EnabledOnOs(OS.LINUX)
class LauncherIT {
    @TempDir
    static Path dir;

    private static Path launcher;
    private static Path input;

    @BeforeAll
    static void linkTheLauncher() throws Exception {
        Path script = Path.of(System.getProperty("user.dir"), "jnmf").toAbsolutePath();
        assertTrue(Files.isExecutable(script), "no launcher at " + script);
        Path bin = Files.createDirectories(dir.resolve("bin"));
        launcher = Files.createSymbolicLink(bin.resolve("jnmf"), script);
        input = dir.resolve("v.npy");
        MatrixWriter.write(TestMatrices.lowRank(300, 200, 5, 0.05, 5), input);
    }

    private static Process start(Map<String, String> env, Path log, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(launcher.toString()));
        command.addAll(List.of(args));
        // Started from another folder: the launcher must find its checkout through the symlink.
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    private static ChildJvm.Outcome run(Map<String, String> env, String... args) throws Exception {
        Path log = Files.createTempFile(dir, "launcher", ".log");
        return ChildJvm.finish(start(env, log, args), log);
    }

    @Test
    void aSymlinkOnPathFindsItsCheckout() throws Exception {
        ChildJvm.Outcome out = run(Map.of(), "--version");
        assertEquals(0, out.exit(), out.output());
        assertTrue(out.output().startsWith("jnmf "), out.output());
        assertFalse(out.output().contains("building the jar"), "the jar just built was rebuilt: " + out.output());
    }

    @Test
    void anOlderJdkInJavaHomeIsPassedOverByItsReleaseFileWithoutStartingIt() throws Exception {
        // A JDK 17 whose java records that it ran: the launcher reads the release file, skips it and finds
        // a JDK 25 elsewhere; starting each candidate's java to ask its version cost ~0.1 s a candidate.
        Path old = Files.createDirectories(dir.resolve("jdk-17/bin"));
        Path marker = dir.resolve("old-java-ran");
        Files.writeString(old.resolveSibling("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"17.0.15\"\n");
        Path java = Files.writeString(old.resolve("java"), "#!/bin/sh\ntouch '" + marker + "'\nexit 1\n");
        assertTrue(java.toFile().setExecutable(true));
        ChildJvm.Outcome out = run(Map.of("JAVA_HOME", old.getParent().toString()), "--version");
        assertEquals(0, out.exit(), out.output());
        assertTrue(out.output().matches("(?s).*Java (2[5-9]|[3-9][0-9]).*"), out.output());
        assertFalse(Files.exists(marker), "the launcher started the JDK 17's java to learn its version");
    }

    @Test
    void leadingJvmOptionsAndJnmfJavaOptsReachTheJvm() throws Exception {
        // -Djnmf.backend sets --backend's default (its help says so); a value no backend has is refused by name.
        ChildJvm.Outcome flag = run(Map.of(), "-Xmx256m", "-Djnmf.backend=nosuchbackend", "fit", input.toString(),
                "--rank", "2", "--out", dir.resolve("flag").toString());
        assertEquals(2, flag.exit(), flag.output());
        assertTrue(flag.output().contains("--backend must be auto or one of"), flag.output());
        assertTrue(flag.output().contains("nosuchbackend"), flag.output());

        ChildJvm.Outcome env = run(Map.of("JNMF_JAVA_OPTS", "-Xmx256m -Djnmf.backend=otherbackend"), "fit",
                input.toString(), "--rank", "2", "--out", dir.resolve("env").toString());
        assertEquals(2, env.exit(), env.output());
        assertTrue(env.output().contains("otherbackend"), env.output());
    }

    /** Starts a fit that would run for minutes and waits until it is iterating (it has written a checkpoint). */
    private static Process startLongFit(String out, Path log) throws Exception {
        Path checkpoints = dir.resolve(out + "-checkpoints");
        Process p = start(Map.of(), log, "-Xmx256m", "fit", input.toString(), "--rank", "5", "--tol", "0",
                "--max-iter", "100000000", "--seed", "3", "--threads", "1", "--backend", "java", "--checkpoint",
                checkpoints.toString(), "--checkpoint-every", "20", "--out", dir.resolve(out).toString());
        ChildJvm.awaitCheckpoint(p, checkpoints.resolve("checkpoint.jnmf"), 20, log);
        return p;
    }

    private static String read(Path log) {
        return ChildJvm.read(log);
    }

    private void assertSignalStopsTheFitLikeCtrlC(String signal, int expectedExit) throws Exception {
        String out = "signal-" + signal;
        Path log = dir.resolve(out + ".log");
        Process p = startLongFit(out, log);
        List<ProcessHandle> before = Stream.concat(Stream.of(p.toHandle()), p.descendants()).toList();
        int kill = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor();
        assertEquals(0, kill);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), () -> "still running after SIG" + signal + ": " + read(log));
        assertEquals(expectedExit, p.exitValue(), read(log));
        String summary = Files.readString(dir.resolve(out).resolve("summary.json"));
        assertTrue(summary.contains("\"stop_reason\": \"cancelled\""), summary);
        assertTrue(Files.exists(dir.resolve(out).resolve("W.npy")) && Files.exists(dir.resolve(out).resolve("H.npy")));
        assertTrue(read(log).contains("interrupted"), read(log));
        for (ProcessHandle child : before) {
            try {
                child.onExit().get(10, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                child.destroyForcibly();
                throw new AssertionError("left running after SIG" + signal + ": " + child.info());
            }
        }
    }

    @Test
    void sigtermToTheLauncherStopsTheFitAndWritesItsFactors() throws Exception {
        assertSignalStopsTheFitLikeCtrlC("TERM", 143);
    }

    @Test
    void sigintToTheLauncherStopsTheFitAndWritesItsFactors() throws Exception {
        assertSignalStopsTheFitLikeCtrlC("INT", 130);
    }

    @Test
    void sigkillToTheLauncherLeavesNoJavaWritingResultsLater() throws Exception {
        Path log = dir.resolve("kill.log");
        Process p = startLongFit("killed", log);
        List<ProcessHandle> javas = Stream.concat(Stream.of(p.toHandle()), p.descendants())
                .filter(h -> h.info().command().map(c -> c.endsWith("/java")).orElse(false)).toList();
        assertFalse(javas.isEmpty(), "no java process under the launcher");
        p.destroyForcibly();
        try {
            for (ProcessHandle java : javas) {
                java.onExit().get(10, TimeUnit.SECONDS);
            }
        } catch (TimeoutException e) {
            javas.forEach(ProcessHandle::destroyForcibly);
            throw new AssertionError("java kept running after the launcher was killed: " + read(log));
        }
        assertFalse(Files.exists(dir.resolve("killed").resolve("summary.json")), read(log));
    }
}
