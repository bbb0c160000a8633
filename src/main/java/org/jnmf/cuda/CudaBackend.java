package org.jnmf.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jnmf.DenseMatrix;
import org.jnmf.Matrix;
import org.jnmf.MatrixTooLargeException;
import org.jnmf.Precision;
import org.jnmf.SparseMatrix;
import org.jnmf.backend.Backend;
import org.jnmf.backend.DeviceMatrix;

/**
 * The GPU backend: V, W, H and every intermediate product stay in GPU memory for the whole fit, the
 * products run on cuBLAS and the element-wise steps on our kernels ({@code cuda/nmf_kernels.cu}, shipped
 * as a fatbin with sm_80 and sm_90 code and compute_90 PTX); only scalars and the final factors come back.
 * Float32 and float64.
 *
 * <p>V is uploaded once from the heap (a critical FFM copy, no staging array); W and H are uploaded from
 * the host doubles the solver initialises. Every call is queued in order on one CUDA stream; work that
 * returns nothing is queued without waiting, so the host only waits for the loss scalars and the final
 * download.
 *
 * <p>Row-major products map onto column-major cuBLAS by swapping the operands (a row-major r×c matrix is
 * a column-major c×r one): C = op(A)·op(B) row-major is Cᵀ = op(B)ᵀ·op(A)ᵀ column-major, i.e.
 * {@code gemm(opB, opA, n, m, k, B, ldb, A, lda, C, ldc)} with the row lengths as leading dimensions.
 * Transposes are never materialised.
 *
 * <p>GEMMs use cuBLAS's default math mode (full float32 or float64). With the system property
 * {@code jnmf.cuda.tf32=true} float32 GEMMs may use TF32 tensor cores: several times faster on A100/H100,
 * but each product carries about 1e-3 relative error, so losses differ from the CPU backend by more than
 * float32 rounding. The custom kernels always use IEEE division and no contraction, matching the Java
 * backend's element arithmetic; the HALS sweeps (one warp per row of W / column of H) sum each gradient
 * over the warp's lanes in a fixed order, so they agree with the Java backend to rounding, not bit for bit.
 *
 * <p>A dense V larger than the device (with the Frobenius loss) stays in page-locked host memory and is
 * streamed in row blocks ({@link CudaHostMatrix}, {@link #passOverRows}); W, H and the work matrices stay
 * on the device. Sparse V is held on the device as CSR and its transpose for cuSPARSE. A CUDA failure stops
 * the fit with a {@link CudaException} naming the call, status code and name; running out
 * of GPU memory says how much was needed and how much is free.
 *
 * <p>Threading: CUDA contexts are current per OS thread, so each backend owns one platform thread that
 * makes all its CUDA calls, frees included ({@link GpuThread}). Like every backend it belongs to one fit
 * and is used from one thread at a time. {@link #close()} frees everything in reverse order of creation.
 */
public final class CudaBackend implements Backend {
    /** Where the build puts the kernels (maven-antrun-plugin runs nvcc into target/classes). */
    static final String KERNEL_RESOURCE = "/org/jnmf/cuda/nmf_kernels.fatbin";
    /** The start of the message for sparse V when cuSPARSE cannot be used (the reason follows). */
    public static final String SPARSE_MESSAGE = "sparse input on the cuda backend needs cuSPARSE";

    private static final int REDUCE_THREADS = 256;
    private static final int REDUCE_BLOCKS = 1024;
    private static final int UPDATE_THREADS = 256;
    private static final int UPDATE_MAX_BLOCKS = 1 << 16;
    /** HALS sweeps: one warp per row of W / column of H, NMF_HALS_WARPS (16) warps per block. */
    private static final int WARP = 32;
    private static final int HALS_WARPS = 16;
    private static final int HALS_THREADS = HALS_WARPS * WARP;
    private static final long COPY_CHUNK = 64L << 20;
    private static final int STREAM_NON_BLOCKING = 1;
    private static final int PARAM_SLOTS = 16;
    /** At most this much device memory for a streamed V's two block buffers, however much is free. */
    private static final long STREAM_BUFFERS_BYTES = 1L << 30;
    /** Of the free device memory, the share a streamed fit plans on using (cuBLAS keeps a workspace too). */
    private static final double STREAM_FREE_SHARE = 0.9;
    private static final int EVENT_DISABLE_TIMING = 2;
    private static final String STREAMED_ONLY = "a V streamed from host memory is read only by the products, ‖V‖²,"
            + " the residual and the row pass; this operation needs V on the device";

    private final CudaConfig config;
    private final Precision precision;
    private final boolean single;
    private final int elementBytes;
    private final GpuThread gpu;
    /** Matrices not yet freed; touched only on the GPU thread. */
    private final Set<CudaMatrix> live = new LinkedHashSet<>();
    /** Streamed V's not yet freed (page-locked host memory, block buffers, events); GPU thread only. */
    private final Set<CudaHostMatrix> liveStreamed = new LinkedHashSet<>();
    /** Sparse matrices whose cuSPARSE descriptors are not yet destroyed; GPU thread only. */
    private final Set<CudaSparse> liveSparse = new LinkedHashSet<>();

    // Set once by open() on the GPU thread (published to callers through the call's Future).
    private CudaDriver cu;
    private Cublas blas;
    private Cusparse sparse;
    private MemorySegment sparseHandle = MemorySegment.NULL;
    /** Why sparse V cannot run here (cuSPARSE missing or failing), or null when it can. */
    private String sparseUnavailable;
    private long spmmBuffer;
    private long spmmBufferBytes;
    private int device = -1;
    private int deviceCount;
    private MemorySegment context = MemorySegment.NULL;
    private MemorySegment stream = MemorySegment.NULL;
    /** Carries a streamed V's block copies, so that they overlap the work on {@link #stream}; made on first use. */
    private MemorySegment copyStream = MemorySegment.NULL;
    private MemorySegment handle = MemorySegment.NULL;
    private MemorySegment module = MemorySegment.NULL;
    private Kernel muUpdate;
    private Kernel halsColumns;
    private Kernel halsRows;
    private Kernel dotPartials;
    private Kernel residualPartials;
    private Kernel sumPartials;
    private Kernel muPowerUpdate;
    private Kernel combine;
    private Kernel powerEntries;
    private Kernel projectedGradientPartials;
    private Kernel betaPartials;
    private Kernel sampledPower;
    private Arena arena;
    private MemorySegment params;
    private MemorySegment paramPointers;
    private MemorySegment alpha;
    private MemorySegment beta;
    /** cuBLAS's β = 1: a product added to its output (the blocks of a streamed Wᵀ·V). */
    private MemorySegment one;
    private MemorySegment scratch;
    private MemorySegment sparseScratch;
    private long partials;
    private long result;
    private String summary = "";
    private volatile boolean closed;

    private record Kernel(String name, MemorySegment function) {
    }

    private CudaBackend(CudaConfig config, Precision precision) {
        this.config = config;
        this.precision = precision;
        this.single = precision == Precision.SINGLE;
        this.elementBytes = precision.bytes();
        this.gpu = new GpuThread("jnmf-cuda");
    }

    /**
     * The outcome of trying to open the backend: the backend when it is usable, otherwise every reason
     * it is not; {@code findings} describe what was found either way (libraries, driver, device).
     */
    public record Attempt(CudaBackend backend, List<String> reasons, List<String> findings) {
        public Attempt {
            reasons = List.copyOf(reasons);
            findings = List.copyOf(findings);
        }

        public boolean usable() {
            return backend != null;
        }
    }

    /**
     * Opens the backend for one fit, or explains why it cannot: the driver loads, {@code cuInit}
     * succeeds, the device exists, a test allocation works, a cuBLAS handle is created and the kernels
     * load. Never throws for an unusable machine.
     */
    public static Attempt attempt(CudaConfig config, Precision precision) {
        return attempt(config, precision, kernelImage());
    }

