package org.jnmf.spark;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.jnmf.DenseMatrix;
import org.jnmf.Matrix;
import org.jnmf.Precision;
import org.jnmf.SparseMatrix;
import org.jnmf.backend.Backend;
import org.jnmf.backend.JavaBackend;

/**
 * A fitted NMF: H (k×m). {@link #transform} adds to each row its W (a k-vector) in {@code outputCol}: the
 * exact non-negative least-squares solution min ‖v − w·H‖ over w ≥ 0 with H fixed ({@link org.jnmf.Nnls}),
 * for rows of the training set and new rows alike, as {@link org.jnmf.NmfModel#transform} gives it. Saved and loaded with Spark ML persistence
 * ({@code model.write().save(path)}, {@code NmfSparkModel.load(path)}).
 */
public final class NmfSparkModel extends Model<NmfSparkModel> implements MLWritable {
    private static final long serialVersionUID = 1L;
    /** Rows of a partition projected together. */
    private static final int ROWS_PER_BATCH = 4096;

    private final String uid;
    private final DenseMatrix h;
    private final double trainingError;
    private final int trainingIterations;
    private final Param<String> featuresCol;
    private final Param<String> outputCol;

    NmfSparkModel(String uid, DenseMatrix h, double trainingError, int trainingIterations) {
        this.uid = uid;
        this.h = h.toPrecision(Precision.DOUBLE);
        this.trainingError = trainingError;
        this.trainingIterations = trainingIterations;
        featuresCol = new Param<>(this, "featuresCol", "column of V's rows (vectors)");
        outputCol = new Param<>(this, "outputCol", "column transform writes each row's W to");
        setDefault(featuresCol, "features");
        setDefault(outputCol, "factors");
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> featuresCol() {
        return featuresCol;
    }

    public Param<String> outputCol() {
        return outputCol;
    }

    public NmfSparkModel setFeaturesCol(String value) {
        set(featuresCol, value);
        return this;
    }

    public NmfSparkModel setOutputCol(String value) {
        set(outputCol, value);
        return this;
    }

    /** H (k×m). */
    public DenseMatrix h() {
        return h;
    }

    public int rank() {
        return h.rows();
    }

    /** ‖V − WH‖/‖V‖ of the training fit (NaN for a loaded model). */
    public double trainingError() {
        return trainingError;
    }

    /** Iterations of the training fit (−1 for a loaded model). */
    public int trainingIterations() {
        return trainingIterations;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType schema = transformSchema(dataset.schema());
        int column = dataset.schema().fieldIndex(getOrDefault(featuresCol));
        double[] hValues = h.toDoubleArray();
        int k = h.rows();
        int m = h.cols();
        double[] hht = gramOfRows(hValues, k, m);
        JavaRDD<Row> rows = dataset.toDF().toJavaRDD().mapPartitions(it -> project(it, column, hValues, hht, k, m));
        return dataset.sparkSession().createDataFrame(rows, schema);
    }

    private static double[] gramOfRows(double[] h, int k, int m) {
        try (Backend backend = new JavaBackend(Precision.DOUBLE, 1);
             var hd = backend.upload(k, m, h);
             var out = backend.allocate(k, k)) {
            backend.gramOfRows(hd, out);
            return backend.download(out);
        }
    }

    private static Iterator<Row> project(Iterator<Row> rows, int column, double[] h, double[] hht, int k, int m) {
        List<Row> out = new ArrayList<>();
        try (Backend backend = new JavaBackend(Precision.DOUBLE, 1)) {
            List<Row> batch = new ArrayList<>(ROWS_PER_BATCH);
            while (rows.hasNext()) {
                batch.add(rows.next());
                if (batch.size() == ROWS_PER_BATCH || !rows.hasNext()) {
                    double[] w = RowProjection.solve(backend, block(batch, column, m), h, hht, k);
                    for (int r = 0; r < batch.size(); r++) {
                        Row row = batch.get(r);
                        Object[] values = new Object[row.size() + 1];
                        for (int c = 0; c < row.size(); c++) {
                            values[c] = row.get(c);
                        }
                        values[row.size()] = Vectors.dense(Arrays.copyOfRange(w, r * k, r * k + k));
                        out.add(RowFactory.create(values));
                    }
                    batch.clear();
                }
            }
        }
        return out.iterator();
    }

    /** The batch's vectors as a dense or CSR block, checked as the fit checks V. */
    private static Matrix block(List<Row> batch, int column, int m) {
        boolean allSparse = batch.stream().allMatch(r -> r.get(column) instanceof SparseVector);
        int rows = batch.size();
        if (allSparse) {
            int[] start = new int[rows + 1];
            List<int[]> idx = new ArrayList<>(rows);
            List<double[]> val = new ArrayList<>(rows);
            for (int r = 0; r < rows; r++) {
                SparseVector v = checked(batch.get(r), column, m).toSparse();
                idx.add(v.indices());
                val.add(v.values());
                start[r + 1] = start[r] + v.indices().length;
            }
            int[] columns = new int[start[rows]];
            double[] values = new double[start[rows]];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(idx.get(r), 0, columns, start[r], idx.get(r).length);
                System.arraycopy(val.get(r), 0, values, start[r], val.get(r).length);
            }
            return SparseMatrix.ofCsr(rows, m, start, columns, values);
        }
        double[] values = new double[rows * m];
        for (int r = 0; r < rows; r++) {
            DenseVector v = checked(batch.get(r), column, m).toDense();
            System.arraycopy(v.values(), 0, values, r * m, m);
        }
        return DenseMatrix.wrap(rows, m, values);
    }

