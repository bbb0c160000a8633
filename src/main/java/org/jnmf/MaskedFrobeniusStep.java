package org.jnmf;

import java.util.function.UnaryOperator;
import org.jnmf.backend.Backend;
import org.jnmf.backend.DeviceMatrix;

/**
 * HALS, ANLS or multiplicative updates on the observed entries only: the loss is ½‖M ⊙ (V − WH)‖²_F
 * (plus penalties), M the 0/1 mask of observed entries. Each half-step runs the unmasked algorithm on V
 * completed with the current model, Ṽ = M ⊙ V + (1 − M) ⊙ WH (expectation–maximisation). ½‖Ṽ − W'H‖²
 * equals the masked loss at W' = W and bounds it above everywhere else, so any step that does not raise
 * it (all three do not) does not raise the masked loss either. The gradients are those of the masked loss,
 * ∇_W = (M ⊙ WH − M ⊙ V)·Hᵀ and ∇_H = Wᵀ·(M ⊙ WH − M ⊙ V) (plus the penalties' parts), which equal those
 * of the completed problem at the current point.
 */
final class MaskedFrobeniusStep extends FrobeniusStep {
    private final DeviceMatrix mask;
    private final DeviceMatrix complement;
    private final DeviceMatrix filled;
    private final DeviceMatrix sampled;
    private DeviceMatrix numW;
    private DeviceMatrix denW;
    private DeviceMatrix numH;
    private DeviceMatrix denH;

    /** v holds the observed values (0 where missing); mask and complement are M and 1 − M, as data matrices. */
    MaskedFrobeniusStep(Backend backend, DeviceMatrix v, DeviceMatrix w, DeviceMatrix h, NmfOptions options,
                        UnaryOperator<DeviceMatrix> keep, double normV2, DeviceMatrix mask,
                        DeviceMatrix complement) {
        super(backend, v, w, h, options, keep, normV2, (long) v.rows() * v.cols());
        this.mask = mask;
        this.complement = complement;
        this.filled = keep(backend.allocateLike(v));
        this.sampled = keep(backend.allocateLike(v));
    }

    /** Ṽ = (1 − M) ⊙ WH + M ⊙ V at the current W, H. */
    @Override
    protected DeviceMatrix data() {
        backend.sampledPower(complement, w, h, 1, filled);
        backend.combine(filled, 1, v, 0, filled);
        return filled;
    }

    @Override
    Fit fit() {
        backend.sampledPower(mask, w, h, 1, sampled);
        backend.combine(v, -1, sampled, 0, sampled);
        double r = backend.dot(sampled, sampled);
        return new Fit(r / 2, r);
    }

    @Override
    double projectedGradientSquared() {
        if (numW == null) {
            numW = allocate(n, k);
            denW = allocate(n, k);
            numH = allocate(k, m);
            denH = allocate(k, m);
        }
        backend.sampledPower(mask, w, h, 1, sampled);
        backend.multiplyByTransposed(v, h, numW);
        backend.multiplyByTransposed(sampled, h, denW);
        addPenaltyGradient(denW, options.l1W(), options.l2W(), w);
        double g = backend.projectedGradientSquared(w, numW, denW);
        backend.multiplyTransposedBy(w, v, numH);
        backend.multiplyTransposedBy(w, sampled, denH);
        addPenaltyGradient(denH, options.l1H(), options.l2H(), h);
        return g + backend.projectedGradientSquared(h, numH, denH);
    }
}
