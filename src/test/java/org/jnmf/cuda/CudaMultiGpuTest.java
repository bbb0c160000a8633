package org.jnmf.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
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

    private static DenseMatrix noisyLowRank(int n, int m, int k, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] w = new double[n * k];
        double[] h = new double[k * m];
        for (int i = 0; i < w.length; i++) {
            w[i] = r.nextDouble();
        }
        for (int i = 0; i < h.length; i++) {
            h[i] = r.nextDouble();
        }
        double[] v = new double[n * m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += w[i * k + p] * h[p * m + j];
                }
                v[i * m + j] = s + 0.1 * r.nextDouble();
            }
        }
        return DenseMatrix.wrap(n, m, v);
    }

    private static void assertClose(double[] expected, double[] actual, double relative, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        double scale = 0;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(expected[i] - actual[i]) <= relative * scale)) {
                throw new AssertionError(what + ": element " + i + " expected " + expected[i] + " but was "
                        + actual[i] + " (scale " + scale + ")");
            }
        }
    }

    private static void assertSameFit(NmfResult expected, NmfResult actual, double relative, String what) {
        assertEquals(expected.iterations(), actual.iterations(), what + ": iterations");
        assertEquals(expected.stopReason(), actual.stopReason(), what + ": stop reason");
        assertClose(expected.w().toDoubleArray(), actual.w().toDoubleArray(), relative, what + " W");
        assertClose(expected.h().toDoubleArray(), actual.h().toDoubleArray(), relative, what + " H");
        assertClose(expected.lossHistory(), actual.lossHistory(), relative, what + " losses");
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
        DenseMatrix dense = noisyLowRank(61, 37, 4, 23);
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
            assertSameFit(java, three, relative, c.name() + " " + p);
        }
    }

    @Test
    void eachDeviceMayStreamItsRows() throws Throwable {
        CudaTestSupport.requireStandIns();
        CudaTestSupport.StandIn.setDevices(2);
        DenseMatrix v = noisyLowRank(61, 37, 4, 29);
        NmfOptions o = options(Precision.DOUBLE).algorithm(Algorithm.HALS).backend("cuda").build();
        NmfResult one = with(Map.of(), () -> Nmf.fit(v, o));
        NmfResult two = with(Map.of(CudaConfig.DEVICES, "0,1", CudaConfig.STREAM_BLOCK_ROWS, "8"),
                () -> Nmf.fit(v, o));
        assertTrue(two.backendReason().endsWith("V's rows split over 2 devices: 30 rows on device 0 (V streamed from"
                + " page-locked host memory in 4 blocks of 8 rows, read once an iteration), 31 rows on device 1 (V"
                + " streamed from page-locked host memory in 4 blocks of 8 rows, read once an iteration)"),
                two.backendReason());
        assertSameFit(one, two, 1e-9, "two streaming devices");
    }

    @Test
    void oneNamedDeviceIsThePlainBackendBitForBit() throws Throwable {
        CudaTestSupport.requireStandIns();
        CudaTestSupport.StandIn.setDevices(2);
        DenseMatrix v = noisyLowRank(30, 20, 3, 31);
        NmfOptions o = options(Precision.DOUBLE).backend("cuda").build();
        NmfResult plain = with(Map.of(), () -> Nmf.fit(v, o));
        NmfResult second = with(Map.of(CudaConfig.DEVICES, "1"), () -> Nmf.fit(v, o));
        assertTrue(second.backendReason().startsWith("requested: CUDA (driver: "), second.backendReason());
        assertTrue(second.backendReason().contains("device 1: jnmf CPU stand-in 1"), second.backendReason());
        assertArrayEquals(plain.w().toDoubleArray(), second.w().toDoubleArray());
        assertArrayEquals(plain.h().toDoubleArray(), second.h().toDoubleArray());
    }

    @Test
    void aMissingDeviceOrTooFewRowsAreClearErrors() throws Throwable {
        CudaTestSupport.requireStandIns();
        CudaTestSupport.StandIn.setDevices(2);
        DenseMatrix v = noisyLowRank(30, 20, 3, 37);
        BackendUnavailableException missing = assertThrows(BackendUnavailableException.class, () -> with(
                Map.of(CudaConfig.DEVICES, "0,2"), () -> Nmf.fit(v, options(Precision.DOUBLE).backend("cuda").build())));
        assertTrue(missing.getMessage().startsWith("the cuda backend cannot run on device 2 (jnmf.cuda.devices):\n"
                + "  - device 2 was asked for (jnmf.cuda.device) but only 2 exist"), missing.getMessage());
        IllegalArgumentException few = assertThrows(IllegalArgumentException.class, () -> with(
                Map.of(CudaConfig.DEVICES, "all"), () -> Nmf.fit(noisyLowRank(14, 20, 3, 1),
                        options(Precision.DOUBLE).backend("cuda").build())));
        assertEquals("V's 14 rows are too few to split over 2 GPUs for a rank-4 fit (it needs more than rank + 10 ="
                + " 14); leave jnmf.cuda.devices unset to use one device", few.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> CudaConfig.parseDevices("0,x"));
        assertEquals("jnmf.cuda.devices must be 'all' or distinct device numbers such as 0,1; got '0,x'",
                bad.getMessage());
    }
}
