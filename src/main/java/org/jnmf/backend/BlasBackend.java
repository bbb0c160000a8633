package org.jnmf.backend;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.jnmf.DenseMatrix;
import org.jnmf.Matrix;
import org.jnmf.Precision;

/**
 * The CPU backend whose dense products (V·Hᵀ, Wᵀ·V, {@link #multiply}, WᵀW and HHᵀ) run in the system's
 * BLAS ({@code cblas_?gemm}, {@code cblas_?syrk}) through {@code java.lang.foreign}; everything else
 * (element-wise updates, HALS sweeps, reductions, and all products with a sparse V) is inherited from
 * {@link JavaBackend}. See {@link Cblas} for which library is used and how its threads are set.
 *
 * <p>Memory: BLAS reads native memory, so a dense V gets an off-heap copy when it is uploaded (kept
 * in V's row blocks, so V may exceed 2³¹ elements), next to the heap copy that the inherited
 * operations read: V takes twice its size. A V held off-heap ({@link DenseMatrix#offHeap()}: larger than
 * the heap, or a memory-mapped {@code .npy}) is read by BLAS where it is, without any copy; the inherited
 * element-wise operations that read V itself (the β-divergences, masks) then make their heap copy only
 * when first asked, and refuse with the sizes when the heap cannot hold it. Factors and outputs (n×k,
 * k×m, k×k) are copied through reused off-heap buffers around each call, O((n + m)·k) against the
 * product's O(n·m·k).
 *
 * <p>Guarantee: results agree with the Java backend to float rounding (the same sums in another order),
 * but are not bit-reproducible across thread counts: OpenBLAS splits its sums by thread. Not
 * thread-safe: one fit, one thread at a time, like every backend.
 */
public final class BlasBackend extends JavaBackend {
    private final Cblas cblas;
    private final int threads;
    private final Staging[] staging = {new Staging(), new Staging(), new Staging()};
    private final List<Resident> residents = new ArrayList<>();

    private BlasBackend(Precision precision, int threads, Cblas cblas) {
        super(precision, threads);
        this.cblas = cblas;
        this.threads = threads;
    }

    /** An opened backend, or null and one reason per library tried. */
    public record Attempt(BlasBackend backend, List<String> reasons) {
        public Attempt {
            reasons = List.copyOf(reasons);
        }

        public boolean usable() {
            return backend != null;
        }
    }

    /** Opens the backend on the library {@link Cblas#load()} finds; never throws for a machine without BLAS. */
    public static Attempt attempt(Precision precision, int threads) {
        Cblas.Loaded loaded = Cblas.load();
        if (loaded.cblas() == null) {
            return new Attempt(null, loaded.tried());
        }
        return new Attempt(new BlasBackend(precision, threads, loaded.cblas()), List.of());
    }

    /** What to do when no BLAS library is usable. */
    public static String fix() {
        return "install OpenBLAS (Debian/Ubuntu: apt-get install libopenblas0), or point -D" + Cblas.LIBRARY_PROPERTY
                + "=/path/to/libblas.so at a BLAS with the CBLAS interface, or use --backend java";
    }

    /** One block for {@code jnmf devices}: the library found, or every library tried and why it failed. */
    public static String report() {
        Cblas.Loaded loaded = Cblas.load();
        if (loaded.cblas() != null) {
            return "blas: usable; " + loaded.cblas().description + '\n';
        }
        StringBuilder out = new StringBuilder("blas: not usable\n");
        for (String reason : loaded.tried()) {
            out.append("  - ").append(reason).append('\n');
        }
        return out.append("  fix: ").append(fix()).append('\n').toString();
    }

    @Override
    public String name() {
        return "blas";
    }

    /** Whether OpenBLAS runs its generic SSE3 kernels on this CPU (it did not recognise it), far below its best. */
    public boolean fallbackKernels() {
        return cblas.fallbackKernels;
    }

    /** The library and thread count, for the selection reason. */
    public String summary() {
        return cblas.description + ", " + threads + " threads";
    }

    /** A dense V with an off-heap copy of each row block for BLAS to read. */
    private static final class Resident extends Dense {
        final MemorySegment[] blocks;
        private final Arena arena;
        private boolean closed;

