package org.jnmf.backend;

/** The per-entry term of the β-divergence, with scikit-learn's conventions (see {@link Backend#betaDivergence}). */
final class BetaDivergence {
    private BetaDivergence() {
    }

    /** d_β(x ‖ y) for one entry x of V and y of W·H, computed in double. */
    static double term(double x, double y, double beta) {
        boolean present = x > Backend.DIVISION_GUARD;
        double yg = y == 0 ? Backend.DIVISION_GUARD : y;
        if (beta == 1) {
            return y + (present ? x * Math.log(x / yg) - x : 0);
        }
        if (beta == 0) {
            return present ? x / yg - Math.log(x / yg) - 1 : -1;
        }
        double t = (beta - 1) * Math.pow(y, beta);
        if (present) {
            t += Math.pow(x, beta) - beta * x * Math.pow(yg, beta - 1);
        }
        return t / (beta * (beta - 1));
    }
}
