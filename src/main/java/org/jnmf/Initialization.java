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
    /** Start from factors given in the options ({@link NmfOptions.Builder#initialFactors}). */
    CUSTOM;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
