package org.jnmf.spark;

import java.io.Serializable;
import org.jnmf.Algorithm;
import org.jnmf.Precision;
import org.jnmf.backend.Backend;
import org.jnmf.backend.Backends;
import org.jnmf.backend.DeviceMatrix;

/**
 * What a task does to its row block with the local jnmf backend: the W step of HALS or MU (row by row,
 * exactly the arithmetic of {@link org.jnmf.Nmf}), the block's share of WᵀV and WᵀW, and the block's
 * share of ‖V − WH‖².
 */
final class LocalSolver implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String backend;
    private final Precision precision;
    private final int threads;
    private final Algorithm algorithm;
    private final double floor;
    private final int k;
    private final int m;

    LocalSolver(String backend, Precision precision, int threads, Algorithm algorithm, double floor, int k, int m) {
        this.backend = backend;
        this.precision = precision;
        this.threads = threads;
        this.algorithm = algorithm;
        this.floor = floor;
        this.k = k;
        this.m = m;
    }

    Backend open(boolean sparse) {
        return Backends.open(backend, precision, threads, sparse, false).backend();
    }

    /**
     * Updates the block's W for the broadcast H (none: keep W, as for the initial products) and returns
     * the new W with its WᵀV and WᵀW.
     */
    BlockStep step(RowBlock block, double[] w, FactorBroadcast h) {
        try (Backend be = open(block.isSparse())) {
            int rows = block.rows;
            DeviceMatrix v = be.upload(block.toMatrix());
            DeviceMatrix wd = be.upload(rows, k, w);
            if (h != null) {
                DeviceMatrix hd = be.upload(k, m, h.h());
                DeviceMatrix hht = be.upload(k, k, h.hht());
                DeviceMatrix vht = be.allocate(rows, k);
                be.multiplyByTransposed(v, hd, vht);
                if (algorithm == Algorithm.MULTIPLICATIVE) {
                    DeviceMatrix whht = be.allocate(rows, k);
                    be.multiply(wd, hht, whht);
                    be.multiplicativeUpdate(wd, vht, whht, floor);
                } else {
                    be.halsUpdateColumns(wd, vht, hht);
                }
            }
            DeviceMatrix wtv = be.allocate(k, m);
            DeviceMatrix wtw = be.allocate(k, k);
            be.multiplyTransposedBy(wd, v, wtv);
            be.gramOfColumns(wd, wtw);
            double[] products = new double[k * m + k * k];
            System.arraycopy(be.download(wtv), 0, products, 0, k * m);
            System.arraycopy(be.download(wtw), 0, products, k * m, k * k);
            return new BlockStep(be.download(wd), products);
        }
    }

    /** ‖V_block − W_block·H‖² computed directly. */
    double residualSquared(RowBlock block, double[] w, double[] h) {
        try (Backend be = open(block.isSparse())) {
            return be.residualSquared(be.upload(block.toMatrix()), be.upload(block.rows, k, w), be.upload(k, m, h));
        }
    }

    /** ‖V_block‖² as the backend adds it. */
    double squaredNorm(RowBlock block) {
        try (Backend be = open(block.isSparse())) {
            return be.squaredNorm(be.upload(block.toMatrix()));
        }
    }
}
