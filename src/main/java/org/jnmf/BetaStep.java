package org.jnmf;

import java.util.function.UnaryOperator;
import org.jnmf.backend.Backend;
import org.jnmf.backend.DeviceMatrix;

/**
 * Multiplicative updates for the β-divergence, β in [0, 2) (Févotte &amp; Idier 2011), in scikit-learn's
 * form:
 * <pre>
 * W ← W ⊙ [((WH)^(β−2) ⊙ V)·Hᵀ ⊘ ((WH)^(β−1)·Hᵀ + l1W + l2W·W)]^γ
 * H ← H ⊙ [Wᵀ·((WH)^(β−2) ⊙ V) ⊘ (Wᵀ·(WH)^(β−1) + l1H + l2H·H)]^γ
 * </pre>
 * with γ = 1/(2 − β) for β &lt; 1 and 1 otherwise, which keeps the objective non-increasing. For β = 1
 * (generalised Kullback–Leibler) the denominators are the row sums of H and the column sums of W,
 * broadcast (products with a vector of ones, never a matrix of them). V ⊙ (WH)^(β−2) is evaluated only
 * where V stores entries. As scikit-learn: an entry of WH equal to 0 counts as float32's ε under a
 * negative power, and after each update entries below float64's ε are set to 0 (W for β &lt; 1, H for
 * β ≤ 1), for stability.
 *
 * <p>The dense (WH)^(β−1) (n×m) is formed for β ∉ {1, 2}, even for a sparse V.
 */
final class BetaStep extends Step {
    private static final double STABILITY_ZERO = Math.ulp(1.0);

    private final double beta;
    private final double gamma;
    private final DeviceMatrix quotient;
    private final DeviceMatrix power;
    private final DeviceMatrix numW;
    private final DeviceMatrix denW;
    private final DeviceMatrix numH;
    private final DeviceMatrix denH;
    private final DeviceMatrix onesColumn;
    private final DeviceMatrix onesRow;
    private final DeviceMatrix sumsW;
    private final DeviceMatrix sumsH;
    /** Whether numW and denW (penalised) hold the current point's (a check computed them). */
    private boolean wCurrent;

    BetaStep(Backend backend, DeviceMatrix v, DeviceMatrix w, DeviceMatrix h, NmfOptions options,
             UnaryOperator<DeviceMatrix> keep) {
        super(backend, v, w, h, options, keep);
        this.beta = options.beta();
        this.gamma = beta < 1 ? 1 / (2 - beta) : 1;
        quotient = keepLike(v);
        numW = allocate(n, k);
        denW = allocate(n, k);
        numH = allocate(k, m);
        denH = allocate(k, m);
        if (beta == 1) {
            power = null;
            onesColumn = ones(n, 1);
            onesRow = ones(1, m);
            sumsW = allocate(k, 1);
            sumsH = allocate(1, k);
        } else {
            power = allocate(n, m);
            onesColumn = null;
            onesRow = null;
            sumsW = null;
            sumsH = null;
        }
    }

    private DeviceMatrix keepLike(DeviceMatrix like) {
        return keep(backend.allocateLike(like));
    }

    @Override
    void iterate() {
        if (!wCurrent) {
            productsForW();
        }
        wCurrent = false;
        backend.multiplicativeUpdate(w, numW, denW, gamma, beta < 1 ? STABILITY_ZERO : 0, options.floor());
        productsForH();
        backend.multiplicativeUpdate(h, numH, denH, gamma, beta <= 1 ? STABILITY_ZERO : 0, options.floor());
    }

    /** numW = (V ⊙ (WH)^(β−2))·Hᵀ, denW = (WH)^(β−1)·Hᵀ + l1W + l2W·W. */
    private void productsForW() {
        backend.sampledPower(v, w, h, beta - 2, quotient);
        backend.multiplyByTransposed(quotient, h, numW);
        if (beta == 1) {
            backend.multiplyByTransposed(onesRow, h, sumsH);
            backend.multiply(onesColumn, sumsH, denW);
        } else {
            backend.sampledPower(null, w, h, beta - 1, power);
            backend.multiplyByTransposed(power, h, denW);
        }
        addPenaltyGradient(denW, options.l1W(), options.l2W(), w);
    }

    /** numH = Wᵀ·(V ⊙ (WH)^(β−2)), denH = Wᵀ·(WH)^(β−1) + l1H + l2H·H. */
    private void productsForH() {
        backend.sampledPower(v, w, h, beta - 2, quotient);
        backend.multiplyTransposedBy(w, quotient, numH);
        if (beta == 1) {
            backend.multiplyTransposedBy(w, onesColumn, sumsW);
            backend.multiply(sumsW, onesRow, denH);
        } else {
            backend.sampledPower(null, w, h, beta - 1, power);
            backend.multiplyTransposedBy(w, power, denH);
        }
        addPenaltyGradient(denH, options.l1H(), options.l2H(), h);
    }

    @Override
    Fit fit() {
        return new Fit(backend.betaDivergence(v, w, h, beta), backend.residualSquared(v, w, h));
    }

    /** The gradient of the β-divergence is denominator − numerator of the updates (before the power γ). */
    @Override
    double projectedGradientSquared() {
        productsForW();
        wCurrent = true;
        double g = backend.projectedGradientSquared(w, numW, denW);
        productsForH();
        return g + backend.projectedGradientSquared(h, numH, denH);
    }
}
