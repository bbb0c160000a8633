package org.jnmf.spark;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jnmf.backend.Backend;
import org.jnmf.backend.DeviceMatrix;

/**
 * One executor JVM's backends, kept across a fit's tasks: each row block's backend with its V uploaded
 * stays open between iterations, so an executor opens its backend (on a GPU: a context, cuBLAS, the
 * kernels) and uploads its block once a fit instead of once a task. A task leases the block's backend; what
 * it allocates lives until the lease ends, V until the fit ends ({@link #release}, a job the driver runs
 * after the fit on the blocks' executors) or until the entry is evicted as the least recently used beyond
 * {@link #MAX_IDLE} idle entries (a fit whose release did not reach this executor, e.g. a block that moved).
 * Two tasks on one block at once (speculative execution) do not share: the second gets a backend of its own
 * for the task. A backend whose call failed is closed, not kept, so a retried task starts afresh. Spark may run a block's task on another executor: that executor uploads the block there.
 */
final class ExecutorBackends {
    /** Idle entries kept beyond those in use; older ones are closed. */
    static final int MAX_IDLE = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

    private record Key(String fit, long firstRow) {
    }

    private static final class Entry {
        final Backend backend;
        /** V and what the fit derives from it (a masked fit: V's observed values, the mask, its complement). */
        final DeviceMatrix[] data;
        final String description;
        boolean inUse;

        Entry(Backend backend, DeviceMatrix[] data, String description) {
            this.backend = backend;
            this.data = data;
            this.description = description;
        }

        void close() {
            try {
                for (DeviceMatrix x : data) {
                    x.close();
                }
            } finally {
                backend.close();
            }
        }
    }

    /** Access-ordered: the first idle entry is the least recently used. */
    private static final Map<Key, Entry> ENTRIES = new LinkedHashMap<>(16, 0.75f, true);
    private static final AtomicLong OPENED = new AtomicLong();

    private ExecutorBackends() {
    }

    /** An opened backend and why it was chosen (the reason travels back to the driver). */
    record Opened(Backend backend, String description) {
    }

    /**
     * The block's backend and V for one task: the fit's resident one when this JVM holds it and no other task
     * uses it, else a new one ({@code open}, then V uploaded), kept for the fit's later tasks when possible.
     */
    static Lease lease(String fit, RowBlock block, Supplier<Opened> open) {
        return lease(fit, block, open, be -> new DeviceMatrix[] {be.upload(block.toMatrix())});
    }

    /** As {@link #lease(String, RowBlock, Supplier)}, with the block's data made by {@code upload} once. */
    static Lease lease(String fit, RowBlock block, Supplier<Opened> open, Function<Backend, DeviceMatrix[]> upload) {
        Key key = new Key(fit, block.firstRow);
        synchronized (ENTRIES) {
            Entry e = ENTRIES.get(key);
            if (e != null && !e.inUse) {
                e.inUse = true;
                return new Lease(e, true);
            }
        }
        Opened opened = open.get();
        OPENED.incrementAndGet();
        Entry made;
        try {
            made = new Entry(opened.backend(), upload.apply(opened.backend()), opened.description());
        } catch (RuntimeException | Error x) {
            opened.backend().close();
            throw x;
        }
        made.inUse = true;
        synchronized (ENTRIES) {
            if (ENTRIES.containsKey(key)) {
                return new Lease(made, false); // another task made it meanwhile: this one is for this task only
            }
            ENTRIES.put(key, made);
            evictIdle();
        }
        return new Lease(made, true);
    }

    /** Closes the least recently used idle entries beyond {@link #MAX_IDLE}; call holding the lock. */
    private static void evictIdle() {
        int idle = 0;
        for (Entry e : ENTRIES.values()) {
            if (!e.inUse) {
                idle++;
            }
        }
        for (Iterator<Entry> it = ENTRIES.values().iterator(); it.hasNext() && idle > MAX_IDLE; ) {
            Entry e = it.next();
            if (!e.inUse) {
                it.remove();
                idle--;
                e.close();
            }
        }
    }

    /** Closes the fit's idle entries here (one in use then stays until it is evicted as the others are). */
    static void release(String fit) {
        List<Entry> closing = new ArrayList<>();
        synchronized (ENTRIES) {
            for (Iterator<Map.Entry<Key, Entry>> it = ENTRIES.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Key, Entry> e = it.next();
                if (e.getKey().fit().equals(fit) && !e.getValue().inUse) {
                    it.remove();
                    closing.add(e.getValue());
                }
            }
        }
        for (Entry e : closing) {
            e.close();
        }
    }

    /** Backends opened in this JVM so far (tests count them). */
    static long opened() {
        return OPENED.get();
    }

    /** How many blocks this JVM holds, of all fits. */
    static int held() {
        synchronized (ENTRIES) {
            return ENTRIES.size();
        }
    }

    /**
     * One task's use of a block's backend: {@link #backend()} is the backend with every matrix the task
     * allocates recorded and closed at {@link #close()} (V is the entry's and stays).
     */
    static final class Lease implements AutoCloseable {
        private final Entry entry;
        private final boolean resident;
        private final List<DeviceMatrix> taskMatrices = new ArrayList<>();
        private final Backend scoped;
        private boolean failed;

        private Lease(Entry entry, boolean resident) {
            this.entry = entry;
            this.resident = resident;
            InvocationHandler handler = (proxy, method, args) -> {
                if (method.getName().equals("close") && method.getParameterCount() == 0) {
                    return null; // the lease closes what the task made; the backend outlives the task
                }
                Object result;
                try {
                    result = method.invoke(entry.backend, args);
                } catch (InvocationTargetException e) {
                    failed = true; // a backend that failed (a CUDA error sticks) is not handed to a retry
                    throw e.getCause();
                }
                if (result instanceof DeviceMatrix x) {
                    taskMatrices.add(x);
                }
                return result;
            };
            scoped = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                    handler);
        }

        Backend backend() {
            return scoped;
        }

        /** The block's V on the backend. */
        DeviceMatrix v() {
            return entry.data[0];
        }

        /** The block's data on the backend, as the lease's upload made it (V first). */
        DeviceMatrix[] data() {
            return entry.data;
        }

        String description() {
            return entry.description;
        }

        @Override
        public void close() {
            try {
                for (int i = taskMatrices.size() - 1; i >= 0; i--) {
                    taskMatrices.get(i).close();
                }
            } finally {
                boolean keep = resident && !failed;
                if (resident) {
                    synchronized (ENTRIES) {
                        entry.inUse = false;
                        if (failed) {
                            ENTRIES.values().remove(entry);
                        }
                        evictIdle();
                    }
                }
                if (!keep) {
                    entry.close();
                }
            }
        }
    }
}
