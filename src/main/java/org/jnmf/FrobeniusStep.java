package org.jnmf;

import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.jnmf.backend.Backend;
import org.jnmf.backend.DeviceMatrix;

/**
 * HALS, ANLS and Frobenius multiplicative updates: both need A = V·Hᵀ and B = H·Hᵀ for the W step, C = Wᵀ·V and
 * D = Wᵀ·W for the H step. After an iteration C, D and B are current, so the loss comes from the trace
 * identity ‖V‖² − 2·⟨C, H⟩ + ⟨D, B⟩ (accumulated in double) without forming W·H; near an exact fit,
 * where that identity cancels, the residual is computed directly.
 *
 * <p>The half-steps themselves (penalties, accelerated sweeps, NNLS) are {@link FrobeniusHalfStep}'s. The W
 * half-step runs in one pass over V ({@link Backend#passOverRows}) except where it needs all of W at once:
 * accelerated HALS repeats its sweeps 1 + ⌊α·ρ⌋ times at most, ρ_W = 1 + (K + m·k)/(n·(k+1)) and
 * ρ_H = 1 + (K + n·k)/(m·(k+1)) (K the stored entries of V: the cost of the product over the cost of a sweep),
 * under a stopping rule over the whole factor. The projected gradient needs V·Hᵀ at the current H, which is
 * the next W step's first product, so a check computes it early and the step reuses it.
 */
class FrobeniusStep extends Step {
    /** Below this fraction of ‖V‖², the trace identity has cancelled too much: compute the residual. */
    private static final double DIRECT_RESIDUAL_BELOW = 1e-6;

    private final boolean hals;
    private final boolean anls;
    /** ANLS warm starts for W, by the first row of the block they were solved in (one block: row 0). */
    private final Map<Integer, boolean[]> passiveW = new HashMap<>();
    private boolean[] passiveH;
    private final double normV2;
    private final DeviceMatrix vht;
    private final DeviceMatrix wtv;
    private final DeviceMatrix hht;
    private final DeviceMatrix wtw;
    private DeviceMatrix whht;
    private DeviceMatrix wtwh;
    private final int innerW;
    private final FrobeniusHalfStep halfW;
    private final FrobeniusHalfStep halfH;
    /** Whether {@link #vht} holds V·Hᵀ for the current H (a check computed it). */
    private boolean vhtCurrent;

    FrobeniusStep(Backend backend, DeviceMatrix v, DeviceMatrix w, DeviceMatrix h, NmfOptions options,
                  UnaryOperator<DeviceMatrix> keep, double normV2, long storedEntries) {
        super(backend, v, w, h, options, keep);
        this.hals = options.algorithm() == Algorithm.HALS;
        this.anls = options.algorithm() == Algorithm.ANLS;
        this.normV2 = normV2;
        vht = allocate(n, k);
        wtv = allocate(k, m);
        hht = allocate(k, k);
        wtw = allocate(k, k);
        if (!hals) {
            whht = allocate(n, k);
            wtwh = allocate(k, m);
        }
        double alpha = options.acceleration();
        innerW = FrobeniusHalfStep.innerSweeps(alpha, storedEntries, n, m, k);
        int innerH = FrobeniusHalfStep.innerSweeps(alpha, storedEntries, m, n, k);
        halfW = new FrobeniusHalfStep(backend, options.algorithm(), true, options.l1W(), options.l2W(), options.floor(),
                innerW, keep);
        halfH = new FrobeniusHalfStep(backend, options.algorithm(), false, options.l1H(), options.l2H(),
                options.floor(), innerH, keep);
        // Products for the initial loss; HHᵀ is then kept current for the next W step.
        backend.multiplyTransposedBy(w, v, wtv);
        backend.gramOfColumns(w, wtw);
        backend.gramOfRows(h, hht);
    }

    /** The matrix the products read: V here; a masked fit completes V first. */
    protected DeviceMatrix data() {
        return v;
    }

    @Override
    void iterate() {
        DeviceMatrix data = data();
        // The W half-step row by row in one pass over V, except where it needs a whole-W quantity: the
        // accelerated sweeps' stopping rule (a norm over all of W), and a masked fit's completed V.
        if (data == v && !(hals && innerW > 1)) {
            backend.passOverRows(v, h, vht, vhtCurrent, w, hals || anls ? null : whht, this::updateRowsOfW, wtv);
        } else {
            if (!vhtCurrent || data != v) {
                backend.multiplyByTransposed(data, h, vht);
            }
            updateRowsOfW(0, w, vht, whht);
            // data() again: a masked fit completes V's missing entries from the W just updated.
            backend.multiplyTransposedBy(w, data(), wtv);
        }
        vhtCurrent = false;
        backend.gramOfColumns(w, wtw);
        passiveH = halfH.update(h, wtv, wtw, wtwh, passiveH);
        backend.gramOfRows(h, hht);
    }

    /** The W half-step on rows firstRow… of W from the same rows of A = V·Hᵀ (and of W·HHᵀ's buffer, for MU). */
    private void updateRowsOfW(int firstRow, DeviceMatrix wRows, DeviceMatrix aRows, DeviceMatrix work) {
        boolean[] passive = halfW.update(wRows, aRows, hht, work, passiveW.get(firstRow));
        if (passive != null) {
            passiveW.put(firstRow, passive);
        }
    }

    @Override
    Fit fit() {
        double r = normV2 - 2 * backend.dot(wtv, h) + backend.dot(wtw, hht);
        if (r < DIRECT_RESIDUAL_BELOW * normV2) {
            r = backend.residualSquared(v, w, h);
        }
        r = Math.max(r, 0);
        return new Fit(r / 2, r);
    }

    /** ∇_W f = W·HHᵀ + l2W·W + l1W − V·Hᵀ and ∇_H f = WᵀW·H + l2H·H + l1H − WᵀV at the current point. */
    @Override
    double projectedGradientSquared() {
        if (whht == null) {
            whht = allocate(n, k);
            wtwh = allocate(k, m);
        }
        backend.multiplyByTransposed(v, h, vht);
        vhtCurrent = true;
        backend.multiply(w, hht, whht);
        addPenaltyGradient(whht, options.l1W(), options.l2W(), w);
        double g = backend.projectedGradientSquared(w, vht, whht);
        backend.multiply(wtw, h, wtwh);
        addPenaltyGradient(wtwh, options.l1H(), options.l2H(), h);
        return g + backend.projectedGradientSquared(h, wtv, wtwh);
    }
}
