package org.jnmf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * A dense row-major matrix of float32 or float64 values, stored on the heap in row blocks so that a
 * matrix may hold more than 2³¹ elements: block {@code b} holds rows
 * {@code [b·blockRows, min((b+1)·blockRows, rows))}, each block one Java array of at most
 * {@link #MAX_BLOCK_ELEMENTS} elements. Most matrices fit in a single block.
 *
 * <p>A matrix too large for the heap is held off-heap instead, in one row-major {@link MemorySegment} of
 * native-order values ({@link #offHeap()}): a memory-mapped {@code .npy} file, memory from
 * {@link OffHeap}, or any segment given to {@link #wrap(int, int, Precision, MemorySegment)}. Such a matrix
 * has no heap blocks; read it through {@link #segment()}, {@link #get} or {@link #copyRow}.
 *
 * <p>Instances are immutable once built (the arrays are never handed out for writing by the library);
 * build them with the static factories or a {@link Builder}.
 */
public final class DenseMatrix implements Matrix {
    /** Largest number of elements in one block (a little under the JVM's array limit). */
    public static final int MAX_BLOCK_ELEMENTS = Integer.MAX_VALUE - 16;

    private final int rows;
    private final int cols;
    private final Precision precision;
    private final int blockRows;
    private final float[][] floatBlocks;
    private final double[][] doubleBlocks;
    /** The values when held off-heap (then both block arrays are null), read-only. */
    private final MemorySegment segment;

    private DenseMatrix(int rows, int cols, Precision precision, int blockRows,
                        float[][] floatBlocks, double[][] doubleBlocks) {
        this.rows = rows;
        this.cols = cols;
        this.precision = precision;
        this.blockRows = blockRows;
        this.floatBlocks = floatBlocks;
        this.doubleBlocks = doubleBlocks;
        this.segment = null;
    }

    private DenseMatrix(int rows, int cols, Precision precision, MemorySegment segment) {
        this.rows = rows;
        this.cols = cols;
        this.precision = precision;
        this.blockRows = Math.max(rows, 1);
        this.floatBlocks = null;
        this.doubleBlocks = null;
        this.segment = segment.asReadOnly();
    }

    /** Rows per block for a matrix with {@code cols} columns: as many as keep a block under 2³¹ elements. */
    public static int blockRowsFor(int rows, int cols) {
        if (cols == 0) {
            return Math.max(rows, 1);
        }
        return (int) Math.max(1, Math.min(rows, MAX_BLOCK_ELEMENTS / cols));
    }

    /** Wraps a row-major float64 array without copying it; the caller must not change it afterwards. */
    public static DenseMatrix wrap(int rows, int cols, double[] rowMajor) {
        checkSingleBlock(rows, cols, rowMajor.length);
        return new DenseMatrix(rows, cols, Precision.DOUBLE, Math.max(rows, 1), null, new double[][] {rowMajor});
    }

    /**
     * Row-major float64 values as a matrix of {@code precision}: wrapped (float64), or rounded to float32 into a
     * new array, as the fits return their factors.
     */
    public static DenseMatrix wrap(int rows, int cols, double[] rowMajor, Precision precision) {
        if (precision == Precision.DOUBLE) {
            return wrap(rows, cols, rowMajor);
        }
        float[] f = new float[rowMajor.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) rowMajor[i];
        }
        return wrap(rows, cols, f);
    }

    /** Wraps a row-major float32 array without copying it; the caller must not change it afterwards. */
    public static DenseMatrix wrap(int rows, int cols, float[] rowMajor) {
        checkSingleBlock(rows, cols, rowMajor.length);
        return new DenseMatrix(rows, cols, Precision.SINGLE, Math.max(rows, 1), new float[][] {rowMajor}, null);
    }

    /**
     * Wraps row-major values in native byte order held off the heap (a memory-mapped file, native memory)
     * without copying them; the segment must stay alive and unchanged while the matrix is used, and be
     * readable from any thread (not of a confined arena). Such a matrix equals only off-heap matrices.
     */
    public static DenseMatrix wrap(int rows, int cols, Precision precision, MemorySegment rowMajor) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("matrix shape must be non-negative; got " + rows + "×" + cols);
        }
        long bytes = (long) rows * cols * precision.bytes();
        if (rowMajor.byteSize() != bytes) {
            throw new IllegalArgumentException("a " + rows + "×" + cols + " " + precision.type() + " matrix needs "
                    + bytes + " bytes; the segment has " + rowMajor.byteSize());
        }
        if (!rowMajor.isAccessibleBy(new Thread(() -> { }))) {
            throw new IllegalArgumentException("the segment belongs to a confined arena, which only its owner thread"
                    + " may read, but a fit reads V from worker threads; allocate or map it in a shared or automatic"
                    + " arena (Arena.ofShared(), Arena.ofAuto())");
        }
        return new DenseMatrix(rows, cols, precision, rowMajor);
    }

    /** Copies a rectangular {@code double[rows][cols]} array. */
    public static DenseMatrix of(double[][] values) {
        int rows = values.length;
        int cols = rows == 0 ? 0 : values[0].length;
        double[] flat = new double[Math.multiplyExact(rows, cols)];
        for (int i = 0; i < rows; i++) {
            if (values[i].length != cols) {
                throw new IllegalArgumentException("row " + i + " has " + values[i].length
                        + " values but row 0 has " + cols + "; every row needs the same length");
            }
            System.arraycopy(values[i], 0, flat, i * cols, cols);
        }
        return wrap(rows, cols, flat);
    }

    /** Copies a rectangular {@code float[rows][cols]} array. */
    public static DenseMatrix of(float[][] values) {
        int rows = values.length;
        int cols = rows == 0 ? 0 : values[0].length;
        float[] flat = new float[Math.multiplyExact(rows, cols)];
        for (int i = 0; i < rows; i++) {
            if (values[i].length != cols) {
                throw new IllegalArgumentException("row " + i + " has " + values[i].length
                        + " values but row 0 has " + cols + "; every row needs the same length");
            }
            System.arraycopy(values[i], 0, flat, i * cols, cols);
        }
        return wrap(rows, cols, flat);
    }

    /** A matrix of zeros. */
    public static DenseMatrix zeros(int rows, int cols, Precision precision) {
        return new Builder(rows, cols, precision).build();
    }

    private static void checkSingleBlock(int rows, int cols, int length) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("matrix shape must be non-negative; got " + rows + "×" + cols);
        }
        if ((long) rows * cols != length) {
            throw new IllegalArgumentException("a " + rows + "×" + cols + " matrix needs " + (long) rows * cols
                    + " values; got " + length);
        }
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
    public Precision precision() {
        return precision;
    }

    @Override
    public long storedEntries() {
        return (long) rows * cols;
    }

    /** Whether the values are held off the Java heap (then read them through {@link #segment()}). */
    public boolean offHeap() {
        return segment != null;
    }

    /** The row-major, native-order values of an {@link #offHeap()} matrix, read-only. */
    public MemorySegment segment() {
        if (segment == null) {
            throw new IllegalStateException("this matrix is held on the heap, in row blocks");
        }
        return segment;
    }

    /** Rows per block (every block but the last holds exactly this many). */
    public int blockRows() {
        return blockRows;
    }

    /** Number of row blocks. */
    public int blockCount() {
        if (segment != null) {
            throw offHeapBlocks();
        }
        return floatBlocks != null ? floatBlocks.length : doubleBlocks.length;
    }

    private static IllegalStateException offHeapBlocks() {
        return new IllegalStateException("this matrix is held off the heap and has no heap blocks; read it"
                + " through segment(), get or copyRow");
    }

    /** The float32 storage of block {@code b}; only for {@link Precision#SINGLE} matrices. Do not modify. */
    public float[] floatBlock(int b) {
        if (segment != null) {
            throw offHeapBlocks();
        }
        if (floatBlocks == null) {
            throw new IllegalStateException("this matrix holds float64 values");
        }
        return floatBlocks[b];
    }

    /** The float64 storage of block {@code b}; only for {@link Precision#DOUBLE} matrices. Do not modify. */
    public double[] doubleBlock(int b) {
        if (segment != null) {
            throw offHeapBlocks();
        }
        if (doubleBlocks == null) {
            throw new IllegalStateException("this matrix holds float32 values");
        }
        return doubleBlocks[b];
    }

    @Override
    public double get(int i, int j) {
        if (segment != null) {
            long at = (long) i * cols + j;
            return precision == Precision.SINGLE ? segment.getAtIndex(FLOAT, at) : segment.getAtIndex(DOUBLE, at);
        }
        int b = i / blockRows;
        long offset = (long) (i - b * blockRows) * cols + j;
        return floatBlocks != null ? floatBlocks[b][(int) offset] : doubleBlocks[b][(int) offset];
    }

    /** Copies row {@code i} into {@code out[0..cols)}, widened to double. */
    public void copyRow(int i, double[] out) {
        if (segment != null) {
            long at = (long) i * cols * precision.bytes();
            if (precision == Precision.DOUBLE) {
                MemorySegment.copy(segment, DOUBLE, at, out, 0, cols);
            } else {
                for (int j = 0; j < cols; j++) {
                    out[j] = segment.get(FLOAT, at + 4L * j);
                }
            }
            return;
        }
        int b = i / blockRows;
        int offset = (i - b * blockRows) * cols;
        if (floatBlocks != null) {
            float[] src = floatBlocks[b];
            for (int j = 0; j < cols; j++) {
                out[j] = src[offset + j];
            }
        } else {
            System.arraycopy(doubleBlocks[b], offset, out, 0, cols);
        }
    }

    /** All values as one row-major double array (only for matrices under 2³¹ elements). */
    public double[] toDoubleArray() {
        if (storedEntries() > MAX_BLOCK_ELEMENTS) {
            throw new IllegalStateException("a " + rows + "×" + cols + " matrix does not fit one Java array");
        }
        if (segment != null && precision == Precision.DOUBLE) {
            return segment.toArray(DOUBLE);
        }
        if (doubleBlocks != null && doubleBlocks.length == 1) {
            return doubleBlocks[0].clone();
        }
        double[] out = new double[rows * cols];
        double[] row = new double[cols];
        for (int i = 0; i < rows; i++) {
            copyRow(i, row);
            System.arraycopy(row, 0, out, i * cols, cols);
        }
        return out;
    }

    /** All values as {@code double[rows][cols]}. */
    public double[][] toArray() {
        double[][] out = new double[rows][cols];
        for (int i = 0; i < rows; i++) {
            copyRow(i, out[i]);
        }
        return out;
    }

    /**
     * This matrix in the given precision (itself when it already is); off-heap, like an off-heap original,
     * when the heap cannot hold the copy.
     */
    public DenseMatrix toPrecision(Precision target) {
        if (target == precision) {
            return this;
        }
        Builder builder = segment != null ? Builder.onHeapOrOff(rows, cols, target, "V in " + target.type())
                : new Builder(rows, cols, target);
        double[] row = new double[cols];
        for (int i = 0; i < rows; i++) {
            copyRow(i, row);
            builder.setRow(i, row);
        }
        return builder.build();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DenseMatrix other && rows == other.rows && cols == other.cols
                && precision == other.precision && (segment == null) == (other.segment == null))) {
            return false;
        }
        return segment != null ? segment.mismatch(other.segment) == -1
                : Arrays.deepEquals(floatBlocks, other.floatBlocks) && Arrays.deepEquals(doubleBlocks, other.doubleBlocks);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * rows + cols) + (segment != null ? precision.hashCode()
                : Arrays.deepHashCode(floatBlocks != null ? floatBlocks : doubleBlocks));
    }

    @Override
    public String toString() {
        return "DenseMatrix[" + rows + "×" + cols + ", " + precision.label() + (segment != null ? ", off-heap" : "")
                + "]";
    }

    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfDouble DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    /** Fills a dense matrix entry by entry or row by row; {@link #build()} hands the storage over. */
    public static final class Builder {
        private final int rows;
        private final int cols;
        private final Precision precision;
        private final int blockRows;
        private float[][] floatBlocks;
        private double[][] doubleBlocks;
        private MemorySegment segment;

        /**
         * A builder for a data matrix: on the heap when {@link MatrixTooLargeException#heapHoldsData} says it
         * belongs there, else off-heap in native memory
         * ({@link OffHeap#allocate}), refused with both sizes when the machine cannot hold it either.
         * {@code what} names the matrix in that refusal.
         */
        public static Builder onHeapOrOff(int rows, int cols, Precision precision, String what) {
            long bytes = (long) rows * cols * precision.bytes();
            if (MatrixTooLargeException.heapHoldsData(bytes)) {
                return new Builder(rows, cols, precision);
            }
            return new Builder(rows, cols, precision, OffHeap.allocate(bytes, what + " (a " + rows + "×" + cols
                    + " " + precision.type() + " matrix)"));
        }

        private Builder(int rows, int cols, Precision precision, MemorySegment segment) {
            this.rows = rows;
            this.cols = cols;
            this.precision = precision;
            this.blockRows = Math.max(rows, 1);
            this.segment = segment;
        }

        public Builder(int rows, int cols, Precision precision) {
            this(rows, cols, precision, blockRowsFor(rows, cols));
        }

        /**
         * A builder that stores at most {@code blockRows} rows per block: more, smaller blocks than needed,
         * which lets tests exercise the multi-block paths on small matrices.
         */
        public Builder(int rows, int cols, Precision precision, int blockRows) {
            if (rows < 0 || cols < 0) {
                throw new IllegalArgumentException("matrix shape must be non-negative; got " + rows + "×" + cols);
            }
            if (blockRows < 1 || blockRows > blockRowsFor(rows, cols)) {
                throw new IllegalArgumentException("blockRows must be in 1.." + blockRowsFor(rows, cols) + "; got " + blockRows);
            }
            MatrixTooLargeException.requireHeap((long) rows * cols * precision.bytes(),
                    "a " + rows + "×" + cols + (precision == Precision.SINGLE ? " float32" : " float64") + " matrix");
            this.rows = rows;
            this.cols = cols;
            this.precision = precision;
            this.blockRows = blockRows;
            int blocks = Math.max(1, (rows + blockRows - 1) / blockRows);
            if (precision == Precision.SINGLE) {
                floatBlocks = new float[blocks][];
            } else {
                doubleBlocks = new double[blocks][];
            }
            for (int b = 0; b < blocks; b++) {
                int blockLength = Math.min(blockRows, rows - b * blockRows) * cols;
                if (precision == Precision.SINGLE) {
                    floatBlocks[b] = new float[Math.max(blockLength, 0)];
                } else {
                    doubleBlocks[b] = new double[Math.max(blockLength, 0)];
                }
            }
        }

        public int rows() {
            return rows;
        }

        public int cols() {
            return cols;
        }

        /** Sets one entry (rounded to float32 for single precision). */
        public Builder set(int i, int j, double value) {
            if (segment != null) {
                long at = (long) i * cols + j;
                if (precision == Precision.SINGLE) {
                    segment.setAtIndex(FLOAT, at, (float) value);
                } else {
                    segment.setAtIndex(DOUBLE, at, value);
                }
                return this;
            }
            int b = i / blockRows;
            int offset = (i - b * blockRows) * cols + j;
            if (floatBlocks != null) {
                floatBlocks[b][offset] = (float) value;
            } else {
                doubleBlocks[b][offset] = value;
            }
            return this;
        }

        /** Sets row {@code i} from {@code values[0..cols)}. */
        public Builder setRow(int i, double[] values) {
            if (segment != null) {
                long at = (long) i * cols * precision.bytes();
                if (precision == Precision.DOUBLE) {
                    MemorySegment.copy(values, 0, segment, DOUBLE, at, cols);
                } else {
                    for (int j = 0; j < cols; j++) {
                        segment.set(FLOAT, at + 4L * j, (float) values[j]);
                    }
                }
                return this;
            }
            int b = i / blockRows;
            int offset = (i - b * blockRows) * cols;
            if (floatBlocks != null) {
                float[] dst = floatBlocks[b];
                for (int j = 0; j < cols; j++) {
                    dst[offset + j] = (float) values[j];
                }
            } else {
                System.arraycopy(values, 0, doubleBlocks[b], offset, cols);
            }
            return this;
        }

        public DenseMatrix build() {
            if (segment != null) {
                DenseMatrix m = new DenseMatrix(rows, cols, precision, segment);
                segment = null;
                return m;
            }
            DenseMatrix m = new DenseMatrix(rows, cols, precision, blockRows, floatBlocks, doubleBlocks);
            floatBlocks = null;
            doubleBlocks = null;
            return m;
        }
    }
}
