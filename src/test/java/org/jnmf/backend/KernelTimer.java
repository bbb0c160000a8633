package org.jnmf.backend;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.jnmf.DenseMatrix;
import org.jnmf.Matrix;
import org.jnmf.Precision;
import org.jnmf.SparseMatrix;

/**
 * Where an iteration's time goes: times each Java-backend primitive an HALS or MU iteration calls, at a
 * given shape, warm, best of several repetitions. Not a test; run it by hand with the test classpath and
 * the launcher's JVM flags:
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -XX:+UnlockDiagnosticVMOptions \
 *   -XX:CompilerDirectivesFile=src/main/jvm/kernels-c2-only.json \
 *   -cp target/classes:target/test-classes org.jnmf.backend.KernelTimer 2000 1500 20 single 2 [sparse-density]
 * </pre>
 *
 * {@link #operations} is also the entry point for A/B comparisons that load two builds side by side.
 */
public final class KernelTimer {
    private KernelTimer() {
    }

    /**
     * Every primitive at n×m, rank k, as named runnables over shared operands (V dense, or sparse with the
     * given density when density &lt; 1), plus whole HALS and MU iterations. Each runnable leaves the
     * operands as it found them in shape (updates may change W and H values; they stay non-negative).
     */
    public static Map<String, Runnable> operations(int n, int m, int k, String precisionName, int threads,
                                                   double density) {
        Precision precision = Precision.valueOf(precisionName.toUpperCase(java.util.Locale.ROOT));
        JavaBackend b = new JavaBackend(precision, threads);
        SplittableRandom random = new SplittableRandom(42);
        Matrix input;
        if (density < 1) {
            int expected = (int) (density * n * m * 1.1) + 16;
            List<int[]> at = new ArrayList<>(expected);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < m; j++) {
                    if (random.nextDouble() < density) {
                        at.add(new int[] {i, j});
                    }
                }
            }
            int[] rows = new int[at.size()];
            int[] cols = new int[at.size()];
            double[] values = new double[at.size()];
            for (int q = 0; q < rows.length; q++) {
                rows[q] = at.get(q)[0];
                cols[q] = at.get(q)[1];
                values[q] = 1 + random.nextInt(5);
            }
            input = SparseMatrix.ofTriplets(n, m, rows, cols, values);
        } else {
            double[] v = new double[Math.multiplyExact(n, m)];
            for (int i = 0; i < v.length; i++) {
                v[i] = random.nextDouble();
            }
            input = DenseMatrix.wrap(n, m, v);
        }
        DeviceMatrix v = b.upload(input);
        DeviceMatrix w = b.upload(n, k, uniform(n * k, random, 0.1));
        DeviceMatrix h = b.upload(k, m, uniform(k * m, random, 0.1));
        DeviceMatrix vht = b.allocate(n, k);
        DeviceMatrix wtv = b.allocate(k, m);
        DeviceMatrix hht = b.allocate(k, k);
        DeviceMatrix wtw = b.allocate(k, k);
        DeviceMatrix whht = b.allocate(n, k);
        DeviceMatrix wtwh = b.allocate(k, m);
        b.multiplyByTransposed(v, h, vht);
        b.multiplyTransposedBy(w, v, wtv);
        b.gramOfRows(h, hht);
        b.gramOfColumns(w, wtw);
        b.multiply(w, hht, whht);
        b.multiply(wtw, h, wtwh);
        Map<String, Runnable> ops = new LinkedHashMap<>();
        ops.put("V·Hᵀ", () -> b.multiplyByTransposed(v, h, vht));
        ops.put("Wᵀ·V", () -> b.multiplyTransposedBy(w, v, wtv));
        ops.put("WᵀW", () -> b.gramOfColumns(w, wtw));
        ops.put("HHᵀ", () -> b.gramOfRows(h, hht));
        ops.put("W·HHᵀ", () -> b.multiply(w, hht, whht));
        ops.put("WᵀW·H", () -> b.multiply(wtw, h, wtwh));
        ops.put("MU W", () -> b.multiplicativeUpdate(w, vht, whht, 0));
        ops.put("MU H", () -> b.multiplicativeUpdate(h, wtv, wtwh, 0));
        ops.put("HALS W", () -> b.halsUpdateColumns(w, vht, hht));
        ops.put("HALS H", () -> b.halsUpdateRows(h, wtv, wtw));
        ops.put("loss dots", () -> {
            b.dot(wtv, h);
            b.dot(wtw, hht);
        });
        ops.put("HALS iteration", () -> {
            b.multiplyByTransposed(v, h, vht);
            b.halsUpdateColumns(w, vht, hht);
            b.multiplyTransposedBy(w, v, wtv);
            b.gramOfColumns(w, wtw);
            b.halsUpdateRows(h, wtv, wtw);
            b.gramOfRows(h, hht);
        });
        ops.put("MU iteration", () -> {
            b.multiplyByTransposed(v, h, vht);
            b.multiply(w, hht, whht);
            b.multiplicativeUpdate(w, vht, whht, 0);
            b.multiplyTransposedBy(w, v, wtv);
            b.gramOfColumns(w, wtw);
            b.multiply(wtw, h, wtwh);
            b.multiplicativeUpdate(h, wtv, wtwh, 0);
            b.gramOfRows(h, hht);
        });
        return ops;
    }

    private static double[] uniform(int length, SplittableRandom random, double scale) {
        double[] x = new double[length];
        for (int i = 0; i < length; i++) {
            x[i] = scale * random.nextDouble();
        }
        return x;
    }

    /** Best wall time in ms of {@code reps} runs after a warm-up of at least 0.5 s. */
    public static double bestMillis(Runnable op, int reps) {
        long warmEnd = System.nanoTime() + 500_000_000L;
        int warm = 0;
        while (warm < 5 || System.nanoTime() < warmEnd) {
            op.run();
            warm++;
        }
        long best = Long.MAX_VALUE;
        for (int r = 0; r < reps; r++) {
            long t0 = System.nanoTime();
            op.run();
            best = Math.min(best, System.nanoTime() - t0);
        }
        return best / 1e6;
    }

    public static void main(String[] args) {
        int n = Integer.parseInt(args[0]);
        int m = Integer.parseInt(args[1]);
        int k = Integer.parseInt(args[2]);
        String precision = args[3];
        int threads = Integer.parseInt(args[4]);
        double density = args.length > 5 ? Double.parseDouble(args[5]) : 1;
        double flops = 2.0 * n * m * k * (density < 1 ? density : 1);
        for (Map.Entry<String, Runnable> e : operations(n, m, k, precision, threads, density).entrySet()) {
            double ms = bestMillis(e.getValue(), 10);
            String rate = e.getKey().equals("V·Hᵀ") || e.getKey().equals("Wᵀ·V")
                    ? String.format("  %.1f GFLOP/s", flops / ms / 1e6) : "";
            System.out.printf("%-16s %9.3f ms%s%n", e.getKey(), ms, rate);
        }
    }
}
