package org.jnmf.bench;

import java.util.concurrent.TimeUnit;
import org.jnmf.DenseMatrix;
import org.jnmf.Precision;
import org.jnmf.backend.Backend;
import org.jnmf.backend.Backends;
import org.jnmf.backend.DeviceMatrix;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The products an NMF iteration spends its time in, per backend: V·Hᵀ and Wᵀ·V at NMF shapes
 * (n×m data, rank k) and a square GEMM (n×n times n×n; m and k are ignored). Time per call; run.sh turns
 * it into GFLOP/s (2·n·m·k flops for the NMF products, 2·n³ for square) and ratios against the reference
 * backend measured in the same run.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class ProductBenchmark {
    @Param({"java", "blas"})
    public String backend;

    @Param({"SINGLE", "DOUBLE"})
    public Precision precision;

    @Param({"vht:2000x1500x20", "wtv:2000x1500x20", "vht:8000x4000x50", "wtv:8000x4000x50", "square:1024x0x0"})
    public String product;

    @Param("2")
    public int threads;

    private Backend open;
    private DeviceMatrix a;
    private DeviceMatrix b;
    private DeviceMatrix out;
    private Runnable call;

    @Setup
    public void setUp() {
        String[] opShape = product.split(":");
        int[] s = Shapes.parse(opShape[1]);
        int n = s[0];
        int m = s[1];
        int k = s[2];
        open = Backends.open(backend, precision, threads).backend();
        switch (opShape[0]) {
            case "vht" -> {
                a = open.upload(Shapes.uniform(n, m, precision, 1));
                b = open.upload(k, m, Shapes.uniform(k * m, 2));
                out = open.allocate(n, k);
                call = () -> open.multiplyByTransposed(a, b, out);
            }
            case "wtv" -> {
                a = open.upload(n, k, Shapes.uniform(n * k, 3));
                b = open.upload(Shapes.uniform(n, m, precision, 1));
                out = open.allocate(k, m);
                call = () -> open.multiplyTransposedBy(a, b, out);
            }
            case "square" -> {
                a = open.upload(n, n, Shapes.uniform(n * n, 4));
                b = open.upload(n, n, Shapes.uniform(n * n, 5));
                out = open.allocate(n, n);
                call = () -> open.multiply(a, b, out);
            }
            default -> throw new IllegalArgumentException("unknown product " + opShape[0]);
        }
    }

    @Benchmark
    public void product() {
        call.run();
    }

    @TearDown
    public void tearDown() {
        a.close();
        b.close();
        out.close();
        open.close();
    }

    static double flops(String product) {
        String[] opShape = product.split(":");
        int[] s = Shapes.parse(opShape[1]);
        return opShape[0].equals("square") ? 2.0 * s[0] * s[0] * s[0] : 2.0 * s[0] * s[1] * s[2];
    }
}
