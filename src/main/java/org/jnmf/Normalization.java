package org.jnmf;

/**
 * How the factors are scaled when a fit ends. W·H is the same model for W·D and D⁻¹·H with any positive
 * diagonal D, so a fit may report W with unit columns and carry the scale into H's rows.
 */
public enum Normalization {
    /** The factors as the algorithm left them. */
    NONE,
    /** Every column of W sums to 1 (a distribution over rows); H's rows carry the sums. */
    L1,
    /** Every column of W has Euclidean norm 1; H's rows carry the norms. */
    L2;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
