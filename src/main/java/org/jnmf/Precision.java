package org.jnmf;

/** Floating-point precision of the arithmetic during a fit. */
public enum Precision {
    /** float32: half the memory traffic, about 7 significant digits. */
    SINGLE,
    /** float64: about 16 significant digits. */
    DOUBLE;

    /** Size of one element in bytes. */
    public int bytes() {
        return this == SINGLE ? Float.BYTES : Double.BYTES;
    }

    /** The element type as people know it: "float32" or "float64". */
    public String type() {
        return this == SINGLE ? "float32" : "float64";
    }

    /** Lower-case name used on the command line and in summaries. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
