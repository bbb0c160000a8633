package org.jnmf.cuda;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jnmf.DenseMatrix;
import org.jnmf.Initializer;
import org.jnmf.Matrix;
import org.jnmf.Precision;
import org.jnmf.SparseMatrix;
import org.jnmf.backend.Backend;
import org.jnmf.backend.DeviceMatrix;

/**
 * Several GPUs in one process as one {@link Backend}, so every solver and option runs on them unchanged.
 * V's rows are split into contiguous blocks, one per device, and so is every matrix with V's row count
 * (W, V·Hᵀ, W·HHᵀ, masks and their work matrices): {@link Split}. The k×m and k×k matrices (H, Wᵀ·V, the
 * Gram matrices) are held on every device ({@link Copies}); the W half-step then runs on each device's rows
 * without communication, and the H half-step runs on every device on the same summed inputs, so the copies
 * of H stay equal. The products that sum over V's rows (Wᵀ·V, Wᵀ·W) are computed per device and summed on
 * the host in device order (k×m values a device an iteration), then copied back to every device; scalar
 * reductions add the devices' partial sums in device order. Each device's work is queued on its own GPU
 * thread without waiting, so the devices compute at the same time.
 *
 * <p>A device may stream its block of V from host memory ({@link CudaBackend#uploadData}). With one device
 * this is that device's backend, bit for bit; with several, results differ from one device's by the
 * rounding of those sums. A matrix is split when it has V's row count; a V with no more rows than
 * rank + 10 (the SVD sketch's width) is refused, so that no other matrix has that many.
 */
public final class MultiGpuBackend implements Backend {
    private final List<CudaBackend> devices;
    private final Precision precision;
    /** Row boundaries of the split: device d holds rows rowStart[d]… rowStart[d+1]−1; set by the upload of V. */
    private int[] rowStart;

    /** Takes ownership of the backends (one per device, of one precision); closing this closes them. */
    public MultiGpuBackend(List<CudaBackend> devices) {
        if (devices.isEmpty()) {
            throw new IllegalArgumentException("a several-GPU backend needs at least one device");
        }
        this.devices = List.copyOf(devices);
        this.precision = devices.getFirst().precision();
    }

    /** A matrix with V's row count, as one block of rows on each device. */
    private static final class Split implements DeviceMatrix {
        final DeviceMatrix[] parts;
        final int rows;
        final int cols;

        Split(DeviceMatrix[] parts, int rows, int cols) {
            this.parts = parts;
            this.rows = rows;
            this.cols = cols;
        }

        @Override
        public int rows() {
            return rows;
        }

        @Override
        public int cols() {
            return cols;
        }

        @Override
        public boolean sparse() {
            return parts[0].sparse();
        }

        @Override
        public void close() {
            for (DeviceMatrix p : parts) {
                p.close();
            }
        }
    }

    /** A matrix held whole on every device, the copies kept equal. */
    private static final class Copies implements DeviceMatrix {
        final DeviceMatrix[] copies;

        Copies(DeviceMatrix[] copies) {
            this.copies = copies;
        }

        @Override
        public int rows() {
            return copies[0].rows();
        }

        @Override
        public int cols() {
            return copies[0].cols();
        }

        @Override
        public void close() {
            for (DeviceMatrix c : copies) {
                c.close();
            }
        }
    }

    /** One device's rows of a split matrix, as {@link #passOverRows} hands them to the W half-step. */
    private record Local(int device, DeviceMatrix matrix) implements DeviceMatrix {
        @Override
        public int rows() {
            return matrix.rows();
        }

        @Override
        public int cols() {
            return matrix.cols();
        }

        @Override
        public void close() {
        }
    }

