package org.jnmf.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * FFM bindings to the subset of the cuSPARSE generic API listed in {@code native/jnmf_cusparse.h}: CSR and
 * dense-matrix descriptors and SpMM, for the products of a sparse V with the dense factors. CUDA 13's
 * toolkit and its pip wheel ship cuSPARSE 12 ({@code libcusparse.so.12}); {@code .11} (CUDA 11) has the
 * same prototypes for these functions and is tried after it.
 */
final class Cusparse {
    static final List<String> DEFAULT_NAMES = List.of("libcusparse.so.12", "libcusparse.so.11");
    static final int SUCCESS = 0;
    static final int OP_N = 0;
    static final int OP_T = 1;
    static final int INDEX_32I = 2;
    static final int INDEX_BASE_ZERO = 0;
    static final int ORDER_COL = 1;
    static final int ORDER_ROW = 2;
    static final int R_32F = 0;
    static final int R_64F = 1;
    static final int SPMM_ALG_DEFAULT = 0;

    final String location;
    private final MethodHandle create;
    private final MethodHandle destroy;
    private final MethodHandle getVersion;
    private final MethodHandle setStream;
    private final MethodHandle errorName;
    private final MethodHandle errorString;
    private final MethodHandle createCsr;
    private final MethodHandle destroySpMat;
    private final MethodHandle createDnMat;
    private final MethodHandle destroyDnMat;
    private final MethodHandle spmmBufferSize;
    private final MethodHandle spmm;

    Cusparse(SymbolLookup lookup, String location) throws Binder.MissingSymbol {
        this.location = location;
        Binder b = new Binder(lookup, location);
        create = b.bind("cusparseCreate", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        destroy = b.bind("cusparseDestroy", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        getVersion = b.bind("cusparseGetVersion", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        setStream = b.bind("cusparseSetStream", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        errorName = b.bind("cusparseGetErrorName", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        errorString = b.bind("cusparseGetErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        createCsr = b.bind("cusparseCreateCsr", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG,
                JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
        destroySpMat = b.bind("cusparseDestroySpMat", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        createDnMat = b.bind("cusparseCreateDnMat", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG,
                JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT));
        destroyDnMat = b.bind("cusparseDestroyDnMat", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        FunctionDescriptor spmmShape = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS,
                ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS);
        spmmBufferSize = b.bind("cusparseSpMM_bufferSize", spmmShape);
        spmm = b.bind("cusparseSpMM", spmmShape);
    }

    int create(MemorySegment handle) {
        try {
            return (int) create.invokeExact(handle);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int destroy(MemorySegment handle) {
        try {
            return (int) destroy.invokeExact(handle);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int getVersion(MemorySegment handle, MemorySegment version) {
        try {
            return (int) getVersion.invokeExact(handle, version);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int setStream(MemorySegment handle, MemorySegment stream) {
        try {
            return (int) setStream.invokeExact(handle, stream);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /** A CSR descriptor over device arrays (32-bit offsets and columns, zero-based) into {@code out}. */
    int createCsr(MemorySegment out, long rows, long cols, long nnz, long rowStart, long columns, long values,
                  int valueType) {
        try {
            return (int) createCsr.invokeExact(out, rows, cols, nnz, MemorySegment.ofAddress(rowStart),
                    MemorySegment.ofAddress(columns), MemorySegment.ofAddress(values), INDEX_32I, INDEX_32I,
                    INDEX_BASE_ZERO, valueType);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int destroySpMat(MemorySegment descriptor) {
        try {
            return (int) destroySpMat.invokeExact(descriptor);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int createDnMat(MemorySegment out, long rows, long cols, long ld, long values, int valueType, int order) {
        try {
            return (int) createDnMat.invokeExact(out, rows, cols, ld, MemorySegment.ofAddress(values), valueType,
                    order);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int destroyDnMat(MemorySegment descriptor) {
        try {
            return (int) destroyDnMat.invokeExact(descriptor);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int spmmBufferSize(MemorySegment handle, int opA, int opB, MemorySegment alpha, MemorySegment a, MemorySegment b,
                       MemorySegment beta, MemorySegment c, int computeType, MemorySegment size) {
        try {
            return (int) spmmBufferSize.invokeExact(handle, opA, opB, alpha, a, b, beta, c, computeType,
                    SPMM_ALG_DEFAULT, size);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int spmm(MemorySegment handle, int opA, int opB, MemorySegment alpha, MemorySegment a, MemorySegment b,
             MemorySegment beta, MemorySegment c, int computeType, long buffer) {
        try {
            return (int) spmm.invokeExact(handle, opA, opB, alpha, a, b, beta, c, computeType, SPMM_ALG_DEFAULT,
                    MemorySegment.ofAddress(buffer));
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
        return text(errorName, status, "CUSPARSE_STATUS_" + status);
    }

    /** "CUSPARSE_STATUS_INVALID_VALUE (3): invalid value". */
    String describe(int status) {
        return statusName(status) + " (" + status + "): " + text(errorString, status, "unknown error");
    }

    void check(int status, String call) {
        if (status != SUCCESS) {
            throw new CudaException(call, status, statusName(status), call + " failed: " + describe(status));
        }
    }
}
