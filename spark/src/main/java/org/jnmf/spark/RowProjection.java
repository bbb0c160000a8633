package org.jnmf.spark;

import org.jnmf.Matrix;
import org.jnmf.Nnls;
import org.jnmf.backend.Backend;
import org.jnmf.backend.DeviceMatrix;

/**
 * W for given rows of V with H fixed: min ‖V − WH‖² over W ≥ 0, row by row, solved exactly by
 * {@link Nnls} (block principal pivoting) from HHᵀ and V·Hᵀ, the product made by the local backend.
 */
final class RowProjection {
    private RowProjection() {
    }

    /** Row-major W (rows×k) for the rows {@code v} (rows×m), H (k×m) and HHᵀ (k×k). */
    static double[] solve(Backend backend, Matrix v, double[] h, double[] hht, int k) {
        int rows = v.rows();
        int m = v.cols();
        try (DeviceMatrix vd = backend.upload(v);
             DeviceMatrix hd = backend.upload(k, m, h);
             DeviceMatrix vht = backend.allocate(rows, k)) {
            backend.multiplyByTransposed(vd, hd, vht);
            return Nnls.solveTransposed(hht, backend.download(vht), rows, k, null).x();
        }
    }
}
