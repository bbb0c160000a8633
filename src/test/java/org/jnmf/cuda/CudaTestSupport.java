package org.jnmf.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jnmf.Precision;

/**
 * How the Cuda*Test classes find CUDA. With {@code jnmf.cuda.testLibraryPath} set (Maven sets it to
 * target/native-stand-ins) they run against the CPU stand-ins and must pass; without it they run against
 * the real libraries (a GPU machine) and skip where CUDA is not usable. Tests that inject failures need
 * the stand-ins and skip on real libraries.
 */
final class CudaTestSupport {
    static final String TEST_LIBRARY_PATH = "jnmf.cuda.testLibraryPath";

    private CudaTestSupport() {
    }

    /** The stand-in folder, or null when testing against the real libraries. */
    private static Path standInDir() {
        String dir = System.getProperty(TEST_LIBRARY_PATH);
        return dir == null || dir.isBlank() ? null : Path.of(dir);
    }

    /** Whether the tests run against the stand-ins (configured, and built: building them needs gcc). */
    static boolean standIns() {
        Path dir = standInDir();
        return dir != null && Files.exists(dir.resolve("libcuda.so.1")) && Files.exists(dir.resolve("libcublas.so.13"));
    }

    /** The configuration the tests use: the system's, with the stand-in folder searched first. */
    static CudaConfig config() {
        CudaConfig base = CudaConfig.fromSystemProperties();
        Path dir = standInDir();
        return dir == null ? base : base.withLibraryDirs(List.of(dir));
    }

    /** Value for -Djnmf.cuda.libraryPath while a test goes through Nmf/Backends. */
    static String libraryPathProperty() {
        Path dir = standInDir();
        return dir == null ? System.getProperty(CudaConfig.LIBRARY_PATH, "") : dir.toString();
    }

    /** Opens the backend: it must open on the stand-ins; on real libraries an unusable machine skips. */
    static CudaBackend open(Precision precision) {
        return open(config(), precision);
    }

    static CudaBackend open(CudaConfig config, Precision precision) {
        CudaBackend.Attempt attempt = CudaBackend.attempt(config, precision);
        assumeTrue(kernelsBuilt(), "kernels not built (no nvcc at build time): the cuda backend cannot run");
        assumeTrue(standInDir() == null || standIns(), "stand-ins not built (no gcc at build time)");
        if (standIns()) {
            assertTrue(attempt.usable(), () -> "CUDA stand-ins should be usable: " + attempt.reasons());
        } else {
            assumeTrue(attempt.usable(), () -> "CUDA not usable here: " + attempt.reasons());
        }
        return attempt.backend();
    }

    /** Whether the kernels were built (no nvcc at build time means the backend reports "kernels not built"). */
    static boolean kernelsBuilt() {
        return CudaBackend.class.getResource(CudaBackend.KERNEL_RESOURCE) != null;
    }

    static void requireStandIns() {
        assumeTrue(standIns(), "needs the CPU stand-ins (failure injection)");
        assumeTrue(kernelsBuilt(), "kernels not built (no nvcc at build time)");
    }

    /** Calls into the stand-ins' test controls. */
    /** Every element within {@code relative} × the largest magnitude of {@code expected}. */
    static void assertClose(double[] expected, double[] actual, double relative, String what) {
        org.junit.jupiter.api.Assertions.assertEquals(expected.length, actual.length, what + ": length");
        double scale = 0;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            double diff = Math.abs(expected[i] - actual[i]);
            if (!(diff <= relative * Math.max(scale, 1e-300))) {
                throw new AssertionError(what + ": element " + i + " expected " + expected[i] + " but was "
                        + actual[i] + " (scale " + scale + ")");
            }
        }
    }

    /** The same iteration count and stop, and W, H and the loss history within {@code relative}. */
    static void assertSameFit(org.jnmf.NmfResult expected, org.jnmf.NmfResult actual, double relative, String what) {
        org.junit.jupiter.api.Assertions.assertEquals(expected.iterations(), actual.iterations(), what + ": iterations");
        org.junit.jupiter.api.Assertions.assertEquals(expected.stopReason(), actual.stopReason(), what + ": stop reason");
        assertClose(expected.w().toDoubleArray(), actual.w().toDoubleArray(), relative, what + " W");
        assertClose(expected.h().toDoubleArray(), actual.h().toDoubleArray(), relative, what + " H");
        assertClose(expected.lossHistory(), actual.lossHistory(), relative, what + " losses");
    }

    static final class StandIn {
        private static final Linker LINKER = Linker.nativeLinker();

        private static SymbolLookup cuda() {
            return SymbolLookup.libraryLookup(standInDir().resolve("libcuda.so.1"), Arena.global());
        }

        private static SymbolLookup cublas() {
            return SymbolLookup.libraryLookup(standInDir().resolve("libcublas.so.13"), Arena.global());
        }

        private static MethodHandle handle(SymbolLookup lookup, String name, FunctionDescriptor d) {
            return LINKER.downcallHandle(lookup.find(name).orElseThrow(), d);
        }

        /** The (skip+1)-th next call of a driver function returns {@code status}, once. */
        static void failDriver(String function, int status, int skip) throws Throwable {
            fail(handle(cuda(), "jnmf_stand_in_fail", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT)),
                    function, status, skip);
        }

        /** The (skip+1)-th next call of a cuBLAS function returns {@code status}, once. */
        static void failCublas(String function, int status, int skip) throws Throwable {
            fail(handle(cublas(), "jnmf_stand_in_cublas_fail",
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT)), function, status, skip);
        }

        private static void fail(MethodHandle h, String function, int status, int skip) throws Throwable {
            try (Arena a = Arena.ofConfined()) {
                int ignored = (int) h.invokeExact(a.allocateFrom(function), status, skip);
            }
        }

        static void clearFailures() throws Throwable {
            failDriver("", 0, 0);
            failCublas("", 0, 0);
        }

        static void setDeviceMemory(long bytes) throws Throwable {
            MethodHandle h = handle(cuda(), "jnmf_stand_in_set_memory", FunctionDescriptor.ofVoid(JAVA_LONG));
            h.invokeExact(bytes);
        }

        /** How many devices the stand-in reports (1 to 8). */
        static void setDevices(int count) throws Throwable {
            MethodHandle h = handle(cuda(), "jnmf_stand_in_set_devices", FunctionDescriptor.ofVoid(JAVA_INT));
            h.invokeExact(count);
        }

        static long liveAllocations() throws Throwable {
            MethodHandle h = handle(cuda(), "jnmf_stand_in_live_allocations", FunctionDescriptor.of(JAVA_LONG));
            return (long) h.invokeExact();
        }

        /** Copies from page-locked host memory run so far (a streamed V's blocks). */
        static long pageLockedCopies() throws Throwable {
            MethodHandle h = handle(cuda(), "jnmf_stand_in_page_locked_copies", FunctionDescriptor.of(JAVA_LONG));
            return (long) h.invokeExact();
        }
    }
}
