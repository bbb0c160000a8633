package org.jnmf.analysis;

import java.util.function.IntFunction;
import org.jnmf.Initialization;
import org.jnmf.Matrix;
import org.jnmf.Nmf;
import org.jnmf.NmfOptions;
import org.jnmf.NmfResult;

/**
 * Figures for choosing the rank k:
 * <ul>
 *   <li>cross-validation: hide a random fraction of V's entries, fit the rest (a fit with a mask of the observed
 *       entries, {@link NmfOptions.Builder#mask}), and measure the error on the
 *       hidden ones; too small a rank misses structure, too large a one fits the noise, so the held-out error
 *       is lowest near the true rank;</li>
 *   <li>consensus clustering over restarts from random starting points (see {@link Consensus}).</li>
 * </ul>
 */
public final class RankSelection {
    /** The most entries cross-validation takes (a masked fit holds V and its mask densely). */
    public static final long MAX_CROSS_VALIDATION_ENTRIES = 1L << 26;

    private RankSelection() {
    }

    /** Which way the samples lie in V. */
    public enum Samples {
        /** Samples are rows of V (jnmf's convention): each is clustered by its largest entry in W's row. */
        ROWS,
        /** Samples are columns of V (genes × samples, as Brunet et al.): each by its largest entry in H's column. */
        COLUMNS
    }

    /** The consensus figures at one rank, with the mean relative error of its fits. */
    public record ConsensusFigures(int rank, int runs, double cophenetic, double dispersion, double meanRelativeError,
                                   double[][] consensus) {
    }

    /**
     * Fits {@code v} {@code restarts} times at rank {@code k}, from random starting points seeded
     * {@code seed}, {@code seed + 1}, ..., and summarises how consistently the fits cluster the samples.
     *
     * @param optionsForRank the options of each fit at a rank (the initialisation and seed are set here)
     * @param afterEachFit   called after each fit (a progress bar), or null
     */
    public static ConsensusFigures consensus(Matrix v, int k, int restarts, long seed, Samples samples,
                                             IntFunction<NmfOptions.Builder> optionsForRank, Runnable afterEachFit) {
        if (restarts < 2) {
            throw new IllegalArgumentException("consensus clustering needs at least 2 restarts; got " + restarts);
        }
        Consensus consensus = new Consensus(samples == Samples.ROWS ? v.rows() : v.cols());
        double errors = 0;
        for (int r = 0; r < restarts; r++) {
            NmfOptions options = optionsForRank.apply(k).initialization(Initialization.RANDOM).seed(seed + r).build();
            NmfResult fit = Nmf.fit(v, options);
            consensus.add(samples == Samples.ROWS ? Clustering.dominantPerRow(fit.w())
                    : Clustering.dominantPerColumn(fit.h()));
            errors += fit.relativeError();
            if (afterEachFit != null) {
                afterEachFit.run();
            }
        }
        return new ConsensusFigures(k, restarts, consensus.copheneticCorrelation(), consensus.dispersion(),
                errors / restarts, consensus.matrix());
    }

    /** The cross-validation figures at one rank: held-out and training errors, each relative (see below). */
    public record CrossValidationFigures(int rank, int repeats, double heldOutError, double heldOutErrorSpread,
                                         double trainingError) {
    }

