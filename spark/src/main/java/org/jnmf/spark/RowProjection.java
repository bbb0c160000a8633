package org.jnmf.spark;

import org.jnmf.Matrix;
import org.jnmf.backend.Backend;
import org.jnmf.backend.DeviceMatrix;

/**
 * W for given rows of V with H fixed: min ‖V − WH‖² over W ≥ 0, row by row, by coordinate descent
 * (HALS sweeps over the columns of W from W = 0) until no entry moves by more than {@link #TOLERANCE}
 * of the largest, or {@link #MAX_SWEEPS} sweeps. Each row's problem is a convex non-negative least
 * squares, and coordinate descent converges to its solution; the tests check the KKT conditions.
 */
final class RowProjection {
    static final double TOLERANCE = 1e-10;
    static final int MAX_SWEEPS = 2000;

    private RowProjection() {
    }

    /** Row-major W (rows×k) for the rows {@code v} (rows×m), H (k×m) and HHᵀ (k×k). */
    static double[] solve(Backend backend, Matrix v, double[] h, double[] hht, int k) {
        int rows = v.rows();
        int m = v.cols();
        try (DeviceMatrix vd = backend.upload(v);
             DeviceMatrix hd = backend.upload(k, m, h);
             DeviceMatrix b = backend.upload(k, k, hht);
             DeviceMatrix a = backend.allocate(rows, k);
             DeviceMatrix w = backend.upload(rows, k, new double[rows * k])) {
            backend.multiplyByTransposed(vd, hd, a);
            double[] previous = new double[rows * k];
            for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
                backend.halsUpdateColumns(w, a, b);
                double[] now = backend.download(w);
                double change = 0;
                double largest = 0;
                for (int i = 0; i < now.length; i++) {
                    change = Math.max(change, Math.abs(now[i] - previous[i]));
                    largest = Math.max(largest, Math.abs(now[i]));
                }
                previous = now;
                if (change <= TOLERANCE * largest) {
                    break;
                }
            }
            return previous;
        }
    }
}
