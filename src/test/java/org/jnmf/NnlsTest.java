package org.jnmf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.jnmf.backend.WorkerPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Block principal pivoting checked against the KKT conditions of NNLS and against a brute-force solver that
 * tries every passive set.
 */
class NnlsTest {
    /** A problem min ‖A·X − B‖, X ≥ 0, given by G = AᵀA (k×k) and C = AᵀB (k×r). */
    record Problem(double[] gram, double[] cross, int k, int r) {
        static Problem of(double[] a, double[] b, int n, int k, int r) {
            double[] g = new double[k * k];
            double[] c = new double[k * r];
            for (int p = 0; p < k; p++) {
                for (int q = 0; q < k; q++) {
                    double s = 0;
                    for (int i = 0; i < n; i++) {
                        s += a[i * k + p] * a[i * k + q];
                    }
                    g[p * k + q] = s;
                }
                for (int j = 0; j < r; j++) {
                    double s = 0;
                    for (int i = 0; i < n; i++) {
                        s += a[i * k + p] * b[i * r + j];
                    }
                    c[p * r + j] = s;
                }
            }
            return new Problem(g, c, k, r);
        }
    }

    /** A (n×k) with Gaussian entries and B (n×r) with Gaussian entries, so that many constraints are active. */
    static Problem gaussian(int n, int k, int r, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] a = new double[n * k];
        double[] b = new double[n * r];
        for (int i = 0; i < a.length; i++) {
            a[i] = random.nextGaussian();
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = random.nextGaussian();
        }
        return Problem.of(a, b, n, k, r);
    }

    /**
     * A with singular values spread over 10^0 .. 10^-decades (random orthogonal factors), non-negative B, so
     * that the Gram matrix has condition number 10^(2·decades).
     */
    static Problem illConditioned(int n, int k, int r, double decades, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] u = new double[n * k];
        for (int i = 0; i < u.length; i++) {
            u[i] = random.nextGaussian();
        }
        DenseLinearAlgebra.orthonormalizeColumns(u, n, k);
        double[] v = new double[k * k];
        for (int i = 0; i < v.length; i++) {
            v[i] = random.nextGaussian();
        }
        DenseLinearAlgebra.orthonormalizeColumns(v, k, k);
        double[] a = new double[n * k];
        for (int i = 0; i < n; i++) {
            for (int q = 0; q < k; q++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    double sigma = Math.pow(10, -decades * p / Math.max(1, k - 1));
                    s += u[i * k + p] * sigma * v[q * k + p];
                }
                a[i * k + q] = s;
            }
        }
        double[] b = new double[n * r];
        for (int i = 0; i < b.length; i++) {
            b[i] = random.nextDouble();
        }
        return Problem.of(a, b, n, k, r);
    }

    /** A with repeated, scaled and all-zero columns (rank below k), B Gaussian. */
    static Problem rankDeficient(int n, int k, int r, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int rank = Math.max(1, k / 2);
        double[] a = new double[n * k];
        for (int i = 0; i < n; i++) {
            for (int q = 0; q < rank; q++) {
                a[i * k + q] = random.nextGaussian();
            }
        }
        for (int q = rank; q < k; q++) {
            int kind = q % 3;
            int source = random.nextInt(rank);
            double mix = random.nextDouble();
            for (int i = 0; i < n; i++) {
                a[i * k + q] = switch (kind) {
                    case 0 -> 0;
                    case 1 -> 2.5 * a[i * k + source];
                    default -> mix * a[i * k + source] + (1 - mix) * a[i * k + (source + 1) % rank];
                };
            }
        }
        double[] b = new double[n * r];
        for (int i = 0; i < b.length; i++) {
            b[i] = random.nextGaussian();
        }
        return Problem.of(a, b, n, k, r);
    }

    /**
     * Asserts X ≥ 0, y = G·X − C ≥ −tol, and y = 0 (within tol) wherever x &gt; 0, with tol relative to
     * the size of the terms that make up y.
     */
    static void assertKkt(Problem p, double[] x, double relativeTolerance) {
        int k = p.k;
        int r = p.r;
        for (int j = 0; j < r; j++) {
            for (int i = 0; i < k; i++) {
                double xi = x[i * r + j];
                assertTrue(xi >= 0, "x[" + i + "," + j + "] = " + xi);
                double y = -p.cross[i * r + j];
                double scale = Math.abs(p.cross[i * r + j]);
                for (int q = 0; q < k; q++) {
                    y += p.gram[i * k + q] * x[q * r + j];
                    scale += Math.abs(p.gram[i * k + q] * x[q * r + j]);
                }
                double tolerance = relativeTolerance * Math.max(scale, 1e-300);
                assertTrue(y >= -tolerance, "gradient " + y + " < 0 at [" + i + "," + j + "] (tol " + tolerance + ")");
                if (xi > 0) {
                    assertTrue(Math.abs(y) <= tolerance, "x[" + i + "," + j + "] = " + xi + " > 0 but gradient " + y);
                }
            }
        }
    }

    /** ½xᵀGx − cᵀx for column j: ‖Ax − b‖²/2 up to a constant. */
    static double objective(Problem p, double[] x, int j) {
        int k = p.k;
        double f = 0;
        for (int a = 0; a < k; a++) {
            double ga = 0;
            for (int b = 0; b < k; b++) {
                ga += p.gram[a * k + b] * x[b * p.r + j];
            }
            f += x[a * p.r + j] * (0.5 * ga - p.cross[a * p.r + j]);
        }
        return f;
    }

    /**
     * The brute-force reference: for every one of the 2^k passive sets, solve G_FF·x_F = c_F by Gaussian
     * elimination with partial pivoting (least squares via the normal equations is not needed: the system is
     * consistent), keep the candidates that are feasible and satisfy y ≥ 0 outside F, and return the one
     * with the smallest objective. Returns column j of X.
     */
    static double[] bruteForce(Problem p, int j) {
        int k = p.k;
        double[] best = new double[k];
        double bestValue = Double.POSITIVE_INFINITY;
        for (int mask = 0; mask < (1 << k); mask++) {
            int[] f = new int[Integer.bitCount(mask)];
            int n = 0;
            for (int i = 0; i < k; i++) {
                if ((mask & (1 << i)) != 0) {
                    f[n++] = i;
                }
            }
            double[] xf = gaussianElimination(p, f, j);
            if (xf == null) {
                continue;
            }
            double[] x = new double[k];
            boolean feasible = true;
            for (int a = 0; a < n; a++) {
                x[f[a]] = xf[a];
                feasible &= xf[a] >= -1e-12;
            }
            if (!feasible) {
                continue;
            }
            double value = 0;
            for (int a = 0; a < k; a++) {
                double ga = 0;
                for (int b = 0; b < k; b++) {
                    ga += p.gram[a * k + b] * x[b];
                }
                value += x[a] * (0.5 * ga - p.cross[a * p.r + j]);
            }
            if (value < bestValue) {
                bestValue = value;
                best = x;
            }
        }
        return best;
    }

    /** Solves G_FF·z = c_F, or null when G_FF is singular; free variables of a singular system are not handled. */
    private static double[] gaussianElimination(Problem p, int[] f, int j) {
        int n = f.length;
        double[][] m = new double[n][n + 1];
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                m[a][b] = p.gram[f[a] * p.k + f[b]];
            }
            m[a][n] = p.cross[f[a] * p.r + j];
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int row = col + 1; row < n; row++) {
                if (Math.abs(m[row][col]) > Math.abs(m[pivot][col])) {
                    pivot = row;
                }
            }
            if (Math.abs(m[pivot][col]) < 1e-10 * Math.max(1, Math.abs(m[col][col]))) {
                return null;
            }
            double[] tmp = m[col];
            m[col] = m[pivot];
            m[pivot] = tmp;
            for (int row = col + 1; row < n; row++) {
                double factor = m[row][col] / m[col][col];
                for (int c = col; c <= n; c++) {
                    m[row][c] -= factor * m[col][c];
                }
            }
        }
        double[] z = new double[n];
        for (int row = n - 1; row >= 0; row--) {
            double s = m[row][n];
            for (int c = row + 1; c < n; c++) {
                s -= m[row][c] * z[c];
            }
            z[row] = s / m[row][row];
        }
        return z;
    }

    @ParameterizedTest(name = "k = {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6})
    void equalsTheBestOfAllPassiveSetsOnSmallProblems(int k) {
        for (long seed = 0; seed < 20; seed++) {
            Problem p = gaussian(3 * k + 2, k, 15, 100 * k + seed);
            double[] x = Nnls.solve(p.gram, p.cross, k, p.r, null).x();
            for (int j = 0; j < p.r; j++) {
                double[] expected = bruteForce(p, j);
                for (int i = 0; i < k; i++) {
                    assertEquals(expected[i], x[i * p.r + j], 1e-9 * (1 + Math.abs(expected[i])),
                            "seed " + seed + ", column " + j + ", entry " + i);
                }
            }
            assertKkt(p, x, 1e-10);
        }
    }

    @ParameterizedTest(name = "k = {0}")
    @ValueSource(ints = {3, 5, 6})
    void rankDeficientSmallProblemsReachTheBruteForceMinimum(int k) {
        // With a singular Gram the minimiser need not be unique, so compare the objective (which is unique).
        for (long seed = 0; seed < 20; seed++) {
            Problem p = rankDeficient(2 * k + 3, k, 10, 200 * k + seed);
            double[] x = Nnls.solve(p.gram, p.cross, k, p.r, null).x();
            assertKkt(p, x, 1e-9);
            for (int j = 0; j < p.r; j++) {
                double[] expected = bruteForce(p, j);
                double[] expectedColumn = new double[k * p.r];
                for (int i = 0; i < k; i++) {
                    expectedColumn[i * p.r + j] = expected[i];
                }
                double want = objective(p, expectedColumn, j);
                double got = objective(p, x, j);
                assertEquals(want, got, 1e-9 * (1 + Math.abs(want)), "seed " + seed + ", column " + j);
            }
        }
    }

    @ParameterizedTest(name = "k = {0}")
    @ValueSource(ints = {1, 7, 20, 50})
    void meetsTheKktConditionsOnRandomProblems(int k) {
        for (long seed = 0; seed < 3; seed++) {
            Problem p = gaussian(2 * k + 10, k, 300, seed);
            Nnls.Solution s = Nnls.solve(p.gram, p.cross, k, p.r, null);
            assertKkt(p, s.x(), 1e-10);
            assertTrue(s.rounds() > 0);
            assertEquals(0, s.ridge());
        }
    }

    @ParameterizedTest(name = "condition number 1e{0}")
    @ValueSource(ints = {4, 8, 12})
    void meetsTheKktConditionsWhenIllConditioned(int exponent) {
        for (long seed = 0; seed < 4; seed++) {
            int k = 12;
            Problem p = illConditioned(40, k, 200, exponent / 2.0, seed);
            Nnls.Solution s = Nnls.solve(p.gram, p.cross, k, p.r, null);
            double[] x = s.x();
            assertEquals(0, s.ridge());
            // Rounding in the solve grows with the condition number; the gradient is still tiny next to its terms.
            assertKkt(p, x, 1e-13 * Math.pow(10, exponent));
        }
    }

    @ParameterizedTest(name = "k = {0}")
    @ValueSource(ints = {4, 10, 30})
    void meetsTheKktConditionsWhenRankDeficient(int k) {
        for (long seed = 0; seed < 4; seed++) {
            Problem p = rankDeficient(k + 5, k, 200, seed);
            assertKkt(p, Nnls.solve(p.gram, p.cross, k, p.r, null).x(), 1e-9);
        }
        // Fewer rows than unknowns: the Gram matrix has rank n < k, and pivoting may need the ridge to settle;
        // the ridge (10⁻¹⁰ of the largest diagonal entry) shifts the gradient by λ·x, inside the tolerance.
        Problem wide = gaussian(k / 2 + 1, k, 100, 9);
        Nnls.Solution s = Nnls.solve(wide.gram, wide.cross, k, wide.r, null);
        assertTrue(s.ridge() <= 1e-9 * maxDiagonal(wide), "ridge " + s.ridge());
        assertKkt(wide, s.x(), 1e-8);
    }

    private static double maxDiagonal(Problem p) {
        double max = 0;
        for (int i = 0; i < p.k; i++) {
            max = Math.max(max, p.gram[i * p.k + i]);
        }
        return max;
    }

    @Test
    void theBackupRuleAloneReachesTheSameOptimum() {
        // The backup rule alone moves only the largest infeasible index each round (Murty's single principal
        // pivoting): slower, but finite and ending at the same unique minimiser.
        for (long seed = 0; seed < 5; seed++) {
            Problem p = gaussian(30, 12, 40, 500 + seed);
            Nnls.Solution fast = Nnls.solve(p.gram, p.cross, p.k, p.r, null);
            Nnls.Solution backupOnly = Nnls.solveWithPatience(p.gram, p.cross, p.k, p.r, -1);
            assertArrayEquals(fast.x(), backupOnly.x(), 1e-10);
            assertKkt(p, backupOnly.x(), 1e-10);
            // One index per round from x = 0: at least as many rounds as the largest support, less one (the
            // first solve, with F empty, is not counted as a round).
            int largestSupport = 0;
            for (int j = 0; j < p.r; j++) {
                int support = 0;
                for (int i = 0; i < p.k; i++) {
                    support += fast.x()[i * p.r + j] > 0 ? 1 : 0;
                }
                largestSupport = Math.max(largestSupport, support);
            }
            assertTrue(backupOnly.rounds() >= largestSupport - 1, backupOnly.rounds() + " rounds, support "
                    + largestSupport);
            // Patience 0: the full exchange while the infeasible count falls, the backup rule at once otherwise.
            assertArrayEquals(fast.x(), Nnls.solveWithPatience(p.gram, p.cross, p.k, p.r, 0).x(), 1e-10);
        }
    }

    @Test
    void aGramRoundedToFloat32StaysSolvable() {
        // A Gram matrix formed in float32 (as a GPU would) from a rank-deficient A is singular only up to
        // rounding and may be slightly indefinite; the solve must still end with a finite, non-negative answer
        // whose objective is the exact problem's minimum up to float32 rounding.
        for (long seed = 0; seed < 10; seed++) {
            Problem exact = rankDeficient(12, 6, 20, 300 + seed);
            double[] g = exact.gram.clone();
            double[] c = exact.cross.clone();
            for (int i = 0; i < g.length; i++) {
                g[i] = (float) g[i];
            }
            for (int i = 0; i < c.length; i++) {
                c[i] = (float) c[i];
            }
            double[] x = Nnls.solve(g, c, exact.k, exact.r, null).x();
            for (int j = 0; j < exact.r; j++) {
                double[] best = bruteForce(exact, j);
                double[] bestColumn = new double[exact.k * exact.r];
                for (int i = 0; i < exact.k; i++) {
                    bestColumn[i * exact.r + j] = best[i];
                    assertTrue(x[i * exact.r + j] >= 0 && Double.isFinite(x[i * exact.r + j]));
                }
                double want = objective(exact, bestColumn, j);
                double got = objective(exact, x, j);
                assertTrue(got - want <= 1e-4 * (1 + Math.abs(want)), "seed " + seed + ", column " + j + ": "
                        + got + " vs the minimum " + want);
            }
        }
    }

    @Test
    void aZeroGramGivesZero() {
        int k = 5;
        int r = 7;
        Nnls.Solution s = Nnls.solve(new double[k * k], new double[k * r], k, r, null);
        assertArrayEquals(new double[k * r], s.x());
    }

    @Test
    void aZeroColumnOfAGetsZeroAndTheRestIsSolved() {
        // A's column 1 is zero: G's row and column 1 vanish and c_1 = 0.
        double[] a = {1, 0, 2, 2, 0, 1, 0, 0, 3};
        double[] b = {1, 2, 3};
        Problem p = Problem.of(a, b, 3, 3, 1);
        double[] x = Nnls.solve(p.gram, p.cross, 3, 1, null).x();
        assertEquals(0, x[1]);
        assertKkt(p, x, 1e-12);
        assertArrayEquals(bruteForceIgnoring(p, 1), x, 1e-12);
    }

    /** Brute force on the problem with variable {@code drop} removed (fixed at 0). */
    private static double[] bruteForceIgnoring(Problem p, int drop) {
        int k = p.k - 1;
        double[] g = new double[k * k];
        double[] c = new double[k];
        for (int a = 0, aa = 0; a < p.k; a++) {
            if (a == drop) {
                continue;
            }
            c[aa] = p.cross[a];
            for (int b = 0, bb = 0; b < p.k; b++) {
                if (b != drop) {
                    g[aa * k + bb++] = p.gram[a * p.k + b];
                }
            }
            aa++;
        }
        double[] reduced = bruteForce(new Problem(g, c, k, 1), 0);
        double[] x = new double[p.k];
        for (int a = 0, aa = 0; a < p.k; a++) {
            if (a != drop) {
                x[a] = reduced[aa++];
            }
        }
        return x;
    }

    @Test
    void theUnconstrainedSolutionIsReturnedWhenItIsNonNegative() {
        // B = A·X* with X* > 0: the least-squares solution is X* itself and no constraint is active.
        SplittableRandom random = new SplittableRandom(3);
        int n = 30;
        int k = 6;
        int r = 20;
        double[] a = new double[n * k];
        double[] xStar = new double[k * r];
        for (int i = 0; i < a.length; i++) {
            a[i] = random.nextDouble();
        }
        for (int i = 0; i < xStar.length; i++) {
            xStar[i] = 0.1 + random.nextDouble();
        }
        double[] b = new double[n * r];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < r; j++) {
                for (int p = 0; p < k; p++) {
                    b[i * r + j] += a[i * k + p] * xStar[p * r + j];
                }
            }
        }
        Problem p = Problem.of(a, b, n, k, r);
        assertArrayEquals(xStar, Nnls.solve(p.gram, p.cross, k, r, null).x(), 1e-9);
    }

    @Test
    void aWarmStartFromTheAnswerNeedsNoExchange() {
        Problem p = gaussian(40, 15, 120, 4);
        Nnls.Solution cold = Nnls.solve(p.gram, p.cross, p.k, p.r, null);
        Nnls.Solution warm = Nnls.solve(p.gram, p.cross, p.k, p.r, cold.passive());
        assertEquals(0, warm.rounds());
        assertArrayEquals(cold.x(), warm.x());
        // A warm start from a nearby problem (perturbed B) still ends at that problem's optimum.
        Problem nearby = gaussian(40, 15, 120, 5);
        Nnls.Solution fromOther = Nnls.solve(p.gram, p.cross, p.k, p.r,
                Nnls.solve(nearby.gram, nearby.cross, p.k, p.r, null).passive());
        assertArrayEquals(cold.x(), fromOther.x(), 1e-10);
        boolean[] allFree = new boolean[p.k * p.r];
        java.util.Arrays.fill(allFree, true);
        assertArrayEquals(cold.x(), Nnls.solve(p.gram, p.cross, p.k, p.r, allFree).x(), 1e-10);
    }

    @Test
    void theTransposedLayoutAndAWorkerPoolGiveTheSameBits() {
        Problem p = gaussian(50, 10, 700, 6);
        Nnls.Solution s = Nnls.solve(p.gram, p.cross, p.k, p.r, null);
        double[] crossT = new double[p.k * p.r];
        for (int i = 0; i < p.k; i++) {
            for (int j = 0; j < p.r; j++) {
                crossT[j * p.k + i] = p.cross[i * p.r + j];
            }
        }
        Nnls.Solution t;
        try (WorkerPool pool = new WorkerPool(3)) {
            t = Nnls.solveTransposed(p.gram, crossT, p.r, p.k, null, pool);
            assertArrayEquals(s.x(), Nnls.solve(p.gram, p.cross, p.k, p.r, null, pool).x());
        }
        for (int i = 0; i < p.k; i++) {
            for (int j = 0; j < p.r; j++) {
                assertEquals(s.x()[i * p.r + j], t.x()[j * p.k + i]);
                assertEquals(s.passive()[i * p.r + j], t.passive()[j * p.k + i]);
            }
        }
    }

    @Test
    void emptyProblemsAreFine() {
        assertEquals(0, Nnls.solve(new double[0], new double[0], 0, 5, null).x().length);
        assertEquals(0, Nnls.solve(new double[9], new double[0], 3, 0, null).x().length);
    }

    @Test
    void badInputIsRejectedWithTheSizes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Nnls.solve(new double[8], new double[6], 3, 2, null));
        assertTrue(e.getMessage().contains("3×3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Nnls.solve(new double[9], new double[5], 3, 2, null));
        assertTrue(e.getMessage().contains("6"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Nnls.solve(new double[9], new double[6], 3, 2, new boolean[5]));
        assertTrue(e.getMessage().contains("passive"), e.getMessage());
        double[] g = {1, 0, 0, 1};
        e = assertThrows(IllegalArgumentException.class, () -> Nnls.solve(g, new double[] {1, Double.NaN}, 2, 1, null));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
    }
}
