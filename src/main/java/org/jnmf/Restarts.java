package org.jnmf;

import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import org.jnmf.backend.Backend;

/**
 * Several seeded runs of one fit, keeping the one with the lowest final loss (see
 * {@link NmfOptions.Builder#restarts}). The time limit and cancellation cover the whole series: a run that
 * is cancelled or hits the limit is the last, and the best of the runs so far is returned. Public for the
 * distributed fit (jnmf-spark), which runs the same series through {@link #series}.
 */
public final class Restarts {
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

    /** What a series found: the kept run, every run's final loss and seed in run order, and which run was kept. */
    public record Series<R>(R best, double[] losses, long[] seeds, int bestRun) {
    }

    /**
     * Runs {@code options.restarts()} fits with restarts 1: run 0 with {@code options.seed()}, run i with the i-th
     * draw of a {@code SplittableRandom} seeded with it, each with the time left of the series' limit;
     * {@code discard} gets each run that is not kept.
     */
    public static <R> Series<R> series(NmfOptions options, Function<NmfOptions.Builder, R> fit,
                                       ToDoubleFunction<R> loss, Function<R, StopReason> stopReason,
                                       Consumer<R> discard) {
        long start = System.nanoTime();
        long[] seeds = seeds(options.seed(), options.restarts());
        double[] losses = new double[seeds.length];
        R best = null;
        int bestRun = 0;
        int runs = 0;
        for (int i = 0; i < seeds.length; i++) {
            NmfOptions.Builder run = options.toBuilder().restarts(1).seed(seeds[i]);
            if (options.timeLimit() != null) {
                Duration left = options.timeLimit().minusNanos(System.nanoTime() - start);
                if (left.isNegative() || left.isZero()) {
                    break;
                }
                run.timeLimit(left);
            }
            R r = fit.apply(run);
            losses[i] = loss.applyAsDouble(r);
            runs++;
            if (best == null || losses[i] < loss.applyAsDouble(best)) {
                if (best != null) {
                    discard.accept(best);
                }
                best = r;
                bestRun = i;
            } else {
                discard.accept(r);
            }
            StopReason stop = stopReason.apply(r);
            if (stop == StopReason.CANCELLED || stop == StopReason.TIME_LIMIT) {
                break;
            }
        }
        return new Series<>(best, Arrays.copyOf(losses, runs), Arrays.copyOf(seeds, runs), bestRun);
    }

    static NmfResult fit(Matrix v, NmfOptions options, Backend backend) {
        Series<NmfResult> s = series(options, run -> {
            if (options.initialization() == null) {
                run.initialization(options.initializationFor(v.rows(), v.cols()));
            }
            return Nmf.fit(v, run.build(), backend);
        }, NmfResult::loss, NmfResult::stopReason, r -> { });
        return s.best().withRestarts(s.losses(), s.seeds(), s.bestRun());
    }
}
