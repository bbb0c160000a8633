package org.jnmf.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.mllib.linalg.distributed.IndexedRow;
import org.apache.spark.mllib.linalg.distributed.IndexedRowMatrix;
import org.apache.spark.mllib.linalg.distributed.RowMatrix;
import org.jnmf.DenseMatrix;
import org.jnmf.Initialization;
import org.jnmf.Nmf;
import org.jnmf.NmfOptions;
import org.jnmf.NmfResult;
import org.jnmf.SparseMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputsTest {
    private static final DenseMatrix V = Problems.lowRankPlusNoise(60, 40, 3, 31);
    private static final NmfOptions OPTIONS = NmfOptions.builder(3).initialization(Initialization.RANDOM).seed(2)
            .maxIterations(20).tolerance(0).backend("java").build();
    private static final DistributedOptions ONE = DistributedOptions.builder().partitions(1).build();

    @Test
    void rowMatrixAndIndexedRowMatrixGiveTheSingleMachineFit() {
        NmfResult local = Nmf.fit(V, OPTIONS);
        List<org.apache.spark.mllib.linalg.Vector> rows = new ArrayList<>();
        List<IndexedRow> indexed = new ArrayList<>();
        for (int i = 0; i < V.rows(); i++) {
            double[] row = new double[V.cols()];
            V.copyRow(i, row);
            rows.add(org.apache.spark.mllib.linalg.Vectors.dense(row));
            indexed.add(new IndexedRow(V.rows() - 1 - i, org.apache.spark.mllib.linalg.Vectors.dense(
                    rowOf(V, V.rows() - 1 - i))));
        }
        DistributedNmfResult fromRows = DistributedNmf.fit(
                new RowMatrix(SharedSpark.context().parallelize(rows, 2).rdd()), OPTIONS, ONE);
        DistributedNmfResult fromIndexed = DistributedNmf.fit(
                new IndexedRowMatrix(SharedSpark.context().parallelize(indexed, 3).rdd()), OPTIONS, ONE);
        assertArrayEquals(local.h().toDoubleArray(), fromRows.h().toDoubleArray());
        assertArrayEquals(local.h().toDoubleArray(), fromIndexed.h().toDoubleArray());
        assertArrayEquals(local.w().toDoubleArray(), fromIndexed.collectW().toDoubleArray());
        fromRows.unpersist();
        fromIndexed.unpersist();
    }

    private static double[] rowOf(DenseMatrix v, int i) {
        double[] row = new double[v.cols()];
        v.copyRow(i, row);
        return row;
    }

    @Test
    void matrixMarketFilesAreReadOnTheExecutors(@TempDir Path dir) throws Exception {
        SparseMatrix sparse = Problems.sparsify(V, 0.3, 4);
        StringBuilder text = new StringBuilder("%%MatrixMarket matrix coordinate real general\n% a comment\n%\n");
        text.append(V.rows()).append(' ').append(V.cols()).append(' ').append(sparse.nonZeros()).append('\n');
        List<String> lines = new ArrayList<>();
        int[] start = sparse.rowStart();
        for (int i = 0; i < sparse.rows(); i++) {
            for (int q = start[i]; q < start[i + 1]; q++) {
                lines.add((i + 1) + " " + (sparse.columnIndices()[q] + 1) + " " + sparse.values()[q]);
            }
        }
        java.util.Collections.shuffle(lines, new java.util.Random(1));
        lines.forEach(l -> text.append(l).append('\n'));
        Path gz = dir.resolve("v.mtx.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(text.toString().getBytes(StandardCharsets.UTF_8));
        }
        MatrixMarketRows.Rows rows = MatrixMarketRows.read(SharedSpark.context(), gz.toUri().toString(), 2);
        assertEquals(60, rows.numRows());
        assertEquals(40, rows.numCols());
        NmfResult local = Nmf.fit(sparse, OPTIONS);
        DistributedNmfResult distributed = DistributedNmf.fitIndexed(rows.rows(), rows.numRows(), OPTIONS, ONE);
        assertArrayEquals(local.h().toDoubleArray(), distributed.h().toDoubleArray());
        distributed.unpersist();

        Path array = dir.resolve("a.mtx");
        Files.writeString(array, "%%MatrixMarket matrix array real general\n2 2\n1\n3\n2\n4\n");
        List<double[]> dense = new ArrayList<>();
        MatrixMarketRows.read(SharedSpark.context(), array.toString(), 1).rows().sortByKey().collect()
                .forEach(t -> dense.add(t._2().toArray()));
        assertArrayEquals(new double[] {1, 2}, dense.get(0));
        assertArrayEquals(new double[] {3, 4}, dense.get(1));
    }

    @Test
    void malformedMatrixMarketFilesNameTheLine(@TempDir Path dir) throws Exception {
        Path banner = dir.resolve("b.mtx");
        Files.writeString(banner, "%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MatrixMarketRows.read(SharedSpark.context(), banner.toString(), 1));
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
        Path outside = dir.resolve("o.mtx");
        Files.writeString(outside, "%%MatrixMarket matrix coordinate real general\n2 2 1\n3 1 1.0\n");
        MatrixMarketRows.Rows rows = MatrixMarketRows.read(SharedSpark.context(), outside.toString(), 1);
        e = assertThrows(IllegalArgumentException.class, () -> DistributedNmf.fitIndexed(rows.rows(), rows.numRows(),
                NmfOptions.builder(1).initialization(Initialization.RANDOM).build(), ONE));
        assertTrue(e.getMessage().contains("line 3") && e.getMessage().contains("outside the 2×2"), e.getMessage());
    }
}
