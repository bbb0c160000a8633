package org.jnmf.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * FFM bindings to the subset of cuBLAS listed in {@code native/jnmf_cublas.h}: the v2 API only
 * ({@code cublasSgemm} without suffix is the legacy v1 API with an implicit handle). The same prototypes
 * exist in cuBLAS 11, 12 and 13, so whichever major version the machine has is used: {@code libcublas.so.13}
 * first, then {@code .12}, then {@code .11}, or the library named by {@code jnmf.cublas.library}.
 * (JCuda 12.0.0's JCublas is linked against {@code libcublas.so.12} and cannot load next to CUDA 13.)
 *
 * <p>cuBLAS is column-major; {@link CudaBackend} maps its row-major products onto it by swapping operands.
 */
final class Cublas {
    static final List<String> DEFAULT_NAMES = List.of("libcublas.so.13", "libcublas.so.12", "libcublas.so.11");
    static final int SUCCESS = 0;
    static final int OP_N = 0;
    static final int OP_T = 1;
    static final int DEFAULT_MATH = 0;
    static final int TF32_TENSOR_OP_MATH = 3;

    final String location;
    private final MethodHandle cublasCreate;
    private final MethodHandle cublasDestroy;
    private final MethodHandle cublasGetVersion;
    private final MethodHandle cublasSetStream;
    private final MethodHandle cublasSetMathMode;
    private final MethodHandle cublasGetStatusName;
    private final MethodHandle cublasGetStatusString;
    private final MethodHandle cublasSgemm;
    private final MethodHandle cublasDgemm;

    Cublas(SymbolLookup lookup, String location) throws Binder.MissingSymbol {
        this.location = location;
        Binder b = new Binder(lookup, location);
        cublasCreate = b.bind("cublasCreate_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        cublasDestroy = b.bind("cublasDestroy_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        cublasGetVersion = b.bind("cublasGetVersion_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        cublasSetStream = b.bind("cublasSetStream_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        cublasSetMathMode = b.bind("cublasSetMathMode", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        cublasGetStatusName = b.bind("cublasGetStatusName", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        cublasGetStatusString = b.bind("cublasGetStatusString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        FunctionDescriptor gemm = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
        cublasSgemm = b.bind("cublasSgemm_v2", gemm);
        cublasDgemm = b.bind("cublasDgemm_v2", gemm);
    }

    int create(MemorySegment handle) {
        try {
            return (int) cublasCreate.invokeExact(handle);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int destroy(MemorySegment handle) {
        try {
            return (int) cublasDestroy.invokeExact(handle);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int getVersion(MemorySegment handle, MemorySegment version) {
        try {
            return (int) cublasGetVersion.invokeExact(handle, version);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int setStream(MemorySegment handle, MemorySegment stream) {
        try {
            return (int) cublasSetStream.invokeExact(handle, stream);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int setMathMode(MemorySegment handle, int mode) {
        try {
            return (int) cublasSetMathMode.invokeExact(handle, mode);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /** Column-major C (m×n) = α·op(A)·op(B) + β·C, float32 or float64 by {@code single}. */
    int gemm(boolean single, MemorySegment handle, int transA, int transB, int m, int n, int k, MemorySegment alpha,
             long a, int lda, long b, int ldb, MemorySegment beta, long c, int ldc) {
        try {
            MethodHandle f = single ? cublasSgemm : cublasDgemm;
            return (int) f.invokeExact(handle, transA, transB, m, n, k, alpha, MemorySegment.ofAddress(a), lda,
                    MemorySegment.ofAddress(b), ldb, beta, MemorySegment.ofAddress(c), ldc);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    private static String text(MethodHandle function, int status, String fallback) {
        try {
            MemorySegment s = (MemorySegment) function.invokeExact(status);
            return s.equals(MemorySegment.NULL) ? fallback : s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return fallback;
        }
    }

    String statusName(int status) {
        return text(cublasGetStatusName, status, "CUBLAS_STATUS_" + status);
    }

    /** "CUBLAS_STATUS_INVALID_VALUE (7): an invalid numeric value was used as an argument". */
    String describe(int status) {
        return statusName(status) + " (" + status + "): " + text(cublasGetStatusString, status, "unknown error");
    }

    void check(int status, String call) {
        if (status != SUCCESS) {
            throw new CudaException(call, status, statusName(status), call + " failed: " + describe(status));
        }
    }
}
