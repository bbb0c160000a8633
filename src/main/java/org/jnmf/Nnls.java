package org.jnmf;

import java.util.Arrays;
import java.util.Comparator;
import org.jnmf.backend.WorkerPool;

/**
 * Exact non-negative least squares for many right-hand sides that share one matrix A:
 * min ‖A·X − B‖_F subject to X ≥ 0, solved column by column by block principal pivoting
 * (Kim &amp; Park, "Fast nonnegative matrix factorization: an active-set-like method and comparisons",
 * SIAM J. Sci. Comput. 33(6), 2011). Only the k×k Gram matrix G = AᵀA and the cross products C = AᵀB are
 * needed, so callers form them with whatever backend holds A and B.
 *
 * <p>For each column x (with c the matching column of C) the method keeps a passive set F and solves
 * G_FF·x_F = c_F with x = 0 outside F; then y = G·x − c. The pair is optimal when the KKT conditions hold:
 * x ≥ 0, y ≥ 0 and x_i·y_i = 0. Each round moves every infeasible index (x_i &lt; 0 in F, y_i &lt; 0
 * outside F) to the other set; when that stops reducing the number of infeasible indices for three rounds
 * in a row, only the largest infeasible index moves (the paper's backup rule, which cannot cycle).
 * Columns whose passive sets are equal share one Cholesky factorisation of G_FF.
 *
 * <p>A singular G (collinear or all-zero columns of A) is handled by skipping the pivots of a Cholesky
 * factorisation that vanish (relative to their diagonal entry): the variable of a skipped pivot is held at 0.
 * Because c = Aᵀb lies in the range of G, this still solves G_FF·x_F = c_F exactly, so the result
 * meets the KKT conditions; it is one of the (then many) minimisers. Pivoting is only guaranteed to end when
 * G is positive definite, though: should the exchanges of a block of columns fail to settle within
 * 10·(k + 1) + 100 rounds, that block is solved again with G + λI, λ = 10⁻¹⁰·max G_ii (then 10⁻⁸, 10⁻⁶),
 * and {@link Solution#ridge()} reports the largest λ used (0 almost always). Callers who want a unique answer
 * add a ridge to G themselves.
 *
 * <p>Results do not depend on how the columns are grouped or split between threads: each column's
 * arithmetic is fixed by its passive set alone. The class is stateless and thread-safe.
 */
public final class Nnls {
    /** A pivot d_jj ≤ this · G_jj marks column j of A as (numerically) a combination of earlier ones. */
    static final double SINGULAR_PIVOT = 1e-12;
    /**
     * First ridge, relative to G's largest diagonal entry, for columns whose exchanges do not settle: with a
     * singular G the pivoting rule has no guarantee to end (it needs every principal submatrix of G to be
     * positive definite), and G + λI restores it.
     */
    static final double RIDGE = 1e-10;
    /**
     * The largest ridge tried, relative to G's largest diagonal entry: a Gram matrix formed in float32 is
     * indefinite by rounding at about 1e-7 of its scale times k, which a ridge of 1e-6 does not always cover.
     */
    static final double MAX_RIDGE = 1e-2;
    /** The backup rule's patience: rounds without fewer infeasible indices before it takes over. */
    private static final int PATIENCE = 3;
    /** Columns handled per task when a worker pool shares the work. */
    private static final int COLUMNS_PER_TASK = 256;
    private static final double EPS = Math.ulp(1.0);

    private Nnls() {
    }

    /**
     * The solution X with the passive sets it ended on (true where an entry is free, false where held at
     * 0), in the layout the solve was given; {@code rounds} is the largest number of exchange rounds any
     * column needed (0 when a warm start was already optimal for every column), and {@code ridge} the λ
     * added to G's diagonal for columns that did not settle without it (0 when none needed one).
     */
    public record Solution(double[] x, boolean[] passive, int rounds, double ridge) {
    }

    /**
     * Solves for X (k×r, row-major) from G = AᵀA (k×k, row-major, symmetric) and C = AᵀB (k×r, row-major),
     * for instance H with G = WᵀW and C = WᵀV.
     *
     * @param initialPassive a warm start (k×r, true = free), typically the {@link Solution#passive()} of
     *                       the previous outer iteration, or null to start from X = 0
     */
    public static Solution solve(double[] gram, double[] cross, int k, int r, boolean[] initialPassive) {
        return solve(gram, cross, k, r, initialPassive, null);
    }

