package org.jnmf;

import java.util.ArrayList;
import java.util.List;

/**
 * The iterations of one fit, written once for {@link Nmf#fit} (one machine, its backend in memory or streaming V)
 * and the distributed fit (jnmf-spark): checks every {@link NmfOptions#checkInterval()} iterations and at the
 * last, the relative-decrease tolerance, the KKT test, progress, checkpoints, resuming, cancellation and the time
 * limit. What an iteration and a check compute is the caller's ({@link Fit}).
 *
 * <p>The error tested is √(2·objective) (objective = data loss + penalties); the tolerance stops the fit once
 * an interval lowers it by less than {@code tolerance} times its value at the start; the KKT test once ‖∇ᴾf‖ is
 * at most {@code kktTolerance} times its value at the start. A resumed fit takes those start values from the
 * checkpoint's histories, so it tests the numbers the uninterrupted fit tests.
 */
public final class FitLoop {
    private FitLoop() {
    }

    /** What the loop drives. */
    public interface Fit {
        /** One iteration: the W half-step, then the H half-step. */
        void iterate();

        /**
         * The figures at the current point.
         *
         * @param gradient whether ‖∇ᴾf‖ is needed (the KKT test or a checkpoint asks for it); when false the
         *                 check may report NaN for it
         */
        Check check(boolean gradient);

        /** W (n×k) now, in the fit's precision, for a checkpoint. */
        DenseMatrix w();

        /** H (k×m) now, in the fit's precision, for a checkpoint. */
        DenseMatrix h();
    }

    /**
     * One check's figures.
     *
     * @param dataLoss        the loss without penalties (½‖V − WH‖² or the β-divergence)
     * @param objective       dataLoss plus the penalties
     * @param residualSquared ‖V − WH‖² (over the observed entries of a masked fit)
     * @param gradient        ‖∇ᴾf‖_F, or NaN where it was not asked for
     */
    public record Check(double dataLoss, double objective, double residualSquared, double gradient) {
    }

    /**
     * How the loop ended.
     *
     * @param last   the check at the stop (one is made there if the schedule did not)
     * @param change the last relative decrease of the error between checks (NaN before the second check)
     */
    public record Outcome(int iterations, StopReason stop, double[] losses, double[] gradients, int[] checks,
                          Check last, double change) {
    }

    /**
     * Runs the iterations up to {@link NmfOptions#maxIterations()} in all, from the start or from
     * {@link NmfOptions#resumeFrom()} (already checked compatible, its factors already in {@code fit}).
     *
     * @param start     {@link System#nanoTime()} when the fit began, for the time limit
     * @param normV2    ‖V‖² (of the observed entries), for the relative error reported as progress
     * @param precision the fit's, recorded in checkpoints
     */
    public static Outcome run(NmfOptions options, long start, double normV2, Precision precision, Fit fit) {
        boolean needGradient = options.kktTolerance() > 0 || options.checkpointEvery() > 0;
        List<Double> losses = new ArrayList<>();
        List<Double> gradients = new ArrayList<>();
        List<Integer> checks = new ArrayList<>();
        Checkpoint resume = options.resumeFrom();
        Check now = null;
        int iteration = 0;
        if (resume == null) {
            now = record(fit.check(needGradient), 0, losses, gradients, checks);
        } else {
            iteration = resume.iteration();
            for (double x : resume.losses()) {
                losses.add(x);
            }
            for (double x : resume.gradients()) {
                gradients.add(x);
            }
            for (int x : resume.checks()) {
                checks.add(x);
            }
        }
        double error0 = errorOf(losses.getFirst());
        double gradient0 = gradients.getFirst();
        double previousError = errorOf(losses.getLast());
        double change = Double.NaN;
        StopReason stop = StopReason.MAX_ITERATIONS;
        boolean checkedLast = now != null;
        int checkpointed = iteration;
        while (iteration < options.maxIterations()) {
            fit.iterate();
            iteration++;
            checkedLast = false;
            if (iteration % options.checkInterval() == 0 || iteration == options.maxIterations()) {
                now = record(fit.check(needGradient), iteration, losses, gradients, checks);
                checkedLast = true;
                double error = errorOf(now.objective());
                change = error0 > 0 ? (previousError - error) / error0 : 0;
                if (options.progress() != null) {
                    options.progress().onCheck(iteration, options.maxIterations(),
                            relative(now.residualSquared(), normV2), change);
                }
                previousError = error;
                if (error0 == 0 || (options.tolerance() > 0 && change < options.tolerance())) {
                    stop = StopReason.CONVERGED;
                    break;
                }
                if (options.kktTolerance() > 0 && now.gradient() <= options.kktTolerance() * gradient0) {
                    stop = StopReason.STATIONARY;
                    break;
                }
            }
            if (options.checkpointEvery() > 0 && iteration % options.checkpointEvery() == 0) {
                checkpoint(options, precision, fit, iteration, losses, gradients, checks);
                checkpointed = iteration;
            }
            StopReason interruption = options.interruption(start);
            if (interruption != null) {
                stop = interruption;
                break;
            }
        }
        if (!checkedLast) {
            now = record(fit.check(needGradient), iteration, losses, gradients, checks);
            change = error0 > 0 ? (previousError - errorOf(now.objective())) / error0 : 0;
        }
        if (options.checkpointEvery() > 0 && checkpointed != iteration) {
            checkpoint(options, precision, fit, iteration, losses, gradients, checks);
        }
        return new Outcome(iteration, stop, doubles(losses), doubles(gradients),
                checks.stream().mapToInt(Integer::intValue).toArray(), now, change);
    }

    /** √(max(0, 2·objective)): the error the tolerance compares. */
    public static double errorOf(double objective) {
        return Math.sqrt(Math.max(0, 2 * objective));
    }

    /** ‖V − WH‖ / ‖V‖ (0 for V = 0). */
    public static double relative(double residualSquared, double normV2) {
        return normV2 > 0 ? Math.sqrt(residualSquared / normV2) : 0;
    }

    private static Check record(Check check, int iteration, List<Double> losses, List<Double> gradients,
                                List<Integer> checks) {
        losses.add(check.objective());
        gradients.add(check.gradient());
        checks.add(iteration);
        return check;
    }

    private static void checkpoint(NmfOptions options, Precision precision, Fit fit, int iteration,
                                   List<Double> losses, List<Double> gradients, List<Integer> checks) {
        options.checkpointSink().accept(Checkpoint.of(iteration, fit.w(), fit.h(), doubles(losses), doubles(gradients),
                checks.stream().mapToInt(Integer::intValue).toArray(), options, precision));
    }

    private static double[] doubles(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
