package org.jnmf.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Supplier;
import org.jnmf.Algorithm;
import org.jnmf.DenseMatrix;
import org.jnmf.Initialization;
import org.jnmf.MatrixTooLargeException;
import org.jnmf.Nmf;
import org.jnmf.NmfOptions;
import org.jnmf.NmfResult;
import org.jnmf.Precision;
import org.jnmf.TestMatrices;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A dense V streamed from page-locked host memory in row blocks (V larger than the device, or
 * {@link CudaConfig#STREAM_BLOCK_ROWS}) gives the in-memory fit's iterates to rounding: the W half-step is
 * taken block by block in one pass that also sums Wᵀ·V, which only reorders that sum. The stand-in runs a
 * page-locked copy only once its stream is waited for, so a block read before its copy's event shows up as
 * wrong factors here.
 */
class CudaStreamingTest {
    @AfterEach
    void resetAndNoLeaks() throws Throwable {
        if (CudaTestSupport.standIns()) {
            CudaTestSupport.StandIn.clearFailures();
            CudaTestSupport.StandIn.setDeviceMemory(16L << 30);
            assertEquals(0, CudaTestSupport.StandIn.liveAllocations(), "device or page-locked memory left allocated");
        }
    }

    private static <T> T withProperties(String blockRows, Supplier<T> body) {
        String previousPath = System.getProperty(CudaConfig.LIBRARY_PATH);
        System.setProperty(CudaConfig.LIBRARY_PATH, CudaTestSupport.libraryPathProperty());
        if (blockRows != null) {
            System.setProperty(CudaConfig.STREAM_BLOCK_ROWS, blockRows);
        }
        try {
            return body.get();
        } finally {
            System.clearProperty(CudaConfig.STREAM_BLOCK_ROWS);
            if (previousPath == null) {
                System.clearProperty(CudaConfig.LIBRARY_PATH);
            } else {
                System.setProperty(CudaConfig.LIBRARY_PATH, previousPath);
            }
        }
    }




    private static NmfOptions.Builder options(Precision p) {
        return NmfOptions.builder(4).precision(p).seed(7).maxIterations(30).tolerance(0).threads(1).backend("cuda");
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void streamedFitsGiveTheInMemoryIteratesToRounding(Precision p) {
        CudaTestSupport.open(p).close(); // skips where CUDA is not usable
        DenseMatrix v = TestMatrices.lowRank(53, 31, 4, 0.1, 17);
        // float32: the blocks' sum of Wᵀ·V rounds differently from one product and 30 iterations carry it on.
        double relative = p == Precision.SINGLE ? 2e-3 : 1e-9;
        NmfOptions.Builder[] variants = {
            options(p).algorithm(Algorithm.HALS).initialization(Initialization.RANDOM),
            options(p).algorithm(Algorithm.HALS).initialization(Initialization.NNDSVDA)
                    .regularization(0.01, 0.02, 0.03, 0.04).kktTolerance(1e-12).checkInterval(5),
            options(p).algorithm(Algorithm.HALS).initialization(Initialization.RANDOM).acceleration(0.5),
            options(p).algorithm(Algorithm.MULTIPLICATIVE).initialization(Initialization.RANDOM)
                    .regularization(0.01, 0.02, 0, 0),
            options(p).algorithm(Algorithm.ANLS).initialization(Initialization.NNDSVD),
        };
        for (int i = 0; i < variants.length; i++) {
            NmfOptions.Builder variant = variants[i];
            NmfOptions o = variant.build();
            String what = "variant " + i + " (" + o.algorithm() + ") " + p;
            NmfResult inMemory = withProperties(null, () -> Nmf.fit(v, o));
            NmfResult streamed = withProperties("8", () -> Nmf.fit(v, o));
            assertTrue(inMemory.backendReason().startsWith("requested: CUDA"), inMemory.backendReason());
            assertTrue(!inMemory.backendReason().contains("streamed"), inMemory.backendReason());
            assertTrue(streamed.backendReason().endsWith("; V streamed from page-locked host memory in 7 blocks of 8"
                    + " rows, read once an iteration"), streamed.backendReason());
            CudaTestSupport.assertSameFit(inMemory, streamed, relative, what);
            NmfResult java = Nmf.fit(v, variant.backend("java").build());
            CudaTestSupport.assertSameFit(java, streamed, p == Precision.SINGLE ? 3e-3 : 1e-7, what + " against java");
        }
    }

    /**
     * Before the loop: one pass for ‖V‖² and one for the first Wᵀ·V (a random start needs no more); then one
     * pass an iteration, and one for each check (at 0, 3, …, 12): the loss comes from the trace identity, but
     * the projected gradient needs V·Hᵀ (which the next iteration reuses, saving a product but not the copy).
     * Accelerated HALS repeats its W sweeps under a stopping rule over all of W, so it reads V twice an
     * iteration, less once after each of the four checks before the last (it reuses the check's V·Hᵀ).
     */
    @Test
    void aStreamedFitReadsVOnceAnIteration() throws Throwable {
        CudaTestSupport.requireStandIns();
        DenseMatrix v = TestMatrices.lowRank(53, 31, 4, 0.1, 17);
        for (Algorithm algorithm : Algorithm.values()) {
            long before = CudaTestSupport.StandIn.pageLockedCopies();
            NmfResult r = withProperties("8", () -> Nmf.fit(v, options(Precision.DOUBLE).algorithm(algorithm)
                    .acceleration(0).initialization(Initialization.RANDOM).maxIterations(12).checkInterval(3).build()));
            assertEquals(12, r.iterations());
            assertEquals(7 * (2 + 12 + 5), CudaTestSupport.StandIn.pageLockedCopies() - before, algorithm + " block copies");
        }
        long before = CudaTestSupport.StandIn.pageLockedCopies();
        withProperties("8", () -> Nmf.fit(v, options(Precision.DOUBLE).algorithm(Algorithm.HALS).acceleration(0.5)
                .initialization(Initialization.RANDOM).maxIterations(12).checkInterval(3).build()));
        assertEquals(7 * (2 + 2 * 12 + 5 - 4), CudaTestSupport.StandIn.pageLockedCopies() - before, "accelerated HALS");
    }

    @Test
    void aVLargerThanTheDeviceIsStreamedAndFitsNeedingItWholeAreRefused() throws Throwable {
        CudaTestSupport.requireStandIns();
        // 1000×1500 float64 is 11.4 MiB: more than the device's 8 MiB, while W, H and the work matrices fit.
        DenseMatrix v = TestMatrices.lowRank(1000, 1500, 3, 0.1, 5);
        NmfOptions hals = NmfOptions.builder(3).algorithm(Algorithm.HALS).precision(Precision.DOUBLE).seed(1)
                .maxIterations(5).tolerance(0).initialization(Initialization.RANDOM).threads(1).build();
        CudaTestSupport.StandIn.setDeviceMemory(8L << 20);
        NmfResult streamed = withProperties(null, () -> Nmf.fit(v, hals.toBuilder().backend("cuda").build()));
        assertTrue(streamed.backendReason().contains("; V streamed from page-locked host memory in "),
                streamed.backendReason());
        CudaTestSupport.assertSameFit(Nmf.fit(v, hals.toBuilder().backend("java").build()), streamed, 1e-9, "streamed HALS");

        MatrixTooLargeException e = assertThrows(MatrixTooLargeException.class, () -> withProperties(null,
                () -> Nmf.fit(v, hals.toBuilder().backend("cuda").beta(1).algorithm(Algorithm.MULTIPLICATIVE).build())));
        assertTrue(e.getMessage().startsWith("a rank-3 fit of a 1000×1500 matrix (V, W, H and the work matrices)"
                + " needs 23.2 MiB of GPU memory but the device has "), e.getMessage());
        assertTrue(e.getMessage().contains(" (V is held whole on the device here: the kl loss needs work matrices"
                + " shaped like V on the device); use a smaller problem or rank"), e.getMessage());
    }

    @Test
    void failingToPageLockVIsAClearErrorAndFreesWhatWasMade() throws Throwable {
        CudaTestSupport.requireStandIns();
        CudaTestSupport.StandIn.failDriver("cuMemAllocHost_v2", 2, 0);
        DenseMatrix v = TestMatrices.lowRank(20, 10, 2, 0.1, 3);
        CudaException e = assertThrows(CudaException.class, () -> withProperties("4",
                () -> Nmf.fit(v, NmfOptions.builder(2).backend("cuda").precision(Precision.SINGLE).build())));
        assertEquals("cuMemAllocHost_v2", e.call());
        assertTrue(e.getMessage().startsWith("page-locking 800 bytes of host memory for V (20×10, streamed to the"
                + " GPU because it does not fit there) failed: CUDA_ERROR_OUT_OF_MEMORY (2): out of memory. Give the"
                + " JVM less heap (-Xmx)"), e.getMessage());
    }
}
