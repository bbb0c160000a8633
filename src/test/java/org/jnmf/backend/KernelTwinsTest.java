package org.jnmf.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The scalar twins ({@code FloatKernels.Scalar}, {@code DoubleKernels.Scalar}), which run while C2 compiles
 * the Vector API kernels, give the vector code's bits exactly: which of the two ran must never show in a
 * result. Several hundred random shapes per kernel (lane tails, tiles of 4 and 5, column chunks, row panels,
 * k below and above a vector), so the later calls compare C2's code, the first ones the interpreter's.
 */
class KernelTwinsTest {
    private static final int SHAPES = 300;
    private static final int FL = FloatKernels.LANES;
    private static final int DL = DoubleKernels.LANES;

    private final SplittableRandom random = new SplittableRandom(20261207);

    private int size(int lanes) {
        // Mostly around a few vectors, sometimes past a column chunk (32 vectors) or below one vector.
        return switch (random.nextInt(4)) {
            case 0 -> 1 + random.nextInt(lanes);
            case 1 -> 32 * lanes + random.nextInt(3 * lanes);
            default -> 1 + random.nextInt(6 * lanes);
        };
    }

    /** Past the longest column chunk of V·Hᵀ (256 vectors), or past the shortest (32), with a lane tail. */
    private int longRow(int lanes) {
        return (random.nextBoolean() ? 256 : 32) * lanes + 1 + random.nextInt(3 * lanes);
    }

    private double[] values(int count) {
        double[] x = new double[count];
        for (int i = 0; i < count; i++) {
            // Some exact zeros, as a fit's factors have.
            x[i] = random.nextInt(8) == 0 ? 0 : random.nextDouble();
        }
        return x;
    }

    private static float[] f(double[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = (float) x[i];
        }
        return y;
    }

    private static float[][] f(double[][] x) {
        float[][] y = new float[x.length][];
        for (int i = 0; i < x.length; i++) {
            y[i] = f(x[i]);
        }
        return y;
    }

    /** Runs a kernel both ways on copies of the same output and compares every bit. */
    private static void same(double[] out, Consumer<double[]> vector, Consumer<double[]> scalar, String what) {
        double[] a = out.clone();
        double[] b = out.clone();
        vector.accept(a);
        scalar.accept(b);
        assertArrayEquals(a, b, what);
    }

    private static void same(float[] out, Consumer<float[]> vector, Consumer<float[]> scalar, String what) {
        float[] a = out.clone();
        float[] b = out.clone();
        vector.accept(a);
        scalar.accept(b);
        assertArrayEquals(a, b, what);
    }

    /**
     * V·Hᵀ: besides the shapes above, some with more rows than a row block (64), and some with rows longer
     * than a column chunk (which spans 32 to 256 vectors, fewer for a larger k).
     */
    @Test
    void productsOfRowsByRows() {
        for (int shape = 0; shape < SHAPES; shape++) {
            boolean large = random.nextInt(6) == 0;
            int n = large ? 65 + random.nextInt(90) : 1 + random.nextInt(11);
            int k = random.nextInt(5) == 0 ? 40 + random.nextInt(25) : 1 + random.nextInt(13);
            int rowFrom = random.nextInt(n);
            int rowTo = rowFrom + 1 + random.nextInt(n - rowFrom);
            int dm = large ? longRow(DL) : size(DL);
            double[] a = values(n * dm);
            double[] b = values(k * dm);
            String what = "V·Hᵀ " + n + "×" + dm + ", k " + k + ", rows " + rowFrom + ".." + rowTo;
            same(new double[n * k], o -> DoubleKernels.vectorMultiplyByTransposed(a, dm, b, k, o, 0, rowFrom, rowTo),
                    o -> DoubleKernels.Scalar.multiplyByTransposed(a, dm, b, k, o, 0, rowFrom, rowTo), what);
            int fm = large ? longRow(FL) : size(FL);
            float[] af = f(values(n * fm));
            float[] bf = f(values(k * fm));
            same(new float[n * k], o -> FloatKernels.vectorMultiplyByTransposed(af, fm, bf, k, o, 0, rowFrom, rowTo),
                    o -> FloatKernels.Scalar.multiplyByTransposed(af, fm, bf, k, o, 0, rowFrom, rowTo), what + " f32");
        }
    }

