package org.jnmf.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Supplier;
import org.jnmf.Algorithm;
import org.jnmf.BackendUnavailableException;
import org.jnmf.DenseMatrix;
import org.jnmf.Initialization;
import org.jnmf.MatrixTooLargeException;
import org.jnmf.Nmf;
import org.jnmf.NmfOptions;
import org.jnmf.NmfResult;
import org.jnmf.Precision;
import org.jnmf.SparseMatrix;
import org.jnmf.TestMatrices;
import org.jnmf.backend.Backends;
import org.jnmf.backend.DeviceMatrix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The CUDA backend's failure paths: what a caller sees when a library is missing, the probe fails, the
 * input is sparse, the device runs out of memory, or a kernel or cuBLAS call fails in the middle of a fit.
 * Failures are injected into the CPU stand-ins; those tests skip against real libraries.
 */
class CudaErrorsTest {
    @AfterEach
    void clean() throws Throwable {
        if (CudaTestSupport.standIns()) {
            CudaTestSupport.StandIn.clearFailures();
            CudaTestSupport.StandIn.setDeviceMemory(16L << 30);
            assertEquals(0, CudaTestSupport.StandIn.liveAllocations(), "device memory left allocated");
        }
    }

    /** Runs {@code body} with a system property set (Backends and Nmf read the configuration from them). */
    private static <T> T withProperty(String key, String value, Supplier<T> body) {
        String previous = System.getProperty(key);
        System.setProperty(key, value);
        try {
            return body.get();
        } finally {
            if (previous == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, previous);
            }
        }
    }

    private static <T> T withStandIns(Supplier<T> body) {
        return withProperty(CudaConfig.LIBRARY_PATH, CudaTestSupport.libraryPathProperty(), body);
    }

    private static DenseMatrix matrix(int n, int m) {
        double[] v = new double[n * m];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i * 7919 % 101) / 100.0;
        }
        return DenseMatrix.wrap(n, m, v);
    }

    private static NmfOptions options(Algorithm algorithm, Precision precision) {
        return NmfOptions.builder(3).algorithm(algorithm).precision(precision).seed(1).maxIterations(20)
                .initialization(Initialization.RANDOM).backend("cuda").build();
    }

    @Test
    void anUnknownCublasLibraryIsAReasonThatNamesIt() {
        CudaProbe.Result r = CudaProbe.probe(CudaTestSupport.config().withCublasLibrary("libcublas-missing.so.99"));
        assertFalse(r.usable());
        String reasons = String.join("\n", r.reasons());
        assertTrue(reasons.contains("no cuBLAS: libcublas-missing.so.99 could not be loaded"), reasons);
        assertTrue(reasons.contains(CudaConfig.LIBRARY_PATH), reasons);
        assertTrue(reasons.contains(CudaConfig.CUBLAS_LIBRARY + "=libcublas-missing.so.99"), reasons);
    }

    @Test
    void askingForCudaWhereItCannotRunListsEveryReasonAndTheFix() {
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> withStandIns(
                () -> withProperty(CudaConfig.CUBLAS_LIBRARY, "libcublas-missing.so.99",
                        () -> Backends.open("cuda", Precision.SINGLE, 1))));
        assertTrue(e.getMessage().startsWith("the cuda backend cannot run here:"), e.getMessage());
        assertTrue(e.getMessage().contains("libcublas-missing.so.99"), e.getMessage());
        assertTrue(e.getMessage().contains("--backend java"), e.getMessage());
    }

    @Test
    void autoFallsBackToJavaAndSaysWhy() {
        Backends.Selection s = withStandIns(() -> withProperty(CudaConfig.CUBLAS_LIBRARY, "libcublas-missing.so.99",
                () -> Backends.open("auto", Precision.DOUBLE, 1)));
        try (var backend = s.backend()) {
            assertEquals("java", backend.name());
            assertTrue(s.reason().contains("cuda is not usable: ") && s.reason().contains("libcublas-missing.so.99"),
                    s.reason());
        }
    }

    @Test
    void autoTakesCudaWhenTheProbeSucceeds() {
        CudaTestSupport.open(Precision.SINGLE).close(); // skips where CUDA is not usable
        Backends.Selection s = withStandIns(() -> Backends.open("auto", Precision.SINGLE, 1));
        try (var backend = s.backend()) {
            assertEquals("cuda", backend.name());
            assertTrue(s.reason().startsWith("auto: CUDA (") && s.reason().contains("device 0:"), s.reason());
        }
    }

    /**
     * Sparse V needs cuSPARSE: with the driver and cuBLAS but no cuSPARSE (a folder holding only those two
     * stand-ins), dense fits still run on cuda, a sparse V is refused naming the missing library and the
     * fix, and {@code auto} sends a sparse V to a CPU backend saying why; with cuSPARSE, {@code auto} takes cuda.
     */
    @Test
    void sparseInputWithoutCusparseIsAClearErrorAndAutoTakesCudaWithIt() throws Exception {
        CudaTestSupport.requireStandIns();
        SparseMatrix sparse = SparseMatrix.fromDense(matrix(6, 5));
        Backends.Selection withCusparse = withStandIns(() -> Backends.open("auto", Precision.SINGLE, 1, true, false));
        try (var backend = withCusparse.backend()) {
            assertEquals("cuda", backend.name());
            assertTrue(withCusparse.reason().contains("sparse V on cuSPARSE"), withCusparse.reason());
        }
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("jnmf-no-cusparse");
        try {
            java.nio.file.Path standIns = java.nio.file.Path.of(CudaTestSupport.libraryPathProperty());
            for (String name : new String[] {"libcuda.so.1", "libcublas.so.13"}) {
                java.nio.file.Files.createSymbolicLink(dir.resolve(name), standIns.resolve(name).toAbsolutePath());
            }
            CudaBackend.Attempt attempt = CudaBackend.attempt(CudaConfig.fromSystemProperties()
                    .withLibraryDirs(java.util.List.of(dir)), Precision.SINGLE);
            assertTrue(attempt.usable(), () -> String.join("; ", attempt.reasons()));
            try (CudaBackend cuda = attempt.backend()) {
                org.junit.jupiter.api.Assumptions.assumeTrue(cuda.sparseUnavailable() != null,
                        "a cuSPARSE was found outside the test folder");
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cuda.upload(sparse));
                assertTrue(e.getMessage().startsWith("sparse input on the cuda backend needs cuSPARSE: no cuSPARSE: "
                        + "libcusparse.so.12 or libcusparse.so.11 could not be loaded"), e.getMessage());
                assertTrue(e.getMessage().endsWith("; or use --backend java"), e.getMessage());
            }
            Backends.Selection s = withProperty(CudaConfig.LIBRARY_PATH, dir.toString(),
                    () -> Backends.open("auto", Precision.SINGLE, 1, true, false));
            try (var backend = s.backend()) {
                assertEquals("java", backend.name());
                assertTrue(s.reason().contains("cuda cannot take sparse V here: no cuSPARSE"), s.reason());
            }
            BackendUnavailableException refused = assertThrows(BackendUnavailableException.class,
                    () -> withProperty(CudaConfig.LIBRARY_PATH, dir.toString(),
                            () -> Nmf.fit(sparse, options(Algorithm.HALS, Precision.SINGLE))));
            assertTrue(refused.getMessage().startsWith(CudaBackend.SPARSE_MESSAGE + ": no cuSPARSE"),
                    refused.getMessage());
        } finally {
            for (String name : new String[] {"libcuda.so.1", "libcublas.so.13"}) {
                java.nio.file.Files.deleteIfExists(dir.resolve(name));
            }
            java.nio.file.Files.delete(dir);
        }
    }

    @Test
    void aFailedCuInitIsTheReason() throws Throwable {
        CudaTestSupport.requireStandIns();
        CudaTestSupport.StandIn.failDriver("cuInit", 999, 0);
        CudaProbe.Result r = CudaProbe.probe(CudaTestSupport.config());
        assertFalse(r.usable());
        assertTrue(r.reasons().stream().anyMatch(x -> x.startsWith("cuInit(0) in ")
                && x.endsWith("returned CUDA_ERROR_UNKNOWN (999): unknown error")), r.reasons().toString());
        String report = CudaProbe.report(CudaTestSupport.config());
        assertTrue(report.startsWith("java: usable;"), report);
        assertTrue(report.contains("cuda: usable") && report.contains("device 0: jnmf CPU stand-in"), report);
    }

    @Test
    void missingKernelsAreReported() {
        CudaTestSupport.requireStandIns();
        CudaBackend.Attempt a = CudaBackend.attempt(CudaTestSupport.config(), Precision.SINGLE, null);
        assertFalse(a.usable());
        assertTrue(a.reasons().getFirst().startsWith("kernels not built:"), a.reasons().toString());
    }

    @Test
    void runningOutOfDeviceMemorySaysHowMuchWasNeededAndIsFree() throws Throwable {
        CudaTestSupport.requireStandIns();
        try (CudaBackend cuda = CudaTestSupport.open(Precision.DOUBLE)) {
            CudaTestSupport.StandIn.setDeviceMemory(8L << 20);
            CudaException e = assertThrows(CudaException.class, () -> cuda.allocate(2000, 1000));
            assertEquals("cuMemAlloc_v2", e.call());
            assertEquals(2, e.status());
            assertEquals("CUDA_ERROR_OUT_OF_MEMORY", e.statusName());
            assertTrue(e.getMessage().startsWith("out of GPU memory: a work matrix (2000×1000 float64) needs 15.3 MiB "
                    + "but the device has "), e.getMessage());
            assertTrue(e.getMessage().contains(" free of 8.0 MiB total"), e.getMessage());
        }
    }

    @Test
    void aFitLargerThanTheFreeDeviceMemoryIsRefusedBeforeAnythingIsAllocated() throws Throwable {
        CudaTestSupport.requireStandIns();
        CudaTestSupport.StandIn.setDeviceMemory(8L << 20);
        DenseMatrix v = DenseMatrix.wrap(1000, 1500, TestMatrices.uniform(1000 * 1500, 3));
        // The KL loss needs its work matrices shaped like V on the device, so V cannot be streamed.
        NmfOptions kl = options(Algorithm.MULTIPLICATIVE, Precision.DOUBLE).toBuilder().beta(1).build();
        MatrixTooLargeException e = assertThrows(MatrixTooLargeException.class,
                () -> withStandIns(() -> Nmf.fit(v, kl)));
        assertTrue(e.getMessage().startsWith("a rank-3 fit of a 1000×1500 matrix (V, W, H and the work matrices)"
                + " needs 23.2 MiB of GPU memory but the device has "), e.getMessage());
        assertTrue(e.getMessage().contains(" free of 8.0 MiB total (V is held whole on the device here: the kl loss"
                + " needs work matrices shaped like V on the device); use a smaller problem or rank"), e.getMessage());
        assertTrue(e.needed() > e.available());
        assertEquals(0, CudaTestSupport.StandIn.liveAllocations(), "nothing was allocated");
        // The same matrix with the Frobenius loss is streamed from host memory: not a blanket refusal.
        NmfResult hals = withStandIns(() -> Nmf.fit(v, options(Algorithm.HALS, Precision.DOUBLE)));
        assertEquals("cuda", hals.backend());
        assertTrue(hals.backendReason().contains("V streamed from page-locked host memory"), hals.backendReason());
    }

    @Test
    void aKernelFailureStopsTheFitWithCallAndStatus() throws Throwable {
        CudaTestSupport.requireStandIns();
        CudaTestSupport.StandIn.failDriver("cuLaunchKernel", 719, 5);
        CudaException e = assertThrows(CudaException.class,
                () -> withStandIns(() -> Nmf.fit(matrix(9, 7), options(Algorithm.HALS, Precision.SINGLE))));
        assertEquals(719, e.status());
        assertEquals("CUDA_ERROR_LAUNCH_FAILED", e.statusName());
        assertTrue(e.call().startsWith("cuLaunchKernel(nmf_"), e.call());
        assertTrue(e.getMessage().endsWith("failed: CUDA_ERROR_LAUNCH_FAILED (719): unspecified launch failure"),
                e.getMessage());
        assertInstanceOf(CudaException.class, e.getCause(), "the GPU thread's exception is the cause");
    }

    @Test
    void aCublasFailureStopsTheFitWithCallAndStatus() throws Throwable {
        CudaTestSupport.requireStandIns();
        CudaTestSupport.StandIn.failCublas("cublasDgemm_v2", 13, 3);
        CudaException e = assertThrows(CudaException.class,
                () -> withStandIns(() -> Nmf.fit(matrix(9, 7), options(Algorithm.MULTIPLICATIVE, Precision.DOUBLE))));
        assertEquals("cublasDgemm_v2", e.call());
        assertEquals("cublasDgemm_v2 failed: CUBLAS_STATUS_EXECUTION_FAILED (13): the GPU program failed to execute",
                e.getMessage());
    }

    @Test
    void aMatrixClosedTwiceOrAfterTheBackendIsHarmless() {
        CudaBackend cuda = CudaTestSupport.open(Precision.SINGLE);
        DeviceMatrix a = cuda.allocate(3, 4);
        DeviceMatrix b = cuda.allocate(4, 3);
        a.close();
        a.close();
        cuda.close();
        b.close();
        cuda.close();
    }
}
