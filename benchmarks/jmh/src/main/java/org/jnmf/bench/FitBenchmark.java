package org.jnmf.bench;

import java.util.concurrent.TimeUnit;
import org.jnmf.Algorithm;
import org.jnmf.Nmf;
import org.jnmf.NmfOptions;
import org.jnmf.NmfResult;
import org.jnmf.Precision;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Whole fits of {@code iterations} iterations from a fixed start, tolerance 0. run.sh takes
 * (t(2N) − t(N)) / N from the two iteration counts as the time per iteration, so upload and set-up cancel,
 * and prints each fit's relative error (from {@link FitAccuracy}) beside it.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(1)
@State(Scope.Benchmark)
public class FitBenchmark {
    @Param({"java", "blas"})
    public String backend;

    @Param({"SINGLE", "DOUBLE"})
    public Precision precision;

    @Param({"HALS", "MULTIPLICATIVE"})
    public Algorithm algorithm;

    @Param({"2000x1500x20"})
    public String shape;

    @Param({"50", "100"})
    public int iterations;

    @Param("2")
    public int threads;

    private FitProblem problem;
    private NmfOptions options;

    @Setup
    public void setUp() {
        int[] s = Shapes.parse(shape);
        problem = FitProblem.of(s[0], s[1], s[2], precision);
        options = options(s[2], algorithm, precision, iterations, threads, backend, problem);
    }

    static NmfOptions options(int k, Algorithm algorithm, Precision precision, int iterations, int threads,
                              String backend, FitProblem problem) {
        return NmfOptions.builder(k).algorithm(algorithm).precision(precision).maxIterations(iterations)
                .tolerance(0).threads(threads).backend(backend).initialFactors(problem.w0(), problem.h0()).build();
    }

    @Benchmark
    public NmfResult fit() {
        return Nmf.fit(problem.v(), options);
    }
}
