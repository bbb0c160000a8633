package org.jnmf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A JVM started without {@code --add-modules jdk.incubator.vector}: one message at Nmf.fit naming the flags. */
class VectorApiBoundaryTest {
    @TempDir
    Path dir;

    @Test
    void aFitWithoutTheVectorModuleFailsAtTheApiWithTheFlagsToAdd() throws Exception {
        Path input = dir.resolve("v.csv");
        Files.writeString(input, "1,2,3\n4,5,6\n7,8,10\n");
        String java = ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Path log = dir.resolve("out.log");
        Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                "org.jnmf.cli.Main", "fit", input.toString(), "--rank", "2", "--out", dir.resolve("o").toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        String output = Files.readString(log);
        assertEquals(1, p.exitValue(), output);
        assertTrue(output.contains("jnmf needs the JDK's Vector API module")
                && output.contains("add --add-modules jdk.incubator.vector"), output);
        assertFalse(output.contains("NoClassDefFoundError") || output.contains("internal error"), output);
        assertFalse(Files.exists(dir.resolve("o").resolve("summary.json")));
    }
}
