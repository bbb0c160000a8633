package org.jnmf.cuda;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The one platform thread that makes every CUDA call of a backend: a CUDA context is current per OS
 * thread, so all driver and cuBLAS calls, including frees, must come from the thread that made it current.
 * (Virtual threads would migrate between carriers and are not used.)
 *
 * <p>Work that returns nothing is {@linkplain #post posted} without waiting, so the solver thread queues
 * a whole iteration while the GPU runs; the first failure is kept, later posted work (except clean-up) is
 * skipped, and the next {@link #post} or {@link #call} throws it on the caller's thread with the failed
 * call's name. Work that returns a value is {@linkplain #call called} and waited for.
 */
final class GpuThread implements AutoCloseable {
    private final ExecutorService executor;
    private volatile RuntimeException pending;

    GpuThread(String name) {
        executor = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name(name).daemon().unstarted(r));
    }

    /** Runs {@code work} on the GPU thread and returns its result, rethrowing its failure here. */
    <T> T call(Callable<T> work) {
        throwPending();
        Future<T> f = executor.submit(() -> {
            if (pending != null) {
                return null;
            }
            return work.call();
        });
        T result;
        try {
            result = f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the GPU thread", e);
        } catch (ExecutionException e) {
            throw rethrowHere(e.getCause());
        }
        throwPending();
        return result;
    }

    /** Queues {@code work} without waiting; a failure is reported by the next post or call. */
    void post(Runnable work) {
        throwPending();
        executor.execute(() -> {
            if (pending != null) {
                return;
            }
            try {
                work.run();
            } catch (RuntimeException | Error e) {
                pending = e instanceof RuntimeException r ? r : new IllegalStateException(e);
            }
        });
    }

    /** Queues clean-up that runs even after a failure and never reports one. */
    void postCleanup(Runnable work) {
        if (executor.isShutdown()) {
            return;
        }
        executor.execute(() -> {
            try {
                work.run();
            } catch (RuntimeException ignored) {
                // Clean-up after a failure may fail again; the first failure is the one reported.
            }
        });
    }

    /** Runs {@code work} on the GPU thread even after a failure, waits, and returns the pending failure. */
    RuntimeException finish(Runnable work) {
        Future<?> f = executor.submit(work);
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            if (pending == null && e.getCause() instanceof RuntimeException r) {
                pending = r;
            }
        }
        return pending;
    }

    private void throwPending() {
        RuntimeException e = pending;
        if (e != null) {
            throw rethrowHere(e);
        }
    }

    /** The failure again, with this thread's stack (the original, from the GPU thread, as the cause). */
    private static RuntimeException rethrowHere(Throwable t) {
        if (t instanceof CudaException c) {
            return new CudaException(c);
        }
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(60, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
