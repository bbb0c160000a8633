package org.jnmf;

import java.util.function.BiFunction;
import org.jnmf.backend.Backend;
import org.jnmf.backend.DeviceMatrix;

/**
 * One algorithm's iteration over the {@link Backend}: {@link Nmf} owns the loop (checks, tolerance,
 * progress, cancellation, time limit) and asks a step only to iterate and to evaluate the current point.
 * A step owns its work buffers, allocated through the function the loop gives it (which frees them).
 */
abstract class Step {
    protected final Backend backend;
    protected final DeviceMatrix v;
    protected final DeviceMatrix w;
    protected final DeviceMatrix h;
    protected final int n;
    protected final int m;
    protected final int k;
    private final BiFunction<Integer, Integer, DeviceMatrix> allocator;

    Step(Backend backend, DeviceMatrix v, DeviceMatrix w, DeviceMatrix h,
         BiFunction<Integer, Integer, DeviceMatrix> allocator) {
        this.backend = backend;
        this.v = v;
        this.w = w;
        this.h = h;
        this.n = v.rows();
        this.m = v.cols();
        this.k = w.cols();
        this.allocator = allocator;
    }

    /** A dense work matrix owned by the fit. */
    protected final DeviceMatrix allocate(int rows, int cols) {
        return allocator.apply(rows, cols);
    }

    /** One iteration: W, then H. */
    abstract void iterate();

    /** The current point's figures. */
    abstract Evaluation evaluate();

    /**
     * @param dataLoss         the loss the algorithm minimises, without any penalty (½‖V − WH‖²_F for Frobenius)
     * @param residualSquared  ‖V − WH‖²_F
     */
    record Evaluation(double dataLoss, double residualSquared) {
    }
}
