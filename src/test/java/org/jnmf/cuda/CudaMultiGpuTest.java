package org.jnmf.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.function.Supplier;
import org.jnmf.Algorithm;
import org.jnmf.BackendUnavailableException;
import org.jnmf.DenseMatrix;
import org.jnmf.Initialization;
import org.jnmf.Matrix;
import org.jnmf.Missing;
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
 * Several GPUs in one process ({@link MultiGpuBackend}, {@code jnmf.cuda.devices}), on a stand-in with three
 * devices (each its own primary context, GPU thread and memory count; memory freed from the wrong device's
 * context is refused): every solver and option gives the Java backend's fit to rounding (the devices' Wᵀ·V
 * and Wᵀ·W are summed on the host), streamed blocks included, and one named device is the plain backend.
 */
class CudaMultiGpuTest {
    @AfterEach
    void reset() throws Throwable {
        if (CudaTestSupport.standIns()) {
            CudaTestSupport.StandIn.setDevices(1);
            CudaTestSupport.StandIn.setDeviceMemory(16L << 30);
            assertEquals(0, CudaTestSupport.StandIn.liveAllocations(), "device or page-locked memory left allocated");
        }
    }

    private static <T> T with(Map<String, String> properties, Supplier<T> body) {
        System.setProperty(CudaConfig.LIBRARY_PATH, CudaTestSupport.libraryPathProperty());
        properties.forEach(System::setProperty);
        try {
            return body.get();
        } finally {
            properties.keySet().forEach(System::clearProperty);
            System.clearProperty(CudaConfig.LIBRARY_PATH);
        }
    }




