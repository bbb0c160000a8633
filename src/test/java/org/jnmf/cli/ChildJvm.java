package org.jnmf.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code jnmf} run in a child JVM (its own heap size, real signals), output to a log file. */
final class ChildJvm {
    private ChildJvm() {
    }

    /** A finished run: its exit status and everything it printed. */
    record Outcome(int exit, String output) {
    }

    /** Starts {@code org.jnmf.cli.Main args} with the given heap and JVM options; output goes to {@code log}. */
    static Process start(String heap, List<String> jvmOptions, Path log, String... args) throws IOException {
        String java = ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-Xmx" + heap, "--add-modules", "jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.jnmf.cli.Main"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Runs to the end (at most four minutes). */
    static Outcome run(String heap, List<String> jvmOptions, Path logFolder, String... args) throws Exception {
        Path log = Files.createTempFile(logFolder, "child", ".log");
        Process p = start(heap, jvmOptions, log, args);
        return finish(p, log);
    }

    /** Waits (at most four minutes) for a started child to end. */
    static Outcome finish(Process p, Path log) throws Exception {
        if (!p.waitFor(240, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the child JVM did not finish: " + Files.readString(log));
        }
        return new Outcome(p.exitValue(), Files.readString(log));
    }

    /** Waits (at most two minutes) until the running {@code p} has checkpointed past iteration {@code past}. */
    static void awaitCheckpoint(Process p, Path file, int past, Path log) throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!(Files.exists(file) && org.jnmf.Checkpoint.load(file).iteration() > past)) {
            if (!p.isAlive()) {
                throw new AssertionError("the fit ended early: " + read(log));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no checkpoint after 120 s: " + read(log));
            }
            Thread.sleep(20);
        }
    }

    /** What a child wrote to its log so far, or why it cannot be read. */
    static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
