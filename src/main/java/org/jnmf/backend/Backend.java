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

    /**
     * Uploads the data matrix V for a rank-{@code rank} fit whose other matrices need {@code otherBytes} of this backend's
     * memory, first refusing (as {@link #requireMemory}) a fit that cannot be held. The default holds V whole:
     * {@code requireMemory(vBytes + otherBytes, what)}, then {@link #upload(Matrix)}. A backend that can
     * stream (cuda) may instead keep a dense V that does not fit beside the rest in its host memory and copy
     * row blocks in for each pass ({@link #passOverRows}), when {@code notStreamable} is null; otherwise that
     * string says why this fit needs V whole, and the refusal names it.
     */
    default DeviceMatrix uploadData(Matrix v, int rank, long vBytes, long otherBytes, String notStreamable,
                                    String what) {
        requireMemory(vBytes + otherBytes, what);
        return upload(v);
    }

    /** How this backend holds V when that is worth telling the user (V streamed from host memory), else null. */
    default String howHeld(DeviceMatrix v) {
        return null;
    }

    /**
     * One pass over V for a W half-step: A = V·Hᵀ (skipped when {@code aCurrent}: A already holds it), then
     * {@code update} on W, A and {@code work}, then C = Wᵀ·V from the updated W. Given H·Hᵀ the rows of W are
     * independent in every half-step we have (HALS sweeps, MU, NNLS), so a backend holding V in row blocks
     * runs this block by block (calling {@code update} with the block's rows of W, A and work, and summing C
     * over the blocks) and reads V once. The default, for V held whole: the three calls in that order, so
     * the same bits as making them one by one.
     *
     * @param work an n×k work matrix handed to {@code update} in the same rows, or null
     */
    default void passOverRows(DeviceMatrix v, DeviceMatrix h, DeviceMatrix a, boolean aCurrent, DeviceMatrix w,
                              DeviceMatrix work, RowUpdate update, DeviceMatrix c) {
        if (!aCurrent) {
            multiplyByTransposed(v, h, a);
        }
        update.apply(0, w, a, work);
        multiplyTransposedBy(w, v, c);
    }

    /** The W half-step of {@link #passOverRows} on rows {@code firstRow}… of W, A and the work matrix. */
    @FunctionalInterface
    interface RowUpdate {
        void apply(int firstRow, DeviceMatrix w, DeviceMatrix a, DeviceMatrix work);
    }

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

    /**
     * The β-divergence multiplicative update (Févotte &amp; Idier 2011, scikit-learn's form), element-wise:
     * x ← x ⊙ (numerator ⊘ denominator')^gamma with denominator' as in
     * {@link #multiplicativeUpdate(DeviceMatrix, DeviceMatrix, DeviceMatrix, double)}; then an entry below
     * {@code zeroBelow} becomes 0, and with {@code floor > 0} every entry is raised to at least {@code floor}.
     * With gamma = 1 and zeroBelow = 0 this is exactly the four-argument update.
     */
    void multiplicativeUpdate(DeviceMatrix x, DeviceMatrix numerator, DeviceMatrix denominator, double gamma,
                              double zeroBelow, double floor);

    /** out = y + a·x + c element-wise, evaluated as (y + a·x) + c, for dense matrices of one shape; out may be x or y. */
    void combine(DeviceMatrix y, double a, DeviceMatrix x, double c, DeviceMatrix out);

    /**
     * A work matrix shaped like the data matrix V: the same sparsity pattern when V is sparse (so that
     * {@link #sampledPower} fills only V's stored entries and the products accept it in V's place), dense
     * otherwise.
     */
    DeviceMatrix allocateLike(DeviceMatrix v);

    /**
     * out = V ⊙ (W·H)^exponent on the entries V stores (all of them when V is dense; out from
     * {@link #allocateLike}); with {@code v == null}, out (dense n×m) = (W·H)^exponent everywhere. For a
     * negative exponent an entry of W·H equal to 0 is replaced by {@link #DIVISION_GUARD} first (as
     * scikit-learn does). W·H is computed in this backend's precision.
     */
    void sampledPower(DeviceMatrix v, DeviceMatrix w, DeviceMatrix h, double exponent, DeviceMatrix out);

    /**
     * The β-divergence D_β(V ‖ W·H) summed over all entries, in double, with scikit-learn's conventions:
     * entries with V ≤ {@link #DIVISION_GUARD} leave out the terms that hold V, and an entry of W·H equal to
     * 0 counts as {@link #DIVISION_GUARD}. β = 1: Σ V·log(V/WH) − V + WH; β = 0: Σ V/WH − log(V/WH) − 1;
     * otherwise Σ (V^β + (β−1)(WH)^β − β·V·(WH)^(β−1)) / (β(β−1)).
     */
    double betaDivergence(DeviceMatrix v, DeviceMatrix w, DeviceMatrix h, double beta);

    /**
     * Σ [∇ᴾ]² in double, where ∇ = denominator − numerator (the gradient of the loss in x, split in its
     * positive and negative parts as a multiplicative update holds them) and the projected gradient is
     * [∇ᴾ] = ∇ where x &gt; 0 and min(0, ∇) where x = 0 (Lin 2007). All three dense and of one shape.
     */
    double projectedGradientSquared(DeviceMatrix x, DeviceMatrix numerator, DeviceMatrix denominator);

    /** Σ a_ij·b_ij over two dense matrices of the same shape, accumulated in double. */
    double dot(DeviceMatrix a, DeviceMatrix b);

    /** ‖V‖²_F of a data matrix (dense or sparse), accumulated in double. */
    double squaredNorm(DeviceMatrix v);

    /** ‖V − W·H‖²_F computed directly, block by block (used when the trace identity cancels). */
    double residualSquared(DeviceMatrix v, DeviceMatrix w, DeviceMatrix h);

    /**
     * Refuses, before anything is allocated, a fit whose matrices need {@code bytes} of this backend's own
     * memory when it has less free (GPU memory; the CPU backends' heap is checked at the API boundary).
     *
     * @throws org.jnmf.MatrixTooLargeException naming {@code what}, the bytes needed and the bytes free
     */
    default void requireMemory(long bytes, String what) {
    }

    /** Releases everything this backend holds (thread pools, device memory, handles). */
    @Override
    void close();
}
