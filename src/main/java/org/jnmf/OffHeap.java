package org.jnmf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Native memory for data matrices too large for the Java heap. It comes from the C library's
 * {@code malloc}, not from {@link Arena#allocate}, because the JDK counts arena memory against
 * {@code -XX:MaxDirectMemorySize}, which defaults to the maximum heap: exactly the limit a matrix held
 * off-heap is meant to escape. The memory is freed when its segment becomes unreachable.
 *
 * <p>Before allocating, the request is checked against the memory the machine (or its container)
 * can still give, so that a matrix too large for it is refused with both sizes rather than pushing the
 * machine into swap or the kernel's out-of-memory killer.
 */
public final class OffHeap {
    private static final MethodHandle MALLOC;
    private static final MethodHandle FREE;

    static {
        Linker linker = Linker.nativeLinker();
        MALLOC = linker.downcallHandle(linker.defaultLookup().find("malloc").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        FREE = linker.downcallHandle(linker.defaultLookup().find("free").orElseThrow(),
                FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
    }

    private OffHeap() {
    }

    /**
     * {@code bytes} of uninitialised native memory, freed once the segment is unreachable.
     *
     * @throws MatrixTooLargeException when the machine has less memory available than {@code bytes}, or
     *                                 {@code malloc} fails; {@code what} names the data in the message
     */
    public static MemorySegment allocate(long bytes, String what) {
        long available = availableMemory();
        if (available >= 0 && bytes > available) {
            throw tooLarge(bytes, available, what);
        }
        MemorySegment address;
        try {
            address = (MemorySegment) MALLOC.invokeExact(Math.max(bytes, 1L));
        } catch (Throwable e) {
            throw new IllegalStateException("malloc failed", e);
        }
        if (address.equals(MemorySegment.NULL)) {
            throw tooLarge(bytes, Math.max(available, 0), what);
        }
        return address.reinterpret(bytes, Arena.ofAuto(), OffHeap::free);
    }

    /**
     * Refuses {@code bytes} for {@code what} up front when neither the heap nor, outside it, the machine
     * has that much memory available.
     */
    public static void requireMemory(long bytes, String what) {
        if (MatrixTooLargeException.heapHolds(bytes)) {
            return;
        }
        long available = availableMemory();
        if (available >= 0 && bytes > available) {
            throw tooLarge(bytes, available, what);
        }
    }

    private static void free(MemorySegment address) {
        try {
            FREE.invokeExact(address);
        } catch (Throwable e) {
            throw new IllegalStateException("free failed", e);
        }
    }

    private static MatrixTooLargeException tooLarge(long bytes, long available, String what) {
        return new MatrixTooLargeException(what + " needs " + MatrixTooLargeException.size(bytes) + ", more than "
                + "the Java heap can hold, and outside the heap the machine has only "
                + MatrixTooLargeException.size(available) + " of memory available; use a machine with more memory,"
                + " or make the matrix smaller: float32 (a '<f4' .npy) halves it, and a mostly-zero matrix is far"
                + " smaller stored sparse (.mtx). An uncompressed, row-major .npy is used straight from the file,"
                + " without this copy",
                bytes, available);
    }

    /**
     * Bytes of memory this process can still take outside the heap: the kernel's {@code MemAvailable},
     * lowered to what the container's memory limit leaves (cgroup v2 {@code memory.max} less its anonymous
     * memory: the page cache it also counts can be reclaimed); -1 where neither can be read (then only {@code malloc}'s answer counts).
     */
    public static long availableMemory() {
        long available = -1;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    available = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or an unexpected format: fall through
        }
        try {
            String max = Files.readString(Path.of("/sys/fs/cgroup/memory.max")).trim();
            if (!max.equals("max")) {
                long anonymous = -1;
                for (String line : Files.readAllLines(Path.of("/sys/fs/cgroup/memory.stat"))) {
                    if (line.startsWith("anon ")) {
                        anonymous = Long.parseLong(line.substring(5).trim());
                    }
                }
                if (anonymous >= 0) {
                    long left = Long.parseLong(max) - anonymous;
                    available = available < 0 ? left : Math.min(available, left);
                }
            }
        } catch (IOException | RuntimeException e) {
            // no cgroup v2 limit visible
        }
        return available;
    }
}