    /** As {@link #solve(double[], double[], int, int, boolean[])}, with the columns shared out over a pool. */
    public static Solution solve(double[] gram, double[] cross, int k, int r, boolean[] initialPassive,
                                 WorkerPool pool) {
        check(gram, cross, k, r, initialPassive);
        double[] c = DenseLinearAlgebra.transpose(cross, k, r);
        boolean[] passive = initialPassive == null ? new boolean[k * r] : transpose(initialPassive, k, r);
        double[] x = new double[k * r];
        double[] rounds = solveColumns(gram, c, x, passive, k, r, pool, PATIENCE);
        return new Solution(DenseLinearAlgebra.transpose(x, r, k), transpose(passive, r, k), (int) rounds[0],
                rounds[1]);
    }

    /**
     * Solves for Xᵀ (r×k, row-major) from G = AᵀA (k×k) and Cᵀ = BᵀA (r×k, row-major): the layout of the
     * W half of NMF, where Xᵀ = W, G = HHᵀ and Cᵀ = V·Hᵀ. {@code initialPassive}, if given, is r×k too.
     */
    public static Solution solveTransposed(double[] gram, double[] crossTransposed, int r, int k,
                                           boolean[] initialPassive) {
        return solveTransposed(gram, crossTransposed, r, k, initialPassive, null);
    }

    /** As {@link #solveTransposed(double[], double[], int, int, boolean[])}, with the rows shared out over a pool. */
    public static Solution solveTransposed(double[] gram, double[] crossTransposed, int r, int k,
                                           boolean[] initialPassive, WorkerPool pool) {
        check(gram, crossTransposed, k, r, initialPassive);
        boolean[] passive = initialPassive == null ? new boolean[k * r] : initialPassive.clone();
        double[] x = new double[k * r];
        double[] rounds = solveColumns(gram, crossTransposed, x, passive, k, r, pool, PATIENCE);
        return new Solution(x, passive, (int) rounds[0], rounds[1]);
    }

    private static void check(double[] gram, double[] cross, int k, int r, boolean[] initialPassive) {
        if (k < 0 || r < 0) {
            throw new IllegalArgumentException("NNLS sizes must be non-negative; got k = " + k + ", r = " + r);
        }
        if (gram.length != (long) k * k) {
            throw new IllegalArgumentException("the Gram matrix must be k×k = " + k + "×" + k + " ("
                    + (long) k * k + " values); got " + gram.length);
        }
        if (cross.length != (long) k * r) {
            throw new IllegalArgumentException("the cross products must hold k·r = " + k + "·" + r + " = "
                    + (long) k * r + " values; got " + cross.length);
        }
        if (initialPassive != null && initialPassive.length != cross.length) {
            throw new IllegalArgumentException("the initial passive set must hold k·r = " + (long) k * r
                    + " flags; got " + initialPassive.length);
        }
        for (double g : gram) {
            if (!Double.isFinite(g)) {
                throw new IllegalArgumentException("the Gram matrix has a non-finite entry (" + g + ")");
            }
        }
        for (double c : cross) {
            if (!Double.isFinite(c)) {
                throw new IllegalArgumentException("the cross products have a non-finite entry (" + c + ")");
            }
        }
    }

    /**
     * The work proper, on right-hand sides stored one after another: column j of C is
     * {@code c[j·k .. j·k + k)}, and likewise for x and passive. Returns {most rounds, largest ridge}.
     */
    private static double[] solveColumns(double[] gram, double[] c, double[] x, boolean[] passive, int k, int r,
                                         WorkerPool pool, int patience) {
        if (k == 0 || r == 0) {
            return new double[2];
        }
        int tasks = (r + COLUMNS_PER_TASK - 1) / COLUMNS_PER_TASK;
        int[] rounds = new int[tasks];
        double[] ridges = new double[tasks];
        java.util.function.IntConsumer task = t -> {
            int first = t * COLUMNS_PER_TASK;
            int end = Math.min(r, first + COLUMNS_PER_TASK);
            boolean[] start = Arrays.copyOfRange(passive, first * k, end * k);
            double maxDiagonal = 0;
            for (int i = 0; i < k; i++) {
                maxDiagonal = Math.max(maxDiagonal, gram[i * k + i]);
            }
            double[] g = gram;
            double ridge = 0;
            while (true) {
                try {
                    rounds[t] = new ColumnBlock(g, c, x, passive, k, first, end, patience).solve();
                    ridges[t] = ridge;
                    return;
                } catch (Stalled e) {
                    ridge = ridge == 0 ? RIDGE * maxDiagonal : ridge * 100;
                    if (ridge > MAX_RIDGE * maxDiagonal || ridge == 0) {
                        throw new NmfException("block principal pivoting did not settle after " + e.rounds
                                + " rounds (k = " + k + ") even with a ridge of " + ridge / 100 + " on the Gram"
                                + " matrix's diagonal; the Gram matrix must be symmetric positive semi-definite.");
                    }
                    g = gram.clone();
                    for (int i = 0; i < k; i++) {
                        g[i * k + i] += ridge;
                    }
                    System.arraycopy(start, 0, passive, first * k, start.length);
                }
            }
        };
        if (pool == null || tasks == 1) {
            for (int t = 0; t < tasks; t++) {
                task.accept(t);
            }
        } else {
            pool.run(tasks, task);
        }
        return new double[] {Arrays.stream(rounds).max().orElse(0), Arrays.stream(ridges).max().orElse(0)};
    }

