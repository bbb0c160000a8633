package org.jnmf.analysis;

import java.util.function.IntFunction;
import org.jnmf.Initialization;
import org.jnmf.Matrix;
import org.jnmf.Nmf;
import org.jnmf.NmfOptions;
import org.jnmf.NmfResult;

/**
 * Figures for choosing the rank k: consensus clustering over restarts from random starting points
 * (see {@link Consensus}).
 */
public final class RankSelection {
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
}
