package org.jnmf.cuda;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.jnmf.Algorithm;
import org.jnmf.DenseMatrix;
import org.jnmf.Initialization;
import org.jnmf.Nmf;
import org.jnmf.NmfOptions;
import org.jnmf.NmfResult;
import org.jnmf.Precision;
import org.jnmf.backend.DeviceMatrix;

/**
 * The GPU checks that need hardware, run by {@code benchmarks/gpu/run.sh} (see there for the exact
 * command): agreement of the CUDA and Java backends on random noisy problems, cuBLAS GEMM throughput
 * (float32 and TF32), and NMF time per iteration (MU and HALS, float32) next to the "GEMM-only floor",
 * the time of the two big products of an iteration (V·Hᵀ and Wᵀ·V) measured in the same run.
 *
 * <p>Usage: {@code GpuBenchmark [--smoke] [--budget SECONDS] [--tsv FILE] agreement|gemm|nmf|sparse|stream ...}. Agreement
 * problems are skipped once 30 % of the budget is used, NMF sizes once all of it is.
 * {@code --smoke} uses tiny sizes (for the CPU stand-ins). Timing: wall clock between stream
 * synchronisations over several iterations after warm-up, the method the PyTorch comparison uses too.
 * Prints markdown tables; {@code --tsv} also writes the MU times for the PyTorch script to compare with.
 */
public final class GpuBenchmark {
    private final boolean smoke;
    private final long start = System.nanoTime();
    private final long budget;
    private final Path tsv;
    private final PrintStream out = System.out;

    private GpuBenchmark(boolean smoke, double budgetSeconds, Path tsv) {
        this.smoke = smoke;
        this.budget = (long) (budgetSeconds * 1e9);
        this.tsv = tsv;
    }

