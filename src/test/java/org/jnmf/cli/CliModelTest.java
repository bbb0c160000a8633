package org.jnmf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jnmf.DenseMatrix;
import org.jnmf.Initialization;
import org.jnmf.Nmf;
import org.jnmf.NmfModel;
import org.jnmf.NmfOptions;
import org.jnmf.NmfResult;
import org.jnmf.io.MatrixReader;
import org.jnmf.io.MatrixWriter;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The command line of saved models, transform, restarts, custom starts and normalised output. */
class CliModelTest extends CliTestSupport {
    private Path input;

    @BeforeEach
    void setUp() throws IOException {
        input = dir.resolve("v.csv");
        Files.writeString(input, csv(14, 9, 1));
    }

    @Test
    void fitSavesAModelThatTransformUses() throws IOException {
        Path model = dir.resolve("model.jnmf");
        int status = run("fit", input.toString(), "-k", "3", "-o", out.toString(), "--max-iter", "20",
                "--restarts", "3", "--normalize", "l1", "--sort", "--save", model.toString(), "--seed", "4");
        assertEquals(0, status, stderr);
        assertTrue(stdout.contains("saved the model to " + model), stdout);
        String summary = Files.readString(out.resolve("summary.json"));
        for (String field : new String[] {"\"restarts\": 3", "\"restart_losses\": [", "\"restart_seeds\": [4, ",
            "\"normalization\": \"l1\"", "\"sort_components\": true", "\"init\": \"random\"", "\"model\": "}) {
            assertTrue(summary.contains(field), field + " missing from " + summary);
        }
        NmfModel loaded = NmfModel.load(model);
        DenseMatrix w = (DenseMatrix) MatrixReader.read(out.resolve("W.npy"));
        assertEquals(w, loaded.w());
        assertEquals(3, ((java.util.List<?>) loaded.metadata().get("restart_losses")).size());
        for (int j = 0; j < 3; j++) {
            double sum = 0;
            for (int i = 0; i < w.rows(); i++) {
                sum += w.get(i, j);
            }
            assertEquals(1, sum, 1e-12);
        }

        Path newRows = dir.resolve("new.csv");
        Files.writeString(newRows, csv(5, 9, 2));
        Path t = dir.resolve("t");
        assertEquals(0, run("transform", model.toString(), newRows.toString(), "--out", t.toString()), stderr);
        assertTrue(stdout.contains("W.npy (5×3)"), stdout);
        DenseMatrix expected = loaded.transform(MatrixReader.read(newRows));
        assertEquals(expected, MatrixReader.read(t.resolve("W.npy")));

        Path newColumns = dir.resolve("cols.csv");
        Files.writeString(newColumns, csv(14, 4, 3));
        assertEquals(0, run("transform", model.toString(), newColumns.toString(), "--out", t.toString(), "--columns",
                "--format", "csv"), stderr);
        DenseMatrix h = (DenseMatrix) MatrixReader.read(t.resolve("H.csv"));
        assertEquals(3, h.rows());
        assertEquals(4, h.cols());
        DenseMatrix expectedH = loaded.transformColumns(MatrixReader.read(newColumns));
        for (int a = 0; a < 3; a++) {
            for (int j = 0; j < 4; j++) {
                assertEquals(expectedH.get(a, j), h.get(a, j), 1e-15 * (1 + expectedH.get(a, j)));
            }
        }
    }

    @Test
    void aCustomStartFromFilesIsTheApiFitFromThem() throws IOException {
        NmfResult start = Nmf.fit(MatrixReader.read(input), NmfOptions.builder(3).maxIterations(2)
                .initialization(Initialization.RANDOM).threads(1).build());
        Path w0 = dir.resolve("W0.npy");
        Path h0 = dir.resolve("H0.npy");
        MatrixWriter.write(start.w(), w0);
        MatrixWriter.write(start.h(), h0);
        assertEquals(0, run("fit", input.toString(), "-k", "3", "-o", out.toString(), "--max-iter", "7",
                "--threads", "1", "--init-w", w0.toString(), "--init-h", h0.toString()), stderr);
        NmfResult api = Nmf.fit(MatrixReader.read(input), NmfOptions.builder(3).maxIterations(7).threads(1)
                .initialFactors(start.w(), start.h()).build());
        assertEquals(api.w(), MatrixReader.read(out.resolve("W.npy")));
        assertEquals(api.h(), MatrixReader.read(out.resolve("H.npy")));
        assertTrue(Files.readString(out.resolve("summary.json")).contains("\"init\": \"custom\""));
    }

