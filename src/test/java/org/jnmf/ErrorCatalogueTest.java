package org.jnmf;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/errors.md stays true: each row's message excerpt occurs in the main sources (so a reworded
 * message cannot leave a stale entry) and each row's test method exists; the README links the catalogue.
 */
class ErrorCatalogueTest {
    private static final Pattern ROW = Pattern.compile("^\\|[^|]*\\| `(.+)` \\| `(\\w+)#(\\w+)` \\|$");

    private static String sources(Path root) throws IOException {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                all.append(Files.readString(p)).append('\n');
            }
        }
        return all.toString();
    }

    @Test
    void everyCataloguedErrorExistsAndHasItsTest() throws IOException {
        String main = sources(Path.of("src/main/java"));
        List<String> problems = new ArrayList<>();
        int rows = 0;
        for (String line : Files.readAllLines(Path.of("docs/errors.md"))) {
            Matcher m = ROW.matcher(line);
            if (!m.matches()) {
                if (line.startsWith("| ") && !line.startsWith("| Problem") && !line.startsWith("| ---")) {
                    problems.add("row not in the form | problem | `excerpt` | `Test#method` |: " + line);
                }
                continue;
            }
            rows++;
            if (!main.contains(m.group(1))) {
                problems.add("message excerpt not in src/main/java: " + m.group(1));
            }
            List<Path> test;
            try (Stream<Path> files = Files.walk(Path.of("src/test/java"))) {
                test = files.filter(f -> f.getFileName().toString().equals(m.group(2) + ".java")).toList();
            }
            if (test.size() != 1 || !Files.readString(test.get(0)).contains(" void " + m.group(3) + "(")) {
                problems.add("no test method " + m.group(2) + "#" + m.group(3));
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        assertTrue(rows >= 80, "the catalogue lists " + rows + " errors");
        assertTrue(Files.readString(Path.of("README.md")).contains("docs/errors.md"), "README links docs/errors.md");
    }
}
