package org.jnmf;

import java.util.function.UnaryOperator;
import org.jnmf.backend.Backend;
import org.jnmf.backend.DeviceMatrix;

/**
 * One Frobenius half-step, written once: HALS, MU or ANLS for W given A = V·Hᵀ and B = H·Hᵀ (any block of W's
 * rows with the same rows of A: they are independent given B), or for H given C = Wᵀ·V and D = Wᵀ·W,
 * penalties as scikit-learn applies them: for HALS, A − l1 and B + l2·I (coordinate descent); for MU,
 * l1 + l2·x joins the denominator; for ANLS, {@link NnlsHalfStep}. {@link Nmf}'s steps and the distributed fit
 * (jnmf-spark: the executors' W step, the driver's H step) both take it, so the same inputs give the same bits.
 *
 * <p>Accelerated HALS (Gillis &amp; Glineur 2012) repeats a sweep with the same products up to {@code inner}
 * times and stops once a sweep moves x by at most δ = 0.1 times what the first sweep moved it (in Frobenius
 * norm); each sweep minimises the objective exactly over one column (row) at a time, so repeats never raise
 * it. That rule needs all of x: a caller updating blocks of W's rows passes {@code inner} = 1, or (the
 * distributed fit) runs {@link #trialSweeps} on every block, sums the moves and repeats {@link #sweepsKept} of
 * them with {@link #sweeps}.
 */
public final class FrobeniusHalfStep {
    /** Gillis and Glineur's δ: stop the inner sweeps once one moves the factor by at most δ times the first. */
    private static final double INNER_DELTA = 0.1;

    private final Backend backend;
    private final Algorithm algorithm;
    private final boolean ofW;
    private final double l1;
    private final double l2;
    private final double floor;
    private final int inner;
    private final UnaryOperator<DeviceMatrix> keep;
    private DeviceMatrix identity;
    private DeviceMatrix regularized;
    private DeviceMatrix penalisedProducts;
    private DeviceMatrix previous;

    /**
     * @param ofW   W (columns swept, products A = V·Hᵀ, work W·B) or H (rows swept, products C = Wᵀ·V, work D·H)
     * @param inner HALS sweeps at most (1: plain HALS)
     * @param keep  registers a work matrix this step allocates with whoever frees it (returns it)
     */
    public FrobeniusHalfStep(Backend backend, Algorithm algorithm, boolean ofW, double l1, double l2, double floor,
                             int inner, UnaryOperator<DeviceMatrix> keep) {
        this.backend = backend;
        this.algorithm = algorithm;
        this.ofW = ofW;
        this.l1 = l1;
        this.l2 = l2;
        this.floor = floor;
        this.inner = inner;
        this.keep = keep;
    }

    /**
     * denominator ← denominator + l2·x + l1: the penalty's part of the gradient, which is positive and so
     * joins the denominator of a multiplicative update.
     */
    public static void addPenaltyGradient(Backend backend, DeviceMatrix denominator, double l1, double l2,
                                          DeviceMatrix x) {
        if (l1 > 0 || l2 > 0) {
            backend.combine(denominator, l2, x, l1, denominator);
        }
    }

    /** count ones: the row-major values of a matrix of ones (sums as products, the l1 penalty's ΣX). */
    public static double[] ones(int count) {
        double[] ones = new double[count];
        java.util.Arrays.fill(ones, 1.0);
        return ones;
    }

    /** The k×k identity, row-major. */
    public static double[] identity(int k) {
        double[] eye = new double[k * k];
        for (int p = 0; p < k; p++) {
            eye[p * k + p] = 1;
        }
        return eye;
    }

    /**
     * Updates x from its products and Gram matrix. For W the penalty is taken off A in place (A is recomputed
     * before it is read again); for H into a copy, since the loss reads C afterwards.
     *
     * @param work MU's denominator buffer, shaped like x (unused by HALS and ANLS: may be null)
     * @param warm ANLS: the passive sets of the previous call on the same rows, or null
     * @return ANLS: the passive sets, the next call's warm start; otherwise null
     */
    public boolean[] update(DeviceMatrix x, DeviceMatrix products, DeviceMatrix gram, DeviceMatrix work,
                            boolean[] warm) {
        switch (algorithm) {
            case ANLS -> {
                return NnlsHalfStep.solve(backend, x, products, gram, l1, l2, warm, ofW);
            }
            case MULTIPLICATIVE -> {
                if (ofW) {
                    backend.multiply(x, gram, work);
                } else {
                    backend.multiply(gram, x, work);
                }
                addPenaltyGradient(backend, work, l1, l2, x);
                backend.multiplicativeUpdate(x, products, work, floor);
                return null;
            }
            case HALS -> {
                hals(x, products, gram);
                return null;
            }
            default -> throw new IllegalArgumentException("not a Frobenius half-step: " + algorithm);
        }
    }

