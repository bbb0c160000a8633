package org.jnmf;

import java.util.function.UnaryOperator;
import org.jnmf.backend.Backend;
import org.jnmf.backend.DeviceMatrix;

/**
 * The products of the β-divergence multiplicative updates ({@link BetaStep}) for a block of V's rows and the same
 * rows of W, written once for {@link Nmf#fit} (one block: all of V) and the distributed fit (jnmf-spark: each
 * executor's block; the driver sums the blocks' shares of H's). For β = 1 the denominators are sums broadcast by
 * products with vectors of ones; otherwise they need the dense (WH)^(β−1).
 */
public final class BetaProducts {
    /** As scikit-learn: after an update, entries below float64's ε are set to 0 (W for β &lt; 1, H for β ≤ 1). */
    public static final double STABILITY_ZERO = Math.ulp(1.0);

    private final Backend backend;
    private final DeviceMatrix v;
    private final double beta;
    private final DeviceMatrix quotient;
    private final DeviceMatrix power;
    private final DeviceMatrix onesColumn;
    private final DeviceMatrix onesRow;
    private final DeviceMatrix sumsH;

    /**
     * @param v    the block of V's rows (rows×m)
     * @param keep registers each work matrix allocated here with whoever frees it (returns it)
     */
    public BetaProducts(Backend backend, DeviceMatrix v, int k, double beta, UnaryOperator<DeviceMatrix> keep) {
        this.backend = backend;
        this.v = v;
        this.beta = beta;
        int rows = v.rows();
        int m = v.cols();
        quotient = keep.apply(backend.allocateLike(v));
        if (beta == 1) {
            power = null;
            onesColumn = keep.apply(backend.upload(rows, 1, FrobeniusHalfStep.ones(rows)));
            onesRow = keep.apply(backend.upload(1, m, FrobeniusHalfStep.ones(m)));
            sumsH = keep.apply(backend.allocate(1, k));
        } else {
            power = keep.apply(backend.allocate(rows, m));
            onesColumn = null;
            onesRow = null;
            sumsH = null;
        }
    }

    /** The exponent γ of the updates: 1/(2 − β) for β &lt; 1, else 1 (it keeps the objective non-increasing). */
    public static double gamma(double beta) {
        return beta < 1 ? 1 / (2 - beta) : 1;
    }

    /** x ← x ⊙ (num ⊘ den)^γ, then the stability zeroing (for W when β &lt; 1, for H when β ≤ 1) and the floor. */
    public static void update(Backend backend, DeviceMatrix x, DeviceMatrix num, DeviceMatrix den, double beta,
                              boolean ofW, double floor) {
        boolean zero = ofW ? beta < 1 : beta <= 1;
        backend.multiplicativeUpdate(x, num, den, gamma(beta), zero ? STABILITY_ZERO : 0, floor);
    }

    /** numW = (V ⊙ (WH)^(β−2))·Hᵀ, denW = (WH)^(β−1)·Hᵀ + l1W + l2W·W (for β = 1, H's row sums for each row). */
    public void forW(DeviceMatrix w, DeviceMatrix h, DeviceMatrix numW, DeviceMatrix denW, double l1W, double l2W) {
        backend.sampledPower(v, w, h, beta - 2, quotient);
        backend.multiplyByTransposed(quotient, h, numW);
        if (beta == 1) {
            backend.multiplyByTransposed(onesRow, h, sumsH);
            backend.multiply(onesColumn, sumsH, denW);
        } else {
            backend.sampledPower(null, w, h, beta - 1, power);
            backend.multiplyByTransposed(power, h, denW);
        }
        FrobeniusHalfStep.addPenaltyGradient(backend, denW, l1W, l2W, w);
    }

    /**
     * The block's share of H's products, without penalties: numH = Wᵀ·(V ⊙ (WH)^(β−2)) (k×m) and, into
     * {@code denominator}, Wᵀ·(WH)^(β−1) (k×m) or, for β = 1, W's column sums (k×1), which
     * {@link #denominatorOfH} spreads over the columns once the blocks' sums are added.
     */
    public void forH(DeviceMatrix w, DeviceMatrix h, DeviceMatrix numH, DeviceMatrix denominator) {
        backend.sampledPower(v, w, h, beta - 2, quotient);
        backend.multiplyTransposedBy(w, quotient, numH);
        if (beta == 1) {
            backend.multiplyTransposedBy(w, onesColumn, denominator);
        } else {
            backend.sampledPower(null, w, h, beta - 1, power);
            backend.multiplyTransposedBy(w, power, denominator);
        }
    }

    /** β = 1: denH (k×m) = W's column sums (k×1) times a row of m ones. */
    public static void denominatorOfH(Backend backend, DeviceMatrix sumsW, DeviceMatrix onesRow, DeviceMatrix denH) {
        backend.multiply(sumsW, onesRow, denH);
    }

    /** A row of m ones for {@link #denominatorOfH}. */
    public DeviceMatrix onesRow() {
        return onesRow;
    }
}
