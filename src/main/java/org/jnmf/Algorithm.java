package org.jnmf;

/** The solver that updates W and H. */
public enum Algorithm {
    /**
     * Hierarchical alternating least squares (Cichocki &amp; Phan 2009), also called coordinate descent:
     * exact column-by-column minimisation, the same iteration as scikit-learn's {@code solver='cd'}.
     * The default: fast and monotone.
     */
    HALS,
    /**
     * Lee–Seung multiplicative updates for the Frobenius loss (Lee &amp; Seung 2001), W then H:
     * W ← W ⊙ (VHᵀ) ⊘ (W·HHᵀ), H ← H ⊙ (WᵀV) ⊘ (WᵀW·H). Monotone but slow; entries that reach 0
     * stay 0 (zero-locking), which {@link NmfOptions.Builder#floor(double)} prevents.
     */
    MULTIPLICATIVE,
    /**
     * Alternating non-negative least squares (Kim &amp; Park 2011): each half-iteration solves for W (then H)
     * exactly, by block principal pivoting ({@link Nnls}) on the k×k Gram matrix. Frobenius loss only.
     */
    ANLS;

    public String label() {
        return switch (this) {
            case HALS -> "hals";
            case MULTIPLICATIVE -> "mu";
            case ANLS -> "anls";
        };
    }
}