        /** For an off-heap V: what the inherited operations that read V's entries get, made when first asked. */
        private final DenseMatrix offHeap;
        private Dense heapCopy;

        Resident(Dense heap, Arena arena, MemorySegment[] blocks) {
            super(heap.rows, heap.cols, heap.blockRows, heap.f, heap.d);
            this.arena = arena;
            this.blocks = blocks;
            this.offHeap = null;
        }

        /** V read in place: BLAS reads its segment in row blocks of under 2³¹ elements. */
        Resident(DenseMatrix v, int blockRows, MemorySegment[] blocks) {
            super(v.rows(), v.cols(), blockRows, null, null, v.segment());
            this.arena = null;
            this.blocks = blocks;
            this.offHeap = v;
        }

        @Override
        public synchronized void close() {
            if (!closed) {
                closed = true;
                if (arena != null) {
                    arena.close();
                }
                heapCopy = null;
            }
        }
    }

    /** What an inherited element-wise operation may read for x: a heap copy in place of an off-heap V. */
    private Dense heap(DeviceMatrix x) {
        if (!(x instanceof Resident r) || r.offHeap == null) {
            return (Dense) x;
        }
        synchronized (r) {
            if (r.heapCopy == null) {
                r.heapCopy = (Dense) super.upload(onHeap(r.offHeap));
            }
            return r.heapCopy;
        }
    }

    /** One reusable off-heap buffer, replaced by a larger one when a call needs more. */
    private static final class Staging {
        private Arena arena;
        private MemorySegment segment;

        MemorySegment get(long bytes) {
            if (segment == null || segment.byteSize() < bytes) {
                close();
                arena = Arena.ofShared();
                segment = arena.allocate(Math.max(bytes, 64), 64);
            }
            return segment;
        }

        void close() {
            if (arena != null) {
                arena.close();
                arena = null;
                segment = null;
            }
        }
    }

    private boolean single() {
        return precision() == Precision.SINGLE;
    }

    private ValueLayout layout() {
        return single() ? ValueLayout.JAVA_FLOAT : ValueLayout.JAVA_DOUBLE;
    }

    @Override
    public DeviceMatrix upload(Matrix v) {
        if (v instanceof DenseMatrix dense && dense.offHeap()) {
            DenseMatrix same = dense.toPrecision(precision());
            if (same.offHeap()) {
                return inPlace(same);
            }
            v = same;
        }
        DeviceMatrix uploaded = super.upload(v);
        if (!(uploaded instanceof Dense heap)) {
            return uploaded;
        }
        int blocks = heap.f != null ? heap.f.length : heap.d.length;
        Arena arena = Arena.ofShared();
        MemorySegment[] segments = new MemorySegment[blocks];
        for (int b = 0; b < blocks; b++) {
            int length = heap.f != null ? heap.f[b].length : heap.d[b].length;
            segments[b] = arena.allocate(Math.max(1, length * layout().byteSize()), 64);
            if (heap.f != null) {
                MemorySegment.copy(heap.f[b], 0, segments[b], ValueLayout.JAVA_FLOAT, 0, length);
            } else {
                MemorySegment.copy(heap.d[b], 0, segments[b], ValueLayout.JAVA_DOUBLE, 0, length);
            }
        }
        Resident resident = new Resident(heap, arena, segments);
        residents.add(resident);
        return resident;
    }

    private Resident inPlace(DenseMatrix v) {
        int n = v.rows();
        int m = v.cols();
        int blockRows = DenseMatrix.blockRowsFor(n, m);
        int blocks = Math.max(1, (n + blockRows - 1) / blockRows);
        MemorySegment[] segments = new MemorySegment[blocks];
        long rowBytes = (long) m * layout().byteSize();
        for (int b = 0; b < blocks; b++) {
            long first = (long) b * blockRows;
            long rows = Math.min(blockRows, n - first);
            segments[b] = v.segment().asSlice(first * rowBytes, rows * rowBytes);
        }
        Resident resident = new Resident(v, blockRows, segments);
        residents.add(resident);
        return resident;
    }

    /** A single-block dense operand copied into staging buffer {@code slot}. */
    private MemorySegment stage(int slot, Dense x) {
        MemorySegment s = staging[slot].get((long) x.length() * layout().byteSize());
        if (single()) {
            MemorySegment.copy(x.f(), 0, s, ValueLayout.JAVA_FLOAT, 0, x.length());
        } else {
            MemorySegment.copy(x.d(), 0, s, ValueLayout.JAVA_DOUBLE, 0, x.length());
        }
        return s;
    }

