package org.jnmf.spark;

import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructType;
import org.jnmf.Algorithm;
import org.jnmf.Initialization;
import org.jnmf.NmfOptions;

/**
 * Spark ML estimator for NMF: each row of {@code featuresCol} (a vector, all of the same length) is a row
 * of V. {@link #fit} runs {@link DistributedNmf} and gives an {@link NmfSparkModel} holding H, whose
 * {@code transform} adds each row's W in {@code outputCol}.
 *
 * <pre>{@code
 * NmfSparkModel model = new NmfEstimator().setRank(20).setMaxIter(100).fit(df);
 * Dataset<Row> withW = model.transform(df);
 * }</pre>
 */
public final class NmfEstimator extends Estimator<NmfSparkModel> implements DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final Param<String> featuresCol;
    private final Param<String> outputCol;
    private final IntParam rank;
    private final Param<String> algorithm;
    private final DoubleParam acceleration;
    private final IntParam maxIter;
    private final DoubleParam tol;
    private final LongParam seed;
    private final IntParam checkInterval;
    private final IntParam numPartitions;
    private final IntParam checkpointInterval;
    private final IntParam treeDepth;
    private final LongParam broadcastBlockBytes;
    private final Param<String> backend;

    public NmfEstimator() {
        this(Identifiable.randomUID("nmf"));
    }

    public NmfEstimator(String uid) {
        this.uid = uid;
        featuresCol = new Param<>(this, "featuresCol", "column of V's rows (vectors)");
        outputCol = new Param<>(this, "outputCol", "column the model's transform writes each row's W to");
        rank = new IntParam(this, "rank", "k, the number of factors (≥ 1)", ParamValidators.gtEq(1));
        algorithm = new Param<>(this, "algorithm", "hals, mu (multiplicative updates) or anls (exact NNLS half-steps)",
                ParamValidators.inArray(List.of("hals", "mu", "anls")));
        acceleration = new DoubleParam(this, "acceleration", "hals: accelerated HALS's α (Gillis & Glineur; 0 = "
                + "plain HALS, scikit-learn's cd); the other algorithms run without", ParamValidators.gtEq(0));
        maxIter = new IntParam(this, "maxIter", "iterations at most (≥ 0)", ParamValidators.gtEq(0));
        tol = new DoubleParam(this, "tol", "stop when the error improves by less than this fraction of the "
                + "initial error between checks (0 = run maxIter)", ParamValidators.gtEq(0));
        seed = new LongParam(this, "seed", "seed of the random start");
        checkInterval = new IntParam(this, "checkInterval", "iterations between loss checks (≥ 1)",
                ParamValidators.gtEq(1));
        numPartitions = new IntParam(this, "numPartitions", "row blocks of V (0 = the input's partitions)",
                ParamValidators.gtEq(0));
        checkpointInterval = new IntParam(this, "checkpointInterval", "iterations between local checkpoints "
                + "of W (≥ 1)", ParamValidators.gtEq(1));
        treeDepth = new IntParam(this, "treeDepth", "1 = partial products summed on the driver in partition "
                + "order (deterministic); ≥ 2 = treeAggregate of that depth", ParamValidators.gtEq(1));
        broadcastBlockBytes = new LongParam(this, "broadcastBlockBytes", "largest single broadcast of H; wider H "
                + "is sent in column blocks (≥ 8)", ParamValidators.gtEq(8));
        backend = new Param<>(this, "backend", "the jnmf backend each task (and the driver's H update) uses: "
                + "java, cuda or auto", ParamValidators.inArray(List.of("java", "cuda", "auto")));
        setDefault(featuresCol, "features");
        setDefault(outputCol, "factors");
        setDefault(rank, 10);
        setDefault(algorithm, "hals");
        setDefault(acceleration, NmfOptions.DEFAULT_ACCELERATION);
        setDefault(maxIter, 200);
        setDefault(tol, 1e-4);
        setDefault(seed, 0L);
        setDefault(checkInterval, 10);
        setDefault(numPartitions, 0);
        setDefault(checkpointInterval, 10);
        setDefault(treeDepth, 1);
        setDefault(broadcastBlockBytes, 128L << 20);
        setDefault(backend, "java");
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

    public IntParam rank() {
        return rank;
    }

    public Param<String> algorithm() {
        return algorithm;
    }

    public DoubleParam acceleration() {
        return acceleration;
    }

    public IntParam maxIter() {
        return maxIter;
    }

    public DoubleParam tol() {
        return tol;
    }

    public LongParam seed() {
        return seed;
    }

    public IntParam checkInterval() {
        return checkInterval;
    }

    public IntParam numPartitions() {
        return numPartitions;
    }

    public IntParam checkpointInterval() {
        return checkpointInterval;
    }

    public IntParam treeDepth() {
        return treeDepth;
    }

    public LongParam broadcastBlockBytes() {
        return broadcastBlockBytes;
    }

    public Param<String> backend() {
        return backend;
    }

    public NmfEstimator setFeaturesCol(String value) {
        set(featuresCol, value);
        return this;
    }

    public NmfEstimator setOutputCol(String value) {
        set(outputCol, value);
        return this;
    }

    public NmfEstimator setRank(int value) {
        set(rank, value);
        return this;
    }

    /** {@code hals}, {@code mu} or {@code anls}. */
    public NmfEstimator setAlgorithm(String value) {
        set(algorithm, value == null ? null : value.toLowerCase(Locale.ROOT));
        return this;
    }

    /** Accelerated HALS's α for {@code hals} (default 0.5; 0: plain HALS); {@code mu} and {@code anls} ignore it. */
    public NmfEstimator setAcceleration(double value) {
        set(acceleration, value);
        return this;
    }

    public NmfEstimator setMaxIter(int value) {
        set(maxIter, value);
        return this;
    }

    public NmfEstimator setTol(double value) {
        set(tol, value);
        return this;
    }

    public NmfEstimator setSeed(long value) {
        set(seed, value);
        return this;
    }

    public NmfEstimator setCheckInterval(int value) {
        set(checkInterval, value);
        return this;
    }

    public NmfEstimator setNumPartitions(int value) {
        set(numPartitions, value);
        return this;
    }

    public NmfEstimator setCheckpointInterval(int value) {
        set(checkpointInterval, value);
        return this;
    }

    public NmfEstimator setTreeDepth(int value) {
        set(treeDepth, value);
        return this;
    }

    public NmfEstimator setBroadcastBlockBytes(long value) {
        set(broadcastBlockBytes, value);
        return this;
    }

    /** {@code java} (the default), {@code cuda} or {@code auto}: the backend the executors open. */
    public NmfEstimator setBackend(String value) {
        set(backend, value == null ? null : value.toLowerCase(Locale.ROOT));
        return this;
    }

    /** The fit's options, as {@link DistributedNmf} takes them (RANDOM start from the seed). */
    public NmfOptions nmfOptions() {
        Algorithm chosen = switch (getOrDefault(algorithm)) {
            case "mu" -> Algorithm.MULTIPLICATIVE;
            case "anls" -> Algorithm.ANLS;
            default -> Algorithm.HALS;
        };
        return NmfOptions.builder((Integer) getOrDefault(rank))
                .algorithm(chosen)
                .acceleration(chosen == Algorithm.HALS ? (Double) getOrDefault(acceleration) : 0)
                .initialization(Initialization.RANDOM)
                .seed((Long) getOrDefault(seed))
                .maxIterations((Integer) getOrDefault(maxIter))
                .tolerance((Double) getOrDefault(tol))
                .checkInterval((Integer) getOrDefault(checkInterval))
                .backend("java")
                .build();
    }

    public DistributedOptions distributedOptions() {
        return DistributedOptions.builder()
                .partitions((Integer) getOrDefault(numPartitions))
                .checkpointInterval((Integer) getOrDefault(checkpointInterval))
                .treeDepth((Integer) getOrDefault(treeDepth))
                .broadcastBlockBytes((Long) getOrDefault(broadcastBlockBytes))
                .executorBackend(getOrDefault(backend))
                .build();
    }

    @Override
    public NmfSparkModel fit(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        String column = getOrDefault(featuresCol);
        JavaRDD<Vector> rows = dataset.select(column).toJavaRDD().map(r -> {
            if (r.isNullAt(0)) {
                throw new IllegalArgumentException("column " + column + " has a null row; every row of V needs a vector");
            }
            return (Vector) r.get(0);
        });
        DistributedNmfResult result = DistributedNmf.fit(rows, nmfOptions(), distributedOptions());
        result.unpersist();
        NmfSparkModel model = new NmfSparkModel(uid, result.h(), result.relativeError(), result.iterations());
        copyValues(model, extractParamMap());
        return model.setParent(this);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        String column = getOrDefault(featuresCol);
        NmfSparkModel.requireVectorColumn(schema, column);
        return NmfSparkModel.withOutputColumn(schema, getOrDefault(outputCol));
    }

    @Override
    public NmfEstimator copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    public static MLReader<NmfEstimator> read() {
        return new DefaultParamsReader<>();
    }

    public static NmfEstimator load(String path) {
        return read().load(path);
    }
}
