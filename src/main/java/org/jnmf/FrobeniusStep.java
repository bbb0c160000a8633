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
 * <p>Penalties as scikit-learn applies them: for HALS, A − l1 and B + l2·I (its coordinate descent); for
 * MU, l1 + l2·W joins the denominator. The projected gradient needs V·Hᵀ at the current H, which is the
 * next W step's first product, so a check computes it early and the step reuses it.
 *
 * <p>Accelerated HALS (Gillis &amp; Glineur 2012) repeats a sweep with the same A, B (or C, D) up to
 * 1 + ⌊α·ρ⌋ times, ρ_W = 1 + (K + m·k)/(n·(k+1)) and ρ_H = 1 + (K + n·k)/(m·(k+1)) (K the stored entries
 * of V: the cost of the product over the cost of a sweep), and stops repeating once a sweep moves the
 * factor by at most δ = 0.1 times what the first sweep moved it (in Frobenius norm). Each sweep minimises
 * the objective exactly over one column (row) at a time, so repeats never raise it.
 *
 * <p>ANLS solves each half-step exactly ({@link NnlsHalfStep}: {@link Nnls}, block principal pivoting) from the
 * same A, B (C, D), warm-started from the previous passive sets.
 */
class FrobeniusStep extends Step {
    /** Below this fraction of ‖V‖², the trace identity has cancelled too much: compute the residual. */
    private static final double DIRECT_RESIDUAL_BELOW = 1e-6;
    /** Gillis and Glineur's δ: stop the inner sweeps once one moves the factor by at most δ times the first. */
    private static final double INNER_DELTA = 0.1;

    private final boolean hals;
    private final boolean anls;
    /** ANLS warm starts for W, by the first row of the block they were solved in (one block: row 0). */
    private final Map<Integer, boolean[]> passiveW = new HashMap<>();
    private boolean[] passiveH;
    private final double floor;
    private final double normV2;
    private final DeviceMatrix vht;
    private final DeviceMatrix wtv;
    private final DeviceMatrix hht;
    private final DeviceMatrix wtw;
    private DeviceMatrix whht;
    private DeviceMatrix wtwh;
    private DeviceMatrix identity;
    private DeviceMatrix regularized;
    private DeviceMatrix penalisedWtv;
    private final int innerW;
    private final int innerH;
    private DeviceMatrix previousW;
    private DeviceMatrix previousH;
    /** Whether {@link #vht} holds V·Hᵀ for the current H (a check computed it). */
    private boolean vhtCurrent;

    FrobeniusStep(Backend backend, DeviceMatrix v, DeviceMatrix w, DeviceMatrix h, NmfOptions options,
                  UnaryOperator<DeviceMatrix> keep, double normV2, long storedEntries) {
        super(backend, v, w, h, options, keep);
        this.hals = options.algorithm() == Algorithm.HALS;
        this.anls = options.algorithm() == Algorithm.ANLS;
        this.floor = options.floor();
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
        innerW = 1 + (int) Math.floor(alpha * (1 + (storedEntries + (double) m * k) / ((double) n * (k + 1))));
        innerH = 1 + (int) Math.floor(alpha * (1 + (storedEntries + (double) n * k) / ((double) m * (k + 1))));
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
        if (hals) {
            halsStep(h, wtv, wtw, options.l1H(), options.l2H(), innerH, false);
        } else if (anls) {
            passiveH = NnlsHalfStep.solve(backend, h, wtv, wtw, options.l1H(), options.l2H(), passiveH, false);
        } else {
            backend.multiply(wtw, h, wtwh);
            addPenaltyGradient(wtwh, options.l1H(), options.l2H(), h);
            backend.multiplicativeUpdate(h, wtv, wtwh, floor);
        }
        backend.gramOfRows(h, hht);
    }

    /** The W half-step on rows firstRow… of W from the same rows of A = V·Hᵀ (and of W·HHᵀ's buffer, for MU). */
    private void updateRowsOfW(int firstRow, DeviceMatrix wRows, DeviceMatrix aRows, DeviceMatrix work) {
        if (hals) {
            halsStep(wRows, aRows, hht, options.l1W(), options.l2W(), innerW, true);
        } else if (anls) {
            passiveW.put(firstRow, NnlsHalfStep.solve(backend, wRows, aRows, hht, options.l1W(), options.l2W(),
                    passiveW.get(firstRow), true));
        } else {
            backend.multiply(wRows, hht, work);
            addPenaltyGradient(work, options.l1W(), options.l2W(), wRows);
            backend.multiplicativeUpdate(wRows, aRows, work, floor);
        }
    }

    /**
     * HALS sweeps of x (W when {@code columns}, else H) with the product g (A or C) and the Gram matrix b
     * (B or D), penalised into copies where the loss reads them later (C, D; A is recomputed first).
     */
    private void halsStep(DeviceMatrix x, DeviceMatrix g, DeviceMatrix b, double l1, double l2, int inner,
                          boolean columns) {
        if (l1 > 0) {
            DeviceMatrix target = g;
            if (!columns) {
                if (penalisedWtv == null) {
                    penalisedWtv = allocate(k, m);
                }
                target = penalisedWtv;
            }
            backend.combine(g, 0, g, -l1, target);
            g = target;
        }
        DeviceMatrix gram = b;
        if (l2 > 0) {
            if (identity == null) {
                double[] eye = new double[k * k];
                for (int p = 0; p < k; p++) {
                    eye[p * k + p] = 1;
                }
                identity = upload(k, k, eye);
                regularized = allocate(k, k);
            }
            backend.combine(b, l2, identity, 0, regularized);
            gram = regularized;
        }
        if (inner <= 1) {
            sweep(x, g, gram, columns);
            return;
        }
        DeviceMatrix previous = columns ? previousW() : previousH();
        double first = 0;
        for (int sweep = 0; sweep < inner; sweep++) {
            backend.combine(x, 0, x, 0, previous);
            sweep(x, g, gram, columns);
            backend.combine(x, -1, previous, 0, previous);
            double moved = backend.dot(previous, previous);
            if (sweep == 0) {
                first = moved;
            }
            if (moved <= INNER_DELTA * INNER_DELTA * first) {
                break;
            }
        }
    }

    private void sweep(DeviceMatrix x, DeviceMatrix g, DeviceMatrix gram, boolean columns) {
        if (columns) {
            backend.halsUpdateColumns(x, g, gram);
        } else {
            backend.halsUpdateRows(x, g, gram);
        }
    }

    private DeviceMatrix previousW() {
        if (previousW == null) {
            previousW = allocate(n, k);
        }
        return previousW;
    }

    private DeviceMatrix previousH() {
        if (previousH == null) {
            previousH = allocate(k, m);
        }
        return previousH;
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