    /**
     * The off-heap row blocks of a matrix in V's place: V's resident copy, or, for a work matrix shaped like
     * V ({@link #allocateLike}, rewritten between products), a copy of its blocks staged in {@code slot}.
     */
    private MemorySegment[] blocksOf(Dense x, int slot) {
        if (x instanceof Resident r) {
            return r.blocks;
        }
        int blocks = x.f != null ? x.f.length : x.d.length;
        long element = layout().byteSize();
        long total = 0;
        for (int b = 0; b < blocks; b++) {
            total += x.f != null ? x.f[b].length : x.d[b].length;
        }
        MemorySegment s = staging[slot].get(total * element);
        MemorySegment[] slices = new MemorySegment[blocks];
        long offset = 0;
        for (int b = 0; b < blocks; b++) {
            int length = x.f != null ? x.f[b].length : x.d[b].length;
            slices[b] = s.asSlice(offset * element, Math.max(1, length) * element);
            if (x.f != null) {
                MemorySegment.copy(x.f[b], 0, s, ValueLayout.JAVA_FLOAT, offset * element, length);
            } else {
                MemorySegment.copy(x.d[b], 0, s, ValueLayout.JAVA_DOUBLE, offset * element, length);
            }
            offset += length;
        }
        return slices;
    }

    private MemorySegment output(Dense out) {
        return staging[2].get((long) out.length() * layout().byteSize());
    }

    private void copyBack(MemorySegment from, Dense out) {
        if (single()) {
            MemorySegment.copy(from, ValueLayout.JAVA_FLOAT, 0, out.f(), 0, out.length());
        } else {
            MemorySegment.copy(from, ValueLayout.JAVA_DOUBLE, 0, out.d(), 0, out.length());
        }
    }

    private void zero(Dense out) {
        if (single()) {
            java.util.Arrays.fill(out.f(), 0f);
        } else {
            java.util.Arrays.fill(out.d(), 0.0);
        }
    }

    /** C (m×n) = op(A)·op(B) + beta·C with leading dimensions at least 1, as BLAS requires. */
    private void gemm(int transA, int transB, int m, int n, int k, MemorySegment a, int lda, MemorySegment b,
                      int ldb, boolean accumulate, MemorySegment c, int ldc) {
        if (single()) {
            cblas.sgemm(transA, transB, m, n, k, 1f, a, Math.max(1, lda), b, Math.max(1, ldb), accumulate ? 1f : 0f,
                    c, Math.max(1, ldc));
        } else {
            cblas.dgemm(transA, transB, m, n, k, 1.0, a, Math.max(1, lda), b, Math.max(1, ldb), accumulate ? 1.0 : 0.0,
                    c, Math.max(1, ldc));
        }
    }

    @Override
    public void multiplyByTransposed(DeviceMatrix v, DeviceMatrix h, DeviceMatrix out) {
        if (v.sparse()) {
            super.multiplyByTransposed(v, h, out);
            return;
        }
        Dense vv = (Dense) v;
        Dense hh = (Dense) h;
        Dense o = (Dense) out;
        int n = vv.rows;
        int m = vv.cols;
        int k = hh.rows;
        if (n == 0 || k == 0) {
            return;
        }
        if (m == 0) {
            zero(o);
            return;
        }
        cblas.setThreads(threads);
        MemorySegment[] blocks = blocksOf(vv, 0);
        MemorySegment hs = stage(1, hh);
        MemorySegment os = output(o);
        long element = layout().byteSize();
        for (int b = 0; b < blocks.length; b++) {
            int base = b * vv.blockRows;
            int rows = Math.min(vv.blockRows, n - base);
            gemm(Cblas.NO_TRANS, Cblas.TRANS, rows, k, m, blocks[b], m, hs, m, false,
                    os.asSlice((long) base * k * element), k);
        }
        copyBack(os, o);
    }