    @Test
    void transposedProductsOverRowBlocks() {
        for (int shape = 0; shape < SHAPES; shape++) {
            int n = random.nextInt(150);
            int k = 1 + random.nextInt(random.nextInt(3) == 0 ? 60 : 11); // 6-row tiles (k ≥ 40), 4-row, the rest
            int blockRows = 1 + random.nextInt(Math.max(1, n));
            int blocks = Math.max(1, (n + blockRows - 1) / blockRows);
            for (int lanes : new int[] {DL, FL}) {
                int m = size(lanes);
                int colFrom = random.nextInt(m);
                int colTo = colFrom + 1 + random.nextInt(m - colFrom);
                double[] w = values(n * k);
                double[][] v = new double[blocks][];
                for (int b = 0; b < blocks; b++) {
                    v[b] = values(Math.max(0, Math.min(blockRows, n - b * blockRows)) * m);
                }
                String what = "Wᵀ·V " + n + "×" + m + ", k " + k + ", blocks of " + blockRows + ", columns "
                        + colFrom + ".." + colTo;
                double[] out = values(k * m);
                if (lanes == DL) {
                    same(out, o -> DoubleKernels.vectorMultiplyTransposedBy(w, k, v, blockRows, n, m, o, colFrom, colTo),
                            o -> DoubleKernels.Scalar.multiplyTransposedBy(w, k, v, blockRows, n, m, o, colFrom, colTo),
                            what);
                } else {
                    float[] wf = f(w);
                    float[][] vf = f(v);
                    same(f(out), o -> FloatKernels.vectorMultiplyTransposedBy(wf, k, vf, blockRows, n, m, o, colFrom,
                            colTo), o -> FloatKernels.Scalar.multiplyTransposedBy(wf, k, vf, blockRows, n, m, o,
                            colFrom, colTo), what + " f32");
                }
            }
        }
    }

    @Test
    void plainAndPackedProducts() {
        for (int shape = 0; shape < SHAPES / 3; shape++) {
            int r = 1 + random.nextInt(30);
            boolean large = shape % 4 == 0;
            int s = large ? 250 + random.nextInt(20) : 1 + random.nextInt(40);
            int t = 1 + random.nextInt(5 * FL);
            int rowFrom = random.nextInt(r);
            int rowTo = rowFrom + 1 + random.nextInt(r - rowFrom);
            double[] a = values(r * s);
            double[] b = values(s * t);
            double[] out = values(r * t);
            String what = "A·B " + r + "×" + s + "×" + t + ", rows " + rowFrom + ".." + rowTo;
            same(out, o -> DoubleKernels.vectorMultiply(a, s, b, t, o, rowFrom, rowTo),
                    o -> DoubleKernels.Scalar.multiply(a, s, b, t, o, rowFrom, rowTo), what);
            same(out, o -> DoubleKernels.vectorMultiplyPacked(a, s, b, t, o, rowFrom, rowTo),
                    o -> DoubleKernels.Scalar.multiply(a, s, b, t, o, rowFrom, rowTo), what + " packed");
            float[] af = f(a);
            float[] bf = f(b);
            same(f(out), o -> FloatKernels.vectorMultiply(af, s, bf, t, o, rowFrom, rowTo),
                    o -> FloatKernels.Scalar.multiply(af, s, bf, t, o, rowFrom, rowTo), what + " f32");
            same(f(out), o -> FloatKernels.vectorMultiplyPacked(af, s, bf, t, o, rowFrom, rowTo),
                    o -> FloatKernels.Scalar.multiply(af, s, bf, t, o, rowFrom, rowTo), what + " f32 packed");
        }
    }

    @Test
    void elementwiseUpdatesAndRowsOfTheProduct() {
        for (int shape = 0; shape < SHAPES; shape++) {
            int length = size(FL);
            int from = random.nextInt(length);
            int to = from + random.nextInt(length - from + 1);
            double[] x = values(length);
            double[] num = values(length);
            double[] den = values(length);
            double floor = random.nextBoolean() ? 0 : 1e-3;
            String what = "length " + length + ", " + from + ".." + to + ", floor " + floor;
            same(x, o -> DoubleKernels.vectorMultiplicativeUpdate(o, num, den, 1e-16, floor, from, to),
                    o -> DoubleKernels.Scalar.multiplicativeUpdate(o, num, den, 1e-16, floor, from, to), "MU " + what);
            float[] numF = f(num);
            float[] denF = f(den);
            same(f(x), o -> FloatKernels.vectorMultiplicativeUpdate(o, numF, denF, 1e-16f, (float) floor, from, to),
                    o -> FloatKernels.Scalar.multiplicativeUpdate(o, numF, denF, 1e-16f, (float) floor, from, to),
                    "MU f32 " + what);
            double a = random.nextDouble() * 4 - 2;
            double c = random.nextDouble() - 0.5;
            same(x, o -> DoubleKernels.vectorCombine(num, a, den, c, o, from, to),
                    o -> DoubleKernels.Scalar.combine(num, a, den, c, o, from, to), "combine " + what);
            same(f(x), o -> FloatKernels.vectorCombine(numF, (float) a, denF, (float) c, o, from, to),
                    o -> FloatKernels.Scalar.combine(numF, (float) a, denF, (float) c, o, from, to),
                    "combine f32 " + what);
            int k = 1 + random.nextInt(9);
            int rows = 3;
            int i = random.nextInt(rows);
            double[] w = values(rows * k);
            double[] h = values(k * length);
            same(new double[length], o -> DoubleKernels.vectorProductRowInPrecision(w, i, k, h, length, o),
                    o -> DoubleKernels.Scalar.productRowInPrecision(w, i, k, h, length, o), "W·H row " + what);
            float[] wf = f(w);
            float[] hf = f(h);
            same(new float[length], o -> FloatKernels.vectorProductRowInPrecision(wf, i, k, hf, length, o),
                    o -> FloatKernels.Scalar.productRowInPrecision(wf, i, k, hf, length, o), "W·H row f32 " + what);
        }
    }

