package org.jnmf;

import org.jnmf.backend.Backend;
import org.jnmf.backend.DeviceMatrix;

/**
 * One ANLS half-step: the exact penalised non-negative least-squares solution for one factor given the
 * other, by {@link Nnls} (block principal pivoting) from the products a HALS or MU step would use. For W
 * (n×k, {@code ofW}): minimise ½‖V − WH‖² + l1·ΣW + ½·l2·‖W‖² from A = V·Hᵀ (n×k) and B = H·Hᵀ; for H:
 * from C = Wᵀ·V (k×m) and D = Wᵀ·W. An L2 penalty joins the Gram matrix's diagonal and an L1 penalty the
 * cross products, which keeps the problem an NNLS problem. The rows of W are independent given H, so a row
 * block of W is solved the same way from its block of A. Public for the distributed fit (jnmf-spark), which
 * solves W's row blocks on the executors and H on the driver as {@link Nmf} does on one machine.
 */
public final class NnlsHalfStep {
    private NnlsHalfStep() {
    }

    /**
     * Writes the solution into {@code x} and returns its passive sets, the warm start for the next call on
     * the same factor ({@code warm}: the previous call's, or null).
     */
    public static boolean[] solve(Backend backend, DeviceMatrix x, DeviceMatrix products, DeviceMatrix gramMatrix,
                                  double l1, double l2, boolean[] warm, boolean ofW) {
        int k = gramMatrix.rows();
        double[] gram = backend.download(gramMatrix);
        // A GEMM-made Gram can differ from its transpose by rounding; the pivoting assumes symmetry.
        for (int p = 0; p < k; p++) {
            gram[p * k + p] += l2;
            for (int q = 0; q < p; q++) {
                double mean = (gram[p * k + q] + gram[q * k + p]) / 2;
                gram[p * k + q] = mean;
                gram[q * k + p] = mean;
            }
        }
        double[] g = backend.download(products);
        int r = ofW ? x.rows() : x.cols();
        double[] cross = ofW ? DenseLinearAlgebra.transpose(g, r, k) : g;
        if (l1 > 0) {
            for (int i = 0; i < cross.length; i++) {
                cross[i] -= l1;
            }
        }
        Nnls.Solution solution = Nnls.solve(gram, cross, k, r, warm);
        double[] values = ofW ? DenseLinearAlgebra.transpose(solution.x(), k, r) : solution.x();
        try (DeviceMatrix solved = backend.upload(x.rows(), x.cols(), values)) {
            backend.combine(solved, 0, solved, 0, x);
        }
        return solution.passive();
    }
}
