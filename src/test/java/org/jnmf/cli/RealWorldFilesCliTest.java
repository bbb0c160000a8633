package org.jnmf.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jnmf.DenseMatrix;
import org.jnmf.io.LabeledMatrix;
import org.jnmf.io.MatrixReader;
import org.jnmf.io.MatrixWriter;
import org.jnmf.io.ReadOptions;
import org.junit.jupiter.api.Test;

/**
 * {@code jnmf fit} on files as R, pandas and NumPy write them (made by {@code realworld/make.sh} in the test
 * resources): missing values as R's {@code NA} and pandas' empty fields, names kept through to W, H and
 * summary.json, numeric headers and numeric row ids detected, integer {@code .npy} counts.
 */
class RealWorldFilesCliTest extends CliTestSupport {
    private static final List<String> GENES = List.of("TP53", "BRCA1", "MYC", "EGFR", "KRAS", "PTEN");

    private Path resource(String name) throws IOException {
        Path target = dir.resolve(name);
        try (InputStream in = getClass().getResourceAsStream("realworld/" + name)) {
            Files.copy(in, target);
        }
        return target;
    }

    private static LabeledMatrix readBack(Path file) {
        return MatrixReader.readLabeled(file, ReadOptions.defaults());
    }

    @Test
    void rWriteCsvWithNaFitsWithMissingNanAndKeepsGeneAndSampleNames() throws IOException {
        Path input = resource("r-write-csv-na.csv");
        assertUsageError(run("fit", input.toString(), "--rank", "2", "--out", out.toString()),
                "r-write-csv-na.csv, line 3", "'NA'", "pass --missing nan");

        assertEquals(0, run("fit", input.toString(), "--rank", "2", "--missing", "nan", "--format", "csv", "--seed",
                "1", "--out", out.toString()), stderr);
        LabeledMatrix w = readBack(out.resolve("W.csv"));
        assertEquals(GENES, w.rowNames());
        assertEquals(List.of("component_1", "component_2"), w.columnNames());
        LabeledMatrix h = readBack(out.resolve("H.csv"));
        assertEquals(List.of("component_1", "component_2"), h.rowNames());
        assertEquals(List.of("S1", "S2", "S3", "S4"), h.columnNames());
        assertTrue(Files.readString(out.resolve("W.csv")).startsWith("\"\",\"component_1\",\"component_2\"\n\"TP53\","));
        String summary = summary();
        assertTrue(summary.contains("\"row_names\": [\"TP53\", \"BRCA1\", \"MYC\", \"EGFR\", \"KRAS\", \"PTEN\"]"),
                summary);
        assertTrue(summary.contains("\"column_names\": [\"S1\", \"S2\", \"S3\", \"S4\"]"), summary);
        assertTrue(summary.contains("\"missing\": \"nan\""), summary);
        assertEquals("", stderr.strip(), "R's file needs no guessing: " + stderr);
    }

    @Test
    void pandasEmptyFieldsAndANumericHeaderOfYears() throws IOException {
        Path input = resource("pandas-empty-fields.csv");
        assertUsageError(run("fit", input.toString(), "--rank", "2", "--out", out.toString()),
                "pandas-empty-fields.csv, line 3", "value 3 is empty", "pass --missing nan");

        assertEquals(0, run("fit", input.toString(), "--rank", "2", "--missing", "nan", "--format", "csv", "--out",
                out.toString()), stderr);
        assertTrue(stderr.contains("note: line 1") && stderr.contains("read as the header"), stderr);
        assertEquals(GENES, readBack(out.resolve("W.csv")).rowNames());
        assertEquals(List.of("2019", "2020", "2021", "2022"), readBack(out.resolve("H.csv")).columnNames());
        // --no-header overrules: "gene" then names a data row, and its years are data.
        Path asData = dir.resolve("asData");
        assertEquals(0, run("fit", input.toString(), "--rank", "2", "--missing", "nan", "--no-header", "--quiet",
                "--out", asData.toString()), stderr);
        assertTrue(Files.readString(asData.resolve("summary.json")).contains("\"rows\": 7"));
    }

    @Test
    void numericEntrezIdsAreRowNamesUnlessToldOtherwise() throws IOException {
        Path input = resource("entrez-ids.csv");
        assertEquals(0, run("fit", input.toString(), "--rank", "2", "--format", "csv", "--out", out.toString()), stderr);
        assertTrue(stderr.contains("read as row ids") && stderr.contains("--no-row-names"), stderr);
        assertTrue(summary().contains("\"cols\": 4"), summary());
        assertEquals(List.of("7157", "672", "4609", "1956", "3845", "5728"), readBack(out.resolve("W.csv")).rowNames());

        Path asData = dir.resolve("asData");
        assertEquals(0, run("fit", input.toString(), "--rank", "2", "--no-row-names", "--out", asData.toString()),
                stderr);
        assertTrue(Files.readString(asData.resolve("summary.json")).contains("\"cols\": 5"));
    }

    @Test
    void integerNpyCountsFitAsFloat64() throws IOException {
        DenseMatrix counts = (DenseMatrix) MatrixReader.read(resource("counts-int64.npy"));
        DenseMatrix unsigned = (DenseMatrix) MatrixReader.read(resource("counts-uint16.npy"));
        assertArrayEquals(counts.toDoubleArray(), unsigned.toDoubleArray());
        assertEquals(5.0, counts.get(0, 0));
        assertEquals(9.0, counts.get(2, 2));

        Path asFloat = dir.resolve("counts-f8.npy");
        MatrixWriter.write(counts, asFloat);
        Path fromFloat = dir.resolve("fromFloat");
        assertEquals(0, run("fit", asFloat.toString(), "--rank", "2", "--out", fromFloat.toString()), stderr);
        assertEquals(0, run("fit", dir.resolve("counts-int64.npy").toString(), "--rank", "2", "--out",
                out.toString()), stderr);
        assertTrue(summary().contains("\"precision\": \"double\""), summary());
        assertArrayEquals(Files.readAllBytes(fromFloat.resolve("W.npy")), Files.readAllBytes(out.resolve("W.npy")));
        assertArrayEquals(Files.readAllBytes(fromFloat.resolve("H.npy")), Files.readAllBytes(out.resolve("H.npy")));
    }

    @Test
    void anAllZeroStartIsRefusedBeforeTheFit() throws IOException {
        Path input = resource("counts-int64.npy");
        Path w = dir.resolve("w0.npy");
        Path h = dir.resolve("h0.npy");
        MatrixWriter.write(DenseMatrix.wrap(6, 2, new double[12]), w);
        MatrixWriter.write(DenseMatrix.wrap(2, 4, new double[] {1, 1, 1, 1, 1, 1, 1, 1}), h);
        assertUsageError(run("fit", input.toString(), "--rank", "2", "--algorithm", "mu", "--init-w", w.toString(),
                "--init-h", h.toString(), "--out", out.toString()), "--init-w " + w, "initial W (6×2) is all zeros",
                "start from positive values");
        MatrixWriter.write(DenseMatrix.wrap(6, 2, new double[] {1, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1}), w);
        MatrixWriter.write(DenseMatrix.wrap(2, 4, new double[8]), h);
        assertUsageError(run("fit", input.toString(), "--rank", "2", "--init-w", w.toString(), "--init-h",
                h.toString(), "--out", out.toString()), "initial H (2×4) is all zeros");
    }
}
