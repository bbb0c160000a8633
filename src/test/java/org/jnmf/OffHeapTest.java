package org.jnmf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import org.jnmf.backend.Backends;
import org.jnmf.backend.BlasBackend;
import org.jnmf.io.MatrixReader;
import org.jnmf.io.MatrixWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Dense matrices held off the Java heap ({@link DenseMatrix#offHeap()}): they read like heap matrices, and
 * every backend fits them to the same bits as the same matrix on the heap. (That inputs larger than the
 * heap become such matrices, and what each backend then does, is {@code cli.LargerThanHeapTest}'s part.)
 */
class OffHeapTest {
    private static DenseMatrix data(Precision p) {
        return TestMatrices.lowRank(37, 23, 3, 0.05, 17).toPrecision(p);
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void anOffHeapMatrixReadsLikeItsHeapTwin(Precision p) {
        DenseMatrix heap = data(p);
        DenseMatrix off = TestMatrices.offHeap(heap);
        assertTrue(off.offHeap());
        assertFalse(heap.offHeap());
        assertEquals(heap.get(5, 7), off.get(5, 7));
        assertArrayEquals(heap.toDoubleArray(), off.toDoubleArray());
        double[] a = new double[heap.cols()];
        double[] b = new double[heap.cols()];
        heap.copyRow(36, a);
        off.copyRow(36, b);
        assertArrayEquals(a, b);
        Precision other = p == Precision.SINGLE ? Precision.DOUBLE : Precision.SINGLE;
        assertArrayEquals(heap.toPrecision(other).toDoubleArray(), off.toPrecision(other).toDoubleArray());
        assertEquals(off, TestMatrices.offHeap(heap));
        assertNotEquals(heap, off, "an off-heap matrix equals off-heap matrices only");
        IllegalStateException blocks = assertThrows(IllegalStateException.class, off::blockCount);
        assertTrue(blocks.getMessage().contains("held off the heap"), blocks.getMessage());
        assertThrows(IllegalArgumentException.class, () -> off.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 1),
                "the matrix's segment is read-only");
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> DenseMatrix.wrap(3, 4, p, OffHeap.allocate(5, "x")));
        assertTrue(size.getMessage().contains("needs " + 12 * p.bytes() + " bytes; the segment has 5"), size.getMessage());
        try (Arena confined = Arena.ofConfined()) {
            IllegalArgumentException owner = assertThrows(IllegalArgumentException.class,
                    () -> DenseMatrix.wrap(3, 4, p, confined.allocate(12L * p.bytes())));
            assertTrue(owner.getMessage().contains("a shared or automatic arena"), owner.getMessage());
        }
    }

    @Test
    void moreNativeMemoryThanTheMachineHasIsRefusedWithBothSizes() {
        long available = OffHeap.availableMemory();
        assumeTrue(available > 0, "the machine's available memory cannot be read here");
        long asked = Math.max(available * 2, 1L << 40);
        MatrixTooLargeException e = assertThrows(MatrixTooLargeException.class,
                () -> OffHeap.allocate(asked, "a 1000000×1000000 float32 matrix"));
        assertTrue(e.getMessage().startsWith("a 1000000×1000000 float32 matrix needs "
                + MatrixTooLargeException.size(asked) + ", more than the Java heap can hold, and outside the heap the"
                + " machine has only "), e.getMessage());
        assertTrue(e.getMessage().contains("float32 (a '<f4' .npy) halves it"), e.getMessage());
        assertEquals(asked, e.needed());
        assertTrue(e.available() > 0 && e.available() < asked, () -> "available " + e.available());
    }

    @Test
    void anOffHeapMatrixDiffersFromAnotherWithOtherValues() {
        DenseMatrix a = TestMatrices.offHeap(data(Precision.DOUBLE));
        double[] changed = data(Precision.DOUBLE).toDoubleArray();
        changed[100] += 1;
        assertNotEquals(a, TestMatrices.offHeap(DenseMatrix.wrap(37, 23, changed)));
    }

    private static NmfOptions.Builder options(Precision p, String backend) {
        return NmfOptions.builder(3).precision(p).seed(4).maxIterations(25).tolerance(0)
                .initialization(Initialization.NNDSVDA).backend(backend).threads(1);
    }

    private static void assertSameFit(NmfResult expected, NmfResult actual, String what) {
        assertArrayEquals(expected.w().toDoubleArray(), actual.w().toDoubleArray(), what + ": W");
        assertArrayEquals(expected.h().toDoubleArray(), actual.h().toDoubleArray(), what + ": H");
        assertEquals(expected.iterations(), actual.iterations(), what);
        assertEquals(expected.loss(), actual.loss(), 1e-9 * Math.abs(expected.loss()), what + ": loss");
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void theJavaBackendFitsAnOffHeapVToTheSameBits(Precision p) {
        DenseMatrix heap = data(Precision.DOUBLE);
        DenseMatrix off = TestMatrices.offHeap(heap);
        for (Algorithm a : Algorithm.values()) {
            NmfOptions o = options(p, "java").algorithm(a).build();
            assertSameFit(Nmf.fit(heap, o), Nmf.fit(off, o), "java " + a + " " + p);
        }
        NmfOptions kl = options(p, "java").beta(1).build();
        assertSameFit(Nmf.fit(heap, kl), Nmf.fit(off, kl), "java KL " + p);
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void theBlasBackendReadsAnOffHeapVInPlaceToTheSameBits(Precision p) {
        BlasBackend.Attempt attempt = BlasBackend.attempt(p, 1);
        assumeTrue(attempt.usable(), () -> "no BLAS library here: " + attempt.reasons());
        attempt.backend().close();
        for (Precision stored : Precision.values()) {
            DenseMatrix heap = data(stored);
            DenseMatrix off = TestMatrices.offHeap(heap);
            for (Algorithm a : Algorithm.values()) {
                NmfOptions o = options(p, "blas").algorithm(a).build();
                NmfResult result = Nmf.fit(off, o);
                assertEquals("blas", result.backend());
                assertSameFit(Nmf.fit(heap, o), result, "blas " + a + " " + p + " from " + stored);
            }
            // The β-losses read V's entries in the inherited Java kernels: a heap copy made when first asked.
            NmfOptions kl = options(p, "blas").beta(1).build();
            assertSameFit(Nmf.fit(heap, kl), Nmf.fit(off, kl), "blas KL " + p + " from " + stored);
        }
    }

    @Test
    void autoTakesBlasForAnOffHeapVWhereItIsUsable() {
        Backends.Selection s = Backends.open("auto", Precision.SINGLE, 1,
                new Backends.Shape(40, 30, 3, false, true), false);
        try (var backend = s.backend()) {
            if (BlasBackend.attempt(Precision.SINGLE, 1).usable()) {
                assertEquals("blas", backend.name(), s.reason());
                assertTrue(s.reason().contains("reads V in place off the heap"), s.reason());
            } else {
                assertEquals("java", backend.name(), s.reason());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void anOffHeapMatrixIsWrittenLikeItsHeapTwin(Precision p, @TempDir Path dir) throws IOException {
        DenseMatrix heap = data(p);
        Path file = dir.resolve("v.npy");
        MatrixWriter.write(TestMatrices.offHeap(heap), file);
        assertArrayEquals(heap.toDoubleArray(), ((DenseMatrix) MatrixReader.read(file)).toDoubleArray());
    }
}