    private static NmfOptions.Builder options(Precision p) {
        return NmfOptions.builder(4).precision(p).seed(7).maxIterations(25).tolerance(0).threads(1)
                .initialization(Initialization.RANDOM);
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void everySolverOnThreeDevicesGivesTheJavaFitToRounding(Precision p) throws Throwable {
        CudaTestSupport.requireStandIns();
        CudaTestSupport.StandIn.setDevices(3);
        DenseMatrix dense = TestMatrices.lowRank(61, 37, 4, 0.1, 23);
        DenseMatrix hidden = TestMatrices.offHeap(dense);
        double[] withNan = dense.toDoubleArray();
        withNan[5] = Double.NaN;
        withNan[400] = Double.NaN;
        Matrix sparse = TestMatrices.sparseCounts(61, 37, 0.3, 4);
        record Case(String name, Matrix v, NmfOptions.Builder options) {
        }
        Case[] cases = {
            new Case("HALS", dense, options(p).algorithm(Algorithm.HALS)),
            new Case("HALS NNDSVDa, penalties, KKT, accelerated", dense, options(p).algorithm(Algorithm.HALS)
                    .initialization(Initialization.NNDSVDA).regularization(0.01, 0.02, 0.03, 0.04)
                    .kktTolerance(1e-12).checkInterval(5).acceleration(0.5)),
            new Case("MU", dense, options(p).algorithm(Algorithm.MULTIPLICATIVE)),
            new Case("ANLS, V off the heap", hidden, options(p).algorithm(Algorithm.ANLS)),
            new Case("KL", dense, options(p).algorithm(Algorithm.MULTIPLICATIVE).beta(1)),
            new Case("missing entries", DenseMatrix.wrap(61, 37, withNan), options(p).algorithm(Algorithm.HALS)
                    .missing(Missing.NAN)),
            new Case("sparse V, KL", sparse, options(p).algorithm(Algorithm.MULTIPLICATIVE).beta(1)),
            new Case("sparse V, HALS", sparse, options(p).algorithm(Algorithm.HALS)),
        };
        // float32: three partial sums of Wᵀ·V round differently from one product; 25 iterations carry it on.
        double relative = p == Precision.SINGLE ? 3e-3 : 1e-8;
        for (Case c : cases) {
            NmfResult java = Nmf.fit(c.v(), c.options().backend("java").build());
            NmfResult three = with(Map.of(CudaConfig.DEVICES, "all"),
                    () -> Nmf.fit(c.v(), c.options().backend("cuda").build()));
            assertTrue(three.backendReason().startsWith("requested: CUDA on 3 devices, V's rows split between them"),
                    three.backendReason());
            assertTrue(three.backendReason().endsWith("; V's rows split over 3 devices: 20 rows on device 0, 20 rows"
                    + " on device 1, 21 rows on device 2"), three.backendReason());
            CudaTestSupport.assertSameFit(java, three, relative, c.name() + " " + p);
        }
    }

    @Test
    void eachDeviceMayStreamItsRows() throws Throwable {
        CudaTestSupport.requireStandIns();
        CudaTestSupport.StandIn.setDevices(2);
        DenseMatrix v = TestMatrices.lowRank(61, 37, 4, 0.1, 29);
        NmfOptions o = options(Precision.DOUBLE).algorithm(Algorithm.HALS).backend("cuda").build();
        NmfResult one = with(Map.of(), () -> Nmf.fit(v, o));
        NmfResult two = with(Map.of(CudaConfig.DEVICES, "0,1", CudaConfig.STREAM_BLOCK_ROWS, "8"),
                () -> Nmf.fit(v, o));
        assertTrue(two.backendReason().endsWith("V's rows split over 2 devices: 30 rows on device 0 (V streamed from"
                + " page-locked host memory in 4 blocks of 8 rows, read once an iteration), 31 rows on device 1 (V"
                + " streamed from page-locked host memory in 4 blocks of 8 rows, read once an iteration)"),
                two.backendReason());
        CudaTestSupport.assertSameFit(one, two, 1e-9, "two streaming devices");
    }

    @Test
    void oneNamedDeviceIsThePlainBackendBitForBit() throws Throwable {
        CudaTestSupport.requireStandIns();
        CudaTestSupport.StandIn.setDevices(2);
        DenseMatrix v = TestMatrices.lowRank(30, 20, 3, 0.1, 31);
        NmfOptions o = options(Precision.DOUBLE).backend("cuda").build();
        NmfResult plain = with(Map.of(), () -> Nmf.fit(v, o));
        NmfResult second = with(Map.of(CudaConfig.DEVICES, "1"), () -> Nmf.fit(v, o));
        assertTrue(second.backendReason().startsWith("requested: CUDA (driver: "), second.backendReason());
        assertTrue(second.backendReason().contains("device 1: jnmf CPU stand-in 1"), second.backendReason());
        assertArrayEquals(plain.w().toDoubleArray(), second.w().toDoubleArray());
        assertArrayEquals(plain.h().toDoubleArray(), second.h().toDoubleArray());
    }

    @Test
    void jnmfDevicesListsEveryDeviceAndHowToUseThemAll() throws Throwable {
        CudaTestSupport.requireStandIns();
        CudaTestSupport.StandIn.setDevices(3);
        String report = CudaProbe.report(CudaTestSupport.config());
        assertTrue(report.contains("  device 0: jnmf CPU stand-in 0, compute capability 9.0"), report);
        assertTrue(report.contains("  device 1: jnmf CPU stand-in 1, compute capability 9.0"), report);
        assertTrue(report.contains("  device 2: jnmf CPU stand-in 2, compute capability 9.0"), report);
        assertTrue(report.contains("  3 devices: -Djnmf.cuda.devices=all fits on all of them"), report);
    }

    @Test
    void aMissingDeviceOrTooFewRowsAreClearErrors() throws Throwable {
        CudaTestSupport.requireStandIns();
        CudaTestSupport.StandIn.setDevices(2);
        DenseMatrix v = TestMatrices.lowRank(30, 20, 3, 0.1, 37);
        BackendUnavailableException missing = assertThrows(BackendUnavailableException.class, () -> with(
                Map.of(CudaConfig.DEVICES, "0,2"), () -> Nmf.fit(v, options(Precision.DOUBLE).backend("cuda").build())));
        assertTrue(missing.getMessage().startsWith("the cuda backend cannot run on device 2 (jnmf.cuda.devices):\n"
                + "  - device 2 was asked for (jnmf.cuda.device) but only 2 exist"), missing.getMessage());
        IllegalArgumentException few = assertThrows(IllegalArgumentException.class, () -> with(
                Map.of(CudaConfig.DEVICES, "all"), () -> Nmf.fit(TestMatrices.lowRank(14, 20, 3, 0.1, 1),
                        options(Precision.DOUBLE).backend("cuda").build())));
        assertEquals("V's 14 rows are too few to split over 2 GPUs for a rank-4 fit (it needs more than rank + 10 ="
                + " 14); leave jnmf.cuda.devices unset to use one device", few.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> CudaConfig.parseDevices("0,x"));
        assertEquals("jnmf.cuda.devices must be 'all' or distinct device numbers such as 0,1; got '0,x'",
                bad.getMessage());
    }
}