    /**
     * The most HALS sweeps accelerated HALS repeats for a factor of {@code rows}×k against {@code cols}: 1 +
     * ⌊α·ρ⌋, ρ = 1 + (K + cols·k)/(rows·(k+1)), K the stored entries of V (the cost of the product over the cost
     * of a sweep). W: rows = n, cols = m; H: rows = m, cols = n.
     */
    public static int innerSweeps(double alpha, long storedEntries, long rows, long cols, int k) {
        return 1 + (int) Math.floor(alpha * (1 + (storedEntries + (double) cols * k) / ((double) rows * (k + 1))));
    }

    /**
     * How many of the sweeps whose moves (‖Δx‖² per sweep, summed over all of x) are {@code moved} the stopping
     * rule keeps: up to and including the first that moves x by at most δ times the first sweep, else all.
     */
    public static int sweepsKept(double[] moved) {
        for (int sweep = 0; sweep < moved.length; sweep++) {
            if (lastSweep(moved[sweep], moved[0])) {
                return sweep + 1;
            }
        }
        return moved.length;
    }

    /** The stopping rule: a sweep that moved x by at most δ times what the first sweep moved it is the last. */
    private static boolean lastSweep(double moved, double movedFirst) {
        return moved <= INNER_DELTA * INNER_DELTA * movedFirst;
    }

    /**
     * HALS on a block of x's rows for a stopping rule over all of x (the distributed fit's accelerated W step):
     * exactly {@code sweeps} sweeps, penalties as {@link #update} applies them, returning how far each moved
     * this block (‖Δx‖² per sweep). The sweeps a later {@link #sweeps} call repeats from the same x and products
     * give the same bits, so the blocks' moves can be summed first and the kept count run afterwards.
     */
    public double[] trialSweeps(DeviceMatrix x, DeviceMatrix products, DeviceMatrix gram, int sweeps) {
        double[] moved = new double[sweeps];
        halsSweeps(x, products, gram, sweeps, false, moved);
        return moved;
    }

    /** Exactly {@code sweeps} HALS sweeps of x, penalties as {@link #update} applies them. */
    public void sweeps(DeviceMatrix x, DeviceMatrix products, DeviceMatrix gram, int sweeps) {
        halsSweeps(x, products, gram, sweeps, false, null);
    }

    private void hals(DeviceMatrix x, DeviceMatrix g, DeviceMatrix b) {
        halsSweeps(x, g, b, inner, true, null);
    }

    /**
     * Up to {@code sweeps} sweeps, stopping early by the rule over x where {@code byRule}; each one's ‖Δx‖² goes
     * into {@code moved} where that is not null.
     */
    private void halsSweeps(DeviceMatrix x, DeviceMatrix g, DeviceMatrix b, int sweeps, boolean byRule,
                            double[] moved) {
        if (l1 > 0) {
            DeviceMatrix target = g;
            if (!ofW) {
                if (penalisedProducts == null) {
                    penalisedProducts = keep.apply(backend.allocate(g.rows(), g.cols()));
                }
                target = penalisedProducts;
            }
            backend.combine(g, 0, g, -l1, target);
            g = target;
        }
        DeviceMatrix gram = b;
        if (l2 > 0) {
            if (identity == null) {
                int k = b.rows();
                identity = keep.apply(backend.upload(k, k, identity(k)));
                regularized = keep.apply(backend.allocate(k, k));
            }
            backend.combine(b, l2, identity, 0, regularized);
            gram = regularized;
        }
        if (moved == null && (!byRule || sweeps <= 1)) {
            for (int sweep = 0; sweep < sweeps; sweep++) {
                sweep(x, g, gram);
            }
            return;
        }
        if (previous == null) {
            previous = keep.apply(backend.allocate(x.rows(), x.cols()));
        }
        double[] moves = moved != null ? moved : new double[sweeps];
        for (int sweep = 0; sweep < sweeps; sweep++) {
            backend.combine(x, 0, x, 0, previous);
            sweep(x, g, gram);
            backend.combine(x, -1, previous, 0, previous);
            moves[sweep] = backend.dot(previous, previous);
            if (byRule && lastSweep(moves[sweep], moves[0])) {
                break;
            }
        }
    }

    private void sweep(DeviceMatrix x, DeviceMatrix g, DeviceMatrix gram) {
        if (ofW) {
            backend.halsUpdateColumns(x, g, gram);
        } else {
            backend.halsUpdateRows(x, g, gram);
        }
    }
}