    public static void main(String[] args) throws IOException {
        boolean smoke = false;
        double budget = 240;
        Path tsv = null;
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--smoke" -> smoke = true;
                case "--budget" -> budget = Double.parseDouble(args[++i]);
                case "--tsv" -> tsv = Path.of(args[++i]);
                default -> parts.add(args[i]);
            }
        }
        if (parts.isEmpty()) {
            parts = List.of("agreement", "gemm", "nmf");
        }
        GpuBenchmark b = new GpuBenchmark(smoke, budget, tsv);
        b.out.println(CudaProbe.report());
        for (String part : parts) {
            switch (part) {
                case "agreement" -> b.agreement();
                case "gemm" -> b.gemm();
                case "nmf" -> b.nmf();
                case "sparse" -> b.sparse();
                case "stream" -> b.stream();
                default -> throw new IllegalArgumentException("unknown part '" + part
                        + "'; use agreement, gemm, nmf, sparse or stream");
            }
        }
    }

    /** Whether more than {@code fraction} of the time budget is used (later sizes are then skipped). */
    private boolean overBudget(double fraction) {
        return System.nanoTime() - start > fraction * budget;
    }

    private static CudaBackend open(boolean tf32) {
        CudaBackend.Attempt a = CudaBackend.attempt(CudaConfig.fromSystemProperties().withTf32(tf32), Precision.SINGLE);
        if (!a.usable()) {
            throw new IllegalStateException("CUDA is not usable: " + a.reasons());
        }
        return a.backend();
    }

    private static double[] uniform(SplittableRandom r, long length) {
        double[] x = new double[Math.toIntExact(length)];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextDouble();
        }
        return x;
    }

    // ---- (b) agreement ----

    private static DenseMatrix noisyLowRank(int n, int m, int k, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] w = uniform(r, (long) n * k);
        double[] h = uniform(r, (long) k * m);
        float[] v = new float[n * m];
        double[] row = new double[m];
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(row, 0);
            for (int p = 0; p < k; p++) {
                double wp = w[i * k + p];
                for (int j = 0; j < m; j++) {
                    row[j] += wp * h[p * m + j];
                }
            }
            for (int j = 0; j < m; j++) {
                v[i * m + j] = (float) (row[j] * (0.9 + 0.2 * r.nextDouble()));
            }
        }
        return DenseMatrix.wrap(n, m, v);
    }

    /** Mean and minimum over the columns of A of the best cosine with a distinct column of B (greedy). */
    static double[] matchedCosines(DenseMatrix a, DenseMatrix b) {
        int n = a.rows();
        int k = a.cols();
        double[][] cos = new double[k][k];
        double[] na = new double[k];
        double[] nb = new double[k];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < k; p++) {
                na[p] += a.get(i, p) * a.get(i, p);
                nb[p] += b.get(i, p) * b.get(i, p);
                for (int q = 0; q < k; q++) {
                    cos[p][q] += a.get(i, p) * b.get(i, q);
                }
            }
        }
        boolean[] usedA = new boolean[k];
        boolean[] usedB = new boolean[k];
        double sum = 0;
        double min = 1;
        for (int round = 0; round < k; round++) {
            int bp = -1;
            int bq = -1;
            double best = -2;
            for (int p = 0; p < k; p++) {
                for (int q = 0; q < k; q++) {
                    if (!usedA[p] && !usedB[q]) {
                        double c = cos[p][q] / Math.sqrt(Math.max(na[p] * nb[q], 1e-300));
                        if (c > best) {
                            best = c;
                            bp = p;
                            bq = q;
                        }
                    }
                }
            }
            usedA[bp] = true;
            usedB[bq] = true;
            sum += best;
            min = Math.min(min, best);
        }
        return new double[] {sum / k, min};
    }

    private void agreement() {
        int[][] problems = smoke ? new int[][] {{60, 45, 4}, {33, 70, 3}}
                : new int[][] {{1000, 800, 10}, {3000, 2000, 20}, {2500, 4000, 32}};
        int iterations = smoke ? 30 : 200;
        out.println("## GPU vs CPU agreement (float32, same seed, random init, " + iterations + " iterations)");
        out.println();
        out.println("| V | k | algorithm | loss java | loss cuda | rel. difference | W cosine mean / min | H cosine mean / min | java s | cuda s |");
        out.println("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|");
        long seed = 1;
        for (int[] p : problems) {
            DenseMatrix v = noisyLowRank(p[0], p[1], p[2], seed++);
            for (Algorithm algorithm : new Algorithm[] {Algorithm.MULTIPLICATIVE, Algorithm.HALS}) {
                if (overBudget(0.3)) {
                    out.println("| " + p[0] + "×" + p[1] + " | " + p[2] + " | " + algorithm + " | skipped: time budget |");
                    continue;
                }
                NmfOptions.Builder o = NmfOptions.builder(p[2]).algorithm(algorithm).precision(Precision.SINGLE)
                        .seed(42).maxIterations(iterations).tolerance(0).initialization(Initialization.RANDOM);
                NmfResult java = Nmf.fit(v, o.backend("java").build());
                NmfResult cuda = Nmf.fit(v, o.backend("cuda").build());
                double rel = Math.abs(java.loss() - cuda.loss()) / Math.abs(java.loss());
                double[] cw = matchedCosines(java.w(), cuda.w());
                double[] ch = matchedCosines(transpose(java.h()), transpose(cuda.h()));
                out.printf(Locale.ROOT, "| %d×%d | %d | %s | %.8g | %.8g | %.2e%s | %.6f / %.6f | %.6f / %.6f | %.2f | %.2f |%n",
                        p[0], p[1], p[2], algorithm, java.loss(), cuda.loss(), rel, rel <= 1e-4 ? "" : " (>1e-4)",
                        cw[0], cw[1], ch[0], ch[1], java.seconds(), cuda.seconds());
            }
        }
        out.println();
    }

    private static DenseMatrix transpose(DenseMatrix x) {
        double[][] t = new double[x.cols()][x.rows()];
        for (int i = 0; i < x.rows(); i++) {
            for (int j = 0; j < x.cols(); j++) {
                t[j][i] = x.get(i, j);
            }
        }
        return DenseMatrix.of(t);
    }

    // ---- (c) GEMM throughput ----

    private void gemm() {
        int size = smoke ? 64 : 8192;
        int reps = smoke ? 2 : 20;
        out.println("## cuBLAS GEMM throughput (C = A·B, " + size + "³, " + reps + " repetitions after warm-up)");
        out.println();
        out.println("| math | ms per GEMM | TFLOP/s |");
        out.println("|---|---:|---:|");
        for (boolean tf32 : new boolean[] {false, true}) {
            try (CudaBackend cuda = open(tf32)) {
                SplittableRandom r = new SplittableRandom(3);
                try (DeviceMatrix a = cuda.upload(size, size, uniform(r, (long) size * size));
                     DeviceMatrix b = cuda.upload(size, size, uniform(r, (long) size * size));
                     DeviceMatrix c = cuda.allocate(size, size)) {
                    cuda.multiply(a, b, c);
                    cuda.synchronize();
                    long t0 = System.nanoTime();
                    for (int i = 0; i < reps; i++) {
                        cuda.multiply(a, b, c);
                    }
                    cuda.synchronize();
                    double seconds = (System.nanoTime() - t0) / 1e9 / reps;
                    out.printf(Locale.ROOT, "| %s | %.3f | %.1f |%n", tf32 ? "TF32 tensor cores" : "float32 (default)",
                            seconds * 1e3, 2.0 * size * size * size / seconds / 1e12);
                }
            }
        }
        out.println();
    }

    // ---- (c) NMF per iteration ----

    private void nmf() throws IOException {
        int[] sizes = smoke ? new int[] {48, 96} : new int[] {8192, 20000, 40000};
        int[] ranks = smoke ? new int[] {4, 8} : new int[] {64, 256};
        int warmup = smoke ? 1 : 2;
        int timed = smoke ? 2 : 10;
        out.println("## NMF time per iteration on the GPU (float32, dense V n×n, no TF32; " + timed
                + " iterations after " + warmup + " warm-up)");
        out.println();
        out.println("| n | k | MU ms/iter | HALS ms/iter | GEMM-only floor ms | MU / floor | HALS / floor | floor TFLOP/s |");
        out.println("|---:|---:|---:|---:|---:|---:|---:|---:|");
        List<String> rows = new ArrayList<>();
        try (CudaBackend cuda = open(false)) {
            for (int n : sizes) {
                for (int k : ranks) {
                    if (overBudget(1.0)) {
                        out.println("| " + n + " | " + k + " | skipped: time budget | | | | | |");
                        continue;
                    }
                    double[] t = nmfAt(cuda, n, k, warmup, timed);
                    double flops = 2 * 2.0 * n * (double) n * k;
                    out.printf(Locale.ROOT, "| %d | %d | %.3f | %.3f | %.3f | %.2f | %.2f | %.1f |%n", n, k, t[0] * 1e3,
                            t[1] * 1e3, t[2] * 1e3, t[0] / t[2], t[1] / t[2], flops / t[2] / 1e12);
                    rows.add(n + "\t" + k + "\t" + t[0] * 1e3 + "\t" + t[1] * 1e3 + "\t" + t[2] * 1e3);
                }
            }
        }
        out.println();
        if (tsv != null) {
            Files.write(tsv, rows);
        }
    }

    /** Seconds per MU iteration, per HALS iteration, and per pair of big GEMMs (the floor). */
    private static double[] nmfAt(CudaBackend cuda, int n, int k, int warmup, int timed) {
        int m = n;
        int k0 = Math.min(32, k);
        SplittableRandom r = new SplittableRandom(n * 31L + k);
        List<DeviceMatrix> all = new ArrayList<>();
        try {
            // V = W0·H0 made on the device: no multi-GB host array and upload.
            DeviceMatrix w0 = keep(all, cuda.upload(n, k0, uniform(r, (long) n * k0)));
            DeviceMatrix h0 = keep(all, cuda.upload(k0, m, uniform(r, (long) k0 * m)));
            DeviceMatrix v = keep(all, cuda.allocate(n, m));
            cuda.multiply(w0, h0, v);
            double[] w = uniform(r, (long) n * k);
            double[] h = uniform(r, (long) k * m);
            DeviceMatrix dw = keep(all, cuda.upload(n, k, w));
            DeviceMatrix dh = keep(all, cuda.upload(k, m, h));
            DeviceMatrix vht = keep(all, cuda.allocate(n, k));
            DeviceMatrix wtv = keep(all, cuda.allocate(k, m));
            DeviceMatrix hht = keep(all, cuda.allocate(k, k));
            DeviceMatrix wtw = keep(all, cuda.allocate(k, k));
            DeviceMatrix whht = keep(all, cuda.allocate(n, k));
            DeviceMatrix wtwh = keep(all, cuda.allocate(k, m));
            double[] seconds = new double[3];
            for (int algorithm = 0; algorithm < 2; algorithm++) {
                boolean mu = algorithm == 0;
                cuda.gramOfRows(dh, hht);
                for (int i = 0; i < warmup + timed; i++) {
                    if (i == warmup) {
                        cuda.synchronize();
                        seconds[algorithm] = System.nanoTime();
                    }
                    // The iteration of Nmf.Run: W step, then H step, then HHᵀ for the next W step.
                    cuda.multiplyByTransposed(v, dh, vht);
                    if (mu) {
                        cuda.multiply(dw, hht, whht);
                        cuda.multiplicativeUpdate(dw, vht, whht, 0);
                    } else {
                        cuda.halsUpdateColumns(dw, vht, hht);
                    }
                    cuda.multiplyTransposedBy(dw, v, wtv);
                    cuda.gramOfColumns(dw, wtw);
                    if (mu) {
                        cuda.multiply(wtw, dh, wtwh);
                        cuda.multiplicativeUpdate(dh, wtv, wtwh, 0);
                    } else {
                        cuda.halsUpdateRows(dh, wtv, wtw);
                    }
                    cuda.gramOfRows(dh, hht);
                }
                cuda.synchronize();
                seconds[algorithm] = (System.nanoTime() - seconds[algorithm]) / 1e9 / timed;
            }
            for (int i = 0; i < warmup + timed; i++) {
                if (i == warmup) {
                    cuda.synchronize();
                    seconds[2] = System.nanoTime();
                }
                cuda.multiplyByTransposed(v, dh, vht);
                cuda.multiplyTransposedBy(dw, v, wtv);
            }
            cuda.synchronize();
            seconds[2] = (System.nanoTime() - seconds[2]) / 1e9 / timed;
            return seconds;
        } finally {
            for (int i = all.size() - 1; i >= 0; i--) {
                all.get(i).close();
            }
        }
    }

    // ---- (f) sparse V and streamed V, per iteration through Nmf.fit ----

    /**
     * Seconds per iteration of a fit as Nmf.fit runs it: the difference of a long and a short fit from the
     * same start, over the difference in iterations (so start-up, upload and initialisation cancel).
     */
    private static double perIteration(org.jnmf.Matrix v, NmfOptions.Builder options, int few, int many) {
        Nmf.fit(v, options.maxIterations(1).build()); // warm-up: class loading, kernels, cuBLAS handles
        NmfResult shortFit = Nmf.fit(v, options.maxIterations(few).build());
        NmfResult longFit = Nmf.fit(v, options.maxIterations(many).build());
        return (longFit.seconds() - shortFit.seconds()) / (many - few);
    }

    /** The sparse problem: 5000×40000, nnz ≈ 33 M (density 0.165), k = 20, float32, HALS and MU. */
    private void sparse() {
        int n = smoke ? 50 : 5000;
        int m = smoke ? 400 : 40000;
        double density = 0.165;
        SplittableRandom r = new SplittableRandom(11);
        int[] rowStart = new int[n + 1];
        int[] columns = new int[(int) (n * (long) m * density * 1.05) + m];
        double[] values = new double[columns.length];
        int nnz = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                if (r.nextDouble() < density) {
                    columns[nnz] = j;
                    values[nnz++] = 1 + r.nextInt(9);
                }
            }
            rowStart[i + 1] = nnz;
        }
        org.jnmf.SparseMatrix v = org.jnmf.SparseMatrix.ofCsr(n, m, rowStart, java.util.Arrays.copyOf(columns, nnz),
                java.util.Arrays.copyOf(values, nnz));
        int k = smoke ? 4 : 20;
        out.println("## Sparse V on cuSPARSE (" + n + "×" + m + ", nnz " + nnz + ", k = " + k + ", float32, random init;"
                + " seconds per iteration from fits of 5 and 25 iterations)");
        out.println();
        out.println("| algorithm | ms per iteration | RcppML 1.0's published 0.139 s / this |");
        out.println("|---|---:|---:|");
        for (Algorithm algorithm : new Algorithm[] {Algorithm.HALS, Algorithm.MULTIPLICATIVE}) {
            NmfOptions.Builder o = NmfOptions.builder(k).algorithm(algorithm).precision(Precision.SINGLE).seed(1)
                    .tolerance(0).checkInterval(1000).initialization(Initialization.RANDOM).backend("cuda");
            double seconds = perIteration(v, o, 5, 25);
            out.printf(Locale.ROOT, "| %s | %.3f | %.1f |%n", algorithm, seconds * 1e3, 0.139 / seconds);
        }
        out.println();
    }

    /**
     * A dense float32 V streamed from page-locked host memory ({@link CudaConfig#STREAM_BLOCK_ROWS}, forced so
     * that the host needs V only twice, not more than the device's memory): a HALS iteration against the
     * copy-bound floor, one pass computing only ‖V‖² (bytes of V over that pass's time is the bus's rate).
     */
    private void stream() {
        int n = smoke ? 300 : 32768;
        int m = smoke ? 200 : 65536;
        int blockRows = smoke ? 64 : 2048;
        int k = smoke ? 4 : 32;
        float[] values = new float[Math.toIntExact((long) n * m)];
        java.util.stream.IntStream.range(0, n).parallel().forEach(i -> {
            for (int j = 0; j < m; j++) {
                values[i * m + j] = ((i * 31 + j * 17) % 101) / 100f + 0.01f;
            }
        });
        DenseMatrix v = DenseMatrix.wrap(n, m, values);
        double gib = (double) n * m * 4 / (1L << 30);
        out.printf(Locale.ROOT, "## Streamed dense V (%d×%d float32, %.2f GiB, blocks of %d rows, k = %d)%n%n", n, m, gib,
                blockRows, k);
        System.setProperty(CudaConfig.STREAM_BLOCK_ROWS, Integer.toString(blockRows));
        try {
            NmfOptions.Builder o = NmfOptions.builder(k).algorithm(Algorithm.HALS).precision(Precision.SINGLE)
                    .seed(1).tolerance(0).checkInterval(1000).initialization(Initialization.RANDOM).backend("cuda");
            double iteration = perIteration(v, o, 2, 7);
            // The floor: a pass that only copies the blocks in and sums their squares.
            double pass = Double.MAX_VALUE;
            String held;
            CudaConfig config = CudaConfig.fromSystemProperties();
            CudaBackend.Attempt a = CudaBackend.attempt(config, Precision.SINGLE);
            if (!a.usable()) {
                throw new IllegalStateException("CUDA is not usable: " + a.reasons());
            }
            try (CudaBackend cuda = a.backend();
                 DeviceMatrix streamed = cuda.uploadData(v, k, (long) n * m * 4, 0, null, "the streaming check")) {
                held = cuda.howHeld(streamed);
                for (int i = 0; i < 4; i++) {
                    long t0 = System.nanoTime();
                    cuda.squaredNorm(streamed);
                    pass = Math.min(pass, (System.nanoTime() - t0) / 1e9);
                }
            }
            out.println("| HALS ms per iteration | ‖V‖² pass ms (copy floor) | GB/s in that pass | iteration / pass |");
            out.println("|---:|---:|---:|---:|");
            out.printf(Locale.ROOT, "| %.1f | %.1f | %.1f | %.2f |%n%n", iteration * 1e3, pass * 1e3,
                    (double) n * m * 4 / pass / 1e9, iteration / pass);
            out.println("held: " + held);
            out.println();
        } finally {
            System.clearProperty(CudaConfig.STREAM_BLOCK_ROWS);
        }
    }

    private static DeviceMatrix keep(List<DeviceMatrix> all, DeviceMatrix x) {
        all.add(x);
        return x;
    }
}
