package org.jnmf;

import java.util.function.UnaryOperator;
import org.jnmf.backend.Backend;
import org.jnmf.backend.DeviceMatrix;

/**
 * One algorithm's iteration over the {@link Backend}: {@link Nmf} owns the loop (checks, tolerance,
 * progress, cancellation, time limit) and asks a step only to iterate and to evaluate the current point.
 * A step's work buffers are registered with the fit, which frees them.
 *
 * <p>Every step minimises f(W, H) = D(V ‖ WH) + l1W·‖W‖₁ + ½·l2W·‖W‖²_F + l1H·‖H‖₁ + ½·l2H·‖H‖²_F, and
 * reports the projected gradient of that f (Lin 2007) from the gradient split as a multiplicative update
 * holds it, ∇ = denominator − numerator.
 */
abstract class Step {
    protected final Backend backend;
    protected final DeviceMatrix v;
    protected final DeviceMatrix w;
    protected final DeviceMatrix h;
    protected final int n;
    protected final int m;
    protected final int k;
    protected final NmfOptions options;
    private final UnaryOperator<DeviceMatrix> keep;
    private DeviceMatrix onesW;
    private DeviceMatrix onesH;

    Step(Backend backend, DeviceMatrix v, DeviceMatrix w, DeviceMatrix h, NmfOptions options,
         UnaryOperator<DeviceMatrix> keep) {
        this.backend = backend;
        this.v = v;
        this.w = w;
        this.h = h;
        this.n = v.rows();
        this.m = v.cols();
        this.k = w.cols();
        this.options = options;
        this.keep = keep;
    }

    /** Registers a matrix with the fit, which frees it. */
    protected final DeviceMatrix keep(DeviceMatrix x) {
        return keep.apply(x);
    }

    /** A dense work matrix owned by the fit. */
    protected final DeviceMatrix allocate(int rows, int cols) {
        return keep.apply(backend.allocate(rows, cols));
    }

    /** A dense matrix owned by the fit, from row-major values. */
    protected final DeviceMatrix upload(int rows, int cols, double[] values) {
        return keep.apply(backend.upload(rows, cols, values));
    }

    /** A dense matrix of ones owned by the fit. */
    protected final DeviceMatrix ones(int rows, int cols) {
        return upload(rows, cols, FrobeniusHalfStep.ones(Math.multiplyExact(rows, cols)));
    }

    /**
     * denominator ← denominator + l2·x + l1: the penalty's part of the gradient, which is positive and so
     * joins the denominator of a multiplicative update.
     */
    protected final void addPenaltyGradient(DeviceMatrix denominator, double l1, double l2, DeviceMatrix x) {
        FrobeniusHalfStep.addPenaltyGradient(backend, denominator, l1, l2, x);
    }

    /** One iteration: W, then H. */
    abstract void iterate();

    /** The loss D(V ‖ WH) without penalties and ‖V − WH‖²_F at the current point. */
    abstract Fit fit();

    /** ‖∇ᴾ f(W, H)‖²_F at the current point, penalties included. */
    abstract double projectedGradientSquared();

    /** l1W·‖W‖₁ + ½·l2W·‖W‖²_F + l1H·‖H‖₁ + ½·l2H·‖H‖²_F at the current point (0 without regularisation). */
    final double penalty() {
        double p = 0;
        if (options.l1W() > 0) {
            if (onesW == null) {
                onesW = ones(n, k);
            }
            p += options.l1W() * backend.dot(w, onesW);
        }
        if (options.l2W() > 0) {
            p += options.l2W() / 2 * backend.dot(w, w);
        }
        if (options.l1H() > 0) {
            if (onesH == null) {
                onesH = ones(k, m);
            }
            p += options.l1H() * backend.dot(h, onesH);
        }
        if (options.l2H() > 0) {
            p += options.l2H() / 2 * backend.dot(h, h);
        }
        return p;
    }

    /**
     * @param dataLoss         D(V ‖ WH), the loss without penalties (½‖V − WH‖²_F for Frobenius)
     * @param residualSquared  ‖V − WH‖²_F
     */
    record Fit(double dataLoss, double residualSquared) {
    }
}
