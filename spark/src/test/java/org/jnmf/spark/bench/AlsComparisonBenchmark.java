package org.jnmf.spark.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.recommendation.ALS;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.jnmf.Algorithm;
import org.jnmf.DenseMatrix;
import org.jnmf.Initialization;
import org.jnmf.Nmf;
import org.jnmf.NmfOptions;
import org.jnmf.NmfResult;
import org.jnmf.io.MatrixReader;
import org.jnmf.spark.DistributedNmf;
import org.jnmf.spark.DistributedNmfResult;
import org.jnmf.spark.DistributedOptions;

/**
 * jnmf on Spark against MLlib ALS (nonnegative, explicit, rank k, 20 iterations, checkpoint dir set) on
 * the same dense V in one local[2] session: wall time and ‖V − WH‖/‖V‖ of both, and the per-iteration
 * Spark overhead of the distributed fit (its per-iteration time minus the single-machine fit's with 2
 * threads, both as (t(2N) − t(N))/N so set-up cancels). Run by benchmarks/spark/compare.sh.
 *
 * <p>Arguments: V.npy (float64) rank partitions
 */
public final class AlsComparisonBenchmark {
    private static final int ALS_ITERATIONS = 20;
    private static final int N = 50;

    private AlsComparisonBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        DenseMatrix v = (DenseMatrix) MatrixReader.read(Path.of(args[0]));
        int k = Integer.parseInt(args[1]);
        int partitions = Integer.parseInt(args[2]);
        int n = v.rows();
        int m = v.cols();
        SparkSession spark = SparkSession.builder().master("local[2]").appName("jnmf-vs-als")
                .config("spark.ui.enabled", "false").config("spark.driver.memory", "4g").getOrCreate();
        spark.sparkContext().setLogLevel("ERROR");
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Path checkpoints = Files.createTempDirectory("als-checkpoints");
        sc.setCheckpointDir(checkpoints.toString());

        List<Vector> rowList = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double[] row = new double[m];
            v.copyRow(i, row);
            rowList.add(Vectors.dense(row));
        }
        JavaRDD<Vector> rows = sc.parallelize(rowList, partitions).persist(StorageLevel.MEMORY_ONLY());
        rows.count();
        DistributedOptions cluster = DistributedOptions.builder().partitions(partitions).build();
        StringBuilder table = new StringBuilder();
        table.append("| method | iterations | wall s | relative error |\n|---|---|---|---|\n");

        fitHals(rows, k, 10, cluster); // JIT and Spark warm-up, not reported
        for (int iterations : new int[] {ALS_ITERATIONS, 100}) {
            long t0 = System.nanoTime();
            DistributedNmfResult r = fitHals(rows, k, iterations, cluster);
            double s = (System.nanoTime() - t0) / 1e9;
            table.append(String.format(Locale.ROOT, "| jnmf-spark HALS (%d partitions) | %d | %.2f | %.4e |%n",
                    partitions, iterations, s, r.relativeError()));
        }

        double distributedPerIteration = (fitHals(rows, k, 2 * N, cluster).loopSeconds()
                - fitHals(rows, k, N, cluster).loopSeconds()) / N;
        NmfOptions local = options(k, N).toBuilder().threads(2).build();
        Nmf.fit(v, local); // warm-up
        double localPerIteration = (Nmf.fit(v, options(k, 2 * N).toBuilder().threads(2).build()).seconds()
                - Nmf.fit(v, local).seconds()) / N;

        Dataset<Row> ratings = ratings(spark, rows, m);
        ALS als = new ALS().setRank(k).setMaxIter(ALS_ITERATIONS).setRegParam(0).setNonnegative(true)
                .setImplicitPrefs(false).setNumUserBlocks(partitions).setNumItemBlocks(partitions)
                .setCheckpointInterval(10).setSeed(42).setUserCol("user").setItemCol("item").setRatingCol("rating");
        long t0 = System.nanoTime();
        ALSModel model = als.fit(ratings);
        double[] users = factors(model.userFactors(), n, k);
        double[] items = factors(model.itemFactors(), m, k);
        double alsSeconds = (System.nanoTime() - t0) / 1e9;
        table.append(String.format(Locale.ROOT, "| MLlib ALS nonnegative (%d×%d blocks) | %d | %.2f | %.4e |%n",
                partitions, partitions, ALS_ITERATIONS, alsSeconds, alsError(v, users, items, k)));

        System.out.print(table);
        System.out.printf(Locale.ROOT, "%nper iteration (HALS, rank %d, (t(%d) − t(%d))/%d): jnmf-spark %.1f ms, "
                + "single-machine jnmf with 2 threads %.1f ms, Spark overhead %.1f ms%n", k, 2 * N, N, N,
                1e3 * distributedPerIteration, 1e3 * localPerIteration, 1e3 * (distributedPerIteration - localPerIteration));
        spark.stop();
    }

    private static NmfOptions options(int k, int iterations) {
        return NmfOptions.builder(k).algorithm(Algorithm.HALS).initialization(Initialization.RANDOM).seed(0)
                .maxIterations(iterations).tolerance(0).backend("java").build();
    }

    private static DistributedNmfResult fitHals(JavaRDD<Vector> rows, int k, int iterations, DistributedOptions cluster) {
        DistributedNmfResult r = DistributedNmf.fit(rows, options(k, iterations), cluster);
        r.unpersist();
        return r;
    }

    /** V as (user = row, item = column, rating) triples, every entry (ALS takes absent entries as unknown). */
    private static Dataset<Row> ratings(SparkSession spark, JavaRDD<Vector> rows, int m) {
        JavaRDD<Row> triples = rows.zipWithIndex().flatMap(t -> {
            double[] row = t._1().toArray();
            List<Row> out = new ArrayList<>(m);
            for (int j = 0; j < m; j++) {
                out.add(RowFactory.create((int) (long) t._2(), j, (float) row[j]));
            }
            return out.iterator();
        });
        StructType schema = new StructType().add("user", DataTypes.IntegerType).add("item", DataTypes.IntegerType)
                .add("rating", DataTypes.FloatType);
        Dataset<Row> ratings = spark.createDataFrame(triples, schema).persist(StorageLevel.MEMORY_ONLY());
        ratings.count();
        return ratings;
    }

    private static double[] factors(Dataset<Row> frame, int count, int k) {
        double[] out = new double[count * k];
        for (Row row : frame.collectAsList()) {
            int id = row.getInt(0);
            List<Float> f = row.getList(1);
            for (int p = 0; p < k; p++) {
                out[id * k + p] = f.get(p);
            }
        }
        return out;
    }

    /** ‖V − U·Iᵀ‖ / ‖V‖ in double. */
    private static double alsError(DenseMatrix v, double[] users, double[] items, int k) {
        int n = v.rows();
        int m = v.cols();
        double[] row = new double[m];
        double residual = 0;
        double norm = 0;
        for (int i = 0; i < n; i++) {
            v.copyRow(i, row);
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += users[i * k + p] * items[j * k + p];
                }
                residual += (row[j] - s) * (row[j] - s);
                norm += row[j] * row[j];
            }
        }
        return Math.sqrt(residual / norm);
    }
}
