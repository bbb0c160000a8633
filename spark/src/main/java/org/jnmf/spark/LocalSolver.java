package org.jnmf.spark;

import java.io.Serializable;
import org.jnmf.Algorithm;
import org.jnmf.NnlsHalfStep;
import org.jnmf.Precision;
import org.jnmf.backend.Backend;
import org.jnmf.backend.Backends;
import org.jnmf.backend.DeviceMatrix;

/**
 * What a task does to its row block with the local jnmf backend: the W step of HALS, MU or ANLS (row by row,
 * exactly the arithmetic of {@link org.jnmf.Nmf}, penalties l1W and l2W included), the block's share of WᵀV
 * and WᵀW and of the penalty's sums (ΣW, ‖W‖²), and the block's share of ‖V − WH‖².
 */
final class LocalSolver implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String backend;
    private final Precision precision;
    private final int threads;
    private final Algorithm algorithm;
    private final double floor;
    private final double l1W;
    private final double l2W;
    private final int k;
    private final int m;

    LocalSolver(String backend, Precision precision, int threads, Algorithm algorithm, double floor, double l1W,
                double l2W, int k, int m) {
        this.backend = backend;
        this.precision = precision;
        this.threads = threads;
        this.algorithm = algorithm;
        this.floor = floor;
        this.l1W = l1W;
        this.l2W = l2W;
        this.k = k;
        this.m = m;
    }

    Backend open(boolean sparse) {
        return Backends.open(backend, precision, threads, sparse, false).backend();
    }

    /** Length of a {@link BlockStep}'s products: WᵀV (k×m), WᵀW (k×k), ΣW and ‖W‖² (0 without l1W, l2W). */
    static int productsLength(int k, int m) {
        return k * m + k * k + 2;
    }

    /**
     * Updates the block's W for the broadcast H (none: keep W, as for the initial products) and returns
     * the new W with its WᵀV, WᵀW and penalty sums (and, for ANLS, its passive sets: {@code passive} is the
     * previous step's, the warm start, or null). The penalties enter as in {@code FrobeniusStep}: for HALS
     * V·Hᵀ − l1W and H·Hᵀ + l2W·I, for MU l2W·W + l1W added to the denominator.
     */
    BlockStep step(RowBlock block, double[] w, boolean[] passive, FactorBroadcast h) {
        try (Backend be = open(block.isSparse())) {
            int rows = block.rows;
            DeviceMatrix v = be.upload(block.toMatrix());
            DeviceMatrix wd = be.upload(rows, k, w);
            if (h != null) {
                DeviceMatrix hd = be.upload(k, m, h.h());
                DeviceMatrix hht = be.upload(k, k, h.hht());
                DeviceMatrix vht = be.allocate(rows, k);
                be.multiplyByTransposed(v, hd, vht);
                if (algorithm == Algorithm.ANLS) {
                    passive = NnlsHalfStep.solve(be, wd, vht, hht, l1W, l2W, passive, true);
                } else if (algorithm == Algorithm.MULTIPLICATIVE) {
                    DeviceMatrix whht = be.allocate(rows, k);
                    be.multiply(wd, hht, whht);
                    if (l1W > 0 || l2W > 0) {
                        be.combine(whht, l2W, wd, l1W, whht);
                    }
                    be.multiplicativeUpdate(wd, vht, whht, floor);
                } else {
                    if (l1W > 0) {
                        be.combine(vht, 0, vht, -l1W, vht);
                    }
                    DeviceMatrix gram = hht;
                    if (l2W > 0) {
                        gram = be.allocate(k, k);
                        be.combine(hht, l2W, be.upload(k, k, identity(k)), 0, gram);
                    }
                    be.halsUpdateColumns(wd, vht, gram);
                }
            }
            DeviceMatrix wtv = be.allocate(k, m);
            DeviceMatrix wtw = be.allocate(k, k);
            be.multiplyTransposedBy(wd, v, wtv);
            be.gramOfColumns(wd, wtw);
            double[] products = new double[productsLength(k, m)];
            System.arraycopy(be.download(wtv), 0, products, 0, k * m);
            System.arraycopy(be.download(wtw), 0, products, k * m, k * k);
            if (l1W > 0) {
                double[] ones = new double[rows * k];
                java.util.Arrays.fill(ones, 1.0);
                products[k * m + k * k] = be.dot(wd, be.upload(rows, k, ones));
            }
            if (l2W > 0) {
                products[k * m + k * k + 1] = be.dot(wd, wd);
            }
            return new BlockStep(be.download(wd), products, passive);
        }
    }

    /** The k×k identity, row-major. */
    static double[] identity(int k) {
        double[] eye = new double[k * k];
        for (int p = 0; p < k; p++) {
            eye[p * k + p] = 1;
        }
        return eye;
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