    /**
     * As {@link #solve(double[], double[], int, int, boolean[])} with the backup rule taking over after
     * {@code patience} rounds without progress instead of 3; a negative patience gives the backup rule alone
     * (single principal pivoting, Murty's method: one index per round). For tests of that rule.
     */
    static Solution solveWithPatience(double[] gram, double[] cross, int k, int r, int patience) {
        check(gram, cross, k, r, null);
        double[] c = DenseLinearAlgebra.transpose(cross, k, r);
        boolean[] passive = new boolean[k * r];
        double[] x = new double[k * r];
        double[] rounds = solveColumns(gram, c, x, passive, k, r, null, patience);
        return new Solution(DenseLinearAlgebra.transpose(x, r, k), transpose(passive, r, k), (int) rounds[0],
                rounds[1]);
    }

    /** Thrown by a block whose exchanges do not settle. */
    private static final class Stalled extends RuntimeException {
        final int rounds;

        Stalled(int rounds) {
            super(null, null, false, false);
            this.rounds = rounds;
        }
    }

    /** Block principal pivoting on the columns [first, end). */
    private static final class ColumnBlock {
        private final double[] gram;
        private final double[] c;
        private final double[] x;
        private final boolean[] passive;
        private final int k;
        private final int first;
        private final int end;
        /** Gradient y = G·x − c of every column (0 on the passive set). */
        private final double[] y;
        /** Per column: fewest infeasible indices seen so far, and rounds left before the backup rule. */
        private final int[] fewestInfeasible;
        private final int[] patience;
        private final double[] factor;
        private final double[] rhs;
        private final int[] free;
        private final boolean[] skipped;
        private final int patienceLimit;

        ColumnBlock(double[] gram, double[] c, double[] x, boolean[] passive, int k, int first, int end,
                    int patienceLimit) {
            this.patienceLimit = patienceLimit;
            this.gram = gram;
            this.c = c;
            this.x = x;
            this.passive = passive;
            this.k = k;
            this.first = first;
            this.end = end;
            int columns = end - first;
            this.y = new double[columns * k];
            this.fewestInfeasible = new int[columns];
            this.patience = new int[columns];
            Arrays.fill(fewestInfeasible, k + 1);
            Arrays.fill(patience, patienceLimit);
            this.factor = new double[k * k];
            this.rhs = new double[k];
            this.free = new int[k];
            this.skipped = new boolean[k];
        }

        int solve() {
            Integer[] open = new Integer[end - first];
            int openCount = end - first;
            for (int j = first; j < end; j++) {
                open[j - first] = j;
            }
            int round = 0;
            while (true) {
                solvePassiveSets(open, openCount);
                int stillOpen = 0;
                for (int idx = 0; idx < openCount; idx++) {
                    int j = open[idx];
                    if (exchange(j)) {
                        open[stillOpen++] = j;
                    }
                }
                openCount = stillOpen;
                if (openCount == 0) {
                    break;
                }
                round++;
                // With G positive definite the backup rule ends after finitely many rounds (and, in practice,
                // few); a singular G can make the exchanges cycle, which the caller answers with a ridge.
                if (round > 10 * (k + 1) + 100) {
                    throw new Stalled(round);
                }
            }
            for (int j = first; j < end; j++) {
                for (int i = 0; i < k; i++) {
                    // Passive entries that came out as tiny negatives within the tolerance of exchange().
                    if (x[j * k + i] < 0) {
                        x[j * k + i] = 0;
                    }
                }
            }
            return round;
        }

        /** Solves every open column for its current passive set, grouping columns with equal sets. */
        private void solvePassiveSets(Integer[] open, int openCount) {
            Comparator<Integer> byPassiveSet = (a, b) -> {
                int cmp = Arrays.compare(passive, a * k, a * k + k, passive, b * k, b * k + k);
                return cmp != 0 ? cmp : Integer.compare(a, b);
            };
            Arrays.sort(open, 0, openCount, byPassiveSet);
            int start = 0;
            while (start < openCount) {
                int stop = start + 1;
                int lead = open[start];
                while (stop < openCount
                        && Arrays.equals(passive, lead * k, lead * k + k, passive, open[stop] * k, open[stop] * k + k)) {
                    stop++;
                }
                int p = factorPassiveGram(lead);
                for (int idx = start; idx < stop; idx++) {
                    solveColumn(open[idx], p);
                }
                start = stop;
            }
        }

