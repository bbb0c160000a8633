package org.jnmf;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The state of a fit after some iteration, from which {@link NmfOptions.Builder#resumeFrom} continues it
 * exactly: the factors and the histories of the checks so far. Every algorithm's next iteration depends
 * only on W and H (the products it reads are recomputed from them, by the same backend arithmetic), so a
 * resumed fit on the same backend, precision and thread count reaches the bits the uninterrupted fit
 * reaches. Only a check that the interrupted run made at its stop (one the uninterrupted fit did not make)
 * can differ: it stays in the histories.
 *
 * <p>Saved in jnmf's model format ({@link NmfModel}) with the iteration, the histories and the settings
 * that shape the trajectory; {@link #checkCompatible} refuses to continue with other settings.
 */
public final class Checkpoint {
    private static final String KIND = "checkpoint";

    private final int iteration;
    private final DenseMatrix w;
    private final DenseMatrix h;
    private final double[] losses;
    private final double[] gradients;
    private final int[] checks;
    private final Map<String, Object> settings;

    Checkpoint(int iteration, DenseMatrix w, DenseMatrix h, double[] losses, double[] gradients, int[] checks,
               Map<String, Object> settings) {
        if (losses.length == 0 || losses.length != gradients.length || losses.length != checks.length) {
            throw new IllegalArgumentException("a checkpoint needs equally long, non-empty histories; got "
                    + losses.length + " losses, " + gradients.length + " gradients and " + checks.length + " checks");
        }
        this.iteration = iteration;
        this.w = w;
        this.h = h;
        this.losses = losses.clone();
        this.gradients = gradients.clone();
        this.checks = checks.clone();
        this.settings = Map.copyOf(settings);
    }

    /**
     * The checkpoint of a fit of V (w's rows × h's columns) with {@code options} in {@code precision} after
     * {@code iteration} iterations, its histories (objective, ‖∇ᴾf‖ and iteration of each check) so far.
     */
    public static Checkpoint of(int iteration, DenseMatrix w, DenseMatrix h, double[] losses, double[] gradients,
                                int[] checks, NmfOptions options, Precision precision) {
        return new Checkpoint(iteration, w, h, losses, gradients, checks,
                settings(options, w.rows(), h.cols(), precision));
    }

    /** The settings of {@code options} on V (n×m) that decide the trajectory, in the file's field names. */
    static Map<String, Object> settings(NmfOptions options, int rows, int cols, Precision precision) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("rows", (long) rows);
        s.put("cols", (long) cols);
        s.put("rank", (long) options.rank());
        s.put("precision", precision.label());
        s.put("algorithm", options.algorithm().label());
        s.put("loss", options.lossLabel());
        s.put("check_every", (long) options.checkInterval());
        s.put("floor", options.floor());
        s.put("l1_w", options.l1W());
        s.put("l2_w", options.l2W());
        s.put("l1_h", options.l1H());
        s.put("l2_h", options.l2H());
        s.put("acceleration", options.acceleration());
        s.put("missing", options.mask() != null ? "mask" : options.missing().label());
        return s;
    }

    /** Iterations done when the checkpoint was taken. */
    public int iteration() {
        return iteration;
    }

    /** W (n×k) after {@link #iteration()} iterations. */
    public DenseMatrix w() {
        return w;
    }

    /** H (k×m) after {@link #iteration()} iterations. */
    public DenseMatrix h() {
        return h;
    }

    /** The objective at each check so far. */
    public double[] losses() {
        return losses.clone();
    }

    /** ‖∇ᴾf‖ at each check so far. */
    public double[] gradients() {
        return gradients.clone();
    }

    /** The iteration of each check so far. */
    public int[] checks() {
        return checks.clone();
    }

    /**
     * Fails unless {@code options} on V (n×m) in {@code precision} continue this checkpoint's trajectory.
     *
     * @throws IllegalArgumentException naming the first setting that differs, with both values
     */
    public void checkCompatible(NmfOptions options, int rows, int cols, Precision precision) {
        if (w.rows() != rows || h.cols() != cols || w.cols() != options.rank()) {
            throw new IllegalArgumentException("cannot resume: the checkpoint holds W " + w.rows() + "×" + w.cols()
                    + " and H " + h.rows() + "×" + h.cols() + ", this fit needs " + rows + "×" + options.rank()
                    + " and " + options.rank() + "×" + cols + "; resume with the same data and rank");
        }
        Map<String, Object> now = settings(options, rows, cols, precision);
        for (Map.Entry<String, Object> e : now.entrySet()) {
            Object then = settings.get(e.getKey());
            if (!same(then, e.getValue())) {
                throw new IllegalArgumentException("cannot resume: the checkpoint was taken with " + e.getKey() + " = "
                        + then + ", this fit has " + e.getKey() + " = " + e.getValue()
                        + "; resume with the same data and options (or start a new fit)");
            }
        }
        if (iteration > options.maxIterations()) {
            throw new IllegalArgumentException("cannot resume: the checkpoint is already at iteration " + iteration
                    + ", beyond max iterations " + options.maxIterations() + "; raise the iteration budget");
        }
    }

    private static boolean same(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return x.doubleValue() == y.doubleValue();
        }
        return Objects.equals(a, b);
    }

    /** Saves the checkpoint atomically (a failure leaves an older checkpoint as it was). */
    public void save(Path file) {
        Map<String, Object> meta = new LinkedHashMap<>(settings);
        meta.put("kind", KIND);
        meta.put("iteration", (long) iteration);
        meta.put("loss_history", losses);
        meta.put("projected_gradient_history", gradients);
        long[] c = new long[checks.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = checks[i];
        }
        meta.put("check_iterations", c);
        NmfModel.withMetadata(w, h, meta).save(file);
    }

    /**
     * Loads a checkpoint written by {@link #save}.
     *
     * @throws ModelFormatException if the file is damaged, not jnmf's, or a saved model rather than a checkpoint
     */
    public static Checkpoint load(Path file) {
        NmfModel model = NmfModel.load(file);
        Map<String, Object> meta = model.metadata();
        if (!KIND.equals(meta.get("kind"))) {
            throw new ModelFormatException(file, "a saved model, not a checkpoint; give the file that"
                    + " 'jnmf fit --checkpoint DIR' wrote (DIR/checkpoint.jnmf)");
        }
        try {
            Map<String, Object> settings = new LinkedHashMap<>();
            for (String key : settings(NmfOptions.rank(1), 1, 1, Precision.DOUBLE).keySet()) {
                settings.put(key, Objects.requireNonNull(meta.get(key), key));
            }
            double[] losses = doubles(meta.get("loss_history"));
            double[] gradients = doubles(meta.get("projected_gradient_history"));
            double[] checkValues = doubles(meta.get("check_iterations"));
            int[] checks = new int[checkValues.length];
            for (int i = 0; i < checks.length; i++) {
                checks[i] = (int) checkValues[i];
            }
            int iteration = ((Number) meta.get("iteration")).intValue();
            return new Checkpoint(iteration, model.w(), model.h(), losses, gradients, checks, settings);
        } catch (RuntimeException e) {
            throw new ModelFormatException(file, "a checkpoint with missing or unreadable fields ("
                    + e.getMessage() + "); take the checkpoint again");
        }
    }

    private static double[] doubles(Object value) {
        List<?> list = (List<?>) Objects.requireNonNull(value, "history");
        double[] out = new double[list.size()];
        for (int i = 0; i < out.length; i++) {
            // A non-finite value is written as null; only a finite history can be resumed.
            out[i] = ((Number) Objects.requireNonNull(list.get(i), "history entry")).doubleValue();
        }
        return out;
    }
}
