package org.jnmf.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The CUDA configuration and library search, which need no GPU and no stand-in. */
class CudaConfigTest {
    @Test
    void libraryFoldersAreSplitOnColonsAndBlankPartsIgnored() {
        assertEquals(List.of(Path.of("/a"), Path.of("/b c")), CudaConfig.split(" /a::/b c :"));
        assertEquals(List.of(), CudaConfig.split(null));
    }

    @Test
    void aBlankCublasLibraryMeansTheDefaultList() {
        assertNull(new CudaConfig(List.of(), "  ", false, 0).cublasLibrary());
    }

    @Test
    void withLibraryDirsSearchesTheNewFoldersFirst() {
        CudaConfig c = new CudaConfig(List.of(Path.of("/second")), null, true, 0).withLibraryDirs(List.of(Path.of("/first")));
        assertEquals(List.of(Path.of("/first"), Path.of("/second")), c.libraryDirs());
        assertTrue(c.tf32());
        assertFalse(c.withTf32(false).tf32());
    }

    @Test
    void aNegativeDeviceIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CudaConfig(List.of(), null, false, -1));
        assertEquals("jnmf.cuda.device must be ≥ 0; got -1", e.getMessage());
    }

    @Test
    void badStreamBlockRowsAreRejected() {
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> new CudaConfig(List.of(), null, false, 0, -5, List.of()));
        assertEquals("jnmf.cuda.streamBlockRows must be ≥ 0 (0: stream only when V does not fit); got -5",
                negative.getMessage());
        System.setProperty(CudaConfig.STREAM_BLOCK_ROWS, "many");
        try {
            IllegalArgumentException word = assertThrows(IllegalArgumentException.class,
                    CudaConfig::fromSystemProperties);
            assertEquals("jnmf.cuda.streamBlockRows must be a number of rows such as 4096; got 'many'",
                    word.getMessage());
        } finally {
            System.clearProperty(CudaConfig.STREAM_BLOCK_ROWS);
        }
        assertEquals(List.of(-1), CudaConfig.parseDevices(" ALL "));
        assertEquals(List.of(2, 0), CudaConfig.parseDevices("2, 0"));
        assertEquals(List.of(), CudaConfig.parseDevices(""));
    }

    @Test
    void aMissingLibraryListsWhatWasTried() {
        NativeLibraries.NotFound e = assertThrows(NativeLibraries.NotFound.class,
                () -> NativeLibraries.open(List.of("libjnmf-none.so.1", "/nowhere/libjnmf-none.so.2"),
                        List.of(Path.of("/nowhere"))));
        assertTrue(e.getMessage().startsWith("libjnmf-none.so.1 or /nowhere/libjnmf-none.so.2 could not be loaded "
                + "(also searched [/nowhere]): libjnmf-none.so.1: "), e.getMessage());
        assertTrue(e.getMessage().contains("; /nowhere/libjnmf-none.so.2: "), e.getMessage());
    }

    @Test
    void byteCountsAreReadable() {
        assertEquals("512 bytes", CudaBackend.bytes(512));
        assertEquals("15.3 MiB", CudaBackend.bytes(16_000_000));
        assertEquals("79.19 GiB", CudaBackend.bytes(85_030_000_000L));
    }
}