    @Test
    void badStartsRestartsNormalisationsAndModelPathsAreOneLineErrors() throws IOException {
        String v = input.toString();
        String o = out.toString();
        assertUsageError(run("fit", v, "-k", "2", "-o", o, "--restarts", "0"), "--restarts must be at least 1; got 0");
        assertUsageError(run("fit", v, "-k", "2", "-o", o, "--restarts", "3", "--init", "nndsvda"),
                "--restarts 3 needs a random start", "--init random or nndsvdar");
        assertUsageError(run("fit", v, "-k", "2", "-o", o, "--normalize", "l3"), "--normalize must be l1, l2 or none");
        assertUsageError(run("fit", v, "-k", "2", "-o", o, "--init", "svd"), "--init must be random, nndsvd, nndsvda or nndsvdar");

        Path w0 = dir.resolve("W0.csv");
        Path h0 = dir.resolve("H0.csv");
        Files.writeString(w0, csv(14, 2, 5));
        Files.writeString(h0, csv(2, 9, 6));
        assertUsageError(run("fit", v, "-k", "2", "-o", o, "--init-w", w0.toString()), "--init-w and --init-h go together");
        assertUsageError(run("fit", v, "-k", "3", "-o", o, "--init-w", w0.toString(), "--init-h", h0.toString()),
                "--init-w " + w0, "14×2", "must be 14×3");
        assertUsageError(run("fit", v, "-k", "2", "-o", o, "--init-w", h0.toString(), "--init-h", h0.toString()),
                "--init-w " + h0, "2×9", "must be 14×2");
        assertUsageError(run("fit", v, "-k", "2", "-o", o, "--init-w", w0.toString(), "--init-h", w0.toString()),
                "--init-h " + w0, "must be 2×9");
        Path negative = dir.resolve("neg.csv");
        Files.writeString(negative, "1,2\n3,-4\n");
        assertUsageError(run("fit", v, "-k", "2", "-o", o, "--init-w", w0.toString(), "--init-h", negative.toString()),
                "--init-h " + negative, "row 1, column 1", "non-negative");
        assertUsageError(run("fit", v, "-k", "2", "-o", o, "--init-w", dir.resolve("nope.npy").toString(), "--init-h",
                h0.toString()), "--init-w", "nope.npy");
        assertUsageError(run("fit", v, "-k", "2", "-o", o, "--init-w", w0.toString(), "--init-h", h0.toString(),
                "--init", "random"), "give one");
        assertUsageError(run("fit", v, "-k", "2", "-o", o, "--init-w", w0.toString(), "--init-h", h0.toString(),
                "--restarts", "2"), "--restarts 2 needs a random start");
        assertUsageError(run("fit", v, "-k", "2", "-o", o, "--save", dir.resolve("no/such/m.jnmf").toString()),
                "--save", "does not exist");
        assertUsageError(run("fit", v, "-k", "2", "-o", o, "--save", dir.toString()), "is a folder");
        // A good custom start and nndsvdar both run.
        assertEquals(0, run("fit", v, "-k", "2", "-o", o, "--init-w", w0.toString(), "--init-h", h0.toString(),
                "--max-iter", "2"), stderr);
        assertEquals(0, run("fit", v, "-k", "2", "-o", o, "--init", "nndsvdar", "--restarts", "2", "--max-iter", "2"),
                stderr);
    }

    @Test
    void transformRefusesBadModelsInputsAndOptions() throws IOException {
        Path model = dir.resolve("m.jnmf");
        Path fitOut = dir.resolve("fit");
        assertEquals(0, run("fit", input.toString(), "-k", "2", "-o", fitOut.toString(), "--max-iter", "3",
                "--save", model.toString()), stderr);
        String o = out.toString();
        assertUsageError(run("transform", model.toString(), input.toString(), "-o", o, "--format", "xlsx"),
                "--format must be npy or csv");
        Path wrongWidth = dir.resolve("w.csv");
        Files.writeString(wrongWidth, csv(3, 5, 9));
        assertUsageError(run("transform", model.toString(), wrongWidth.toString(), "-o", o),
                wrongWidth.toString(), "5 columns", "fitted to 9", "--columns");
        assertUsageError(run("transform", model.toString(), wrongWidth.toString(), "-o", o, "--columns"),
                "3 rows", "fitted to 14");
        byte[] bytes = Files.readAllBytes(model);
        bytes[bytes.length / 2] ^= 0x04;
        Path damaged = dir.resolve("damaged.jnmf");
        Files.write(damaged, bytes);
        assertUsageError(run("transform", damaged.toString(), input.toString(), "-o", o), damaged.toString(), "damaged");
        assertUsageError(run("transform", input.toString(), input.toString(), "-o", o), "not a jnmf model");
        assertEquals(1, run("transform", dir.resolve("missing.jnmf").toString(), input.toString(), "-o", o));
        assertTrue(stderr.contains("missing.jnmf") && stderr.contains("no such file"), stderr);
        assertFalse(Files.exists(out));
    }
}
