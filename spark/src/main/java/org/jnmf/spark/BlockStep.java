package org.jnmf.spark;

import java.io.Serializable;

/**
 * A partition's rows of W after an update, with that partition's share of the products the driver needs
 * next: WᵀV (k×m), WᵀW (k×k), row-major, then ΣW and ‖W‖² for the penalties, in {@code products}
 * ({@link LocalSolver#productsLength}).
 */
final class BlockStep implements Serializable {
    private static final long serialVersionUID = 1L;

    final double[] w;
    final double[] products;
    /** ANLS: the passive sets of this block's NNLS solution, the next W step's warm start; otherwise null. */
    final boolean[] passive;

    BlockStep(double[] w, double[] products, boolean[] passive) {
        this.w = w;
        this.products = products;
        this.passive = passive;
    }
}
