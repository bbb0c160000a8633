package org.jnmf.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.jnmf.backend.Backend;
import org.jnmf.backend.DeviceMatrix;
import org.junit.jupiter.api.Test;

/** The executor-side cache of block backends, on a recording stand-in for a backend. */
class ExecutorBackendsTest {
    /** A backend that records what it allocates and closes, and throws from squaredNorm when asked to. */
    private static final class Recorder {
        final List<String> closed = new ArrayList<>();
        final AtomicInteger made = new AtomicInteger();
        boolean failNorm;
        boolean backendClosed;

        DeviceMatrix matrix(String name) {
            made.incrementAndGet();
            return (DeviceMatrix) Proxy.newProxyInstance(DeviceMatrix.class.getClassLoader(),
                    new Class<?>[] {DeviceMatrix.class}, (p, m, a) -> switch (m.getName()) {
                        case "close" -> {
                            closed.add(name);
                            yield null;
                        }
                        case "rows", "cols" -> 1;
                        case "sparse" -> false;
                        default -> null;
                    });
        }

        Backend backend() {
            return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                    (p, m, a) -> switch (m.getName()) {
                        case "upload" -> matrix(a.length == 1 ? "V" : "factor");
                        case "allocate" -> matrix("work");
                        case "squaredNorm" -> {
                            if (failNorm) {
                                throw new IllegalStateException("device lost");
                            }
                            yield 4.0;
                        }
                        case "close" -> {
                            backendClosed = true;
                            yield null;
                        }
                        default -> null;
                    });
        }
    }

    private static final RowBlock BLOCK = RowBlock.dense(0, 1, 2, new double[] {1, 2});

    @Test
    void aBlockKeepsItsBackendAndVAcrossTasksUntilTheFitReleasesIt() {
        String fit = UUID.randomUUID().toString();
        List<Recorder> opened = new ArrayList<>();
        int held = ExecutorBackends.held();
        DeviceMatrix v;
        for (int task = 0; task < 3; task++) {
            try (ExecutorBackends.Lease lease = ExecutorBackends.lease(fit, BLOCK, () -> {
                Recorder r = new Recorder();
                opened.add(r);
                return new ExecutorBackends.Opened(r.backend(), "recorder");
            })) {
                lease.backend().allocate(1, 1);
                lease.backend().close(); // the task cannot close the shared backend
                v = lease.v();
                assertEquals(4.0, lease.backend().squaredNorm(v));
            }
        }
        assertEquals(1, opened.size(), "one backend for the block's three tasks");
        Recorder r = opened.getFirst();
        assertEquals(List.of("work", "work", "work"), r.closed, "each task's matrices are freed at its end, V is not");
        assertEquals(held + 1, ExecutorBackends.held());
        ExecutorBackends.release(fit);
        assertEquals(held, ExecutorBackends.held());
        assertEquals(List.of("work", "work", "work", "V"), r.closed);
        assertTrue(r.backendClosed);
    }

    @Test
    void aBackendWhoseCallFailedIsNotHandedToTheRetry() {
        String fit = UUID.randomUUID().toString();
        List<Recorder> opened = new ArrayList<>();
        java.util.function.Supplier<ExecutorBackends.Opened> open = () -> {
            Recorder r = new Recorder();
            r.failNorm = opened.isEmpty();
            opened.add(r);
            return new ExecutorBackends.Opened(r.backend(), "recorder");
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            try (ExecutorBackends.Lease lease = ExecutorBackends.lease(fit, BLOCK, open)) {
                lease.backend().squaredNorm(lease.v());
            }
        });
        assertEquals("device lost", e.getMessage());
        assertTrue(opened.getFirst().backendClosed, "the failed backend is closed");
        try (ExecutorBackends.Lease lease = ExecutorBackends.lease(fit, BLOCK, open)) {
            assertEquals(4.0, lease.backend().squaredNorm(lease.v()));
        }
        assertEquals(2, opened.size(), "the retry opened a new backend");
        ExecutorBackends.release(fit);
        assertSame(true, opened.get(1).backendClosed);
    }
}