    /** {@link #attempt(CudaConfig, Precision)} with the given kernel image; null as when nvcc was absent. */
    static Attempt attempt(CudaConfig config, Precision precision, byte[] image) {
        CudaBackend b = new CudaBackend(config, precision);
        List<String> reasons = new ArrayList<>();
        List<String> findings = new ArrayList<>();
        boolean ok;
        try {
            ok = b.gpu.call(() -> b.open(image, reasons, findings));
        } catch (RuntimeException e) {
            reasons.add("opening the CUDA backend failed: " + e.getMessage());
            ok = false;
        }
        if (!ok) {
            b.close();
            if (reasons.isEmpty()) {
                reasons.add("the CUDA backend could not be opened");
            }
            return new Attempt(null, reasons, findings);
        }
        return new Attempt(b, reasons, findings);
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public Precision precision() {
        return precision;
    }

    /**
     * Why a sparse V cannot be fitted on this backend (cuSPARSE could not be loaded or its handle not
     * created), or null when it can.
     */
    public String sparseUnavailable() {
        return sparseUnavailable;
    }

    /** How many CUDA devices the driver reports (for {@code jnmf.cuda.devices=all}). */
    public int deviceCount() {
        return deviceCount;
    }

    /** The device, driver and libraries in use, in one line (for the fit's backend reason). */
    public String summary() {
        return summary;
    }

    // ---- opening and closing (GPU thread) ----

    /** Opens everything; the driver's reasons come first, then those about cuBLAS and the kernels. */
    private boolean open(byte[] image, List<String> reasons, List<String> findings) {
        List<String> other = new ArrayList<>();
        try {
            return open(image, reasons, other, findings);
        } finally {
            reasons.addAll(other);
        }
    }

    private boolean open(byte[] image, List<String> reasons, List<String> other, List<String> findings) {
        if (image == null) {
            other.add("kernels not built: " + KERNEL_RESOURCE.substring(1) + " is not on the class path (the build "
                    + "found no nvcc; build jnmf with CUDA's nvcc on the PATH)");
        }
        blas = loadCublas(other);
        sparse = loadCusparse();
        NativeLibraries.Opened driverLibrary;
        try {
            driverLibrary = NativeLibraries.open(List.of("libcuda.so.1"), config.libraryDirs());
            cu = new CudaDriver(driverLibrary.lookup(), driverLibrary.location());
        } catch (NativeLibraries.NotFound e) {
            reasons.add("no NVIDIA driver: " + e.getMessage());
            return false;
        } catch (Binder.MissingSymbol e) {
            reasons.add("the NVIDIA driver is too old: " + e.getMessage());
            return false;
        }
        int status = cu.init(0);
        if (status != CudaDriver.SUCCESS) {
            reasons.add("cuInit(0) in " + cu.location + " returned " + cu.describe(status));
            return false;
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_LONG, 2);
            if (cu.driverGetVersion(out) == CudaDriver.SUCCESS) {
                int v = out.get(JAVA_INT, 0);
                findings.add("driver: " + cu.location + ", CUDA " + v / 1000 + "." + v % 1000 / 10);
            }
            status = cu.deviceGetCount(out);
            int count = status == CudaDriver.SUCCESS ? out.get(JAVA_INT, 0) : 0;
            deviceCount = count;
            if (status != CudaDriver.SUCCESS) {
                reasons.add("cuDeviceGetCount returned " + cu.describe(status));
                return false;
            }
            if (count <= config.device()) {
                reasons.add(count == 0 ? "the driver reports no CUDA device"
                        : "device " + config.device() + " was asked for (" + CudaConfig.DEVICE + ") but only "
                                + count + " exist");
                return false;
            }
            cu.check(cu.deviceGet(out, config.device()), "cuDeviceGet");
            device = out.get(JAVA_INT, 0);
            findings.add(describeDevice(a, out));
            cu.check(cu.devicePrimaryCtxRetain(out, device), "cuDevicePrimaryCtxRetain");
            context = out.get(ADDRESS, 0);
            cu.check(cu.ctxSetCurrent(context), "cuCtxSetCurrent");
            status = cu.memAlloc(out, 1 << 20);
            if (status != CudaDriver.SUCCESS) {
                reasons.add("a 1 MiB test allocation on device " + config.device() + " failed: " + cu.describe(status));
                return false;
            }
            cu.check(cu.memFree(out.get(JAVA_LONG, 0)), "cuMemFree_v2");
            cu.check(cu.streamCreate(out, STREAM_NON_BLOCKING), "cuStreamCreate");
            stream = out.get(ADDRESS, 0);
            if (blas != null) {
                status = blas.create(out);
                if (status != Cublas.SUCCESS) {
                    reasons.add("cublasCreate_v2 in " + blas.location + " returned " + blas.describe(status));
                } else {
                    handle = out.get(ADDRESS, 0);
                    blas.check(blas.setStream(handle, stream), "cublasSetStream_v2");
                    boolean tf32 = config.tf32() && single;
                    blas.check(blas.setMathMode(handle, tf32 ? Cublas.TF32_TENSOR_OP_MATH : Cublas.DEFAULT_MATH),
                            "cublasSetMathMode");
                    if (blas.getVersion(handle, out) == Cublas.SUCCESS) {
                        int v = out.get(JAVA_INT, 0);
                        findings.add("cuBLAS: " + blas.location + ", version " + v / 10000 + "." + v % 10000 / 100
                                + "." + v % 100 + (tf32 ? ", TF32 tensor-core GEMMs" : ""));
                    }
                }
            }
            openCusparse(out, findings);
            if (image != null && !loadKernels(a, image, reasons)) {
                return false;
            }
            if (!reasons.isEmpty() || !other.isEmpty()) {
                return false;
            }
            arena = Arena.ofShared();
            params = arena.allocate(8L * PARAM_SLOTS, 8);
            paramPointers = arena.allocate(ADDRESS, PARAM_SLOTS);
            for (int i = 0; i < PARAM_SLOTS; i++) {
                paramPointers.setAtIndex(ADDRESS, i, params.asSlice(8L * i, 8));
            }
            alpha = arena.allocate(8, 8);
            beta = arena.allocate(8, 8);
            one = arena.allocate(8, 8);
            if (single) {
                alpha.set(JAVA_FLOAT, 0, 1f);
                beta.set(JAVA_FLOAT, 0, 0f);
                one.set(JAVA_FLOAT, 0, 1f);
            } else {
                alpha.set(JAVA_DOUBLE, 0, 1.0);
                beta.set(JAVA_DOUBLE, 0, 0.0);
                one.set(JAVA_DOUBLE, 0, 1.0);
            }
            scratch = arena.allocate(16, 8);
            sparseScratch = arena.allocate(ADDRESS, 3);
            partials = allocateBytes((long) REDUCE_BLOCKS * Double.BYTES, "reduction buffer", 1, REDUCE_BLOCKS);
            result = allocateBytes(Double.BYTES, "reduction result", 1, 1);
            summary = String.join("; ", findings);
            return true;
        }
    }

    private Cublas loadCublas(List<String> reasons) {
        List<String> names = config.cublasLibrary() != null ? List.of(config.cublasLibrary()) : Cublas.DEFAULT_NAMES;
        try {
            NativeLibraries.Opened opened = NativeLibraries.open(names, config.libraryDirs());
            return new Cublas(opened.lookup(), opened.location());
        } catch (NativeLibraries.NotFound e) {
            reasons.add("no cuBLAS: " + e.getMessage() + ". Install cuBLAS 13 (the CUDA toolkit or the pip wheel "
                    + "nvidia-cublas) and add its folder to -D" + CudaConfig.LIBRARY_PATH + " or "
                    + CudaConfig.LIBRARY_DIRS_ENV + (config.cublasLibrary() != null
                    ? ", or fix -D" + CudaConfig.CUBLAS_LIBRARY + "=" + config.cublasLibrary() : ""));
        } catch (Binder.MissingSymbol e) {
            reasons.add("cuBLAS is unusable: " + e.getMessage());
        }
        return null;
    }

    /** cuSPARSE is optional: without it the backend still fits dense V, and says why sparse V cannot run. */
    private Cusparse loadCusparse() {
        try {
            NativeLibraries.Opened opened = NativeLibraries.open(Cusparse.DEFAULT_NAMES, config.libraryDirs());
            return new Cusparse(opened.lookup(), opened.location());
        } catch (NativeLibraries.NotFound e) {
            sparseUnavailable = "no cuSPARSE: " + e.getMessage() + ". Install cuSPARSE 12 (the CUDA toolkit or the"
                    + " pip wheel nvidia-cusparse) and add its folder to -D" + CudaConfig.LIBRARY_PATH + " or "
                    + CudaConfig.LIBRARY_DIRS_ENV;
        } catch (Binder.MissingSymbol e) {
            sparseUnavailable = "cuSPARSE is unusable: " + e.getMessage();
        }
        return null;
    }

