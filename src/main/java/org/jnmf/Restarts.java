package org.jnmf;

import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.jnmf.backend.Backend;

/**
 * Several seeded runs of one fit, keeping the one with the lowest final loss (see
 * {@link NmfOptions.Builder#restarts}). The time limit and cancellation cover the whole series: a run that
 * is cancelled or hits the limit is the last, and the best of the runs so far is returned.
 */
final class Restarts {
    private Restarts() {
    }

    /** The seed of every run: run 0 the given seed, run i the i-th draw of a generator seeded with it. */
    static long[] seeds(long seed, int restarts) {
        long[] seeds = new long[restarts];
        SplittableRandom random = new SplittableRandom(seed);
        seeds[0] = seed;
        for (int i = 1; i < restarts; i++) {
            seeds[i] = random.nextLong();
        }
        return seeds;
    }

    static NmfResult fit(Matrix v, NmfOptions options, Backend backend) {
        long start = System.nanoTime();
        long[] seeds = seeds(options.seed(), options.restarts());
        double[] losses = new double[seeds.length];
        NmfResult best = null;
        int bestRun = 0;
        int runs = 0;
        for (int i = 0; i < seeds.length; i++) {
            NmfOptions.Builder run = options.toBuilder().restarts(1).seed(seeds[i]);
            if (options.initialization() == null) {
                run.initialization(options.initializationFor(v.rows(), v.cols()));
            }
            if (options.timeLimit() != null) {
                Duration left = options.timeLimit().minusNanos(System.nanoTime() - start);
                if (left.isNegative() || left.isZero()) {
                    break;
                }
                run.timeLimit(left);
            }
            NmfResult r = Nmf.fit(v, run.build(), backend);
            losses[i] = r.loss();
            runs++;
            if (best == null || r.loss() < best.loss()) {
                best = r;
                bestRun = i;
            }
            if (r.stopReason() == StopReason.CANCELLED || r.stopReason() == StopReason.TIME_LIMIT) {
                break;
            }
        }
        return best.withRestarts(Arrays.copyOf(losses, runs), Arrays.copyOf(seeds, runs), bestRun);
    }
}
