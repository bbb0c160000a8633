package org.jnmf.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.jnmf.Algorithm;
import org.jnmf.DenseMatrix;
import org.jnmf.Nmf;
import org.jnmf.NmfResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NmfEstimatorTest {
    private static final DenseMatrix V = Problems.lowRankPlusNoise(200, 150, 5, 21);

    private static Dataset<Row> frame(List<Vector> rows) {
        List<Row> data = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            data.add(RowFactory.create(i, rows.get(i)));
        }
        StructType schema = new StructType().add("id", DataTypes.IntegerType).add("features", SQLDataTypes.VectorType());
        return SharedSpark.session().createDataFrame(data, schema).repartition(1);
    }

    private static NmfEstimator estimator() {
        return new NmfEstimator().setRank(5).setAlgorithm("mu").setMaxIter(40).setTol(0).setSeed(8).setNumPartitions(1);
    }

    @Test
    void fitGivesTheSingleMachineHAndTransformSolvesTheRowsNnls() {
        NmfEstimator estimator = estimator();
        NmfSparkModel model = estimator.fit(frame(Problems.rows(V)));
        NmfResult local = Nmf.fit(V, estimator.nmfOptions());
        assertEquals(Algorithm.MULTIPLICATIVE, estimator.nmfOptions().algorithm());
        assertArrayEquals(local.h().toDoubleArray(), model.h().toDoubleArray());
        assertEquals(local.relativeError(), model.trainingError());

        List<Row> out = model.transform(frame(Problems.rows(V))).orderBy("id").collectAsList();
        assertEquals(200, out.size());
        double[] h = model.h().toDoubleArray();
        for (Row row : out) {
            double[] v = ((Vector) row.getAs("features")).toArray();
            double[] w = ((Vector) row.getAs("factors")).toArray();
            assertNnlsOptimal(v, w, h, 5, 150);
        }
    }

    /** KKT of min ‖v − wH‖² over w ≥ 0: gradient g = (wH − v)Hᵀ ≥ 0 with g = 0 where w > 0. */
    static void assertNnlsOptimal(double[] v, double[] w, double[] h, int k, int m) {
        double scale = 0;
        double[] residual = new double[m];
        for (int j = 0; j < m; j++) {
            double s = 0;
            for (int p = 0; p < k; p++) {
                s += w[p] * h[p * m + j];
            }
            residual[j] = s - v[j];
            scale = Math.max(scale, Math.abs(v[j]));
        }
        for (int p = 0; p < k; p++) {
            double g = 0;
            double hNorm = 0;
            for (int j = 0; j < m; j++) {
                g += residual[j] * h[p * m + j];
                hNorm += h[p * m + j] * h[p * m + j];
            }
            double tolerance = 1e-6 * scale * Math.sqrt(hNorm * m);
            assertTrue(w[p] >= 0);
            assertTrue(g >= -tolerance, "gradient " + g + " < 0 at factor " + p);
            if (w[p] > 0) {
                assertEquals(0, g, tolerance, "gradient at a positive factor " + p);
            }
        }
    }

    @Test
    void newRowsMadeFromHGetTheirWBack() {
        NmfSparkModel model = estimator().fit(frame(Problems.rows(V)));
        double[] h = model.h().toDoubleArray();
        double[][] w = {{1, 0, 2, 0, 0.5}, {0, 0, 0, 3, 0}};
        List<Vector> rows = new ArrayList<>();
        for (double[] wi : w) {
            double[] v = new double[150];
            for (int j = 0; j < 150; j++) {
                for (int p = 0; p < 5; p++) {
                    v[j] += wi[p] * h[p * 150 + j];
                }
            }
            rows.add(org.apache.spark.ml.linalg.Vectors.dense(v).compressed());
        }
        List<Row> out = model.transform(frame(rows)).orderBy("id").collectAsList();
        for (int i = 0; i < w.length; i++) {
            assertArrayEquals(w[i], ((Vector) out.get(i).getAs("factors")).toArray(), 1e-6);
        }
    }

    @Test
    void modelAndEstimatorSurvivePersistenceAndPipelines(@TempDir Path dir) throws Exception {
        NmfEstimator estimator = estimator().setOutputCol("w");
        NmfSparkModel model = estimator.fit(frame(Problems.rows(V)));
        String modelPath = dir.resolve("model").toString();
        model.write().save(modelPath);
        NmfSparkModel loaded = NmfSparkModel.load(modelPath);
        assertEquals(model.uid(), loaded.uid());
        assertEquals("w", loaded.getOrDefault(loaded.outputCol()));
        assertArrayEquals(model.h().toDoubleArray(), loaded.h().toDoubleArray());
        Dataset<Row> some = frame(Problems.rows(V).subList(0, 20));
        assertEquals(model.transform(some).orderBy("id").collectAsList(),
                loaded.transform(some).orderBy("id").collectAsList());

        String estimatorPath = dir.resolve("estimator").toString();
        estimator.write().save(estimatorPath);
        NmfEstimator reread = NmfEstimator.load(estimatorPath);
        assertEquals(estimator.uid(), reread.uid());
        assertEquals(estimator.extractParamMap().toString(), reread.extractParamMap().toString());

        PipelineModel pipeline = new Pipeline().setStages(new PipelineStage[] {estimator}).fit(frame(Problems.rows(V)));
        String pipelinePath = dir.resolve("pipeline").toString();
        pipeline.write().save(pipelinePath);
        PipelineModel pipelineLoaded = PipelineModel.load(pipelinePath);
        assertArrayEquals(model.h().toDoubleArray(),
                ((NmfSparkModel) pipelineLoaded.stages()[0]).h().toDoubleArray());
    }

    /** HALS is accelerated unless the acceleration param says 0; the other algorithms run without it. */
    @Test
    void accelerationFollowsTheAlgorithm() {
        assertEquals(0.5, new NmfEstimator().nmfOptions().acceleration());
        assertEquals(0, new NmfEstimator().setAcceleration(0).nmfOptions().acceleration());
        assertEquals(1.0, new NmfEstimator().setAcceleration(1).nmfOptions().acceleration());
        assertEquals(0, new NmfEstimator().setAlgorithm("mu").nmfOptions().acceleration());
        assertEquals(0, new NmfEstimator().setAlgorithm("anls").setAcceleration(1).nmfOptions().acceleration());
        assertThrows(IllegalArgumentException.class, () -> new NmfEstimator().setAcceleration(-1));
    }

    @Test
    void badParamsAndColumnsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new NmfEstimator().setRank(0));
        assertThrows(IllegalArgumentException.class, () -> new NmfEstimator().setAlgorithm("als"));
        assertThrows(IllegalArgumentException.class, () -> new NmfEstimator().setMaxIter(-1));
        assertThrows(IllegalArgumentException.class, () -> new NmfEstimator().setTol(-1));
        assertThrows(IllegalArgumentException.class, () -> new NmfEstimator().setTreeDepth(0));
        assertThrows(IllegalArgumentException.class, () -> new NmfEstimator().setBroadcastBlockBytes(1));
        assertThrows(IllegalArgumentException.class, () -> new NmfEstimator().setBackend("gpu"));
        assertThrows(IllegalArgumentException.class, () -> new NmfEstimator().setNumPartitions(-1));
        assertThrows(IllegalArgumentException.class, () -> new NmfEstimator().setCheckpointInterval(0));
        assertThrows(IllegalArgumentException.class, () -> new NmfEstimator().setCheckInterval(0));
        Dataset<Row> data = frame(Problems.rows(V));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> estimator().setFeaturesCol("x").fit(data));
        assertTrue(e.getMessage().contains("no column x"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> estimator().setFeaturesCol("id").fit(data));
        assertTrue(e.getMessage().contains("needs vectors"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> estimator().setOutputCol("id").fit(data));
        assertTrue(e.getMessage().contains("exists already"), e.getMessage());
    }
}