    private void openCusparse(MemorySegment out, List<String> findings) {
        if (sparse == null) {
            return;
        }
        int status = sparse.create(out);
        if (status != Cusparse.SUCCESS) {
            sparseUnavailable = "cusparseCreate in " + sparse.location + " returned " + sparse.describe(status);
            return;
        }
        sparseHandle = out.get(ADDRESS, 0);
        sparse.check(sparse.setStream(sparseHandle, stream), "cusparseSetStream");
        if (sparse.getVersion(sparseHandle, out) == Cusparse.SUCCESS) {
            int v = out.get(JAVA_INT, 0);
            findings.add("cuSPARSE: " + sparse.location + ", version " + v / 1000 + "." + v % 1000 / 100 + "."
                    + v % 100);
        }
    }

    private String describeDevice(Arena a, MemorySegment out) {
        MemorySegment name = a.allocate(256);
        String deviceName = cu.deviceGetName(name, 256, device) == CudaDriver.SUCCESS ? name.getString(0) : "?";
        int major = attribute(out, CudaDriver.ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
        int minor = attribute(out, CudaDriver.ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        int sms = attribute(out, CudaDriver.ATTRIBUTE_MULTIPROCESSOR_COUNT);
        long total = cu.deviceTotalMem(out, device) == CudaDriver.SUCCESS ? out.get(JAVA_LONG, 0) : -1;
        return "device " + config.device() + ": " + deviceName + ", compute capability " + major + "." + minor + ", "
                + sms + " SMs, " + bytes(total);
    }

    private int attribute(MemorySegment out, int attribute) {
        return cu.deviceGetAttribute(out, attribute, device) == CudaDriver.SUCCESS ? out.get(JAVA_INT, 0) : -1;
    }

    static byte[] kernelImage() {
        try (InputStream in = CudaBackend.class.getResourceAsStream(KERNEL_RESOURCE)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            return null;
        }
    }

    private boolean loadKernels(Arena a, byte[] image, List<String> reasons) {
        MemorySegment bytes = a.allocate(image.length + 1L);
        MemorySegment.copy(image, 0, bytes, JAVA_BYTE, 0, image.length);
        int logSize = 8192;
        MemorySegment log = a.allocate(logSize);
        MemorySegment options = a.allocate(JAVA_INT, 2);
        options.setAtIndex(JAVA_INT, 0, CudaDriver.JIT_ERROR_LOG_BUFFER);
        options.setAtIndex(JAVA_INT, 1, CudaDriver.JIT_ERROR_LOG_BUFFER_SIZE_BYTES);
        MemorySegment values = a.allocate(ADDRESS, 2);
        values.setAtIndex(ADDRESS, 0, log);
        values.setAtIndex(ADDRESS, 1, MemorySegment.ofAddress(logSize));
        MemorySegment out = a.allocate(ADDRESS);
        int status = cu.moduleLoadDataEx(out, bytes, 2, options, values);
        if (status != CudaDriver.SUCCESS) {
            String jit = log.getString(0).strip();
            reasons.add("the kernels did not load (cuModuleLoadDataEx returned " + cu.describe(status) + ")"
                    + (jit.isEmpty() ? "" : ": " + jit)
                    + (status == 222 ? "; the kernels' PTX needs a driver for CUDA 13.0 (580 or newer)" : ""));
            return false;
        }
        module = out.get(ADDRESS, 0);
        String suffix = single ? "_f32" : "_f64";
        muUpdate = function(a, "nmf_mu_update" + suffix);
        halsColumns = function(a, "nmf_hals_columns" + suffix);
        halsRows = function(a, "nmf_hals_rows" + suffix);
        dotPartials = function(a, "nmf_dot_partials" + suffix);
        residualPartials = function(a, "nmf_residual_partials" + suffix);
        sumPartials = function(a, "nmf_sum_partials");
        muPowerUpdate = function(a, "nmf_mu_power_update" + suffix);
        combine = function(a, "nmf_combine" + suffix);
        powerEntries = function(a, "nmf_power_entries" + suffix);
        projectedGradientPartials = function(a, "nmf_projected_gradient_partials" + suffix);
        betaPartials = function(a, "nmf_beta_partials" + suffix);
        sampledPower = function(a, "nmf_sampled_power" + suffix);
        return true;
    }

    private Kernel function(Arena a, String name) {
        MemorySegment out = a.allocate(ADDRESS);
        cu.check(cu.moduleGetFunction(out, module, a.allocateFrom(name)), "cuModuleGetFunction(" + name + ")");
        return new Kernel(name, out.get(ADDRESS, 0));
    }

    /** Frees everything, in reverse order of creation; safe after a failure and when called twice. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        gpu.finish(this::closeOnGpu);
        gpu.close();
    }

    private void closeOnGpu() {
        if (cu == null) {
            return;
        }
        if (!context.equals(MemorySegment.NULL)) {
            cu.ctxSetCurrent(context);
            if (!stream.equals(MemorySegment.NULL)) {
                cu.streamSynchronize(stream);
            }
            for (CudaSparse x : new ArrayList<>(liveSparse)) {
                destroyDescriptors(x);
            }
            for (CudaHostMatrix x : new ArrayList<>(liveStreamed)) {
                freeStreamed(x);
            }
            if (spmmBuffer != 0) {
                cu.memFree(spmmBuffer);
            }
            if (sparse != null && !sparseHandle.equals(MemorySegment.NULL)) {
                sparse.destroy(sparseHandle);
            }
            List<CudaMatrix> leftovers = new ArrayList<>(live);
            for (int i = leftovers.size() - 1; i >= 0; i--) {
                free(leftovers.get(i));
            }
            if (result != 0) {
                cu.memFree(result);
            }
            if (partials != 0) {
                cu.memFree(partials);
            }
            if (blas != null && !handle.equals(MemorySegment.NULL)) {
                blas.destroy(handle);
            }
            if (!module.equals(MemorySegment.NULL)) {
                cu.moduleUnload(module);
            }
            if (!copyStream.equals(MemorySegment.NULL)) {
                cu.streamDestroy(copyStream);
            }
            if (!stream.equals(MemorySegment.NULL)) {
                cu.streamDestroy(stream);
            }
            cu.ctxSetCurrent(MemorySegment.NULL);
            cu.devicePrimaryCtxRelease(device);
        }
        if (arena != null) {
            arena.close();
        }
    }

    // ---- memory ----

    /** A dense matrix in GPU memory (row-major). */
    final class CudaMatrix implements DeviceMatrix {
        final long pointer;
        final int rows;
        final int cols;
        private boolean released;

        CudaMatrix(long pointer, int rows, int cols) {
            this.pointer = pointer;
            this.rows = rows;
            this.cols = cols;
        }

        long elements() {
            return (long) rows * cols;
        }

        @Override
        public int rows() {
            return rows;
        }

        @Override
        public int cols() {
            return cols;
        }

        @Override
        public void close() {
            if (released) {
                return;
            }
            released = true;
            if (!closed) {
                gpu.postCleanup(() -> free(this));
            }
        }
    }

    /**
     * A sparse V (or a work matrix with its pattern) in GPU memory: V's CSR and the CSR of Vᵀ (V's CSC), each
     * with a cuSPARSE descriptor. Wᵀ·V runs as (Vᵀ·W)ᵀ on the transposed copy with a non-transposed sparse
     * operand: cuSPARSE's SpMM with opA = transpose on a CSR matrix scatters (atomics, and its results may
     * differ from run to run), while a non-transposed CSR operand is its fast, deterministic case, so twice
     * V's memory buys both products at full speed. A work matrix shares V's index arrays and owns its values.
     */
    final class CudaSparse implements DeviceMatrix {
        final int rows;
        final int cols;
        final long nnz;
        final CudaMatrix rowStart;
        final CudaMatrix columns;
        final CudaMatrix values;
        final CudaMatrix transposedRowStart;
        final CudaMatrix transposedColumns;
        final CudaMatrix transposedValues;
        private final boolean ownsPattern;
        MemorySegment descriptor = MemorySegment.NULL;
        MemorySegment transposedDescriptor = MemorySegment.NULL;
        private boolean released;

        CudaSparse(int rows, int cols, long nnz, CudaMatrix rowStart, CudaMatrix columns, CudaMatrix values,
                   CudaMatrix transposedRowStart, CudaMatrix transposedColumns, CudaMatrix transposedValues) {
            this.rows = rows;
            this.cols = cols;
            this.nnz = nnz;
            this.rowStart = rowStart;
            this.columns = columns;
            this.values = values;
            this.transposedRowStart = transposedRowStart;
            this.transposedColumns = transposedColumns;
            this.transposedValues = transposedValues;
            this.ownsPattern = true;
        }

        /** A work matrix with the pattern of {@code like} and its own (unwritten) values. */
        CudaSparse(CudaSparse like, CudaMatrix values, CudaMatrix transposedValues) {
            this.rows = like.rows;
            this.cols = like.cols;
            this.nnz = like.nnz;
            this.rowStart = like.rowStart;
            this.columns = like.columns;
            this.values = values;
            this.transposedRowStart = like.transposedRowStart;
            this.transposedColumns = like.transposedColumns;
            this.transposedValues = transposedValues;
            this.ownsPattern = false;
        }

        @Override
        public int rows() {
            return rows;
        }

        @Override
        public int cols() {
            return cols;
        }

        @Override
        public boolean sparse() {
            return true;
        }

        @Override
        public void close() {
            if (released) {
                return;
            }
            released = true;
            if (!closed) {
                gpu.postCleanup(() -> {
                    destroyDescriptors(this);
                    free(values);
                    free(transposedValues);
                    if (ownsPattern) {
                        free(rowStart);
                        free(columns);
                        free(transposedRowStart);
                        free(transposedColumns);
                    }
                });
            }
        }
    }

    private void destroyDescriptors(CudaSparse x) {
        if (liveSparse.remove(x)) {
            sparse.destroySpMat(x.descriptor);
            sparse.destroySpMat(x.transposedDescriptor);
        }
    }

    /** Creates the two CSR descriptors of x (V's and Vᵀ's) on the GPU thread. */
    private CudaSparse describe(CudaSparse x) {
        int type = single ? Cusparse.R_32F : Cusparse.R_64F;
        gpu.call(() -> {
            MemorySegment out = sparseScratch;
            sparse.check(sparse.createCsr(out, x.rows, x.cols, x.nnz, x.rowStart.pointer, x.columns.pointer,
                    x.values.pointer, type), "cusparseCreateCsr");
            x.descriptor = out.get(ADDRESS, 0);
            liveSparse.add(x);
            sparse.check(sparse.createCsr(out, x.cols, x.rows, x.nnz, x.transposedRowStart.pointer,
                    x.transposedColumns.pointer, x.transposedValues.pointer, type), "cusparseCreateCsr");
            x.transposedDescriptor = out.get(ADDRESS, 0);
            return null;
        });
        return x;
    }

    /**
     * Uploads a CSR V with its transpose: offsets and columns as 32-bit integers, values in this backend's
     * precision; throws with the reason and the fix when cuSPARSE is not usable here.
     */
    private DeviceMatrix uploadSparse(SparseMatrix s) {
        if (sparseUnavailable != null) {
            throw new IllegalArgumentException(SPARSE_MESSAGE + ": " + sparseUnavailable + "; or use --backend java");
        }
        SparseMatrix t = s.transpose();
        long nnz = s.nonZeros();
        CudaMatrix rowStart = upload(s.rowStart(), "V's row offsets");
        CudaMatrix columns = upload(s.columnIndices(), "V's column indices");
        CudaMatrix values = uploadValues(s.values(), "V's values");
        CudaMatrix transposedRowStart = upload(t.rowStart(), "Vᵀ's row offsets");
        CudaMatrix transposedColumns = upload(t.columnIndices(), "Vᵀ's column indices");
        CudaMatrix transposedValues = uploadValues(t.values(), "Vᵀ's values");
        return describe(new CudaSparse(s.rows(), s.cols(), nnz, rowStart, columns, values, transposedRowStart,
                transposedColumns, transposedValues));
    }

    private CudaMatrix upload(int[] indices, String what) {
        CudaMatrix x = allocateArray((long) indices.length * Integer.BYTES, what);
        copyIn(x, 0, MemorySegment.ofArray(indices));
        return x;
    }

    private CudaMatrix uploadValues(double[] values, String what) {
        CudaMatrix x = allocateArray((long) values.length * elementBytes, what);
        if (single) {
            float[] f = new float[values.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) values[i];
            }
            copyIn(x, 0, MemorySegment.ofArray(f));
        } else {
            copyIn(x, 0, MemorySegment.ofArray(values));
        }
        return x;
    }

    /** A device array of {@code bytes} (at least 1), tracked and freed like a matrix. */
    private CudaMatrix allocateArray(long bytes, String what) {
        return gpu.call(() -> {
            CudaMatrix m = new CudaMatrix(allocateBytes(Math.max(1L, bytes), what, 1, (int) Math.min(Integer.MAX_VALUE,
                    bytes / elementBytes)), 1, 0);
            live.add(m);
            return m;
        });
    }

    /**
     * C = A·op(B) on cuSPARSE, op = transpose, with A = V's CSR or (transposed) Vᵀ's; B (rows×cols, ld) and C
     * (rows×cols, ld) dense in one order. The workspace grows as cuSPARSE asks and is kept for the fit.
     */
    private void spmm(CudaSparse a, boolean transposed, long bRows, long bCols, long bLd, long b, long cRows,
                      long cCols, long cLd, long c, int order) {
        int type = single ? Cusparse.R_32F : Cusparse.R_64F;
        gpu.post(() -> {
            MemorySegment out = sparseScratch;
            sparse.check(sparse.createDnMat(out, bRows, bCols, bLd, b, type, order), "cusparseCreateDnMat");
            MemorySegment bDescriptor = out.get(ADDRESS, 0);
            try {
                sparse.check(sparse.createDnMat(out, cRows, cCols, cLd, c, type, order), "cusparseCreateDnMat");
                MemorySegment cDescriptor = out.get(ADDRESS, 0);
                try {
                    MemorySegment aDescriptor = transposed ? a.transposedDescriptor : a.descriptor;
                    MemorySegment size = out.asSlice(ADDRESS.byteSize() * 2, 8);
                    sparse.check(sparse.spmmBufferSize(sparseHandle, Cusparse.OP_N, Cusparse.OP_T, alpha,
                            aDescriptor, bDescriptor, beta, cDescriptor, type, size), "cusparseSpMM_bufferSize");
                    long bytes = Math.max(256, size.get(JAVA_LONG, 0));
                    if (bytes > spmmBufferBytes) {
                        if (spmmBuffer != 0) {
                            // Earlier SpMM calls may still be using the old workspace.
                            cu.check(cu.streamSynchronize(stream), "cuStreamSynchronize");
                            cu.memFree(spmmBuffer);
                            spmmBuffer = 0;
                            spmmBufferBytes = 0;
                        }
                        spmmBuffer = allocateBytes(bytes, "the cuSPARSE SpMM workspace", 1, (int) Math.min(
                                Integer.MAX_VALUE, bytes));
                        spmmBufferBytes = bytes;
                    }
                    sparse.check(sparse.spmm(sparseHandle, Cusparse.OP_N, Cusparse.OP_T, alpha, aDescriptor,
                            bDescriptor, beta, cDescriptor, type, spmmBuffer), "cusparseSpMM");
                } finally {
                    sparse.destroyDnMat(cDescriptor);
                }
            } finally {
                sparse.destroyDnMat(bDescriptor);
            }
        });
    }

    /** Both layouts of out (V's CSR and Vᵀ's) get V ⊙ (W·H)^exponent at V's stored entries, same bits in each. */
    private void sampledPowerSparse(CudaSparse v, CudaMatrix w, CudaMatrix h, double exponent, CudaSparse out) {
        int m = h.cols;
        int k = w.cols;
        long nnz = v.nnz;
        int blocks = (int) Math.max(1, Math.min(ceilDiv(nnz, UPDATE_THREADS), UPDATE_MAX_BLOCKS));
        gpu.post(() -> {
            launch(sampledPower, blocks, UPDATE_THREADS, new Args().pointer(v.rowStart.pointer)
                    .pointer(v.columns.pointer).pointer(v.values.pointer).pointer(w.pointer).pointer(h.pointer)
                    .int32(v.rows).int32(m).int32(k).int32(0).float64(exponent).real(DIVISION_GUARD)
                    .pointer(out.values.pointer).int64(nnz));
            launch(sampledPower, blocks, UPDATE_THREADS, new Args().pointer(v.transposedRowStart.pointer)
                    .pointer(v.transposedColumns.pointer).pointer(v.transposedValues.pointer).pointer(w.pointer)
                    .pointer(h.pointer).int32(v.cols).int32(m).int32(k).int32(1).float64(exponent)
                    .real(DIVISION_GUARD).pointer(out.transposedValues.pointer).int64(nnz));
        });
    }

    /** A data matrix's values and, when it is sparse, its CSR offsets and columns (0 for a dense one). */
    private record DataPointers(long values, long rowStart, long columns) {
        Args into(Args args) {
            return args.pointer(values).pointer(rowStart).pointer(columns);
        }
    }

    private static DataPointers dataPointers(DeviceMatrix v) {
        if (v instanceof CudaSparse s) {
            return new DataPointers(s.values.pointer, s.rowStart.pointer, s.columns.pointer);
        }
        return new DataPointers(dense(v).pointer, 0, 0);
    }

    private void free(CudaMatrix m) {
        if (live.remove(m)) {
            cu.memFree(m.pointer);
        }
    }

    private CudaMatrix allocate(int rows, int cols, String what) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("matrix shape must be non-negative; got " + rows + "×" + cols);
        }
        return gpu.call(() -> {
            long bytes = Math.max(1L, (long) rows * cols) * elementBytes;
            CudaMatrix m = new CudaMatrix(allocateBytes(bytes, what, rows, cols), rows, cols);
            live.add(m);
            return m;
        });
    }

    @Override
    public void requireMemory(long bytes, String what) {
        requireMemory(bytes, what, "");
    }

    /** As {@link #requireMemory(long, String)}, with {@code why} (from " (") after the device's numbers. */
    private void requireMemory(long bytes, String what, String why) {
        long[] freeAndTotal = freeAndTotal();
        if (bytes > freeAndTotal[0]) {
            throw new MatrixTooLargeException(what + " needs " + bytes(bytes) + " of GPU memory but the device has "
                    + bytes(freeAndTotal[0]) + " free of " + bytes(freeAndTotal[1]) + " total" + why + "; use a smaller"
                    + " problem or rank, float32 precision (--precision single), or a CPU backend (--backend blas or"
                    + " java)", bytes, freeAndTotal[0]);
        }
    }

    private long[] freeAndTotal() {
        return gpu.call(() -> {
            cu.check(cu.memGetInfo(scratch, scratch.asSlice(8)), "cuMemGetInfo_v2");
            return new long[] {scratch.get(JAVA_LONG, 0), scratch.get(JAVA_LONG, 8)};
        });
    }

    /** cuMemAlloc_v2 on the GPU thread; running out of memory says how much was needed and is free. */
    private long allocateBytes(long bytes, String what, int rows, int cols) {
        int status = cu.memAlloc(scratch, bytes);
        if (status == CudaDriver.ERROR_OUT_OF_MEMORY) {
            String free = "";
            if (cu.memGetInfo(scratch, scratch.asSlice(8)) == CudaDriver.SUCCESS) {
                free = " but the device has " + bytes(scratch.get(JAVA_LONG, 0)) + " free of "
                        + bytes(scratch.get(JAVA_LONG, 8)) + " total";
            }
            throw new CudaException("cuMemAlloc_v2", status, cu.errorName(status),
                    "out of GPU memory: " + what + " (" + rows + "×" + cols + (single ? " float32" : " float64") + ") needs "
                            + bytes(bytes) + free + " (cuMemAlloc_v2 returned " + cu.describe(status) + "). Use a "
                            + "smaller problem or rank, float32 precision, or --backend java.");
        }
        cu.check(status, "cuMemAlloc_v2");
        return scratch.get(JAVA_LONG, 0);
    }

    static String bytes(long bytes) {
        if (bytes < 0) {
            return "? bytes";
        }
        if (bytes < 1L << 20) {
            return bytes + " bytes";
        }
        return String.format(Locale.ROOT, bytes < 1L << 30 ? "%.1f MiB" : "%.2f GiB",
                bytes / (double) (bytes < 1L << 30 ? 1L << 20 : 1L << 30));
    }

    private static CudaMatrix dense(DeviceMatrix x) {
        if (x instanceof CudaHostMatrix) {
            throw new IllegalArgumentException(STREAMED_ONLY);
        }
        return (CudaMatrix) x;
    }

    @Override
    public DeviceMatrix upload(Matrix v) {
        if (v instanceof SparseMatrix s) {
            return uploadSparse(s);
        }
        DenseMatrix d = (DenseMatrix) v;
        CudaMatrix x = allocate(d.rows(), d.cols(), "V");
        if (d.precision() != precision) {
            uploadConverted(d, x);
        } else if (d.offHeap()) {
            copyIn(x, 0, d.segment());
        } else {
            long offset = 0;
            for (int b = 0; b < d.blockCount(); b++) {
                MemorySegment block = single ? MemorySegment.ofArray(d.floatBlock(b))
                        : MemorySegment.ofArray(d.doubleBlock(b));
                copyIn(x, offset, block);
                offset += block.byteSize();
            }
        }
        return x;
    }

    /**
     * V in another precision than the fit's, converted a chunk of rows at a time on the way to x: no whole
     * converted copy on the host, which matters most for a V held off the heap because the heap is small.
     */
    private void uploadConverted(DenseMatrix d, CudaMatrix x) {
        int cols = d.cols();
        long chunkBytes = 8L << 20;
        int rowsPerChunk = (int) Math.max(1, Math.min(d.rows(),
                chunkBytes / Math.max(1, (long) cols * elementBytes)));
        double[] row = new double[cols];
        for (int first = 0; first < d.rows(); first += rowsPerChunk) {
            int rows = Math.min(rowsPerChunk, d.rows() - first);
            MemorySegment chunk;
            if (single) {
                float[] f = new float[rows * cols];
                for (int i = 0; i < rows; i++) {
                    d.copyRow(first + i, row);
                    for (int j = 0; j < cols; j++) {
                        f[i * cols + j] = (float) row[j];
                    }
                }
                chunk = MemorySegment.ofArray(f);
            } else {
                double[] values = new double[rows * cols];
                for (int i = 0; i < rows; i++) {
                    d.copyRow(first + i, row);
                    System.arraycopy(row, 0, values, i * cols, cols);
                }
                chunk = MemorySegment.ofArray(values);
            }
            long offset = (long) first * cols * elementBytes;
            // One chunk at a time: waiting for each copy keeps a single chunk on the heap.
            gpu.call(() -> {
                cu.check(cu.memcpyHtoDAsync(x.pointer + offset, chunk, chunk.byteSize(), stream),
                        "cuMemcpyHtoDAsync_v2");
                return null;
            });
        }
    }

    @Override
    public DeviceMatrix upload(int rows, int cols, double[] rowMajor) {
        if ((long) rows * cols != rowMajor.length) {
            throw new IllegalArgumentException("a " + rows + "×" + cols + " matrix needs " + (long) rows * cols
                    + " values; got " + rowMajor.length);
        }
        CudaMatrix x = allocate(rows, cols, "a factor");
        MemorySegment host;
        if (single) {
            float[] f = new float[rowMajor.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) rowMajor[i];
            }
            host = MemorySegment.ofArray(f);
        } else {
            host = MemorySegment.ofArray(rowMajor.clone());
        }
        copyIn(x, 0, host);
        return x;
    }

    /** Queues the copy of a heap segment (which the lambda keeps alive) to x at a byte offset, in chunks. */
    private void copyIn(CudaMatrix x, long offset, MemorySegment host) {
        gpu.post(() -> {
            for (long done = 0; done < host.byteSize(); done += COPY_CHUNK) {
                long length = Math.min(COPY_CHUNK, host.byteSize() - done);
                cu.check(cu.memcpyHtoDAsync(x.pointer + offset + done, host.asSlice(done, length), length, stream),
                        "cuMemcpyHtoDAsync_v2");
            }
        });
    }

    @Override
    public DeviceMatrix allocate(int rows, int cols) {
        return allocate(rows, cols, "a work matrix");
    }

    @Override
    public double[] download(DeviceMatrix x) {
        CudaMatrix m = dense(x);
        int n = Math.toIntExact(m.elements());
        if (single) {
            float[] f = new float[n];
            copyOut(m, MemorySegment.ofArray(f));
            double[] out = new double[n];
            for (int i = 0; i < n; i++) {
                out[i] = f[i];
            }
            return out;
        }
        double[] out = new double[n];
        copyOut(m, MemorySegment.ofArray(out));
        return out;
    }

    private void copyOut(CudaMatrix m, MemorySegment host) {
        gpu.call(() -> {
            // Wait first: the copy call is critical (it holds off the GC) and must not wait on kernels.
            cu.check(cu.streamSynchronize(stream), "cuStreamSynchronize");
            for (long done = 0; done < host.byteSize(); done += COPY_CHUNK) {
                long length = Math.min(COPY_CHUNK, host.byteSize() - done);
                cu.check(cu.memcpyDtoHAsync(host.asSlice(done, length), m.pointer + done, length, stream),
                        "cuMemcpyDtoHAsync_v2");
            }
            return null;
        });
    }

    /** Waits until everything queued so far has run on the GPU (for timing); rethrows a pending failure. */
    public void synchronize() {
        gpu.call(() -> {
            cu.check(cu.streamSynchronize(stream), "cuStreamSynchronize");
            return null;
        });
    }

    // ---- V streamed from host memory ----

    /**
     * A dense V kept in page-locked host memory, in this backend's precision, because it does not fit on
     * the device beside the factors (or because {@link CudaConfig#STREAM_BLOCK_ROWS} asks). Each pass over V
     * copies its row blocks, on {@link #copyStream}, into two device buffers in turn, so that the copy of
     * block b+1 overlaps the work on block b. Two events per buffer order the streams: the work on a block
     * waits for its copy ({@code copied}), and a copy into a buffer waits for the work on the block it held
     * before ({@code consumed}). Fields are set as they are made, so that a failure part-way frees what exists.
     */
    final class CudaHostMatrix implements DeviceMatrix {
        final int rows;
        final int cols;
        final int blockRows;
        MemorySegment host = MemorySegment.NULL;
        final CudaMatrix[] buffers = new CudaMatrix[2];
        final MemorySegment[] copied = {MemorySegment.NULL, MemorySegment.NULL};
        final MemorySegment[] consumed = {MemorySegment.NULL, MemorySegment.NULL};
        private boolean released;

        CudaHostMatrix(int rows, int cols, int blockRows) {
            this.rows = rows;
            this.cols = cols;
            this.blockRows = blockRows;
        }

        int blocks() {
            return (int) ceilDiv(rows, blockRows);
        }

        @Override
        public int rows() {
            return rows;
        }

        @Override
        public int cols() {
            return cols;
        }

        @Override
        public void close() {
            if (released) {
                return;
            }
            released = true;
            if (!closed) {
                gpu.postCleanup(() -> freeStreamed(this));
            }
        }
    }

    @Override
    public String howHeld(DeviceMatrix v) {
        return v instanceof CudaHostMatrix s ? "V streamed from page-locked host memory in " + s.blocks() + " blocks of "
                + s.blockRows + " rows, read once an iteration" : null;
    }

    @Override
    public DeviceMatrix uploadData(Matrix v, int rank, long vBytes, long otherBytes, String notStreamable,
                                   String what) {
        long free = freeAndTotal()[0];
        boolean forced = config.streamBlockRows() > 0;
        if (notStreamable != null || !(v instanceof DenseMatrix d) || (!forced && vBytes + otherBytes <= free)) {
            requireMemory(vBytes + otherBytes, what, notStreamable == null ? ""
                    : " (V is held whole on the device here: " + notStreamable + ")");
            return upload(v);
        }
        long rowBytes = (long) d.cols() * elementBytes;
        int blockRows;
        if (forced) {
            blockRows = Math.min(d.rows(), config.streamBlockRows());
        } else {
            long perBuffer = Math.min(STREAM_BUFFERS_BYTES, (long) (free * STREAM_FREE_SHARE) - otherBytes) / 2;
            blockRows = (int) Math.max(1, Math.min(d.rows(), perBuffer / rowBytes));
        }
        requireMemory(otherBytes + 2L * blockRows * rowBytes, what + " with V streamed from host memory in blocks of "
                + blockRows + " rows", "");
        return uploadStreamed(d, blockRows);
    }

    private CudaHostMatrix uploadStreamed(DenseMatrix d, int blockRows) {
        long bytes = (long) d.rows() * d.cols() * elementBytes;
        CudaHostMatrix x = gpu.call(() -> {
            if (copyStream.equals(MemorySegment.NULL)) {
                cu.check(cu.streamCreate(scratch, STREAM_NON_BLOCKING), "cuStreamCreate");
                copyStream = scratch.get(ADDRESS, 0);
            }
            CudaHostMatrix m = new CudaHostMatrix(d.rows(), d.cols(), blockRows);
            int status = cu.memAllocHost(scratch, bytes);
            if (status != CudaDriver.SUCCESS) {
                throw new CudaException("cuMemAllocHost_v2", status, cu.errorName(status), "page-locking "
                        + bytes(bytes) + " of host memory for V (" + d.rows() + "×" + d.cols() + ", streamed to the GPU"
                        + " because it does not fit there) failed: " + cu.describe(status) + ". Give the JVM less"
                        + " heap (-Xmx), use float32 (--precision single), or a CPU backend (--backend java).");
            }
            m.host = scratch.get(ADDRESS, 0).reinterpret(bytes);
            liveStreamed.add(m);
            for (int slot = 0; slot < 2; slot++) {
                m.buffers[slot] = new CudaMatrix(allocateBytes((long) blockRows * d.cols() * elementBytes,
                        "a block of streamed V", blockRows, d.cols()), blockRows, d.cols());
                live.add(m.buffers[slot]);
                cu.check(cu.eventCreate(scratch, EVENT_DISABLE_TIMING), "cuEventCreate");
                m.copied[slot] = scratch.get(ADDRESS, 0);
                cu.check(cu.eventCreate(scratch, EVENT_DISABLE_TIMING), "cuEventCreate");
                m.consumed[slot] = scratch.get(ADDRESS, 0);
            }
            return m;
        });
        try {
            fillHost(d, x.host);
        } catch (RuntimeException | Error e) {
            x.close();
            throw e;
        }
        return x;
    }

    /** V's values into the page-locked copy, in this backend's precision (written from the caller's thread). */
    private void fillHost(DenseMatrix d, MemorySegment host) {
        if (d.precision() == precision && d.offHeap()) {
            MemorySegment.copy(d.segment(), 0, host, 0, host.byteSize());
            return;
        }
        if (d.precision() == precision) {
            long offset = 0;
            for (int b = 0; b < d.blockCount(); b++) {
                MemorySegment block = single ? MemorySegment.ofArray(d.floatBlock(b))
                        : MemorySegment.ofArray(d.doubleBlock(b));
                MemorySegment.copy(block, 0, host, offset, block.byteSize());
                offset += block.byteSize();
            }
            return;
        }
        int cols = d.cols();
        double[] row = new double[cols];
        for (int i = 0; i < d.rows(); i++) {
            d.copyRow(i, row);
            long at = (long) i * cols;
            for (int j = 0; j < cols; j++) {
                if (single) {
                    host.setAtIndex(JAVA_FLOAT, at + j, (float) row[j]);
                } else {
                    host.setAtIndex(JAVA_DOUBLE, at + j, row[j]);
                }
            }
        }
    }

    /** GPU thread: waits for the streams, then frees the block buffers, the events and the host memory. */
    private void freeStreamed(CudaHostMatrix x) {
        if (!liveStreamed.remove(x)) {
            return;
        }
        if (!copyStream.equals(MemorySegment.NULL)) {
            cu.streamSynchronize(copyStream);
        }
        cu.streamSynchronize(stream);
        for (int slot = 0; slot < 2; slot++) {
            if (x.buffers[slot] != null) {
                free(x.buffers[slot]);
            }
            for (MemorySegment event : new MemorySegment[] {x.copied[slot], x.consumed[slot]}) {
                if (!event.equals(MemorySegment.NULL)) {
                    cu.eventDestroy(event);
                }
            }
        }
        if (!x.host.equals(MemorySegment.NULL)) {
            cu.memFreeHost(x.host);
        }
    }

    /** What to do with one block of a streamed V: rows firstRow… of V, in a device buffer. */
    @FunctionalInterface
    private interface BlockWork {
        void run(int firstRow, CudaMatrix block);
    }

    /**
     * Queues a pass over a streamed V: block b+1's copy is queued before block b's work, each block's work
     * waits for its copy, and each copy waits for the work on the block its buffer held before.
     */
    private void forEachBlock(CudaHostMatrix v, BlockWork work) {
        int count = v.blocks();
        queueCopy(v, 0);
        for (int b = 0; b < count; b++) {
            if (b + 1 < count) {
                queueCopy(v, b + 1);
            }
            int slot = b % 2;
            int first = b * v.blockRows;
            int rows = Math.min(v.blockRows, v.rows - first);
            gpu.post(() -> cu.check(cu.streamWaitEvent(stream, v.copied[slot]), "cuStreamWaitEvent"));
            work.run(first, new CudaMatrix(v.buffers[slot].pointer, rows, v.cols));
            gpu.post(() -> cu.check(cu.eventRecord(v.consumed[slot], stream), "cuEventRecord"));
        }
    }

    private void queueCopy(CudaHostMatrix v, int b) {
        int slot = b % 2;
        long first = (long) b * v.blockRows;
        long bytes = Math.min(v.blockRows, v.rows - first) * v.cols * elementBytes;
        long offset = first * v.cols * elementBytes;
        gpu.post(() -> {
            cu.check(cu.streamWaitEvent(copyStream, v.consumed[slot]), "cuStreamWaitEvent");
            cu.check(cu.memcpyHtoDAsync(v.buffers[slot].pointer, v.host.asSlice(offset, bytes), bytes, copyStream),
                    "cuMemcpyHtoDAsync_v2");
            cu.check(cu.eventRecord(v.copied[slot], copyStream), "cuEventRecord");
        });
    }

    /** Rows first… of a dense device matrix, sharing its memory (never freed on its own). */
    private CudaMatrix rowsOf(CudaMatrix x, int first, int rows) {
        return new CudaMatrix(x.pointer + (long) first * x.cols * elementBytes, rows, x.cols);
    }

    // ---- products (cuBLAS) ----

    /**
     * Row-major C (m×n) = op(A)·op(B) with op(A) m×k and op(B) k×n; lda, ldb, ldc are the row lengths of
     * A, B and C as stored. Column-major, that is Cᵀ = op(B)ᵀ·op(A)ᵀ, so cuBLAS gets the operands swapped.
     */
    private void gemm(boolean transA, boolean transB, int m, int n, int k, CudaMatrix a, int lda, CudaMatrix b,
                      int ldb, CudaMatrix c, int ldc) {
        gemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc, false);
    }

    /** As above; with {@code add}, C += op(A)·op(B) (cuBLAS's β = 1). */
    private void gemm(boolean transA, boolean transB, int m, int n, int k, CudaMatrix a, int lda, CudaMatrix b,
                      int ldb, CudaMatrix c, int ldc, boolean add) {
        MemorySegment betaValue = add ? one : beta;
        gpu.post(() -> blas.check(blas.gemm(single, handle, transB ? Cublas.OP_T : Cublas.OP_N,
                transA ? Cublas.OP_T : Cublas.OP_N, n, m, k, alpha, b.pointer, ldb, a.pointer, lda, betaValue,
                c.pointer, ldc), single ? "cublasSgemm_v2" : "cublasDgemm_v2"));
    }

    @Override
    public void multiplyByTransposed(DeviceMatrix v, DeviceMatrix h, DeviceMatrix out) {
        if (v instanceof CudaSparse s) {
            // V (n×m CSR) · op(B) with B = H as a row-major k×m matrix, op = transpose; C row-major n×k.
            CudaMatrix hh = dense(h);
            spmm(s, false, hh.rows, hh.cols, hh.cols, hh.pointer, s.rows, hh.rows, hh.rows, dense(out).pointer,
                    Cusparse.ORDER_ROW);
            return;
        }
        if (v instanceof CudaHostMatrix s) {
            CudaMatrix hh = dense(h);
            CudaMatrix o = dense(out);
            forEachBlock(s, (first, block) -> gemm(false, true, block.rows, hh.rows, s.cols, block, s.cols, hh,
                    s.cols, rowsOf(o, first, block.rows), hh.rows));
            return;
        }
        CudaMatrix vv = dense(v);
        CudaMatrix hh = dense(h);
        int n = vv.rows;
        int m = vv.cols;
        int k = hh.rows;
        gemm(false, true, n, k, m, vv, m, hh, m, dense(out), k);
    }

    @Override
    public void multiplyTransposedBy(DeviceMatrix w, DeviceMatrix v, DeviceMatrix out) {
        if (v instanceof CudaSparse s) {
            // Wᵀ·V = (Vᵀ·W)ᵀ: Vᵀ (m×n CSR, V's transposed copy) · op(B) with B = W read as a column-major k×n
            // matrix, op = transpose; C column-major m×k, which is the row-major k×m result.
            CudaMatrix ww = dense(w);
            spmm(s, true, ww.cols, ww.rows, ww.cols, ww.pointer, s.cols, ww.cols, s.cols, dense(out).pointer,
                    Cusparse.ORDER_COL);
            return;
        }
        if (v instanceof CudaHostMatrix s) {
            CudaMatrix ww = dense(w);
            CudaMatrix o = dense(out);
            forEachBlock(s, (first, block) -> gemm(true, false, ww.cols, s.cols, block.rows,
                    rowsOf(ww, first, block.rows), ww.cols, block, s.cols, o, s.cols, first > 0));
            return;
        }
        CudaMatrix ww = dense(w);
        CudaMatrix vv = dense(v);
        int n = ww.rows;
        int k = ww.cols;
        int m = vv.cols;
        gemm(true, false, k, m, n, ww, k, vv, m, dense(out), m);
    }

    /**
     * One pass over a streamed V, block by block: A_b = V_b·Hᵀ, the W half-step on rows b of W and A, then
     * C += W_bᵀ·V_b with the updated rows (C = the first block's product, then sums): V crosses the bus
     * once per iteration. For V on the device, {@link Backend#passOverRows}'s three calls.
     */
    @Override
    public void passOverRows(DeviceMatrix v, DeviceMatrix h, DeviceMatrix a, boolean aCurrent, DeviceMatrix w,
                             DeviceMatrix work, RowUpdate update, DeviceMatrix c) {
        if (!(v instanceof CudaHostMatrix s)) {
            Backend.super.passOverRows(v, h, a, aCurrent, w, work, update, c);
            return;
        }
        CudaMatrix hh = dense(h);
        CudaMatrix aa = dense(a);
        CudaMatrix ww = dense(w);
        CudaMatrix cc = dense(c);
        CudaMatrix workMatrix = work == null ? null : dense(work);
        int k = hh.rows;
        int m = s.cols;
        forEachBlock(s, (first, block) -> {
            int rows = block.rows;
            CudaMatrix wRows = rowsOf(ww, first, rows);
            CudaMatrix aRows = rowsOf(aa, first, rows);
            if (!aCurrent) {
                gemm(false, true, rows, k, m, block, m, hh, m, aRows, k);
            }
            update.apply(first, wRows, aRows, workMatrix == null ? null : rowsOf(workMatrix, first, rows));
            gemm(true, false, k, m, rows, wRows, k, block, m, cc, m, first > 0);
        });
    }

    @Override
    public void multiply(DeviceMatrix a, DeviceMatrix b, DeviceMatrix out) {
        CudaMatrix aa = dense(a);
        CudaMatrix bb = dense(b);
        int r = aa.rows;
        int s = aa.cols;
        int t = bb.cols;
        gemm(false, false, r, t, s, aa, s, bb, t, dense(out), t);
    }

    @Override
    public void gramOfColumns(DeviceMatrix w, DeviceMatrix out) {
        CudaMatrix ww = dense(w);
        int n = ww.rows;
        int k = ww.cols;
        gemm(true, false, k, k, n, ww, k, ww, k, dense(out), k);
    }

    @Override
    public void gramOfRows(DeviceMatrix h, DeviceMatrix out) {
        CudaMatrix hh = dense(h);
        int k = hh.rows;
        int m = hh.cols;
        gemm(false, true, k, k, m, hh, m, hh, m, dense(out), k);
    }

    // ---- kernels ----

    /** Packs kernel arguments into the fixed parameter slots (8 bytes each); GPU thread only. */
    private final class Args {
        private int slot;

        Args pointer(long devicePointer) {
            params.set(JAVA_LONG, 8L * slot++, devicePointer);
            return this;
        }

        Args int32(int value) {
            params.set(JAVA_INT, 8L * slot++, value);
            return this;
        }

        Args int64(long value) {
            params.set(JAVA_LONG, 8L * slot++, value);
            return this;
        }

        /** A double argument whatever the precision. */
        Args float64(double value) {
            params.set(JAVA_DOUBLE, 8L * slot++, value);
            return this;
        }

        /** A T argument: float for the _f32 kernels, double for the _f64 ones. */
        Args real(double value) {
            if (single) {
                params.set(JAVA_FLOAT, 8L * slot++, (float) value);
            } else {
                params.set(JAVA_DOUBLE, 8L * slot++, value);
            }
            return this;
        }
    }

    private void launch(Kernel kernel, long blocks, int threads, Args args) {
        int status = cu.launchKernel(kernel.function(), (int) blocks, threads, stream, paramPointers);
        if (status != CudaDriver.SUCCESS) {
            cu.check(status, "cuLaunchKernel(" + kernel.name() + ")");
        }
    }

    @Override
    public void multiplicativeUpdate(DeviceMatrix x, DeviceMatrix numerator, DeviceMatrix denominator, double floor) {
        CudaMatrix xx = dense(x);
        long pX = xx.pointer;
        long pN = dense(numerator).pointer;
        long pD = dense(denominator).pointer;
        long n = xx.elements();
        gpu.post(() -> launch(muUpdate, Math.min(ceilDiv(n, UPDATE_THREADS), UPDATE_MAX_BLOCKS), UPDATE_THREADS,
                new Args().pointer(pX).pointer(pN).pointer(pD).real(DIVISION_GUARD).real(floor).int64(n)));
    }

    @Override
    public void multiplicativeUpdate(DeviceMatrix x, DeviceMatrix numerator, DeviceMatrix denominator, double gamma,
                                     double zeroBelow, double floor) {
        if (gamma == 1 && zeroBelow == 0) {
            multiplicativeUpdate(x, numerator, denominator, floor);
            return;
        }
        CudaMatrix xx = dense(x);
        long pN = dense(numerator).pointer;
        long pD = dense(denominator).pointer;
        long n = xx.elements();
        gpu.post(() -> launch(muPowerUpdate, Math.min(ceilDiv(n, UPDATE_THREADS), UPDATE_MAX_BLOCKS), UPDATE_THREADS,
                new Args().pointer(xx.pointer).pointer(pN).pointer(pD).real(DIVISION_GUARD).float64(gamma)
                        .real(zeroBelow).real(floor).int64(n)));
    }

    @Override
    public void combine(DeviceMatrix y, double a, DeviceMatrix x, double c, DeviceMatrix out) {
        CudaMatrix o = dense(out);
        long pY = dense(y).pointer;
        long pX = dense(x).pointer;
        long n = o.elements();
        gpu.post(() -> launch(combine, Math.min(ceilDiv(n, UPDATE_THREADS), UPDATE_MAX_BLOCKS), UPDATE_THREADS,
                new Args().pointer(pY).real(a).pointer(pX).real(c).pointer(o.pointer).int64(n)));
    }

    @Override
    public DeviceMatrix allocateLike(DeviceMatrix v) {
        if (v instanceof CudaHostMatrix) {
            throw new IllegalArgumentException(STREAMED_ONLY);
        }
        if (v instanceof CudaSparse like) {
            CudaMatrix values = allocateArray(like.nnz * elementBytes, "the values of a work matrix shaped like V");
            CudaMatrix transposedValues = allocateArray(like.nnz * elementBytes,
                    "the transposed values of a work matrix shaped like V");
            return describe(new CudaSparse(like, values, transposedValues));
        }
        return allocate(v.rows(), v.cols(), "a work matrix shaped like V");
    }

    /** cuBLAS forms W·H in out, then one element-wise pass multiplies by V and takes the power. */
    @Override
    public void sampledPower(DeviceMatrix v, DeviceMatrix w, DeviceMatrix h, double exponent, DeviceMatrix out) {
        if (v instanceof CudaSparse s) {
            sampledPowerSparse(s, dense(w), dense(h), exponent, (CudaSparse) out);
            return;
        }
        CudaMatrix o = dense(out);
        multiply(w, h, out);
        long pV = v == null ? 0 : dense(v).pointer;
        long n = o.elements();
        gpu.post(() -> launch(powerEntries, Math.min(ceilDiv(n, UPDATE_THREADS), UPDATE_MAX_BLOCKS), UPDATE_THREADS,
                new Args().pointer(pV).pointer(o.pointer).float64(exponent).real(DIVISION_GUARD).int64(n)));
    }

    @Override
    public double betaDivergence(DeviceMatrix v, DeviceMatrix w, DeviceMatrix h, double betaValue) {
        CudaMatrix ww = dense(w);
        CudaMatrix hh = dense(h);
        DataPointers vv = dataPointers(v);
        return gpu.call(() -> {
            int blocks = reductionBlocks((long) v.rows() * v.cols());
            launch(betaPartials, blocks, REDUCE_THREADS, vv.into(new Args()).pointer(ww.pointer)
                    .pointer(hh.pointer).int32(v.rows()).int32(v.cols()).int32(ww.cols).float64(betaValue)
                    .pointer(partials));
            return sumOfPartials(blocks);
        });
    }

    @Override
    public double projectedGradientSquared(DeviceMatrix x, DeviceMatrix numerator, DeviceMatrix denominator) {
        CudaMatrix xx = dense(x);
        long pN = dense(numerator).pointer;
        long pD = dense(denominator).pointer;
        long n = xx.elements();
        return gpu.call(() -> {
            int blocks = reductionBlocks(n);
            launch(projectedGradientPartials, blocks, REDUCE_THREADS, new Args().pointer(xx.pointer).pointer(pN)
                    .pointer(pD).int64(n).pointer(partials));
            return sumOfPartials(blocks);
        });
    }

    @Override
    public void halsUpdateColumns(DeviceMatrix w, DeviceMatrix a, DeviceMatrix b) {
        CudaMatrix ww = dense(w);
        long pA = dense(a).pointer;
        long pB = dense(b).pointer;
        int n = ww.rows;
        int k = ww.cols;
        gpu.post(() -> launch(halsColumns, ceilDiv(n, HALS_WARPS), HALS_THREADS,
                new Args().pointer(ww.pointer).pointer(pA).pointer(pB).int32(n).int32(k)));
    }

    @Override
    public void halsUpdateRows(DeviceMatrix h, DeviceMatrix c, DeviceMatrix d) {
        CudaMatrix hh = dense(h);
        long pC = dense(c).pointer;
        long pD = dense(d).pointer;
        int k = hh.rows;
        int m = hh.cols;
        gpu.post(() -> launch(halsRows, ceilDiv(m, HALS_WARPS), HALS_THREADS,
                new Args().pointer(hh.pointer).pointer(pC).pointer(pD).int32(k).int32(m)));
    }

    @Override
    public double dot(DeviceMatrix a, DeviceMatrix b) {
        CudaMatrix aa = dense(a);
        return dot(aa.pointer, dense(b).pointer, aa.elements());
    }

    /** Σ a[i]·b[i] over n values of two device arrays, in double. */
    private double dot(long pA, long pB, long n) {
        return gpu.call(() -> {
            int blocks = reductionBlocks(n);
            launch(dotPartials, blocks, REDUCE_THREADS, new Args().pointer(pA).pointer(pB).int64(n)
                    .pointer(partials));
            return sumOfPartials(blocks);
        });
    }

    @Override
    public double squaredNorm(DeviceMatrix v) {
        if (v instanceof CudaSparse s) {
            return dot(s.values.pointer, s.values.pointer, s.nnz);
        }
        if (v instanceof CudaHostMatrix s) {
            double[] sum = new double[1];
            forEachBlock(s, (first, block) -> sum[0] += dot(block.pointer, block.pointer, block.elements()));
            return sum[0];
        }
        return dot(v, v);
    }

    @Override
    public double residualSquared(DeviceMatrix v, DeviceMatrix w, DeviceMatrix h) {
        CudaMatrix ww = dense(w);
        CudaMatrix hh = dense(h);
        if (v instanceof CudaHostMatrix s) {
            double[] sum = new double[1];
            forEachBlock(s, (first, block) -> sum[0] += residualSquared(block, rowsOf(ww, first, block.rows), hh));
            return sum[0];
        }
        return residualSquared(v, ww, hh);
    }

    private double residualSquared(DeviceMatrix v, CudaMatrix ww, CudaMatrix hh) {
        DataPointers vv = dataPointers(v);
        return gpu.call(() -> {
            int blocks = reductionBlocks((long) v.rows() * v.cols());
            launch(residualPartials, blocks, REDUCE_THREADS, vv.into(new Args()).pointer(ww.pointer)
                    .pointer(hh.pointer).int32(v.rows()).int32(v.cols()).int32(ww.cols).pointer(partials));
            return sumOfPartials(blocks);
        });
    }

    private double sumOfPartials(int blocks) {
        launch(sumPartials, 1, REDUCE_THREADS, new Args().pointer(partials).int32(blocks).pointer(result));
        cu.check(cu.streamSynchronize(stream), "cuStreamSynchronize");
        cu.check(cu.memcpyDtoHAsync(scratch, result, Double.BYTES, stream), "cuMemcpyDtoHAsync_v2");
        return scratch.get(JAVA_DOUBLE, 0);
    }

    private static int reductionBlocks(long n) {
        return (int) Math.max(1, Math.min(REDUCE_BLOCKS, ceilDiv(n, REDUCE_THREADS)));
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