    private static Vector checked(Row row, int column, int m) {
        if (row.isNullAt(column)) {
            throw new IllegalArgumentException("a row has no vector (null) in the features column");
        }
        Vector v = (Vector) row.get(column);
        if (v.size() != m) {
            throw new IllegalArgumentException("a row has " + v.size() + " entries; this model's H has " + m
                    + " columns, so every row needs " + m);
        }
        v.foreachActive((j, x) -> {
            double value = (Double) x;
            if (!(value >= 0) || value == Double.POSITIVE_INFINITY) {
                throw new IllegalArgumentException("a row has an entry " + value + " at column " + j
                        + "; NMF needs every entry finite and ≥ 0");
            }
            return scala.runtime.BoxedUnit.UNIT;
        });
        return v;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        requireVectorColumn(schema, getOrDefault(featuresCol));
        return withOutputColumn(schema, getOrDefault(outputCol));
    }

    static void requireVectorColumn(StructType schema, String column) {
        if (!Arrays.asList(schema.fieldNames()).contains(column)) {
            throw new IllegalArgumentException("no column " + column + " (the features column); the columns are "
                    + String.join(", ", schema.fieldNames()) + ". Set featuresCol to the column of vectors.");
        }
        if (!schema.apply(column).dataType().equals(SQLDataTypes.VectorType())) {
            throw new IllegalArgumentException("column " + column + " holds " + schema.apply(column).dataType()
                    .simpleString() + "; it needs vectors (org.apache.spark.ml.linalg.Vector, e.g. from VectorAssembler)");
        }
    }

    static StructType withOutputColumn(StructType schema, String column) {
        if (Arrays.asList(schema.fieldNames()).contains(column)) {
            throw new IllegalArgumentException("column " + column + " exists already; set outputCol to a new name");
        }
        return schema.add(new StructField(column, SQLDataTypes.VectorType(), false,
                org.apache.spark.sql.types.Metadata.empty()));
    }

    @Override
    public NmfSparkModel copy(ParamMap extra) {
        NmfSparkModel copy = new NmfSparkModel(uid, h, trainingError, trainingIterations);
        return copyValues(copy, extra).setParent(parent());
    }

    @Override
    public MLWriter write() {
        return new Writer(this);
    }

    public static MLReader<NmfSparkModel> read() {
        return new Reader();
    }

    public static NmfSparkModel load(String path) {
        return read().load(path);
    }

    /** Params as Spark ML metadata; H in {@code data/} as Parquet, one row per factor (index, values). */
    private static final class Writer extends MLWriter {
        private final NmfSparkModel model;

        Writer(NmfSparkModel model) {
            this.model = model;
        }

        @Override
        public void saveImpl(String path) {
            DefaultParamsWriter.saveMetadata(model, path, sparkSession());
            int k = model.h.rows();
            int m = model.h.cols();
            double[] h = model.h.toDoubleArray();
            List<Row> rows = new ArrayList<>(k);
            for (int p = 0; p < k; p++) {
                rows.add(RowFactory.create(p, Arrays.copyOfRange(h, p * m, p * m + m)));
            }
            StructType schema = new StructType()
                    .add("factor", DataTypes.IntegerType, false)
                    .add("values", DataTypes.createArrayType(DataTypes.DoubleType, false), false);
            sparkSession().createDataFrame(rows, schema).repartition(1).write().parquet(path + "/data");
        }
    }

    private static final class Reader extends MLReader<NmfSparkModel> {
        @Override
        public NmfSparkModel load(String path) {
            DefaultParamsReader.Metadata metadata = DefaultParamsReader.loadMetadata(path, sparkSession(),
                    NmfSparkModel.class.getName());
            List<Row> rows = sparkSession().read().parquet(path + "/data").orderBy("factor").collectAsList();
            int k = rows.size();
            int m = rows.get(0).getList(1).size();
            double[] h = new double[k * m];
            for (Row row : rows) {
                List<Double> values = row.getList(1);
                int p = row.getInt(0);
                for (int j = 0; j < m; j++) {
                    h[p * m + j] = values.get(j);
                }
            }
            NmfSparkModel model = new NmfSparkModel(metadata.uid(), DenseMatrix.wrap(k, m, h), Double.NaN, -1);
            metadata.getAndSetParams(model, scala.Option.empty());
            return model;
        }
    }
}
