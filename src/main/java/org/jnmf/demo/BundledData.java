package org.jnmf.demo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.jnmf.Matrix;
import org.jnmf.io.MatrixReader;

/** The data sets inside the jar ({@code /org/jnmf/data}, listed with sources and licences in its README.md). */
public final class BundledData {
    private static final String FOLDER = "/org/jnmf/data/";

    private BundledData() {
    }

    /** Reads the bundled matrix {@code name} (e.g. {@code mnist2k.csv.gz}) as {@link MatrixReader} would the file. */
    public static Matrix matrix(String name) {
        try (InputStream in = open(name)) {
            String suffix = name.substring(name.indexOf('.'));
            Path copy = Files.createTempFile("jnmf-data-", suffix);
            try {
                Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
                return MatrixReader.read(copy);
            } finally {
                Files.deleteIfExists(copy);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bundled data " + FOLDER + name + ": " + e.getMessage(), e);
        }
    }

    /** The lines of the bundled text file {@code name} (gunzipped when it ends in .gz). */
    public static List<String> lines(String name) {
        try (InputStream raw = open(name);
             InputStream in = name.endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return reader.lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the bundled data " + FOLDER + name + ": " + e.getMessage(), e);
        }
    }

    private static InputStream open(String name) {
        InputStream in = BundledData.class.getResourceAsStream(FOLDER + name);
        if (in == null) {
            throw new IllegalStateException("the bundled data " + FOLDER + name + " is missing from the jar; rebuild it");
        }
        return in;
    }
}