    /** The device backends, in order (device d holds the d-th block of rows). */
    public List<CudaBackend> devices() {
        return devices;
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public Precision precision() {
        return precision;
    }

    /** Every device's summary, in one line. */
    public String summary() {
        List<String> each = new ArrayList<>();
        for (CudaBackend d : devices) {
            each.add(d.summary());
        }
        return devices.size() + " devices, V's rows split between them (" + String.join(" | ", each) + ")";
    }

    // ---- where matrices live ----

    private int count() {
        return devices.size();
    }

    private void split(Matrix v) {
        int n = v.rows();
        if (n < count()) {
            throw new IllegalArgumentException("V has " + n + " rows, fewer than the " + count() + " devices asked for ("
                    + CudaConfig.DEVICES + "); use fewer devices");
        }
        rowStart = new int[count() + 1];
        for (int d = 0; d <= count(); d++) {
            rowStart[d] = (int) ((long) n * d / count());
        }
    }

    private int n() {
        if (rowStart == null) {
            throw new IllegalStateException("upload V first: the split of the rows follows V's");
        }
        return rowStart[count()];
    }

    private int rowsOf(int d) {
        return rowStart[d + 1] - rowStart[d];
    }

    /** Whether a dense matrix of this shape is split: it has V's row count, which no other matrix has. */
    private boolean splits(int rows, int cols) {
        return rows == n();
    }

    /** Device d's piece of x: its rows of a split matrix, its copy, or x's own piece when x lives only on d. */
    private DeviceMatrix on(int d, DeviceMatrix x) {
        return switch (x) {
            case null -> null;
            case Split s -> s.parts[d];
            case Copies c -> c.copies[d];
            case Local l -> {
                if (l.device != d) {
                    throw new IllegalArgumentException("device " + l.device + "'s rows used on device " + d);
                }
                yield l.matrix;
            }
            default -> throw new IllegalArgumentException("not a matrix of this backend: " + x.getClass().getName());
        };
    }

    /** The devices an operation on these operands runs on: the one of a {@link Local} operand, else all. */
    private int[] where(DeviceMatrix... operands) {
        for (DeviceMatrix x : operands) {
            if (x instanceof Local l) {
                return new int[] {l.device};
            }
        }
        int[] all = new int[count()];
        Arrays.setAll(all, d -> d);
        return all;
    }

    @FunctionalInterface
    private interface OnDevice {
        void run(int d, CudaBackend device);
    }

    private void each(OnDevice op, DeviceMatrix... operands) {
        for (int d : where(operands)) {
            op.run(d, devices.get(d));
        }
    }

    @FunctionalInterface
    private interface SumOnDevice {
        double run(int d, CudaBackend device);
    }

    /** Σ over the devices in order when x is split; device 0's value when every device holds all of x. */
    private double sum(DeviceMatrix x, SumOnDevice op) {
        if (x instanceof Copies) {
            return op.run(0, devices.getFirst());
        }
        double total = 0;
        for (int d : where(x)) {
            total += op.run(d, devices.get(d));
        }
        return total;
    }

    /** Each device's copy of out holds its partial sum: replace every copy by the sum, added in device order. */
    private void sumCopies(Copies out) {
        if (count() == 1) {
            return;
        }
        double[] total = devices.getFirst().download(out.copies[0]);
        for (int d = 1; d < count(); d++) {
            double[] part = devices.get(d).download(out.copies[d]);
            for (int i = 0; i < total.length; i++) {
                total[i] += part[i];
            }
        }
        for (int d = 0; d < count(); d++) {
            try (DeviceMatrix summed = devices.get(d).upload(out.rows(), out.cols(), total)) {
                devices.get(d).combine(summed, 0, summed, 0, out.copies[d]);
            }
        }
    }

    // ---- uploads and allocation ----

    @Override
    public DeviceMatrix upload(Matrix v) {
        split(v);
        DeviceMatrix[] parts = new DeviceMatrix[count()];
        return placeParts(v, parts, d -> devices.get(d).upload(rowsOf(v, rowStart[d], rowsOf(d))));
    }

    /**
     * Splits V's rows; refuses a V with no more rows than the fit's widest other matrix (rank + 10, the
     * randomized SVD's sketch), since then a matrix's row count would not tell whether it is split.
     */
    @Override
    public DeviceMatrix uploadData(Matrix v, int rank, long vBytes, long otherBytes, String notStreamable,
                                   String what) {
        if (v.rows() <= rank + Initializer.OVERSAMPLES) {
            throw new IllegalArgumentException("V's " + v.rows() + " rows are too few to split over " + count()
                    + " GPUs for a rank-" + rank + " fit (it needs more than rank + " + Initializer.OVERSAMPLES + " = "
                    + (rank + Initializer.OVERSAMPLES) + "); leave " + CudaConfig.DEVICES + " unset to use one device");
        }
        split(v);
        DeviceMatrix[] parts = new DeviceMatrix[count()];
        // Each device holds its share of V and, conservatively, room for all of the factors.
        return placeParts(v, parts, d -> devices.get(d).uploadData(rowsOf(v, rowStart[d], rowsOf(d)), rank,
                (long) Math.ceil((double) vBytes * rowsOf(d) / v.rows()), otherBytes, notStreamable,
                what + " on the " + ordinal(d) + " of " + count() + " GPUs"));
    }

    private static String ordinal(int d) {
        return switch (d) {
            case 0 -> "first";
            case 1 -> "second";
            case 2 -> "third";
            default -> (d + 1) + "th";
        };
    }

    @FunctionalInterface
    private interface PartMaker {
        DeviceMatrix make(int d);
    }

    /** Makes every device's part, closing those made when a later one fails. */
    private DeviceMatrix placeParts(Matrix v, DeviceMatrix[] parts, PartMaker maker) {
        try {
            for (int d = 0; d < count(); d++) {
                parts[d] = maker.make(d);
            }
        } catch (RuntimeException | Error e) {
            for (DeviceMatrix p : parts) {
                if (p != null) {
                    p.close();
                }
            }
            throw e;
        }
        return new Split(parts, v.rows(), v.cols());
    }

    /** Rows first… first+count−1 of V, as a matrix of the same kind (a view for a V held off the heap). */
    static Matrix rowsOf(Matrix v, int first, int count) {
        if (first == 0 && count == v.rows()) {
            return v;
        }
        if (v instanceof SparseMatrix s) {
            int[] start = s.rowStart();
            int[] columns = s.columnIndices();
            double[] values = s.values();
            int from = start[first];
            int to = start[first + count];
            int[] rowStart = new int[count + 1];
            for (int i = 0; i <= count; i++) {
                rowStart[i] = start[first + i] - from;
            }
            return SparseMatrix.ofCsr(count, s.cols(), rowStart, Arrays.copyOfRange(columns, from, to),
                    Arrays.copyOfRange(values, from, to)).withPrecision(s.precision());
        }
        DenseMatrix d = (DenseMatrix) v;
        if (d.offHeap()) {
            long rowBytes = (long) d.cols() * d.precision().bytes();
            return DenseMatrix.wrap(count, d.cols(), d.precision(), d.segment().asSlice(first * rowBytes,
                    count * rowBytes));
        }
        DenseMatrix.Builder b = new DenseMatrix.Builder(count, d.cols(), d.precision());
        double[] row = new double[d.cols()];
        for (int i = 0; i < count; i++) {
            d.copyRow(first + i, row);
            b.setRow(i, row);
        }
        return b.build();
    }

    @Override
    public DeviceMatrix upload(int rows, int cols, double[] rowMajor) {
        if (!splits(rows, cols)) {
            DeviceMatrix[] copies = new DeviceMatrix[count()];
            for (int d = 0; d < count(); d++) {
                copies[d] = devices.get(d).upload(rows, cols, rowMajor);
            }
            return new Copies(copies);
        }
        DeviceMatrix[] parts = new DeviceMatrix[count()];
        for (int d = 0; d < count(); d++) {
            parts[d] = devices.get(d).upload(rowsOf(d), cols, Arrays.copyOfRange(rowMajor, rowStart[d] * cols,
                    rowStart[d + 1] * cols));
        }
        return new Split(parts, rows, cols);
    }

    @Override
    public DeviceMatrix allocate(int rows, int cols) {
        DeviceMatrix[] pieces = new DeviceMatrix[count()];
        boolean split = splits(rows, cols);
        for (int d = 0; d < count(); d++) {
            pieces[d] = devices.get(d).allocate(split ? rowsOf(d) : rows, cols);
        }
        return split ? new Split(pieces, rows, cols) : new Copies(pieces);
    }

    @Override
    public DeviceMatrix allocateLike(DeviceMatrix v) {
        Split s = (Split) v;
        DeviceMatrix[] parts = new DeviceMatrix[count()];
        for (int d = 0; d < count(); d++) {
            parts[d] = devices.get(d).allocateLike(s.parts[d]);
        }
        return new Split(parts, s.rows, s.cols);
    }

    @Override
    public double[] download(DeviceMatrix x) {
        if (!(x instanceof Split s)) {
            int d = where(x)[0];
            return devices.get(d).download(on(d, x));
        }
        double[] out = new double[Math.toIntExact((long) s.rows * s.cols)];
        for (int d = 0; d < count(); d++) {
            double[] part = devices.get(d).download(s.parts[d]);
            System.arraycopy(part, 0, out, rowStart[d] * s.cols, part.length);
        }
        return out;
    }

    @Override
    public String howHeld(DeviceMatrix v) {
        List<String> each = new ArrayList<>();
        for (int d = 0; d < count(); d++) {
            String held = devices.get(d).howHeld(((Split) v).parts[d]);
            each.add(rowsOf(d) + " rows on device " + d + (held == null ? "" : " (" + held + ")"));
        }
        return "V's rows split over " + count() + " devices: " + String.join(", ", each);
    }

    @Override
    public void requireMemory(long bytes, String what) {
        for (CudaBackend d : devices) {
            d.requireMemory(bytes, what);
        }
    }

    // ---- products ----

    @Override
    public void multiplyByTransposed(DeviceMatrix v, DeviceMatrix h, DeviceMatrix out) {
        each((d, b) -> b.multiplyByTransposed(on(d, v), on(d, h), on(d, out)), v, h, out);
    }

    @Override
    public void multiplyTransposedBy(DeviceMatrix w, DeviceMatrix v, DeviceMatrix out) {
        each((d, b) -> b.multiplyTransposedBy(on(d, w), on(d, v), on(d, out)), w, v, out);
        if (w instanceof Split) {
            sumCopies((Copies) out);
        }
    }

    @Override
    public void multiply(DeviceMatrix a, DeviceMatrix b, DeviceMatrix out) {
        each((d, device) -> device.multiply(on(d, a), on(d, b), on(d, out)), a, b, out);
    }

    @Override
    public void gramOfColumns(DeviceMatrix w, DeviceMatrix out) {
        each((d, b) -> b.gramOfColumns(on(d, w), on(d, out)), w, out);
        if (w instanceof Split) {
            sumCopies((Copies) out);
        }
    }

    @Override
    public void gramOfRows(DeviceMatrix h, DeviceMatrix out) {
        each((d, b) -> b.gramOfRows(on(d, h), on(d, out)), h, out);
    }

    /**
     * Each device runs its pass over its rows (streamed or not), handing the half-step its rows as
     * {@link Local} matrices numbered in V's rows; then the devices' Wᵀ·V are summed.
     */
    @Override
    public void passOverRows(DeviceMatrix v, DeviceMatrix h, DeviceMatrix a, boolean aCurrent, DeviceMatrix w,
                             DeviceMatrix work, RowUpdate update, DeviceMatrix c) {
        for (int d = 0; d < count(); d++) {
            int device = d;
            devices.get(d).passOverRows(on(d, v), on(d, h), on(d, a), aCurrent, on(d, w), on(d, work),
                    (first, wRows, aRows, workRows) -> update.apply(rowStart[device] + first, new Local(device, wRows),
                            new Local(device, aRows), workRows == null ? null : new Local(device, workRows)),
                    on(d, c));
        }
        sumCopies((Copies) c);
    }

    // ---- element-wise steps and sweeps ----

    @Override
    public void multiplicativeUpdate(DeviceMatrix x, DeviceMatrix numerator, DeviceMatrix denominator, double floor) {
        each((d, b) -> b.multiplicativeUpdate(on(d, x), on(d, numerator), on(d, denominator), floor), x, numerator,
                denominator);
    }

    @Override
    public void multiplicativeUpdate(DeviceMatrix x, DeviceMatrix numerator, DeviceMatrix denominator, double gamma,
                                     double zeroBelow, double floor) {
        each((d, b) -> b.multiplicativeUpdate(on(d, x), on(d, numerator), on(d, denominator), gamma, zeroBelow,
                floor), x, numerator, denominator);
    }

    @Override
    public void halsUpdateColumns(DeviceMatrix w, DeviceMatrix a, DeviceMatrix b) {
        each((d, device) -> device.halsUpdateColumns(on(d, w), on(d, a), on(d, b)), w, a, b);
    }

    @Override
    public void halsUpdateRows(DeviceMatrix h, DeviceMatrix c, DeviceMatrix d) {
        each((i, device) -> device.halsUpdateRows(on(i, h), on(i, c), on(i, d)), h, c, d);
    }

    @Override
    public void combine(DeviceMatrix y, double a, DeviceMatrix x, double c, DeviceMatrix out) {
        each((d, b) -> b.combine(on(d, y), a, on(d, x), c, on(d, out)), y, x, out);
    }

    @Override
    public void sampledPower(DeviceMatrix v, DeviceMatrix w, DeviceMatrix h, double exponent, DeviceMatrix out) {
        each((d, b) -> b.sampledPower(on(d, v), on(d, w), on(d, h), exponent, on(d, out)), w, h, out);
    }

    // ---- reductions ----

    @Override
    public double betaDivergence(DeviceMatrix v, DeviceMatrix w, DeviceMatrix h, double beta) {
        return sum(v, (d, b) -> b.betaDivergence(on(d, v), on(d, w), on(d, h), beta));
    }

    @Override
    public double projectedGradientSquared(DeviceMatrix x, DeviceMatrix numerator, DeviceMatrix denominator) {
        return sum(x, (d, b) -> b.projectedGradientSquared(on(d, x), on(d, numerator), on(d, denominator)));
    }

    @Override
    public double dot(DeviceMatrix a, DeviceMatrix b) {
        return sum(a, (d, device) -> device.dot(on(d, a), on(d, b)));
    }

    @Override
    public double squaredNorm(DeviceMatrix v) {
        return sum(v, (d, b) -> b.squaredNorm(on(d, v)));
    }

    @Override
    public double residualSquared(DeviceMatrix v, DeviceMatrix w, DeviceMatrix h) {
        return sum(v, (d, b) -> b.residualSquared(on(d, v), on(d, w), on(d, h)));
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (CudaBackend d : devices) {
            try {
                d.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
