package org.jnmf.spark;

import java.io.Serializable;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.jnmf.Algorithm;
import org.jnmf.BetaProducts;
import org.jnmf.DenseMatrix;
import org.jnmf.FrobeniusHalfStep;
import org.jnmf.Masking;
import org.jnmf.Missing;
import org.jnmf.Precision;
import org.jnmf.backend.Backend;
import org.jnmf.backend.Backends;
import org.jnmf.backend.DeviceMatrix;
import org.jnmf.cuda.CudaConfig;

/**
 * What a task does to its row block with the local jnmf backend: the W step of HALS, MU or ANLS (row by row,
 * exactly the arithmetic of {@link org.jnmf.Nmf}, penalties l1W and l2W included), the block's share of WᵀV
 * and WᵀW and of the penalty's sums (ΣW, ‖W‖²), and the block's share of ‖V − WH‖².
 */
final class LocalSolver implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Names this fit's resident blocks on the executors ({@link ExecutorBackends}). */
    private final String fit;
    private final String backend;
    private final Precision precision;
    private final int threads;
    private final Algorithm algorithm;
    private final double floor;
    private final double beta;
    private final double l1W;
    private final double l2W;
    private final int k;
    private final int m;
    /** Which entries of V are missing ({@link Missing#NONE}: none, or an explicit mask in the blocks). */
    private final Missing missing;
    /** Whether the fit works on the observed entries only (missing entries, or an explicit mask). */
    private final boolean masked;

    LocalSolver(String fit, String backend, Precision precision, int threads, Algorithm algorithm, double floor,
                double beta, double l1W, double l2W, int k, int m, Missing missing, boolean explicitMask) {
        this.missing = missing;
        this.masked = missing != Missing.NONE || explicitMask;
        this.fit = fit;
        this.backend = backend;
        this.precision = precision;
        this.threads = threads;
        this.algorithm = algorithm;
        this.floor = floor;
        this.beta = beta;
        this.l1W = l1W;
        this.l2W = l2W;
        this.k = k;
        this.m = m;
    }

    /**
     * The backend a task opens: on an executor given GPUs by Spark's resource scheduling
     * ({@code spark.executor.resource.gpu.amount}, {@code spark.task.resource.gpu.amount}), the CUDA device is
     * the task's first GPU address instead of {@code jnmf.cuda.device}.
     */
    private ExecutorBackends.Opened open(boolean sparse) {
        CudaConfig cuda = CudaConfig.fromSystemProperties();
        String gpu = taskGpu();
        if (gpu != null) {
            try {
                cuda = cuda.withDevice(Integer.parseInt(gpu.strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Spark gave this task GPU address '" + gpu + "', not a CUDA device"
                        + " number; make the GPU discovery script print device ordinals such as [\"0\"]");
            }
        }
        Backends.Selection s = Backends.open(backend, precision, threads, new Backends.Shape(0, 0, 0, sparse), cuda);
        return new ExecutorBackends.Opened(s.backend(), s.reason() + (gpu == null ? ""
                : "; GPU " + gpu + " from Spark's resource scheduling"));
    }

    /** The task's first GPU address from Spark's resource scheduling, or null (none, or not in a task). */
    private static String taskGpu() {
        TaskContext task = TaskContext.get();
        if (task == null) {
            return null;
        }
        ResourceInformation gpu = task.resourcesJMap().get("gpu");
        return gpu == null || gpu.addresses().length == 0 ? null : gpu.addresses()[0];
    }

    /**
     * The block's resident backend and data for this task: V, or for a masked fit ({@code MaskedFrobeniusStep}
     * on one machine) V's observed values (0 where missing), the mask M and its complement 1 − M.
     */
    private ExecutorBackends.Lease lease(RowBlock block) {
        if (!masked) {
            return ExecutorBackends.lease(fit, block, () -> open(block.isSparse()));
        }
        return ExecutorBackends.lease(fit, block, () -> open(false), be -> {
            Masking.Observed o = observed(block);
            return new DeviceMatrix[] {be.upload(o.values()), be.upload(o.mask()), be.upload(o.complement())};
        });
    }

    /** The block's observed entries: by its rows of the explicit mask, or as {@link #missing} says. */
    private Masking.Observed observed(RowBlock block) {
        return block.mask != null ? Masking.observed(block.toMatrix(), DenseMatrix.wrap(block.rows, block.cols,
                block.mask)) : Masking.observed(block.toMatrix(), missing);
    }

    /** filled ← V on the observed entries, W·H on the missing ones ({@code MaskedFrobeniusStep.data}). */
    private static void complete(Backend be, DeviceMatrix[] data, DeviceMatrix wd, DeviceMatrix hd,
                                 DeviceMatrix filled) {
        be.sampledPower(data[2], wd, hd, 1, filled);
        be.combine(filled, 1, data[0], 0, filled);
    }

    /**
     * Length of a {@link BlockStep}'s products. Frobenius: WᵀV (k×m), WᵀW (k×k); β loss: H's numerator
     * Wᵀ·(V ⊙ (WH)^(β−2)) (k×m), then Wᵀ·(WH)^(β−1) (k×m) or, for β = 1, W's column sums (k); then ΣW and ‖W‖²
     * (0 without l1W, l2W).
     */
    int productsLength() {
        return beta == 2 ? k * m + k * k + 2 : k * m + (beta == 1 ? k : k * m) + 2;
    }

    /**
     * Updates the block's W for the broadcast H (none: keep W, as for the initial products) and returns
     * the new W with its WᵀV, WᵀW and penalty sums (and, for ANLS, its passive sets: {@code passive} is the
     * previous step's, the warm start, or null). The penalties enter as in {@code FrobeniusStep}: for HALS
     * V·Hᵀ − l1W and H·Hᵀ + l2W·I, for MU l2W·W + l1W added to the denominator.
     */
    BlockStep step(RowBlock block, double[] w, boolean[] passive, FactorBroadcast h) {
        try (ExecutorBackends.Lease lease = lease(block)) {
            Backend be = lease.backend();
            int rows = block.rows;
            DeviceMatrix v = lease.v();
            DeviceMatrix wd = be.upload(rows, k, w);
            if (beta != 2) {
                double[] products = new double[productsLength()];
                if (h != null) {
                    betaStep(be, v, wd, be.upload(k, m, h.h()), products);
                }
                penaltySums(be, wd, products);
                return new BlockStep(be.download(wd), products, null);
            }
            DeviceMatrix hd = h == null ? null : be.upload(k, m, h.h());
            DeviceMatrix data = dataFor(be, lease, wd, hd);
            if (h != null) {
                DeviceMatrix vht = be.allocate(rows, k);
                be.multiplyByTransposed(data, hd, vht);
                // Nmf.fit's W half-step on this block's rows (the lease frees what it allocates).
                boolean[] solved = halfStepOfW(be).update(wd, vht, be.upload(k, k, h.hht()),
                        algorithm == Algorithm.MULTIPLICATIVE ? be.allocate(rows, k) : null, passive);
                if (solved != null) {
                    passive = solved;
                }
            }
            return afterStep(be, lease, wd, hd, data, passive);
        }
    }

    /**
     * Accelerated HALS, first job: from the block's W, A = V·Hᵀ (of V completed with the current model when
     * entries are missing) and {@code sweeps} sweeps on a copy of W, each one's ‖ΔW‖² over the block. The driver
     * sums those over the blocks and picks how many sweeps the rule over all of W keeps ({@link #commit}).
     */
    Trial trial(RowBlock block, double[] w, FactorBroadcast h, int sweeps) {
        try (ExecutorBackends.Lease lease = lease(block)) {
            Backend be = lease.backend();
            DeviceMatrix wd = be.upload(block.rows, k, w);
            DeviceMatrix hd = be.upload(k, m, h.h());
            DeviceMatrix vht = be.allocate(block.rows, k);
            be.multiplyByTransposed(dataFor(be, lease, wd, hd), hd, vht);
            double[] a = be.download(vht);
            double[] moved = halfStepOfW(be).trialSweeps(wd, vht, be.upload(k, k, h.hht()), sweeps);
            return new Trial(w, a, moved);
        }
    }

    /**
     * Accelerated HALS, second job: the kept number of sweeps from the trial's W and A (the same bits the trial's
     * first {@code sweeps} sweeps reached), then the block's products as {@link #step} returns them.
     */
    BlockStep commit(RowBlock block, Trial trial, FactorBroadcast h, int sweeps) {
        try (ExecutorBackends.Lease lease = lease(block)) {
            Backend be = lease.backend();
            DeviceMatrix wd = be.upload(block.rows, k, trial.w());
            DeviceMatrix hd = be.upload(k, m, h.h());
            halfStepOfW(be).sweeps(wd, be.upload(block.rows, k, trial.a()), be.upload(k, k, h.hht()), sweeps);
            DeviceMatrix data = !masked ? lease.v() : be.allocateLike(lease.v());
            return afterStep(be, lease, wd, hd, data, null);
        }
    }

    /** A block's accelerated-HALS trial: its W before the step, A = V·Hᵀ, and ‖ΔW‖² of each trial sweep. */
    record Trial(double[] w, double[] a, double[] moved) implements Serializable {
    }

    private FrobeniusHalfStep halfStepOfW(Backend be) {
        return new FrobeniusHalfStep(be, algorithm, true, l1W, l2W, floor, 1, x -> x);
    }

    /**
     * The matrix the W step reads: V, or a masked fit's V completed with the current W and H (without H, as for
     * the initial products: V's observed values).
     */
    private DeviceMatrix dataFor(Backend be, ExecutorBackends.Lease lease, DeviceMatrix wd, DeviceMatrix hd) {
        if (!masked || hd == null) {
            return lease.v();
        }
        DeviceMatrix data = be.allocateLike(lease.v());
        complete(be, lease.data(), wd, hd, data);
        return data;
    }

    /**
     * The block's products at its new W: WᵀV, WᵀW and the penalty sums (a masked fit first completes V again,
     * with the new W, into {@code data}).
     */
    private BlockStep afterStep(Backend be, ExecutorBackends.Lease lease, DeviceMatrix wd, DeviceMatrix hd,
                                DeviceMatrix data, boolean[] passive) {
        if (masked && hd != null) {
            complete(be, lease.data(), wd, hd, data);
        }
        DeviceMatrix wtv = be.allocate(k, m);
        DeviceMatrix wtw = be.allocate(k, k);
        be.multiplyTransposedBy(wd, data, wtv);
        be.gramOfColumns(wd, wtw);
        double[] products = new double[productsLength()];
        System.arraycopy(be.download(wtv), 0, products, 0, k * m);
        System.arraycopy(be.download(wtw), 0, products, k * m, k * k);
        penaltySums(be, wd, products);
        return new BlockStep(be.download(wd), products, passive);
    }

    /** ΣW and ‖W‖² of the block into the products' last two places, where the penalty needs them. */
    private void penaltySums(Backend be, DeviceMatrix wd, double[] products) {
        int at = products.length - 2;
        if (l1W > 0) {
            products[at] = be.dot(wd, be.upload(wd.rows(), k, FrobeniusHalfStep.ones(wd.rows() * k)));
        }
        if (l2W > 0) {
            products[at + 1] = be.dot(wd, wd);
        }
    }

    /**
     * The β-divergence W step of {@code BetaStep} on the block's rows (they are independent given H), then
     * the block's shares of H's numerator and denominator at the new W, into {@code products}.
     */
    private void betaStep(Backend be, DeviceMatrix v, DeviceMatrix wd, DeviceMatrix hd, double[] products) {
        BetaProducts b = new BetaProducts(be, v, k, beta, x -> x);
        DeviceMatrix numW = be.allocate(wd.rows(), k);
        DeviceMatrix denW = be.allocate(wd.rows(), k);
        b.forW(wd, hd, numW, denW, l1W, l2W);
        BetaProducts.update(be, wd, numW, denW, beta, true, floor);
        sharesOfH(be, b, wd, hd, products);
    }

    /** The block's Wᵀ·(V ⊙ (WH)^(β−2)) and Wᵀ·(WH)^(β−1) (for β = 1, W's column sums) into products. */
    private void sharesOfH(Backend be, BetaProducts b, DeviceMatrix wd, DeviceMatrix hd, double[] products) {
        DeviceMatrix numH = be.allocate(k, m);
        DeviceMatrix denominator = beta == 1 ? be.allocate(k, 1) : be.allocate(k, m);
        b.forH(wd, hd, numH, denominator);
        System.arraycopy(be.download(numH), 0, products, 0, k * m);
        double[] d = be.download(denominator);
        System.arraycopy(d, 0, products, k * m, d.length);
    }

    /**
     * The block's share of ‖∇ᴾf‖² over W at the current point (penalties included, as {@code Step}'s
     * projectedGradientSquared), in element 0; for a β loss followed by H's products at the current point in
     * the {@link #productsLength()} layout, from which the driver takes H's part.
     */
    double[] gradient(RowBlock block, double[] w, FactorBroadcast h) {
        try (ExecutorBackends.Lease lease = lease(block)) {
            Backend be = lease.backend();
            DeviceMatrix v = lease.v();
            DeviceMatrix wd = be.upload(block.rows, k, w);
            DeviceMatrix hd = be.upload(k, m, h.h());
            if (masked) {
                // MaskedFrobeniusStep's gradient: ∇_W = (M ⊙ WH)·Hᵀ − V·Hᵀ, and the block's Wᵀ·V, Wᵀ·(M ⊙ WH) for H's.
                DeviceMatrix sampled = be.allocateLike(v);
                be.sampledPower(lease.data()[1], wd, hd, 1, sampled);
                DeviceMatrix numW = be.allocate(block.rows, k);
                DeviceMatrix denW = be.allocate(block.rows, k);
                be.multiplyByTransposed(v, hd, numW);
                be.multiplyByTransposed(sampled, hd, denW);
                FrobeniusHalfStep.addPenaltyGradient(be, denW, l1W, l2W, wd);
                DeviceMatrix numH = be.allocate(k, m);
                DeviceMatrix denH = be.allocate(k, m);
                be.multiplyTransposedBy(wd, v, numH);
                be.multiplyTransposedBy(wd, sampled, denH);
                double[] out = new double[1 + 2 * k * m];
                out[0] = be.projectedGradientSquared(wd, numW, denW);
                System.arraycopy(be.download(numH), 0, out, 1, k * m);
                System.arraycopy(be.download(denH), 0, out, 1 + k * m, k * m);
                return out;
            }
            if (beta == 2) {
                DeviceMatrix vht = be.allocate(block.rows, k);
                be.multiplyByTransposed(v, hd, vht);
                DeviceMatrix whht = be.allocate(block.rows, k);
                be.multiply(wd, be.upload(k, k, h.hht()), whht);
                FrobeniusHalfStep.addPenaltyGradient(be, whht, l1W, l2W, wd);
                return new double[] {be.projectedGradientSquared(wd, vht, whht)};
            }
            BetaProducts b = new BetaProducts(be, v, k, beta, x -> x);
            DeviceMatrix numW = be.allocate(block.rows, k);
            DeviceMatrix denW = be.allocate(block.rows, k);
            b.forW(wd, hd, numW, denW, l1W, l2W);
            double[] out = new double[1 + productsLength()];
            out[0] = be.projectedGradientSquared(wd, numW, denW);
            double[] products = new double[productsLength()];
            sharesOfH(be, b, wd, hd, products);
            penaltySums(be, wd, products);
            System.arraycopy(products, 0, out, 1, products.length);
            return out;
        }
    }

    /** The block's β-divergence D(V_b ‖ W_b·H) and ‖V_b − W_b·H‖², as {@code BetaStep.fit} computes them. */
    double[] betaLoss(RowBlock block, double[] w, double[] h) {
        try (ExecutorBackends.Lease lease = lease(block)) {
            Backend be = lease.backend();
            DeviceMatrix v = lease.v();
            DeviceMatrix wd = be.upload(block.rows, k, w);
            DeviceMatrix hd = be.upload(k, m, h);
            return new double[] {be.betaDivergence(v, wd, hd, beta), be.residualSquared(v, wd, hd)};
        }
    }

    /** ‖V_block − W_block·H‖² computed directly. */
    double residualSquared(RowBlock block, double[] w, double[] h) {
        try (ExecutorBackends.Lease lease = lease(block)) {
            Backend be = lease.backend();
            return be.residualSquared(lease.v(), be.upload(block.rows, k, w), be.upload(k, m, h));
        }
    }

    /** The block's rows of V·Zᵀ (rows×l) for the randomized SVD's Z (l×m): {@code Initializer.Sketch}. */
    double[] timesTransposed(RowBlock block, double[] z, int l) {
        try (ExecutorBackends.Lease lease = lease(block)) {
            Backend be = lease.backend();
            DeviceMatrix y = be.allocate(block.rows, l);
            be.multiplyByTransposed(lease.v(), be.upload(l, m, z), y);
            return be.download(y);
        }
    }

    /** The block's share of Qᵀ·V (l×m) for its rows of Q (rows×l). */
    double[] transposedTimes(RowBlock block, double[] q, int l) {
        try (ExecutorBackends.Lease lease = lease(block)) {
            Backend be = lease.backend();
            DeviceMatrix zt = be.allocate(l, m);
            be.multiplyTransposedBy(be.upload(block.rows, l, q), lease.v(), zt);
            return be.download(zt);
        }
    }

    /** ‖M ⊙ (V − W·H)‖² over the block's observed entries ({@code MaskedFrobeniusStep.fit}). */
    double maskedResidual(RowBlock block, double[] w, double[] h) {
        try (ExecutorBackends.Lease lease = lease(block)) {
            Backend be = lease.backend();
            DeviceMatrix[] data = lease.data();
            DeviceMatrix sampled = be.allocateLike(data[0]);
            be.sampledPower(data[1], be.upload(block.rows, k, w), be.upload(k, m, h), 1, sampled);
            be.combine(data[0], -1, sampled, 0, sampled);
            return be.dot(sampled, sampled);
        }
    }

    /**
     * ‖V_block‖² as the backend adds it (of the observed values when entries are missing), Σ V and the count
     * of the entries observed, and which backend holds the block and why.
     */
    BlockStats stats(RowBlock block) {
        try (ExecutorBackends.Lease lease = lease(block)) {
            double norm = lease.backend().squaredNorm(lease.v());
            if (!masked) {
                return new BlockStats(block.sum(), norm, (long) block.rows * block.cols, block.values.length,
                        lease.description());
            }
            Masking.Observed o = observed(block);
            return new BlockStats(o.sum(), norm, o.observed(), block.values.length, lease.description());
        }
    }

    /**
     * A block's Σ V and ‖V‖² over its observed entries, their count, the entries it stores (the products' cost,
     * as {@code Matrix.storedEntries}), and its executor's backend with the reason.
     */
    record BlockStats(double sum, double squaredNorm, long observed, long stored, String backend)
            implements Serializable {
    }
}
