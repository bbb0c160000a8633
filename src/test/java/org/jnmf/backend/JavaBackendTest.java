package org.jnmf.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Consumer;
import java.util.stream.Stream;
import org.jnmf.DenseMatrix;
import org.jnmf.Matrix;
import org.jnmf.Precision;
import org.jnmf.SparseMatrix;
import org.jnmf.TestMatrices;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every primitive of the Java backend against the reference backend, on shapes with awkward edges. */
class JavaBackendTest {
    /** float32 rounding accumulated over sums of a few hundred terms, relative to the largest entry. */
    private static final double SINGLE_TOLERANCE = 2e-5;
    private static final double DOUBLE_TOLERANCE = 1e-12;

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> cases = Stream.builder();
        // 1100 columns: several column chunks of V·Hᵀ; k = 50 and 33: more than one vector of lane sums
        int[][] shapes = {{1, 1, 1}, {5, 3, 2}, {37, 131, 7}, {64, 200, 20}, {130, 70, 13}, {9, 1030, 4}, {300, 17, 5},
                {11, 1100, 50}, {23, 45, 33}};
        for (Precision precision : Precision.values()) {
            for (int[] s : shapes) {
                cases.add(Arguments.of(precision, s[0], s[1], s[2], "dense"));
                cases.add(Arguments.of(precision, s[0], s[1], s[2], "blocks"));
                cases.add(Arguments.of(precision, s[0], s[1], s[2], "sparse"));
            }
        }
        return cases.build();
    }

    @ParameterizedTest(name = "{0} {1}×{2} k={3} {4}")
    @MethodSource("cases")
    void primitivesMatchTheReference(Precision precision, int n, int m, int k, String kind) {
        Matrix v = TestMatrices.ofKind(n, m, kind, 11);
        double[] w = TestMatrices.uniform(n * k, 12);
        double[] h = TestMatrices.uniform(k * m, 13);
        double tolerance = precision == Precision.SINGLE ? SINGLE_TOLERANCE : DOUBLE_TOLERANCE;
        try (JavaBackend java = new JavaBackend(precision, 2); ReferenceBackend ref = new ReferenceBackend()) {
            Pair p = new Pair(java, ref, v, w, h, n, m, k);
            p.check("V·Hᵀ", n, k, tolerance, (b) -> b.backend.multiplyByTransposed(b.v, b.h, b.out));
            p.check("Wᵀ·V", k, m, tolerance, (b) -> b.backend.multiplyTransposedBy(b.w, b.v, b.out));
            p.check("WᵀW", k, k, tolerance, (b) -> b.backend.gramOfColumns(b.w, b.out));
            p.check("HHᵀ", k, k, tolerance, (b) -> b.backend.gramOfRows(b.h, b.out));
            p.check("W·HHᵀ", n, k, tolerance, (b) -> {
                try (DeviceMatrix g = b.backend.allocate(k, k)) {
                    b.backend.gramOfRows(b.h, g);
                    b.backend.multiply(b.w, g, b.out);
                }
            });
            p.check("MU step on W", n, k, tolerance, (b) -> {
                try (DeviceMatrix num = b.backend.allocate(n, k); DeviceMatrix g = b.backend.allocate(k, k);
                     DeviceMatrix den = b.backend.allocate(n, k)) {
                    b.backend.multiplyByTransposed(b.v, b.h, num);
                    b.backend.gramOfRows(b.h, g);
                    b.backend.multiply(b.w, g, den);
                    b.backend.multiplicativeUpdate(b.w, num, den, 0);
                    copy(b, b.w);
                }
            });
            p.check("HALS sweep of W", n, k, tolerance * 10, (b) -> {
                try (DeviceMatrix a = b.backend.allocate(n, k); DeviceMatrix g = b.backend.allocate(k, k)) {
                    b.backend.multiplyByTransposed(b.v, b.h, a);
                    b.backend.gramOfRows(b.h, g);
                    b.backend.halsUpdateColumns(b.w, a, g);
                    copy(b, b.w);
                }
            });
            p.check("HALS sweep of H", k, m, tolerance * 10, (b) -> {
                try (DeviceMatrix c = b.backend.allocate(k, m); DeviceMatrix g = b.backend.allocate(k, k)) {
                    b.backend.multiplyTransposedBy(b.w, b.v, c);
                    b.backend.gramOfColumns(b.w, g);
                    b.backend.halsUpdateRows(b.h, c, g);
                    copy(b, b.h);
                }
            });
            for (double exponent : new double[] {-1, -1.5, -2}) {
                p.check("(V ⊙ (WH)^" + exponent + ")·Hᵀ", n, k, tolerance * 10, (b) -> {
                    try (DeviceMatrix q = b.backend.allocateLike(b.v)) {
                        b.backend.sampledPower(b.v, b.w, b.h, exponent, q);
                        b.backend.multiplyByTransposed(q, b.h, b.out);
                    }
                });
                p.check("Wᵀ·(V ⊙ (WH)^" + exponent + ")", k, m, tolerance * 10, (b) -> {
                    try (DeviceMatrix q = b.backend.allocateLike(b.v)) {
                        b.backend.sampledPower(b.v, b.w, b.h, exponent, q);
                        b.backend.multiplyTransposedBy(b.w, q, b.out);
                    }
                });
            }
            p.check("(WH)^-0.5", n, m, tolerance * 10, (b) -> b.backend.sampledPower(null, b.w, b.h, -0.5, b.out));
            p.check("β update of W (γ = 0.8, zeros below 0.3)", n, k, tolerance * 10, (b) -> {
                try (DeviceMatrix num = b.backend.allocate(n, k); DeviceMatrix den = b.backend.allocate(n, m)) {
                    b.backend.multiplyByTransposed(b.v, b.h, num);
                    b.backend.sampledPower(null, b.w, b.h, 1, den);
                    try (DeviceMatrix whht = b.backend.allocate(n, k)) {
                        b.backend.multiplyByTransposed(den, b.h, whht);
                        b.backend.combine(whht, 0.5, b.w, 0.25, whht);
                        b.backend.multiplicativeUpdate(b.w, num, whht, 0.8, 0.3, 0);
                    }
                    copy(b, b.w);
                }
            });
            p.check("W + 2.5·W − 1", n, k, tolerance, (b) -> b.backend.combine(b.w, 2.5, b.w, -1, b.out));
            for (double beta : new double[] {0, 0.5, 1, 1.5}) {
                double expected = p.ref.backend.betaDivergence(p.ref.v, p.ref.w, p.ref.h, beta);
                double actual = p.java.backend.betaDivergence(p.java.v, p.java.w, p.java.h, beta);
                assertEquals(expected, actual, tolerance * 10 * Math.abs(expected) + 1e-12, "D_β for β = " + beta);
            }
            try (DeviceMatrix refNum = p.ref.backend.allocate(n, k); DeviceMatrix refDen = p.ref.backend.allocate(n, k);
                 DeviceMatrix javaNum = p.java.backend.allocate(n, k);
                 DeviceMatrix javaDen = p.java.backend.allocate(n, k)) {
                double[] pg = new double[2];
                Side[] sides = {p.ref, p.java};
                DeviceMatrix[][] buffers = {{refNum, refDen}, {javaNum, javaDen}};
                double[] zeroed = p.w.clone();
                for (int i = 0; i < zeroed.length; i += 3) {
                    zeroed[i] = 0; // some entries at the bound, where only a negative gradient counts
                }
                for (int s = 0; s < 2; s++) {
                    Backend b = sides[s].backend;
                    try (DeviceMatrix x = b.upload(n, k, zeroed); DeviceMatrix g = b.allocate(k, k)) {
                        b.multiplyByTransposed(sides[s].v, sides[s].h, buffers[s][0]);
                        b.gramOfRows(sides[s].h, g);
                        b.multiply(x, g, buffers[s][1]);
                        pg[s] = b.projectedGradientSquared(x, buffers[s][0], buffers[s][1]);
                    }
                }
                assertEquals(pg[0], pg[1], tolerance * 10 * pg[0] + 1e-12, "‖∇ᴾ‖²");
            }
            double scale = p.ref.backend.squaredNorm(p.ref.v);
            assertEquals(scale, p.java.backend.squaredNorm(p.java.v), tolerance * scale, "‖V‖²");
            double dot = p.ref.backend.dot(p.ref.w, p.ref.w);
            assertEquals(dot, p.java.backend.dot(p.java.w, p.java.w), tolerance * dot, "⟨W, W⟩");
            double residual = p.ref.backend.residualSquared(p.ref.v, p.ref.w, p.ref.h);
            assertEquals(residual, p.java.backend.residualSquared(p.java.v, p.java.w, p.java.h),
                    tolerance * Math.max(residual, scale) + 1e-12, "‖V − WH‖²");
        }
    }

    private static void copy(Side b, DeviceMatrix from) {
        double[] x = b.backend.download(from);
        try (DeviceMatrix tmp = b.backend.upload(from.rows(), from.cols(), x)) {
            // out receives the updated factor so the comparison reads it
            b.backend.multiply(tmp, identity(b.backend, from.cols()), b.out);
        }
    }

    private static DeviceMatrix identity(Backend backend, int size) {
        double[] id = new double[size * size];
        for (int i = 0; i < size; i++) {
            id[i * size + i] = 1;
        }
        return backend.upload(size, size, id);
    }

    /** The same operands on two backends. */
    private static final class Side {
        final Backend backend;
        final DeviceMatrix v;
        DeviceMatrix w;
        DeviceMatrix h;
        DeviceMatrix out;

        Side(Backend backend, Matrix v) {
            this.backend = backend;
            this.v = backend.upload(v);
        }
    }

    private static final class Pair {
        final Side java;
        final Side ref;
        final double[] w;
        final double[] h;
        final int n;
        final int m;
        final int k;

        Pair(Backend java, Backend ref, Matrix v, double[] w, double[] h, int n, int m, int k) {
            this.java = new Side(java, v);
            this.ref = new Side(ref, v);
            this.w = w;
            this.h = h;
            this.n = n;
            this.m = m;
            this.k = k;
        }

        void check(String what, int rows, int cols, double tolerance, Consumer<Side> op) {
            double[] expected = run(ref, rows, cols, op);
            double[] actual = run(java, rows, cols, op);
            double diff = TestMatrices.relativeDifference(actual, expected);
            assertTrue(diff <= tolerance, what + ": relative difference " + diff + " > " + tolerance);
        }

        private double[] run(Side side, int rows, int cols, Consumer<Side> op) {
            side.w = side.backend.upload(n, k, w);
            side.h = side.backend.upload(k, m, h);
            side.out = side.backend.allocate(rows, cols);
            op.accept(side);
            return side.backend.download(side.out);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("precisions")
    void resultsAreBitIdenticalWhateverTheThreadCount(Precision precision) {
        Matrix v = TestMatrices.ofKind(150, 333, "dense", 3);
        Matrix sparse = TestMatrices.ofKind(150, 333, "sparse", 3);
        double[] w = TestMatrices.uniform(150 * 9, 4);
        double[] h = TestMatrices.uniform(9 * 333, 5);
        double[][] one = products(precision, 1, v, sparse, w, h);
        for (int threads : new int[] {2, 3, 5}) {
            double[][] many = products(precision, threads, v, sparse, w, h);
            for (int i = 0; i < one.length; i++) {
                assertArrayEquals(one[i], many[i], "product " + i + " with " + threads + " threads");
            }
        }
    }

    static Stream<Precision> precisions() {
        return Stream.of(Precision.values());
    }

    private static double[][] products(Precision precision, int threads, Matrix dense, Matrix sparse, double[] w,
                                       double[] h) {
        try (JavaBackend b = new JavaBackend(precision, threads)) {
            int n = dense.rows(), m = dense.cols(), k = 9;
            DeviceMatrix v = b.upload(dense), s = b.upload(sparse);
            DeviceMatrix ww = b.upload(n, k, w), hh = b.upload(k, m, h);
            DeviceMatrix a = b.allocate(n, k), c = b.allocate(k, m), g = b.allocate(k, k);
            DeviceMatrix sa = b.allocate(n, k), sc = b.allocate(k, m);
            b.multiplyByTransposed(v, hh, a);
            b.multiplyTransposedBy(ww, v, c);
            b.multiplyByTransposed(s, hh, sa);
            b.multiplyTransposedBy(ww, s, sc);
            b.gramOfRows(hh, g);
            b.halsUpdateColumns(ww, a, g);
            b.gramOfColumns(ww, g);
            b.halsUpdateRows(hh, c, g);
            DeviceMatrix q = b.allocateLike(v), sq = b.allocateLike(s), p = b.allocate(n, m);
            b.sampledPower(v, ww, hh, -1.5, q);
            b.sampledPower(s, ww, hh, -1, sq);
            b.sampledPower(null, ww, hh, 0.5, p);
            DeviceMatrix qa = b.allocate(n, k), sqc = b.allocate(k, m), pa = b.allocate(n, k);
            b.multiplyByTransposed(q, hh, qa);
            b.multiplyTransposedBy(ww, sq, sqc);
            b.multiplyByTransposed(p, hh, pa);
            b.combine(pa, 0.5, ww, 0.1, pa);
            double projected = b.projectedGradientSquared(ww, qa, pa);
            b.multiplicativeUpdate(ww, qa, pa, 0.7, 1e-3, 0);
            DeviceMatrix tall = b.upload(m, k, h), vTall = b.allocate(n, k);
            b.multiply(v, tall, vTall);
            return new double[][] {b.download(a), b.download(c), b.download(sa), b.download(sc), b.download(ww),
                    b.download(hh), b.download(qa), b.download(sqc), b.download(pa), b.download(vTall), {b.dot(c, hh), b.squaredNorm(v),
                    b.residualSquared(v, ww, hh), b.residualSquared(s, ww, hh), b.betaDivergence(v, ww, hh, 0.5),
                    b.betaDivergence(s, ww, hh, 1), projected}};
        }
    }

    /** General products (not only the k×k ones an iteration needs), odd sizes on every side. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("precisions")
    void multiplyMatchesTheReferenceOnGeneralShapes(Precision precision) {
        // the last two take the packed path: partial row and column panels, two and three inner blocks
        int[][] shapes = {{1, 1, 1}, {3, 5, 2}, {7, 1, 9}, {37, 45, 53}, {66, 130, 17}, {129, 64, 100},
                {97, 260, 101}, {150, 513, 130}};
        double tolerance = precision == Precision.SINGLE ? SINGLE_TOLERANCE : DOUBLE_TOLERANCE;
        for (int[] shape : shapes) {
            int r = shape[0], s = shape[1], t = shape[2];
            double[] a = TestMatrices.uniform(r * s, 21);
            double[] b = TestMatrices.uniform(s * t, 22);
            for (int threads : new int[] {1, 3}) {
                try (JavaBackend java = new JavaBackend(precision, threads); ReferenceBackend ref = new ReferenceBackend()) {
                    double[] expected = product(ref, r, s, t, a, b);
                    double[] actual = product(java, r, s, t, a, b);
                    double diff = TestMatrices.relativeDifference(actual, expected);
                    assertTrue(diff <= tolerance, r + "×" + s + "·" + s + "×" + t + " on " + threads
                            + " threads: relative difference " + diff);
                }
            }
        }
    }

    /** The packed (large-operand) product gives the same bits as the plain one, so the switch is invisible. */
    @org.junit.jupiter.api.Test
    void packedAndPlainProductsAreBitIdentical() {
        int r = 101, s = 300, t = 77;
        double[] a = TestMatrices.uniform(r * s, 31);
        double[] b = TestMatrices.uniform(s * t, 32);
        double[] plain = new double[r * t];
        double[] packed = new double[r * t];
        DoubleKernels.vectorMultiply(a, s, b, t, plain, 0, r);
        DoubleKernels.vectorMultiplyPacked(a, s, b, t, packed, 0, r);
        assertArrayEquals(plain, packed);
        float[] af = new float[a.length];
        float[] bf = new float[b.length];
        for (int i = 0; i < a.length; i++) {
            af[i] = (float) a[i];
        }
        for (int i = 0; i < b.length; i++) {
            bf[i] = (float) b[i];
        }
        float[] plainF = new float[r * t];
        float[] packedF = new float[r * t];
        FloatKernels.vectorMultiply(af, s, bf, t, plainF, 3, r);
        FloatKernels.vectorMultiplyPacked(af, s, bf, t, packedF, 3, r);
        assertArrayEquals(plainF, packedF);
    }

    private static double[] product(Backend backend, int r, int s, int t, double[] a, double[] b) {
        try (DeviceMatrix aa = backend.upload(r, s, a); DeviceMatrix bb = backend.upload(s, t, b);
             DeviceMatrix out = backend.allocate(r, t)) {
            backend.multiply(aa, bb, out);
            return backend.download(out);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("precisions")
    void denseAndSparseStorageGiveTheSameProducts(Precision precision) {
        SparseMatrix sparse = TestMatrices.sparseCounts(70, 90, 0.15, 8);
        DenseMatrix dense = sparse.toDense(Precision.DOUBLE);
        double[] w = TestMatrices.uniform(70 * 6, 9);
        double[] h = TestMatrices.uniform(6 * 90, 10);
        try (JavaBackend b = new JavaBackend(precision, 2)) {
            DeviceMatrix vd = b.upload(dense), vs = b.upload(sparse);
            DeviceMatrix ww = b.upload(70, 6, w), hh = b.upload(6, 90, h);
            DeviceMatrix a1 = b.allocate(70, 6), a2 = b.allocate(70, 6), c1 = b.allocate(6, 90), c2 = b.allocate(6, 90);
            b.multiplyByTransposed(vd, hh, a1);
            b.multiplyByTransposed(vs, hh, a2);
            b.multiplyTransposedBy(ww, vd, c1);
            b.multiplyTransposedBy(ww, vs, c2);
            double tolerance = precision == Precision.SINGLE ? SINGLE_TOLERANCE : DOUBLE_TOLERANCE;
            assertTrue(TestMatrices.relativeDifference(b.download(a2), b.download(a1)) < tolerance);
            assertTrue(TestMatrices.relativeDifference(b.download(c2), b.download(c1)) < tolerance);
        }
    }
}
