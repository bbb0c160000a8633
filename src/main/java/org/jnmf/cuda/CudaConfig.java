package org.jnmf.cuda;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where to find the CUDA libraries and how to use them, read from system properties:
 * <ul>
 *   <li>{@code jnmf.cuda.libraryPath}: extra folders (separated by {@code :}) searched first for
 *       {@code libcuda.so.1} and cuBLAS; the environment variable {@code NMF_CUDA_LIB_DIRS} adds more;</li>
 *   <li>{@code jnmf.cublas.library}: the cuBLAS library to open (a soname or a path) instead of trying
 *       {@code libcublas.so.13}, {@code .12}, {@code .11} in turn;</li>
 *   <li>{@code jnmf.cuda.tf32}: {@code true} lets float32 GEMMs use TF32 tensor cores (faster, about
 *       1e-3 relative error per product);</li>
 *   <li>{@code jnmf.cuda.device}: the device ordinal (default 0);</li>
 *   <li>{@code jnmf.cuda.devices}: several devices for one fit, {@code all} or ordinals such as {@code 0,1}
 *       ({@link MultiGpuBackend}: V's rows split between them); unset, one device ({@code jnmf.cuda.device});</li>
 *   <li>{@code jnmf.cuda.streamBlockRows}: stream V from host memory in blocks of this many rows even when
 *       it would fit on the device (for tests and measurements; by default V is streamed only when it does
 *       not fit beside W, H and their work matrices, in blocks the free memory allows).</li>
 * </ul>
 *
 * @param libraryDirs   folders searched before the system's library path
 * @param cublasLibrary the cuBLAS library to open, or {@code null} for the default list
 * @param tf32          whether float32 GEMMs may use TF32 tensor cores
 * @param device        device ordinal
 * @param streamBlockRows rows per streamed block of V, or 0 to stream only when V does not fit
 * @param devices       the devices of a several-GPU fit: empty for one ({@code device}), {@code [-1]} for all
 */
public record CudaConfig(List<Path> libraryDirs, String cublasLibrary, boolean tf32, int device, int streamBlockRows,
                         List<Integer> devices) {
    public static final String LIBRARY_PATH = "jnmf.cuda.libraryPath";
    public static final String CUBLAS_LIBRARY = "jnmf.cublas.library";
    public static final String TF32 = "jnmf.cuda.tf32";
    public static final String DEVICE = "jnmf.cuda.device";
    public static final String STREAM_BLOCK_ROWS = "jnmf.cuda.streamBlockRows";
    public static final String DEVICES = "jnmf.cuda.devices";
    public static final String LIBRARY_DIRS_ENV = "NMF_CUDA_LIB_DIRS";

    public CudaConfig {
        libraryDirs = List.copyOf(libraryDirs);
        devices = List.copyOf(devices);
        if (cublasLibrary != null && cublasLibrary.isBlank()) {
            cublasLibrary = null;
        }
        if (device < 0) {
            throw new IllegalArgumentException(DEVICE + " must be ≥ 0; got " + device);
        }
        if (streamBlockRows < 0) {
            throw new IllegalArgumentException(STREAM_BLOCK_ROWS + " must be ≥ 0 (0: stream only when V does not"
                    + " fit); got " + streamBlockRows);
        }
    }

    /** A configuration that streams V only when it does not fit. */
    public CudaConfig(List<Path> libraryDirs, String cublasLibrary, boolean tf32, int device) {
        this(libraryDirs, cublasLibrary, tf32, device, 0, List.of());
    }

    /** The configuration from the system properties above and {@code NMF_CUDA_LIB_DIRS}. */
    public static CudaConfig fromSystemProperties() {
        List<Path> dirs = new ArrayList<>(split(System.getProperty(LIBRARY_PATH)));
        dirs.addAll(split(System.getenv(LIBRARY_DIRS_ENV)));
        String device = System.getProperty(DEVICE);
        int ordinal;
        try {
            ordinal = device == null || device.isBlank() ? 0 : Integer.parseInt(device.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(DEVICE + " must be a device number such as 0; got '" + device + "'");
        }
        String rows = System.getProperty(STREAM_BLOCK_ROWS);
        int blockRows;
        try {
            blockRows = rows == null || rows.isBlank() ? 0 : Integer.parseInt(rows.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(STREAM_BLOCK_ROWS + " must be a number of rows such as 4096; got '"
                    + rows + "'");
        }
        return new CudaConfig(dirs, System.getProperty(CUBLAS_LIBRARY), Boolean.getBoolean(TF32), ordinal, blockRows,
                parseDevices(System.getProperty(DEVICES)));
    }

    /** {@code all} → [-1]; {@code 0,1} → [0, 1]; unset or blank → []. */
    static List<Integer> parseDevices(String value) {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        if (value.strip().equalsIgnoreCase("all")) {
            return List.of(-1);
        }
        List<Integer> out = new ArrayList<>();
        for (String part : value.split(",")) {
            try {
                int d = Integer.parseInt(part.strip());
                if (d < 0 || out.contains(d)) {
                    throw new NumberFormatException();
                }
                out.add(d);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(DEVICES + " must be 'all' or distinct device numbers such as 0,1;"
                        + " got '" + value + "'");
            }
        }
        return out;
    }

    /** The same configuration searching {@code dirs} first. */
    public CudaConfig withLibraryDirs(List<Path> dirs) {
        List<Path> all = new ArrayList<>(dirs);
        all.addAll(libraryDirs);
        return new CudaConfig(all, cublasLibrary, tf32, device, streamBlockRows, devices);
    }

    /** The same configuration opening {@code library} as cuBLAS. */
    public CudaConfig withCublasLibrary(String library) {
        return new CudaConfig(libraryDirs, library, tf32, device, streamBlockRows, devices);
    }

    /** The same configuration with TF32 GEMMs on or off. */
    public CudaConfig withTf32(boolean enabled) {
        return new CudaConfig(libraryDirs, cublasLibrary, enabled, device, streamBlockRows, devices);
    }

    /** The same configuration streaming V in blocks of {@code rows} rows (0: only when it does not fit). */
    public CudaConfig withStreamBlockRows(int rows) {
        return new CudaConfig(libraryDirs, cublasLibrary, tf32, device, rows, devices);
    }

    /** The same configuration on one device. */
    public CudaConfig withDevice(int ordinal) {
        return new CudaConfig(libraryDirs, cublasLibrary, tf32, ordinal, streamBlockRows, List.of());
    }

    /** The same configuration with the devices of a several-GPU fit ([-1]: all). */
    public CudaConfig withDevices(List<Integer> ordinals) {
        return new CudaConfig(libraryDirs, cublasLibrary, tf32, device, streamBlockRows, ordinals);
    }

    static List<Path> split(String value) {
        List<Path> out = new ArrayList<>();
        if (value != null) {
            for (String part : value.split(":")) {
                if (!part.isBlank()) {
                    out.add(Path.of(part.strip()));
                }
            }
        }
        return out;
    }
}
