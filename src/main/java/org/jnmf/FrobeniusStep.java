package org.jnmf;

import java.util.function.BiFunction;
import org.jnmf.backend.Backend;
import org.jnmf.backend.DeviceMatrix;

/**
 * HALS and Frobenius multiplicative updates: both need A = V·Hᵀ and B = H·Hᵀ for the W step, C = Wᵀ·V and
 * D = Wᵀ·W for the H step. After an iteration C, D and B are current, so the loss comes from the trace
 * identity ‖V‖² − 2·⟨C, H⟩ + ⟨D, B⟩ (accumulated in double) without forming W·H; near an exact fit,
 * where that identity cancels, the residual is computed directly.
 */
final class FrobeniusStep extends Step {
    /** Below this fraction of ‖V‖², the trace identity has cancelled too much: compute the residual. */
    private static final double DIRECT_RESIDUAL_BELOW = 1e-6;

    private final boolean hals;
    private final double floor;
    private final double normV2;
    private final DeviceMatrix vht;
    private final DeviceMatrix wtv;
    private final DeviceMatrix hht;
    private final DeviceMatrix wtw;
    private final DeviceMatrix whht;
    private final DeviceMatrix wtwh;

    FrobeniusStep(Backend backend, DeviceMatrix v, DeviceMatrix w, DeviceMatrix h,
                  BiFunction<Integer, Integer, DeviceMatrix> allocator, boolean hals, double floor, double normV2) {
        super(backend, v, w, h, allocator);
        this.hals = hals;
        this.floor = floor;
        this.normV2 = normV2;
        vht = allocate(n, k);
        wtv = allocate(k, m);
        hht = allocate(k, k);
        wtw = allocate(k, k);
        whht = hals ? null : allocate(n, k);
        wtwh = hals ? null : allocate(k, m);
        // Products for the initial loss; HHᵀ is then kept current for the next W step.
        backend.multiplyTransposedBy(w, v, wtv);
        backend.gramOfColumns(w, wtw);
        backend.gramOfRows(h, hht);
    }

    @Override
    void iterate() {
        backend.multiplyByTransposed(v, h, vht);
        if (hals) {
            backend.halsUpdateColumns(w, vht, hht);
        } else {
            backend.multiply(w, hht, whht);
            backend.multiplicativeUpdate(w, vht, whht, floor);
        }
        backend.multiplyTransposedBy(w, v, wtv);
        backend.gramOfColumns(w, wtw);
        if (hals) {
            backend.halsUpdateRows(h, wtv, wtw);
        } else {
            backend.multiply(wtw, h, wtwh);
            backend.multiplicativeUpdate(h, wtv, wtwh, floor);
        }
        backend.gramOfRows(h, hht);
    }

    @Override
    Evaluation evaluate() {
        double r = residualSquared();
        return new Evaluation(r / 2, r);
    }

    private double residualSquared() {
        double r = normV2 - 2 * backend.dot(wtv, h) + backend.dot(wtw, hht);
        if (r < DIRECT_RESIDUAL_BELOW * normV2) {
            r = backend.residualSquared(v, w, h);
        }
        return Math.max(r, 0);
    }
}
