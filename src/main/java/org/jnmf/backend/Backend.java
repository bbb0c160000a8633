package org.jnmf.backend;

import org.jnmf.Matrix;
import org.jnmf.Precision;

/**
 * The arithmetic a solver needs, and nothing more. Solvers (HALS, MU, initialisation) are written once
 * against this interface and never ask which backend they run on; a backend keeps the data matrix V and
 * the factors W (n×k) and H (k×m) where it computes, and only scalars and final factors come back.
 *
 * <p>All matrices are row-major with the shapes named in each method; {@code out} arguments must be
 * distinct from the inputs. A backend instance belongs to one fit and is used from one thread at a time.
 */
public interface Backend extends AutoCloseable {
    /**
     * Replaces a multiplicative-update denominator that is exactly 0: float32 machine epsilon, as
     * scikit-learn's {@code EPSILON}, for both precisions, so every backend steps identically.
     */
    double DIVISION_GUARD = Math.ulp(1.0f);

    /** Short name: {@code java}, {@code cuda}, ... */
    String name();

    /** Precision of the arithmetic. */
    Precision precision();

    /** Uploads the data matrix V once (dense or sparse), converting it to this backend's precision. */
    DeviceMatrix upload(Matrix v);

    /** Uploads a dense factor from row-major host values. */
    DeviceMatrix upload(int rows, int cols, double[] rowMajor);

    /** A dense work matrix with unspecified contents. */
    DeviceMatrix allocate(int rows, int cols);

    /** Copies a dense matrix back to the host as row-major doubles. */
    double[] download(DeviceMatrix x);

    /** out (n×k) = V (n×m) · Hᵀ, with H k×m. V may be sparse. */
    void multiplyByTransposed(DeviceMatrix v, DeviceMatrix h, DeviceMatrix out);

    /** out (k×m) = Wᵀ · V (n×m), with W n×k. V may be sparse. */
    void multiplyTransposedBy(DeviceMatrix w, DeviceMatrix v, DeviceMatrix out);

    /** out (r×t) = A (r×s) · B (s×t) for dense factors where one side is k×k (W·(HHᵀ), (WᵀW)·H). */
    void multiply(DeviceMatrix a, DeviceMatrix b, DeviceMatrix out);

    /** out (k×k) = Wᵀ·W for W n×k. */
    void gramOfColumns(DeviceMatrix w, DeviceMatrix out);

    /** out (k×k) = H·Hᵀ for H k×m. */
    void gramOfRows(DeviceMatrix h, DeviceMatrix out);

    /**
     * The multiplicative update x ← x ⊙ (numerator ⊘ denominator), element-wise, where a denominator
     * entry equal to 0 is replaced by {@link #DIVISION_GUARD} (scikit-learn's guard); with
     * {@code floor > 0} the result is then raised to at least {@code floor}.
     */
    void multiplicativeUpdate(DeviceMatrix x, DeviceMatrix numerator, DeviceMatrix denominator, double floor);

    /**
     * One HALS sweep over the columns of W (n×k), in order ℓ = 0..k−1, Gauss–Seidel:
     * W[:,ℓ] ← max(0, W[:,ℓ] − (W·B[:,ℓ] − A[:,ℓ]) / B[ℓ,ℓ]), skipped where B[ℓ,ℓ] = 0.
     * A = V·Hᵀ (n×k), B = H·Hᵀ (k×k).
     */
    void halsUpdateColumns(DeviceMatrix w, DeviceMatrix a, DeviceMatrix b);

    /**
     * One HALS sweep over the rows of H (k×m), in order ℓ = 0..k−1:
     * H[ℓ,:] ← max(0, H[ℓ,:] − (D[ℓ,:]·H − C[ℓ,:]) / D[ℓ,ℓ]), skipped where D[ℓ,ℓ] = 0.
     * C = Wᵀ·V (k×m), D = Wᵀ·W (k×k).
     */
    void halsUpdateRows(DeviceMatrix h, DeviceMatrix c, DeviceMatrix d);

    /** Σ a_ij·b_ij over two dense matrices of the same shape, accumulated in double. */
    double dot(DeviceMatrix a, DeviceMatrix b);

    /** ‖V‖²_F of a data matrix (dense or sparse), accumulated in double. */
    double squaredNorm(DeviceMatrix v);

    /** ‖V − W·H‖²_F computed directly, block by block (used when the trace identity cancels). */
    double residualSquared(DeviceMatrix v, DeviceMatrix w, DeviceMatrix h);

    /** Releases everything this backend holds (thread pools, device memory, handles). */
    @Override
    void close();
}
