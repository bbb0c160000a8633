package org.jnmf.backend;

import org.jnmf.Precision;

/**
 * Which CPU backend {@code auto} takes for a problem's shape: the pure-Java one unless BLAS is measured
 * to be faster. One rule, by shape class:
 * <ul>
 *   <li>sparse V: Java (BLAS has no sparse products; the BLAS backend would run the same Java kernels);</li>
 *   <li>dense V with rank k &lt; {@link #BLAS_MIN_RANK} (the thin products of usual NMF): Java;</li>
 *   <li>dense V with k ≥ {@link #BLAS_MIN_RANK}: BLAS, where the products approach square GEMM;</li>
 *   <li>dense V held off the heap (too large for it): BLAS, which reads V in place, where the Java kernels
 *       would need a heap copy.</li>
 * </ul>
 * {@link Backends} still takes Java where OpenBLAS runs its generic SSE3 kernels (a CPU it does not know).
 * The measurements behind it are in {@code benchmarks/results/cpu-backend-choice-2026-11-26.md}: at k = 20
 * and 50 the Vector API kernels match or beat OpenBLAS on V·Hᵀ and Wᵀ·V together, while on square GEMM
 * OpenBLAS's packed kernels lead by 5–25 %; the crossover lies between, and {@code ./jnmf bench gemm
 * --shapes ...} at the ranks in question is how to re-check it on other hardware. The precision does not
 * enter the rule: both precisions crossed over alike in those measurements.
 */
final class CpuChoice {
    /** Smallest rank at which dense problems go to BLAS. */
    static final int BLAS_MIN_RANK = 100;

    private CpuChoice() {
    }

    /** Whether BLAS is preferred, and why, in words for the selection reason. */
    record Choice(boolean blas, String why) {
    }

    static Choice choose(Precision precision, Backends.Shape shape) {
        if (shape.sparse()) {
            return new Choice(false, "faster for sparse V (BLAS has no sparse products)");
        }
        if (shape.offHeap()) {
            return new Choice(true, "reads V in place off the heap, where the Java kernels need a heap copy");
        }
        if (shape.rank() >= BLAS_MIN_RANK) {
            return new Choice(true, "faster than the Java kernels at rank " + shape.rank() + " ≥ " + BLAS_MIN_RANK);
        }
        return new Choice(false, "faster than BLAS at rank " + (shape.rank() > 0 ? shape.rank() + " " : "")
                + "< " + BLAS_MIN_RANK);
    }
}