        /**
         * Cholesky factor L (lower, row-major p×p in {@code factor}) of G_FF for the passive set of column
         * {@code j}; vanishing pivots are marked in {@code skipped} and their rows and columns of L left 0.
         */
        private int factorPassiveGram(int j) {
            int p = 0;
            for (int i = 0; i < k; i++) {
                if (passive[j * k + i]) {
                    free[p++] = i;
                }
            }
            for (int a = 0; a < p; a++) {
                int ga = free[a] * k;
                for (int b = 0; b <= a; b++) {
                    double s = gram[ga + free[b]];
                    for (int q = 0; q < b; q++) {
                        s -= factor[a * p + q] * factor[b * p + q];
                    }
                    if (b < a) {
                        factor[a * p + b] = skipped[b] ? 0 : s / factor[b * p + b];
                    } else {
                        double diagonal = gram[ga + free[a]];
                        skipped[a] = !(s > SINGULAR_PIVOT * diagonal);
                        factor[a * p + a] = skipped[a] ? 0 : Math.sqrt(s);
                    }
                }
            }
            return p;
        }

        /** x_F from L·Lᵀ·x_F = c_F, x = 0 elsewhere, and y = G·x − c outside F (0 on F). */
        private void solveColumn(int j, int p) {
            int base = j * k;
            for (int a = 0; a < p; a++) {
                if (skipped[a]) {
                    rhs[a] = 0;
                    continue;
                }
                double s = c[base + free[a]];
                for (int q = 0; q < a; q++) {
                    s -= factor[a * p + q] * rhs[q];
                }
                rhs[a] = s / factor[a * p + a];
            }
            for (int a = p - 1; a >= 0; a--) {
                if (skipped[a]) {
                    rhs[a] = 0;
                    continue;
                }
                double s = rhs[a];
                for (int q = a + 1; q < p; q++) {
                    s -= factor[q * p + a] * rhs[q];
                }
                rhs[a] = s / factor[a * p + a];
            }
            Arrays.fill(x, base, base + k, 0);
            for (int a = 0; a < p; a++) {
                x[base + free[a]] = rhs[a];
            }
            int yBase = (j - first) * k;
            for (int i = 0; i < k; i++) {
                if (passive[base + i]) {
                    y[yBase + i] = 0;
                    continue;
                }
                double s = -c[base + i];
                int gi = i * k;
                for (int a = 0; a < p; a++) {
                    s += gram[gi + free[a]] * rhs[a];
                }
                y[yBase + i] = s;
            }
        }

        /**
         * Applies the exchange rule to column {@code j}; returns false when its pair (x, y) is already
         * feasible (optimal). An entry counts as infeasible only beyond the rounding of the products that
         * formed it, so that values equal to 0 up to rounding do not swap back and forth.
         */
        private boolean exchange(int j) {
            int base = j * k;
            int yBase = (j - first) * k;
            int infeasible = 0;
            int largest = -1;
            double xScale = 0;
            for (int i = 0; i < k; i++) {
                xScale = Math.max(xScale, Math.abs(x[base + i]));
            }
            double xTolerance = 4 * (k + 1) * EPS * xScale;
            for (int i = 0; i < k; i++) {
                if (isInfeasible(j, i, base, yBase, xTolerance)) {
                    infeasible++;
                    largest = i;
                }
            }
            if (infeasible == 0) {
                return false;
            }
            int column = j - first;
            boolean swapAll;
            if (patienceLimit < 0) {
                swapAll = false;
            } else if (infeasible < fewestInfeasible[column]) {
                fewestInfeasible[column] = infeasible;
                patience[column] = patienceLimit;
                swapAll = true;
            } else if (patience[column] >= 1) {
                patience[column]--;
                swapAll = true;
            } else {
                swapAll = false;
            }
            if (swapAll) {
                for (int i = 0; i < k; i++) {
                    if (isInfeasible(j, i, base, yBase, xTolerance)) {
                        passive[base + i] = !passive[base + i];
                    }
                }
            } else {
                passive[base + largest] = !passive[base + largest];
            }
            return true;
        }

        private boolean isInfeasible(int j, int i, int base, int yBase, double xTolerance) {
            if (passive[base + i]) {
                return x[base + i] < -xTolerance;
            }
            double yi = y[yBase + i];
            if (yi >= 0) {
                return false;
            }
            // |c_i| + Σ_f |G_if·x_f| bounds the terms whose rounding y_i carries.
            double scale = Math.abs(c[base + i]);
            int gi = i * k;
            for (int f = 0; f < k; f++) {
                scale += Math.abs(gram[gi + f] * x[base + f]);
            }
            return yi < -4 * (k + 1) * EPS * scale;
        }
    }

    private static boolean[] transpose(boolean[] a, int rows, int cols) {
        boolean[] t = new boolean[a.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = a[i * cols + j];
            }
        }
        return t;
    }
}
