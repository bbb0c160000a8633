package org.jnmf;

/** How W and H start. */
public enum Initialization {
    /** |N(0,1)|·√(mean(V)/k) entries from the seed, so that W·H has V's magnitude (as scikit-learn). */
    RANDOM,
    /**
     * Non-negative double SVD (Boutsidis &amp; Gallopoulos 2008) from a seeded randomized truncated SVD.
     * Leaves exact zeros, which multiplicative updates can never leave again: prefer NNDSVDA with MU.
     */
    NNDSVD,
    /** NNDSVD with its zeros replaced by mean(V). */
    NNDSVDA,
    /**
     * NNDSVD with its zeros replaced by small random values, |N(0,1)|·mean(V)/100 from the seed (as
     * scikit-learn's {@code nndsvdar}; its random numbers differ from ours, the rest is the same).
     */
    NNDSVDAR,
    /** Start from factors given in the options ({@link NmfOptions.Builder#initialFactors}). */
    CUSTOM;

    /** Whether this start is computed from a truncated SVD (and so needs rank ≤ min(n, m)). */
    public boolean usesSvd() {
        return this == NNDSVD || this == NNDSVDA || this == NNDSVDAR;
    }

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