    @Test
    void halsSweeps() {
        for (int shape = 0; shape < SHAPES; shape++) {
            int k = 1 + random.nextInt(9);
            int m = size(FL);
            int colFrom = random.nextInt(m);
            int colTo = colFrom + 1 + random.nextInt(m - colFrom);
            double[] h = values(k * m);
            double[] c = values(k * m);
            double[] d = values(k * k);
            for (int l = 0; l < k; l++) {
                // A zero diagonal (a zero component) is skipped; otherwise the Gram matrix's diagonal is large.
                d[l * k + l] = random.nextInt(6) == 0 ? 0 : 1 + d[l * k + l];
            }
            String what = "HALS k " + k + ", m " + m + ", columns " + colFrom + ".." + colTo;
            same(h, o -> DoubleKernels.vectorHalsRows(o, c, d, k, m, colFrom, colTo),
                    o -> DoubleKernels.Scalar.halsRows(o, c, d, k, m, colFrom, colTo), what);
            float[] cf = f(c);
            float[] df = f(d);
            same(f(h), o -> FloatKernels.vectorHalsRows(o, cf, df, k, m, colFrom, colTo),
                    o -> FloatKernels.Scalar.halsRows(o, cf, df, k, m, colFrom, colTo), what + " f32");
        }
    }

    @Test
    void sparseProducts() {
        for (int shape = 0; shape < SHAPES; shape++) {
            int rows = 1 + random.nextInt(12);
            int cols = 1 + random.nextInt(30);
            int k = 1 + random.nextInt(2 * FL + 3);
            int[] rowStart = new int[rows + 1];
            int[] columns = new int[rows * cols];
            int stored = 0;
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    if (random.nextInt(3) == 0) {
                        columns[stored++] = j;
                    }
                }
                rowStart[i + 1] = stored;
            }
            double[] values = values(stored);
            double[] x = values(cols * k);
            int from = random.nextInt(rows);
            int to = from + 1 + random.nextInt(rows - from);
            String what = "sparse " + rows + "×" + cols + ", " + stored + " stored, k " + k;
            same(new double[rows * k], o -> DoubleKernels.vectorSparseMultiplyByTransposed(rowStart, columns, values, x,
                    k, o, from, to), o -> DoubleKernels.Scalar.sparseMultiplyByTransposed(rowStart, columns, values, x,
                    k, o, from, to), what);
            // Read as the CSR of Vᵀ: rows of it are columns of the product (k×rows).
            same(new double[k * rows], o -> DoubleKernels.vectorSparseMultiplyTransposedBy(rowStart, columns, values,
                    x, k, rows, o, from, to), o -> DoubleKernels.Scalar.sparseMultiplyTransposedBy(rowStart, columns,
                    values, x, k, rows, o, from, to), what + " transposed");
            float[] vf = f(values);
            float[] xf = f(x);
            same(new float[rows * k], o -> FloatKernels.vectorSparseMultiplyByTransposed(rowStart, columns, vf, xf,
                    k, o, from, to), o -> FloatKernels.Scalar.sparseMultiplyByTransposed(rowStart, columns, vf, xf,
                    k, o, from, to), what + " f32");
            same(new float[k * rows], o -> FloatKernels.vectorSparseMultiplyTransposedBy(rowStart, columns, vf,
                    xf, k, rows, o, from, to), o -> FloatKernels.Scalar.sparseMultiplyTransposedBy(rowStart, columns,
                    vf, xf, k, rows, o, from, to), what + " f32 transposed");
        }
    }
}