    @Override
    public void multiplyTransposedBy(DeviceMatrix w, DeviceMatrix v, DeviceMatrix out) {
        if (v.sparse()) {
            super.multiplyTransposedBy(w, v, out);
            return;
        }
        Dense ww = (Dense) w;
        Dense vv = (Dense) v;
        Dense o = (Dense) out;
        int n = vv.rows;
        int m = vv.cols;
        int k = ww.cols;
        if (k == 0 || m == 0) {
            return;
        }
        if (n == 0) {
            zero(o);
            return;
        }
        cblas.setThreads(threads);
        MemorySegment[] blocks = blocksOf(vv, 0);
        MemorySegment ws = stage(1, ww);
        MemorySegment os = output(o);
        long element = layout().byteSize();
        // Wᵀ·V = Σ_b W_bᵀ·V_b over row blocks: the first block sets the output, the others add to it.
        for (int b = 0; b < blocks.length; b++) {
            int base = b * vv.blockRows;
            int rows = Math.min(vv.blockRows, n - base);
            gemm(Cblas.TRANS, Cblas.NO_TRANS, k, m, rows, ws.asSlice((long) base * k * element), k, blocks[b], m,
                    b > 0, os, m);
        }
        copyBack(os, o);
    }

    @Override
    public void multiply(DeviceMatrix a, DeviceMatrix b, DeviceMatrix out) {
        Dense aa = (Dense) a;
        Dense bb = (Dense) b;
        Dense o = (Dense) out;
        int r = aa.rows;
        int s = aa.cols;
        int t = bb.cols;
        if (r == 0 || t == 0) {
            return;
        }
        if (s == 0) {
            zero(o);
            return;
        }
        cblas.setThreads(threads);
        MemorySegment os = output(o);
        gemm(Cblas.NO_TRANS, Cblas.NO_TRANS, r, t, s, stage(0, aa), s, stage(1, bb), t, false, os, t);
        copyBack(os, o);
    }

    @Override
    public void gramOfColumns(DeviceMatrix w, DeviceMatrix out) {
        Dense ww = (Dense) w;
        gram(Cblas.TRANS, ww.cols, ww.rows, ww, (Dense) out);
    }

    @Override
    public void gramOfRows(DeviceMatrix h, DeviceMatrix out) {
        Dense hh = (Dense) h;
        gram(Cblas.NO_TRANS, hh.rows, hh.cols, hh, (Dense) out);
    }

    /** out (k×k) from the upper triangle that ?syrk computes, mirrored into the lower one. */
    private void gram(int trans, int k, int inner, Dense x, Dense o) {
        if (k == 0) {
            return;
        }
        if (inner == 0) {
            zero(o);
            return;
        }
        cblas.setThreads(threads);
        MemorySegment xs = stage(0, x);
        MemorySegment os = output(o);
        int lda = trans == Cblas.TRANS ? k : inner;
        if (single()) {
            cblas.ssyrk(trans, k, inner, xs, lda, os, k);
        } else {
            cblas.dsyrk(trans, k, inner, xs, lda, os, k);
        }
        copyBack(os, o);
        for (int i = 0; i < k; i++) {
            for (int j = i + 1; j < k; j++) {
                if (single()) {
                    o.f()[j * k + i] = o.f()[i * k + j];
                } else {
                    o.d()[j * k + i] = o.d()[i * k + j];
                }
            }
        }
    }

    @Override
    public void combine(DeviceMatrix y, double a, DeviceMatrix x, double c, DeviceMatrix out) {
        super.combine(heap(y), a, heap(x), c, out);
    }

    @Override
    public DeviceMatrix allocateLike(DeviceMatrix v) {
        return super.allocateLike(heap(v));
    }

    @Override
    public void sampledPower(DeviceMatrix v, DeviceMatrix w, DeviceMatrix h, double exponent, DeviceMatrix out) {
        super.sampledPower(heap(v), w, h, exponent, out);
    }

    @Override
    public double betaDivergence(DeviceMatrix v, DeviceMatrix w, DeviceMatrix h, double beta) {
        return super.betaDivergence(heap(v), w, h, beta);
    }

    @Override
    public double dot(DeviceMatrix a, DeviceMatrix b) {
        return super.dot(heap(a), heap(b));
    }

    @Override
    public void close() {
        try {
            for (Resident r : residents) {
                r.close();
            }
            for (Staging s : staging) {
                s.close();
            }
        } finally {
            super.close();
        }
    }
}