    /**
     * {@code repeats} random hold-out patterns over an n×m matrix, each hiding {@code fraction} of the entries
     * (rounded), chosen uniformly; one pattern per repeat, shared by every rank so that ranks are compared on
     * the same hidden entries.
     */
    public static java.util.List<boolean[]> holdOuts(int n, int m, double fraction, int repeats, long seed) {
        if (!(fraction > 0 && fraction < 1)) {
            throw new IllegalArgumentException("the held-out fraction must be between 0 and 1 (exclusive); got " + fraction);
        }
        if (repeats < 1) {
            throw new IllegalArgumentException("cross-validation needs at least one repeat; got " + repeats);
        }
        int size = n * m;
        int hidden = (int) Math.round(fraction * size);
        if (hidden < 1 || hidden >= size) {
            throw new IllegalArgumentException("holding out " + fraction + " of " + size + " entries leaves "
                    + (hidden < 1 ? "none hidden" : "none to fit") + "; choose another fraction");
        }
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        java.util.List<boolean[]> patterns = new java.util.ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            int[] order = new int[size];
            for (int p = 0; p < size; p++) {
                order[p] = p;
            }
            boolean[] held = new boolean[size];
            for (int p = 0; p < hidden; p++) { // partial Fisher–Yates
                int q = p + random.nextInt(size - p);
                int t = order[p];
                order[p] = order[q];
                order[q] = t;
                held[order[p]] = true;
            }
            patterns.add(held);
        }
        return patterns;
    }

    /**
     * Fits the entries of {@code v} outside each hold-out pattern at rank {@code k} (the library's fit with a
     * mask, from a random start seeded {@code seed + repeat}) and measures, on the held-out entries,
     * √(Σ (V − WH)² / Σ V²); the figure is the mean over patterns, with their standard deviation as the spread.
     * The training error is the same measure on the fitted entries.
     *
     * @param optionsForRank the options of each fit at a rank (the initialisation, seed and mask are set here)
     * @param afterEachFit   called after each fit (a progress bar), or null
     */
    public static CrossValidationFigures crossValidation(Matrix v, int k, java.util.List<boolean[]> heldOut,
                                                         IntFunction<NmfOptions.Builder> optionsForRank, long seed,
                                                         Runnable afterEachFit) {
        int n = v.rows();
        int m = v.cols();
        if ((long) n * m > MAX_CROSS_VALIDATION_ENTRIES) {
            throw new IllegalArgumentException("cross-validation holds V densely (with a mask) and "
                    + n + "×" + m + " is more than " + MAX_CROSS_VALIDATION_ENTRIES + " entries; choose the rank on a"
                    + " sample of the rows");
        }
        double[] errors = new double[heldOut.size()];
        double training = 0;
        double[] observed = new double[n * m];
        for (int r = 0; r < heldOut.size(); r++) {
            boolean[] held = heldOut.get(r);
            if (held.length != observed.length) {
                throw new IllegalArgumentException("hold-out pattern " + r + " covers " + held.length
                        + " entries; V has " + observed.length);
            }
            for (int p = 0; p < held.length; p++) {
                observed[p] = held[p] ? 0 : 1;
            }
            NmfResult fit = Nmf.fit(v, optionsForRank.apply(k).initialization(Initialization.RANDOM).seed(seed + r)
                    .mask(org.jnmf.DenseMatrix.wrap(n, m, observed.clone())).build());
            double[] w = fit.w().toDoubleArray();
            double[] h = fit.h().toDoubleArray();
            double[] heldSums = new double[2];
            double[] fitSums = new double[2];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < m; j++) {
                    double wh = 0;
                    for (int c = 0; c < k; c++) {
                        wh += w[i * k + c] * h[c * m + j];
                    }
                    double x = v.get(i, j);
                    double[] sums = held[i * m + j] ? heldSums : fitSums;
                    sums[0] += (x - wh) * (x - wh);
                    sums[1] += x * x;
                }
            }
            errors[r] = heldSums[1] > 0 ? Math.sqrt(heldSums[0] / heldSums[1]) : Math.sqrt(heldSums[0]);
            training += fitSums[1] > 0 ? Math.sqrt(fitSums[0] / fitSums[1]) : Math.sqrt(fitSums[0]);
            if (afterEachFit != null) {
                afterEachFit.run();
            }
        }
        double mean = java.util.Arrays.stream(errors).average().orElse(Double.NaN);
        double spread = 0;
        for (double e : errors) {
            spread += (e - mean) * (e - mean);
        }
        spread = errors.length > 1 ? Math.sqrt(spread / (errors.length - 1)) : 0;
        return new CrossValidationFigures(k, errors.length, mean, spread, training / errors.length);
    }
}
