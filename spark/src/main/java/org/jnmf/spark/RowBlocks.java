package org.jnmf.spark;

import java.util.Arrays;
import java.util.Iterator;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import scala.Tuple2;

/** Builds a partition's {@link RowBlock} from its (row index, row) pairs, checking every entry. */
final class RowBlocks {
    private RowBlocks() {
    }

    /**
     * Rows [firstRow, firstRow + rows) from {@code pairs} (any order; absent rows are zeros), as CSR when
     * {@code sparse} (explicit zeros dropped) or row-major dense.
     *
     * @throws IllegalArgumentException for a repeated row index or an entry that is negative, NaN or infinite
     */
    static RowBlock build(Iterator<Tuple2<Long, Vector>> pairs, long firstRow, int rows, int cols, boolean sparse) {
        return build(pairs, firstRow, rows, cols, sparse, false);
    }

    /** As above; with {@code nanMissing} (a fit with missing(NAN), dense) a NaN entry marks a missing one. */
    static RowBlock build(Iterator<Tuple2<Long, Vector>> pairs, long firstRow, int rows, int cols, boolean sparse,
                          boolean nanMissing) {
        return sparse ? csr(slots(pairs, firstRow, rows), firstRow, cols)
                : dense(slots(pairs, firstRow, rows), firstRow, cols, nanMissing, null);
    }

    /**
     * Dense rows with their rows of an explicit mask (row-major, 1 observed, 0 missing): only the observed
     * entries are checked, as {@code Nmf.fit} checks a masked V.
     *
     * @throws IllegalArgumentException also for a mask entry other than 0 and 1
     */
    static RowBlock build(Iterator<Tuple2<Long, Vector>> pairs, long firstRow, int rows, int cols, double[] mask) {
        for (int i = 0; i < mask.length; i++) {
            if (mask[i] != 0 && mask[i] != 1) {
                throw new IllegalArgumentException("the mask must hold only 0 (missing) and 1 (observed); got "
                        + mask[i] + " at row " + (firstRow + i / cols) + ", column " + i % cols + " (0-based)");
            }
        }
        return dense(slots(pairs, firstRow, rows), firstRow, cols, false, mask);
    }

    private static Vector[] slots(Iterator<Tuple2<Long, Vector>> pairs, long firstRow, int rows) {
        Vector[] slots = new Vector[rows];
        while (pairs.hasNext()) {
            Tuple2<Long, Vector> pair = pairs.next();
            int local = (int) (pair._1() - firstRow);
            if (slots[local] != null) {
                throw new IllegalArgumentException("row " + pair._1() + " of V is given twice; each row index must "
                        + "appear once");
            }
            slots[local] = pair._2();
        }
        return slots;
    }

    private static RowBlock dense(Vector[] slots, long firstRow, int cols, boolean nanMissing, double[] mask) {
        double[] values = new double[Math.multiplyExact(slots.length, cols)];
        for (int r = 0; r < slots.length; r++) {
            Vector row = slots[r];
            if (row instanceof DenseVector d) {
                System.arraycopy(d.values(), 0, values, r * cols, cols);
            } else if (row instanceof SparseVector s) {
                int[] indices = s.indices();
                double[] v = s.values();
                for (int q = 0; q < indices.length; q++) {
                    values[r * cols + indices[q]] = v[q];
                }
            }
            for (int j = 0; j < cols; j++) {
                boolean unobserved = mask != null ? mask[r * cols + j] == 0
                        : nanMissing && Double.isNaN(values[r * cols + j]);
                if (!unobserved) {
                    check(values[r * cols + j], firstRow + r, j);
                }
            }
        }
        return mask != null ? RowBlock.masked(firstRow, slots.length, cols, values, mask)
                : RowBlock.dense(firstRow, slots.length, cols, values);
    }

    private static RowBlock csr(Vector[] slots, long firstRow, int cols) {
        int[] rowStart = new int[slots.length + 1];
        int nnz = 0;
        for (Vector row : slots) {
            nnz += row == null ? 0 : row.numNonzeros();
        }
        int[] columns = new int[nnz];
        double[] values = new double[nnz];
        int at = 0;
        for (int r = 0; r < slots.length; r++) {
            Vector row = slots[r];
            if (row != null) {
                int rowAt = at;
                int[] filled = {at};
                row.foreachActive((j, x) -> {
                    double value = (Double) x;
                    if (value != 0) {
                        columns[filled[0]] = (Integer) j;
                        values[filled[0]] = value;
                        filled[0]++;
                    }
                    return scala.runtime.BoxedUnit.UNIT;
                });
                at = filled[0];
                sortRow(columns, values, rowAt, at, firstRow + r);
                for (int q = rowAt; q < at; q++) {
                    check(values[q], firstRow + r, columns[q]);
                }
            }
            rowStart[r + 1] = at;
        }
        return RowBlock.sparse(firstRow, slots.length, cols, rowStart, columns, values);
    }

    /** Sparse vectors normally come sorted; sort the rare one that does not, and refuse duplicates. */
    private static void sortRow(int[] columns, double[] values, int from, int to, long row) {
        boolean sorted = true;
        for (int q = from + 1; q < to; q++) {
            if (columns[q - 1] >= columns[q]) {
                sorted = false;
                break;
            }
        }
        if (sorted) {
            return;
        }
        Integer[] order = new Integer[to - from];
        for (int q = 0; q < order.length; q++) {
            order[q] = from + q;
        }
        Arrays.sort(order, (a, b) -> Integer.compare(columns[a], columns[b]));
        int[] c = new int[order.length];
        double[] v = new double[order.length];
        for (int q = 0; q < order.length; q++) {
            c[q] = columns[order[q]];
            v[q] = values[order[q]];
            if (q > 0 && c[q] == c[q - 1]) {
                throw new IllegalArgumentException("row " + row + " of V gives column " + c[q] + " twice");
            }
        }
        System.arraycopy(c, 0, columns, from, c.length);
        System.arraycopy(v, 0, values, from, v.length);
    }

    private static void check(double x, long row, int col) {
        if (!(x >= 0) || x == Double.POSITIVE_INFINITY) {
            String what = Double.isNaN(x) ? "a NaN" : Double.isInfinite(x) ? "an infinite" : "a negative";
            throw new IllegalArgumentException("V has " + what + " entry (" + x + ") at row " + row + ", column " + col
                    + " (0-based); NMF needs every entry finite and ≥ 0. Clean or shift the data first.");
        }
    }
}
