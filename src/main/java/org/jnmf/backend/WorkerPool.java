package org.jnmf.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;
import org.jnmf.NmfException;

/**
 * The worker threads of one fit. Kernels split their work into a fixed number of independent tasks whose
 * results do not depend on which thread runs them, so a seed gives the same bits whatever the count.
 */
public final class WorkerPool implements AutoCloseable {
    /** Operations below which a kernel call runs on the calling thread (a pool hand-off costs ~50 µs). */
    static final long INLINE_WORK = 1L << 17;

    private final int threads;
    private final ExecutorService executor;

    public WorkerPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1; got " + threads);
        }
        this.threads = threads;
        this.executor = threads == 1 ? null : Executors.newFixedThreadPool(threads - 1, runnable -> {
            Thread t = new Thread(runnable, "jnmf-worker");
            t.setDaemon(true);
            return t;
        });
    }

    public int threads() {
        return threads;
    }

    /** Runs {@code body(0..tasks-1)}, the calling thread taking part, and returns when all are done. */
    public void run(int tasks, IntConsumer body) {
        if (tasks <= 0) {
            return;
        }
        if (executor == null || tasks == 1) {
            for (int t = 0; t < tasks; t++) {
                body.accept(t);
            }
            return;
        }
        int lanes = Math.min(threads, tasks);
        List<Future<?>> futures = new ArrayList<>(lanes - 1);
        for (int lane = 1; lane < lanes; lane++) {
            int first = lane;
            futures.add(executor.submit(() -> {
                for (int t = first; t < tasks; t += lanes) {
                    body.accept(t);
                }
            }));
        }
        RuntimeException failure = null;
        try {
            for (int t = 0; t < tasks; t += lanes) {
                body.accept(t);
            }
        } catch (RuntimeException e) {
            failure = e;
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new NmfException("interrupted while waiting for worker threads", e);
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException r ? r : new NmfException("worker failed", e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Splits {@code [0, count)} into at most {@code threads} contiguous ranges whose inner boundaries are
     * multiples of {@code align}, and runs {@code body(from, to)} on each. Work below about
     * {@link #INLINE_WORK} operations ({@code count · workPerUnit}) runs on the calling thread, where
     * handing it to the pool would cost more than it saves; the result is the same either way.
     */
    public void forRange(int count, int align, long workPerUnit, RangeBody body) {
        if ((long) count * workPerUnit < INLINE_WORK) {
            if (count > 0) {
                body.run(0, count);
            }
            return;
        }
        int slices = Math.max(1, Math.min(threads, (count + align - 1) / align));
        int units = (count + align - 1) / align;
        run(slices, s -> {
            int from = Math.min(count, (int) ((long) units * s / slices) * align);
            int to = s == slices - 1 ? count : Math.min(count, (int) ((long) units * (s + 1) / slices) * align);
            if (from < to) {
                body.run(from, to);
            }
        });
    }

    @Override
    public void close() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }
}
