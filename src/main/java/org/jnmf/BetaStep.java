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
 * <p>The dense (WH)^(β−1) (n×m) is formed for β ∉ {1, 2}, even for a sparse V. The products are
 * {@link BetaProducts}', shared with the distributed fit.
 */
final class BetaStep extends Step {
    private final double beta;
    private final BetaProducts products;
    private final DeviceMatrix numW;
    private final DeviceMatrix denW;
    private final DeviceMatrix numH;
    private final DeviceMatrix denH;
    /** β = 1: W's column sums (k×1), spread into denH. */
    private final DeviceMatrix sumsW;
    /** Whether numW and denW (penalised) hold the current point's (a check computed them). */
    private boolean wCurrent;

    BetaStep(Backend backend, DeviceMatrix v, DeviceMatrix w, DeviceMatrix h, NmfOptions options,
             UnaryOperator<DeviceMatrix> keep) {
        super(backend, v, w, h, options, keep);
        this.beta = options.beta();
        products = new BetaProducts(backend, v, k, beta, keep);
        numW = allocate(n, k);
        denW = allocate(n, k);
        numH = allocate(k, m);
        denH = allocate(k, m);
        sumsW = beta == 1 ? allocate(k, 1) : null;
    }

    @Override
    void iterate() {
        if (!wCurrent) {
            productsForW();
        }
        wCurrent = false;
        BetaProducts.update(backend, w, numW, denW, beta, true, options.floor());
        productsForH();
        BetaProducts.update(backend, h, numH, denH, beta, false, options.floor());
    }

    private void productsForW() {
        products.forW(w, h, numW, denW, options.l1W(), options.l2W());
    }

    /** numH = Wᵀ·(V ⊙ (WH)^(β−2)), denH = Wᵀ·(WH)^(β−1) + l1H + l2H·H. */
    private void productsForH() {
        if (beta == 1) {
            products.forH(w, h, numH, sumsW);
            BetaProducts.denominatorOfH(backend, sumsW, products.onesRow(), denH);
        } else {
            products.forH(w, h, numH, denH);
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
