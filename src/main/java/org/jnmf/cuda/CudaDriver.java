package org.jnmf.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * FFM bindings to the subset of the CUDA driver API ({@code libcuda.so.1}) listed in
 * {@code native/jnmf_cuda.h}. Only the {@code _v2} entry points are bound where they exist: the
 * unversioned names are the legacy 32-bit ABI. Each method returns the raw {@code CUresult};
 * {@link #check} turns a failure into a {@link CudaException} naming the call.
 *
 * <p>Not thread-safe in the CUDA sense: contexts are current per OS thread, so every call of one backend
 * happens on its single GPU thread.
 */
final class CudaDriver {
    static final int SUCCESS = 0;
    static final int ERROR_OUT_OF_MEMORY = 2;
    static final int ATTRIBUTE_MULTIPROCESSOR_COUNT = 16;
    static final int ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
    static final int ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
    static final int JIT_ERROR_LOG_BUFFER = 5;
    static final int JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6;

    final String location;
    private final MethodHandle cuInit;
    private final MethodHandle cuDriverGetVersion;
    private final MethodHandle cuGetErrorName;
    private final MethodHandle cuGetErrorString;
    private final MethodHandle cuDeviceGetCount;
    private final MethodHandle cuDeviceGet;
    private final MethodHandle cuDeviceGetName;
    private final MethodHandle cuDeviceGetAttribute;
    private final MethodHandle cuDeviceTotalMem;
    private final MethodHandle cuDevicePrimaryCtxRetain;
    private final MethodHandle cuDevicePrimaryCtxRelease;
    private final MethodHandle cuCtxSetCurrent;
    private final MethodHandle cuCtxSynchronize;
    private final MethodHandle cuMemGetInfo;
    private final MethodHandle cuMemAlloc;
    private final MethodHandle cuMemFree;
    private final MethodHandle cuMemAllocHost;
    private final MethodHandle cuMemFreeHost;
    private final MethodHandle cuMemcpyHtoDAsync;
    private final MethodHandle cuMemcpyDtoHAsync;
    private final MethodHandle cuModuleLoadDataEx;
    private final MethodHandle cuModuleGetFunction;
    private final MethodHandle cuModuleUnload;
    private final MethodHandle cuLaunchKernel;
    private final MethodHandle cuStreamCreate;
    private final MethodHandle cuStreamDestroy;
    private final MethodHandle cuStreamSynchronize;
    private final MethodHandle cuStreamWaitEvent;
    private final MethodHandle cuEventCreate;
    private final MethodHandle cuEventRecord;
    private final MethodHandle cuEventSynchronize;
    private final MethodHandle cuEventElapsedTime;
    private final MethodHandle cuEventDestroy;

    /** Binds every function; throws {@link Binder.MissingSymbol} naming the first one the library lacks. */
    CudaDriver(SymbolLookup lookup, String location) throws Binder.MissingSymbol {
        this.location = location;
        Binder b = new Binder(lookup, location);
        FunctionDescriptor intOfAddress = FunctionDescriptor.of(JAVA_INT, ADDRESS);
        FunctionDescriptor intOfAddressInt = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT);
        cuInit = b.bind("cuInit", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        cuDriverGetVersion = b.bind("cuDriverGetVersion", intOfAddress);
        cuGetErrorName = b.bind("cuGetErrorName", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
        cuGetErrorString = b.bind("cuGetErrorString", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
        cuDeviceGetCount = b.bind("cuDeviceGetCount", intOfAddress);
        cuDeviceGet = b.bind("cuDeviceGet", intOfAddressInt);
        cuDeviceGetName = b.bind("cuDeviceGetName", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        cuDeviceGetAttribute = b.bind("cuDeviceGetAttribute",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
        cuDeviceTotalMem = b.bind("cuDeviceTotalMem_v2", intOfAddressInt);
        cuDevicePrimaryCtxRetain = b.bind("cuDevicePrimaryCtxRetain", intOfAddressInt);
        cuDevicePrimaryCtxRelease = b.bind("cuDevicePrimaryCtxRelease_v2", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        cuCtxSetCurrent = b.bind("cuCtxSetCurrent", intOfAddress);
        cuCtxSynchronize = b.bind("cuCtxSynchronize", FunctionDescriptor.of(JAVA_INT));
        cuMemGetInfo = b.bind("cuMemGetInfo_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        cuMemAlloc = b.bind("cuMemAlloc_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
        cuMemFree = b.bind("cuMemFree_v2", FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
        cuMemAllocHost = b.bind("cuMemAllocHost_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
        cuMemFreeHost = b.bind("cuMemFreeHost", intOfAddress);
        // Critical: heap arrays go straight to the copy (no staging), and the call never waits on the GPU
        // (callers synchronize the stream before a device-to-host copy).
        cuMemcpyHtoDAsync = b.bind("cuMemcpyHtoDAsync_v2",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS), Linker.Option.critical(true));
        cuMemcpyDtoHAsync = b.bind("cuMemcpyDtoHAsync_v2",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS), Linker.Option.critical(true));
        cuModuleLoadDataEx = b.bind("cuModuleLoadDataEx",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
        cuModuleGetFunction = b.bind("cuModuleGetFunction", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        cuModuleUnload = b.bind("cuModuleUnload", intOfAddress);
        cuLaunchKernel = b.bind("cuLaunchKernel", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        cuStreamCreate = b.bind("cuStreamCreate", intOfAddressInt);
        cuStreamDestroy = b.bind("cuStreamDestroy_v2", intOfAddress);
        cuStreamSynchronize = b.bind("cuStreamSynchronize", intOfAddress);
        cuStreamWaitEvent = b.bind("cuStreamWaitEvent", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
        cuEventCreate = b.bind("cuEventCreate", intOfAddressInt);
        cuEventRecord = b.bind("cuEventRecord", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        cuEventSynchronize = b.bind("cuEventSynchronize", intOfAddress);
        // The _v2 name arrived with the 12.8 drivers; older ones export only the plain name, same prototype.
        cuEventElapsedTime = b.bindFirst(FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS),
                "cuEventElapsedTime_v2", "cuEventElapsedTime");
        cuEventDestroy = b.bind("cuEventDestroy_v2", intOfAddress);
    }

    int init(int flags) {
        try {
            return (int) cuInit.invokeExact(flags);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int driverGetVersion(MemorySegment version) {
        try {
            return (int) cuDriverGetVersion.invokeExact(version);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int deviceGetCount(MemorySegment count) {
        try {
            return (int) cuDeviceGetCount.invokeExact(count);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int deviceGet(MemorySegment device, int ordinal) {
        try {
            return (int) cuDeviceGet.invokeExact(device, ordinal);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int deviceGetName(MemorySegment name, int length, int device) {
        try {
            return (int) cuDeviceGetName.invokeExact(name, length, device);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int deviceGetAttribute(MemorySegment value, int attribute, int device) {
        try {
            return (int) cuDeviceGetAttribute.invokeExact(value, attribute, device);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int deviceTotalMem(MemorySegment bytes, int device) {
        try {
            return (int) cuDeviceTotalMem.invokeExact(bytes, device);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int devicePrimaryCtxRetain(MemorySegment context, int device) {
        try {
            return (int) cuDevicePrimaryCtxRetain.invokeExact(context, device);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int devicePrimaryCtxRelease(int device) {
        try {
            return (int) cuDevicePrimaryCtxRelease.invokeExact(device);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int ctxSetCurrent(MemorySegment context) {
        try {
            return (int) cuCtxSetCurrent.invokeExact(context);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int ctxSynchronize() {
        try {
            return (int) cuCtxSynchronize.invokeExact();
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int memGetInfo(MemorySegment free, MemorySegment total) {
        try {
            return (int) cuMemGetInfo.invokeExact(free, total);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int memAlloc(MemorySegment pointer, long bytes) {
        try {
            return (int) cuMemAlloc.invokeExact(pointer, bytes);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int memFree(long pointer) {
        try {
            return (int) cuMemFree.invokeExact(pointer);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /** Page-locked host memory, so that copies from it are truly asynchronous. */
    int memAllocHost(MemorySegment pointer, long bytes) {
        try {
            return (int) cuMemAllocHost.invokeExact(pointer, bytes);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int memFreeHost(MemorySegment pointer) {
        try {
            return (int) cuMemFreeHost.invokeExact(pointer);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int memcpyHtoDAsync(long destination, MemorySegment source, long bytes, MemorySegment stream) {
        try {
            return (int) cuMemcpyHtoDAsync.invokeExact(destination, source, bytes, stream);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int memcpyDtoHAsync(MemorySegment destination, long source, long bytes, MemorySegment stream) {
        try {
            return (int) cuMemcpyDtoHAsync.invokeExact(destination, source, bytes, stream);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int moduleLoadDataEx(MemorySegment module, MemorySegment image, int count, MemorySegment options,
                         MemorySegment values) {
        try {
            return (int) cuModuleLoadDataEx.invokeExact(module, image, count, options, values);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int moduleGetFunction(MemorySegment function, MemorySegment module, MemorySegment name) {
        try {
            return (int) cuModuleGetFunction.invokeExact(function, module, name);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int moduleUnload(MemorySegment module) {
        try {
            return (int) cuModuleUnload.invokeExact(module);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int launchKernel(MemorySegment function, int gridX, int blockX, MemorySegment stream, MemorySegment params) {
        try {
            return (int) cuLaunchKernel.invokeExact(function, gridX, 1, 1, blockX, 1, 1, 0, stream, params,
                    MemorySegment.NULL);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int streamCreate(MemorySegment stream, int flags) {
        try {
            return (int) cuStreamCreate.invokeExact(stream, flags);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int streamDestroy(MemorySegment stream) {
        try {
            return (int) cuStreamDestroy.invokeExact(stream);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int streamSynchronize(MemorySegment stream) {
        try {
            return (int) cuStreamSynchronize.invokeExact(stream);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /** Work queued on {@code stream} after this waits until the event's last recorded work is done. */
    int streamWaitEvent(MemorySegment stream, MemorySegment event) {
        try {
            return (int) cuStreamWaitEvent.invokeExact(stream, event, 0);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int eventCreate(MemorySegment event, int flags) {
        try {
            return (int) cuEventCreate.invokeExact(event, flags);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int eventRecord(MemorySegment event, MemorySegment stream) {
        try {
            return (int) cuEventRecord.invokeExact(event, stream);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int eventSynchronize(MemorySegment event) {
        try {
            return (int) cuEventSynchronize.invokeExact(event);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int eventElapsedTime(MemorySegment milliseconds, MemorySegment start, MemorySegment end) {
        try {
            return (int) cuEventElapsedTime.invokeExact(milliseconds, start, end);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    int eventDestroy(MemorySegment event) {
        try {
            return (int) cuEventDestroy.invokeExact(event);
        } catch (Throwable t) {
            throw Binder.rethrow(t);
        }
    }

    /** The symbolic name of a CUresult, such as {@code CUDA_ERROR_NO_DEVICE}. */
    String errorName(int status) {
        return errorText(cuGetErrorName, status, "CUDA_ERROR_" + status);
    }

    /** The driver's description of a CUresult. */
    String errorString(int status) {
        return errorText(cuGetErrorString, status, "unknown error");
    }

    private static String errorText(MethodHandle function, int status, String fallback) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            int rc = (int) function.invokeExact(status, out);
            MemorySegment text = out.get(ADDRESS, 0);
            return rc != SUCCESS || text.equals(MemorySegment.NULL) ? fallback : text.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return fallback;
        }
    }

    /** "CUDA_ERROR_NO_DEVICE (100): no CUDA-capable device is detected". */
    String describe(int status) {
        return errorName(status) + " (" + status + "): " + errorString(status);
    }

    /** Throws a {@link CudaException} naming {@code call} unless {@code status} is success. */
    void check(int status, String call) {
        if (status != SUCCESS) {
            throw new CudaException(call, status, errorName(status), call + " failed: " + describe(status));
        }
    }
}
