package org.jnmf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the command-line tests share: a temporary folder with an output folder name in it, {@link Main#run}
 * in-process with what it printed kept, and the check of a one-line usage error.
 */
abstract class CliTestSupport {
    @TempDir
    Path dir;

    Path out;
    String stdout;
    String stderr;

    @BeforeEach
    void setUpCommandLine() {
        out = dir.resolve("out");
        System.setProperty("jnmf.stderrTty", "false");
    }

    int run(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8));
        stdout = o.toString(StandardCharsets.UTF_8);
        stderr = e.toString(StandardCharsets.UTF_8);
        return status;
    }

    /** Seeded uniform values in [0, 1) as headerless CSV text. */
    static String csv(int rows, int cols, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                s.append(j == 0 ? "" : ",").append(random.nextDouble());
            }
            s.append('\n');
        }
        return s.toString();
    }

    /** A usage error: status 2, one line on stderr naming what went wrong, and no output folder. */
    void assertUsageError(int status, String... phrases) {
        assertEquals(2, status, stderr);
        assertTrue(stderr.startsWith("jnmf: "), stderr);
        assertEquals(1, stderr.lines().count(), stderr);
        assertFalse(stderr.contains("Exception"), stderr);
        for (String phrase : phrases) {
            assertTrue(stderr.contains(phrase), () -> "'" + phrase + "' missing from: " + stderr);
        }
        assertFalse(Files.exists(out), "no output may remain after a failure");
    }

    String summary() throws IOException {
        return Files.readString(out.resolve("summary.json"));
    }
}
