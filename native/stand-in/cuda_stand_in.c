/*
 * A CPU stand-in for libcuda.so.1 implementing exactly the driver subset in native/jnmf_cuda.h, so the
 * CUDA backend's FFM call sites, kernel parameter packing and threading run in CI without a GPU.
 *
 * - "Device" memory is host memory (a size header before each block); cuMemGetInfo_v2 reports a fake
 *   16 GiB device, and an allocation beyond the free amount fails with CUDA_ERROR_OUT_OF_MEMORY.
 * - Contexts are current per OS thread as on a real driver: a call without a current context returns
 *   CUDA_ERROR_INVALID_CONTEXT (201), so work on the wrong thread is caught here.
 * - cuModuleLoadDataEx accepts any image (our fatbin); cuModuleGetFunction resolves the kernel names of
 *   cuda/nmf_kernels.cu to C versions that run the same maths (cuda/nmf_kernel_math.h), block by
 *   block and thread by thread, so reductions add in the GPU's order.
 * - Failure injection for tests: jnmf_stand_in_fail("cuLaunchKernel", 719, 3) makes the 4th following
 *   call of that function return 719 (once); env MOCK_CUDA_INIT_ERROR=<code> makes every cuInit fail.
 *   jnmf_stand_in_set_memory(bytes) changes every device's size; jnmf_stand_in_set_devices(n) (or env
 *   MOCK_CUDA_DEVICES=n at cuInit) makes n devices, each with its own primary context and memory count,
 *   and device memory freed from another device's context is refused; jnmf_stand_in_live_allocations() counts
 *   blocks not yet freed (page-locked ones included); jnmf_stand_in_page_locked_copies() counts the copies
 *   from page-locked memory run so far.
 * - Streams are ordered as on a GPU where it matters for correctness: a copy from page-locked memory
 *   (cuMemAllocHost_v2) is truly asynchronous, so it is deferred on its stream and runs only when that
 *   stream is synchronized, a kernel or another copy is queued on it, or an event recorded after it is
 *   waited for (cuStreamWaitEvent, cuEventSynchronize). A product that reads a block another stream copies
 *   without waiting for that stream's event reads the block's old contents, and the results show it.
 *   (cuBLAS and cuSPARSE stand-ins run at once: their operands must never come from a pending copy of
 *   their own stream, which the backend never does.) Pageable copies run at once, as the driver may.
 *
 * Build: gcc -O2 -ffp-contract=off -shared -fPIC -Icuda -Inative -Wl,-soname,libjnmf-stand-in-cuda.so.1
 *        -o target/native-stand-ins/libcuda.so.1 native/stand-in/cuda_stand_in.c -lm
 * (a distinct SONAME, so a later dlopen("libcuda.so.1") in the same JVM does not find the stand-in).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>

#ifdef JNMF_CHECK_WITH_CUDA_H
#include <cuda.h>
#else
#include "jnmf_cuda.h"
#include "fail_injection.h"
#endif
#include "nmf_kernel_math.h"

#define EXPORT __attribute__((visibility("default")))

enum {
    OK = 0, INVALID_VALUE = 1, OUT_OF_MEMORY = 2, NOT_INITIALIZED = 3, NO_DEVICE = 100, INVALID_DEVICE = 101,
    INVALID_IMAGE = 200, INVALID_CONTEXT = 201, INVALID_HANDLE = 400, NOT_FOUND = 500, LAUNCH_FAILED = 719,
    UNKNOWN = 999
};

static const struct {
    int code;
    const char *name;
    const char *text;
} ERRORS[] = {
    {0, "CUDA_SUCCESS", "no error"},
    {1, "CUDA_ERROR_INVALID_VALUE", "invalid argument"},
    {2, "CUDA_ERROR_OUT_OF_MEMORY", "out of memory"},
    {3, "CUDA_ERROR_NOT_INITIALIZED", "initialization error"},
    {34, "CUDA_ERROR_STUB_LIBRARY", "CUDA driver is a stub library"},
    {100, "CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"},
    {101, "CUDA_ERROR_INVALID_DEVICE", "invalid device ordinal"},
    {200, "CUDA_ERROR_INVALID_IMAGE", "device kernel image is invalid"},
    {201, "CUDA_ERROR_INVALID_CONTEXT", "invalid device context"},
    {209, "CUDA_ERROR_NO_BINARY_FOR_GPU", "no kernel image is available for execution on the device"},
    {222, "CUDA_ERROR_UNSUPPORTED_PTX_VERSION", "the provided PTX was compiled with an unsupported toolchain."},
    {400, "CUDA_ERROR_INVALID_HANDLE", "invalid resource handle"},
    {500, "CUDA_ERROR_NOT_FOUND", "named symbol not found"},
    {700, "CUDA_ERROR_ILLEGAL_ADDRESS", "an illegal memory access was encountered"},
    {719, "CUDA_ERROR_LAUNCH_FAILED", "unspecified launch failure"},
    {999, "CUDA_ERROR_UNKNOWN", "unknown error"},
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int initialized;
static size_t device_total = (size_t) 16 << 30;
static size_t device_used_by[8]; /* per device (MAX_DEVICES), each of device_total */
static long long live_blocks;
static long long page_locked_copies; /* deferred copies run so far, for tests that count passes over V */


/* Devices: 1 unless jnmf_stand_in_set_devices(n) or env MOCK_CUDA_DEVICES=n (read by cuInit) says more. */
#define MAX_DEVICES 8
static int device_count = 1;

struct CUctx_st {
    int retained;
};
static struct CUctx_st primaries[MAX_DEVICES];
static __thread CUcontext current;

static int valid_device(CUdevice dev) {
    return dev >= 0 && dev < device_count;
}

/* The memory counter of the device whose context is current on this thread. */
#define device_used (device_used_by[current - primaries])

struct pending_copy {
    void *destination;
    const void *source;
    size_t bytes;
};
struct CUstream_st {
    int flags;
    struct pending_copy *pending; /* deferred page-locked copies, oldest first */
    size_t count;                 /* of pending */
    size_t capacity;
    unsigned long long queued;    /* copies ever deferred on this stream */
    unsigned long long done;      /* of those, run so far (in order) */
};
struct CUevent_st {
    double seconds;
    CUstream stream;              /* where it was last recorded, or NULL */
    unsigned long long mark;      /* that stream's queued count at the record */
};

/* Page-locked host blocks (cuMemAllocHost_v2), to tell their copies from pageable ones. */
#define MAX_PINNED 256
static struct {
    const unsigned char *start;
    size_t bytes;
} pinned[MAX_PINNED];

static int is_pinned(const void *p) {
    int found = 0;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < MAX_PINNED && !found; i++) {
        found = pinned[i].start != NULL && (const unsigned char *) p >= pinned[i].start
                && (const unsigned char *) p < pinned[i].start + pinned[i].bytes;
    }
    pthread_mutex_unlock(&lock);
    return found;
}

/* Runs the stream's deferred copies until `mark` of them have run in all. */
static void run_pending(CUstream s, unsigned long long mark) {
    if (s == NULL) {
        return;
    }
    size_t run = 0;
    while (run < s->count && s->done < mark) {
        memcpy(s->pending[run].destination, s->pending[run].source, s->pending[run].bytes);
        pthread_mutex_lock(&lock);
        page_locked_copies++;
        pthread_mutex_unlock(&lock);
        run++;
        s->done++;
    }
    memmove(s->pending, s->pending + run, (s->count - run) * sizeof *s->pending);
    s->count -= run;
}

static void run_all_pending(CUstream s) {
    if (s != NULL) {
        run_pending(s, s->queued);
    }
}


/* Common entry check: injected failure, cuInit done, and (when needed) a context current on this thread. */
static int enter(const char *name, int needs_context) {
    int status = injected(name);
    if (status != 0) {
        return status;
    }
    if (!initialized) {
        return NOT_INITIALIZED;
    }
    if (needs_context && current == NULL) {
        return INVALID_CONTEXT;
    }
    return OK;
}
#define ENTER(needs_context)                      \
    do {                                          \
        int entry_ = enter(__func__, needs_context); \
        if (entry_ != OK) {                       \
            return (CUresult) entry_;             \
        }                                         \
    } while (0)

EXPORT int jnmf_stand_in_fail(const char *function, int status, int skip) {
    fail_arm(function, status, skip);
    return 0;
}

EXPORT void jnmf_stand_in_set_devices(int count) {
    pthread_mutex_lock(&lock);
    device_count = count < 1 ? 1 : count > MAX_DEVICES ? MAX_DEVICES : count;
    pthread_mutex_unlock(&lock);
}

EXPORT void jnmf_stand_in_set_memory(size_t total) {
    pthread_mutex_lock(&lock);
    device_total = total;
    pthread_mutex_unlock(&lock);
}

EXPORT long long jnmf_stand_in_live_allocations(void) {
    pthread_mutex_lock(&lock);
    long long n = live_blocks;
    pthread_mutex_unlock(&lock);
    return n;
}

EXPORT long long jnmf_stand_in_page_locked_copies(void) {
    pthread_mutex_lock(&lock);
    long long n = page_locked_copies;
    pthread_mutex_unlock(&lock);
    return n;
}

EXPORT CUresult cuInit(unsigned int flags) {
    const char *forced = getenv("MOCK_CUDA_INIT_ERROR");
    if (forced != NULL && atoi(forced) != 0) {
        return (CUresult) atoi(forced);
    }
    int status = injected(__func__);
    if (status != 0) {
        return (CUresult) status;
    }
    if (flags != 0) {
        return (CUresult) INVALID_VALUE;
    }
    const char *devices = getenv("MOCK_CUDA_DEVICES");
    if (devices != NULL && atoi(devices) > 0) {
        jnmf_stand_in_set_devices(atoi(devices));
    }
    initialized = 1;
    return (CUresult) OK;
}

EXPORT CUresult cuDriverGetVersion(int *version) {
    if (version == NULL) {
        return (CUresult) INVALID_VALUE;
    }
    *version = 13000;
    return (CUresult) OK;
}

static int error_index(int code) {
    for (size_t i = 0; i < sizeof ERRORS / sizeof ERRORS[0]; i++) {
        if (ERRORS[i].code == code) {
            return (int) i;
        }
    }
    return -1;
}

EXPORT CUresult cuGetErrorName(CUresult error, const char **text) {
    int i = error_index((int) error);
    if (i < 0) {
        *text = NULL;
        return (CUresult) INVALID_VALUE;
    }
    *text = ERRORS[i].name;
    return (CUresult) OK;
}

EXPORT CUresult cuGetErrorString(CUresult error, const char **text) {
    int i = error_index((int) error);
    if (i < 0) {
        *text = NULL;
        return (CUresult) INVALID_VALUE;
    }
    *text = ERRORS[i].text;
    return (CUresult) OK;
}

EXPORT CUresult cuDeviceGetCount(int *count) {
    ENTER(0);
    *count = device_count;
    return (CUresult) OK;
}

EXPORT CUresult cuDeviceGet(CUdevice *device, int ordinal) {
    ENTER(0);
    if (!valid_device(ordinal)) {
        return (CUresult) INVALID_DEVICE;
    }
    *device = ordinal;
    return (CUresult) OK;
}

EXPORT CUresult cuDeviceGetName(char *name, int len, CUdevice dev) {
    ENTER(0);
    if (!valid_device(dev)) {
        return (CUresult) INVALID_DEVICE;
    }
    snprintf(name, (size_t) len, device_count == 1 ? "jnmf CPU stand-in" : "jnmf CPU stand-in %d", dev);
    return (CUresult) OK;
}

EXPORT CUresult cuDeviceGetAttribute(int *value, CUdevice_attribute attribute, CUdevice dev) {
    ENTER(0);
    if (!valid_device(dev)) {
        return (CUresult) INVALID_DEVICE;
    }
    switch ((int) attribute) {
        case 75: *value = 9; break;  /* compute capability major */
        case 76: *value = 0; break;  /* minor */
        case 16: *value = 1; break;  /* multiprocessors */
        default: *value = 0; break;
    }
    return (CUresult) OK;
}

EXPORT CUresult cuDeviceTotalMem_v2(size_t *bytes, CUdevice dev) {
    ENTER(0);
    if (!valid_device(dev)) {
        return (CUresult) INVALID_DEVICE;
    }
    *bytes = device_total;
    return (CUresult) OK;
}

EXPORT CUresult cuDevicePrimaryCtxRetain(CUcontext *context, CUdevice dev) {
    ENTER(0);
    if (!valid_device(dev)) {
        return (CUresult) INVALID_DEVICE;
    }
    pthread_mutex_lock(&lock);
    primaries[dev].retained++;
    pthread_mutex_unlock(&lock);
    *context = &primaries[dev];
    return (CUresult) OK;
}

EXPORT CUresult cuDevicePrimaryCtxRelease_v2(CUdevice dev) {
    ENTER(0);
    if (!valid_device(dev)) {
        return (CUresult) INVALID_DEVICE;
    }
    pthread_mutex_lock(&lock);
    int ok = primaries[dev].retained > 0;
    if (ok) {
        primaries[dev].retained--;
    }
    pthread_mutex_unlock(&lock);
    return (CUresult) (ok ? OK : INVALID_CONTEXT);
}

EXPORT CUresult cuCtxSetCurrent(CUcontext context) {
    ENTER(0);
    if (context != NULL && (context < &primaries[0] || context >= &primaries[device_count])) {
        return (CUresult) INVALID_CONTEXT;
    }
    current = context;
    return (CUresult) OK;
}

EXPORT CUresult cuCtxSynchronize(void) {
    ENTER(1);
    return (CUresult) OK;
}

EXPORT CUresult cuMemGetInfo_v2(size_t *free_bytes, size_t *total_bytes) {
    ENTER(1);
    pthread_mutex_lock(&lock);
    *free_bytes = device_total - device_used;
    *total_bytes = device_total;
    pthread_mutex_unlock(&lock);
    return (CUresult) OK;
}

#define HEADER 64 /* keeps the returned pointer 64-byte aligned for doubles */

EXPORT CUresult cuMemAlloc_v2(CUdeviceptr *pointer, size_t bytes) {
    ENTER(1);
    if (bytes == 0) {
        return (CUresult) INVALID_VALUE;
    }
    pthread_mutex_lock(&lock);
    int fits = bytes <= device_total - device_used;
    if (fits) {
        device_used += bytes;
    }
    pthread_mutex_unlock(&lock);
    if (!fits) {
        return (CUresult) OUT_OF_MEMORY;
    }
    unsigned char *block = NULL;
    if (posix_memalign((void **) &block, HEADER, bytes + HEADER) != 0) {
        pthread_mutex_lock(&lock);
        device_used -= bytes;
        pthread_mutex_unlock(&lock);
        return (CUresult) OUT_OF_MEMORY;
    }
    /* Fill with a NaN pattern so a kernel reading memory it never wrote shows up in the results. */
    memset(block + HEADER, 0xff, bytes);
    memcpy(block, &bytes, sizeof bytes);
    memcpy(block + sizeof bytes, &current, sizeof current); /* the owner, checked when freed */
    pthread_mutex_lock(&lock);
    live_blocks++;
    pthread_mutex_unlock(&lock);
    *pointer = (CUdeviceptr) (uintptr_t) (block + HEADER);
    return (CUresult) OK;
}

EXPORT CUresult cuMemFree_v2(CUdeviceptr pointer) {
    ENTER(1);
    if (pointer == 0) {
        return (CUresult) OK;
    }
    unsigned char *block = (unsigned char *) (uintptr_t) pointer - HEADER;
    size_t bytes;
    memcpy(&bytes, block, sizeof bytes);
    CUcontext owner;
    memcpy(&owner, block + sizeof bytes, sizeof owner);
    if (owner != current) {
        return (CUresult) INVALID_VALUE; /* freed from another device's context than the one it came from */
    }
    pthread_mutex_lock(&lock);
    device_used -= bytes;
    live_blocks--;
    pthread_mutex_unlock(&lock);
    free(block);
    return (CUresult) OK;
}

EXPORT CUresult cuMemAllocHost_v2(void **pointer, size_t bytes) {
    ENTER(1);
    if (pointer == NULL || bytes == 0) {
        return (CUresult) INVALID_VALUE;
    }
    void *block = NULL;
    if (posix_memalign(&block, HEADER, bytes) != 0) {
        return (CUresult) OUT_OF_MEMORY;
    }
    pthread_mutex_lock(&lock);
    int slot = -1;
    for (int i = 0; i < MAX_PINNED && slot < 0; i++) {
        if (pinned[i].start == NULL) {
            slot = i;
        }
    }
    if (slot >= 0) {
        pinned[slot].start = block;
        pinned[slot].bytes = bytes;
        live_blocks++;
    }
    pthread_mutex_unlock(&lock);
    if (slot < 0) {
        free(block);
        return (CUresult) OUT_OF_MEMORY;
    }
    *pointer = block;
    return (CUresult) OK;
}

EXPORT CUresult cuMemFreeHost(void *pointer) {
    ENTER(1);
    int found = 0;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < MAX_PINNED && !found; i++) {
        if (pinned[i].start == pointer) {
            pinned[i].start = NULL;
            found = 1;
            live_blocks--;
        }
    }
    pthread_mutex_unlock(&lock);
    if (!found) {
        return (CUresult) INVALID_VALUE;
    }
    free(pointer);
    return (CUresult) OK;
}

EXPORT CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr destination, const void *source, size_t bytes, CUstream stream) {
    ENTER(1);
    if (stream != NULL && is_pinned(source)) {
        if (stream->count == stream->capacity) {
            size_t capacity = stream->capacity == 0 ? 8 : 2 * stream->capacity;
            struct pending_copy *grown = realloc(stream->pending, capacity * sizeof *grown);
            if (grown == NULL) {
                return (CUresult) OUT_OF_MEMORY;
            }
            stream->pending = grown;
            stream->capacity = capacity;
        }
        stream->pending[stream->count++] = (struct pending_copy) {(void *) (uintptr_t) destination, source, bytes};
        stream->queued++;
        return (CUresult) OK;
    }
    run_all_pending(stream);
    memcpy((void *) (uintptr_t) destination, source, bytes);
    return (CUresult) OK;
}

EXPORT CUresult cuMemcpyDtoHAsync_v2(void *destination, CUdeviceptr source, size_t bytes, CUstream stream) {
    ENTER(1);
    run_all_pending(stream);
    memcpy(destination, (const void *) (uintptr_t) source, bytes);
    return (CUresult) OK;
}

/* ---- kernels: C versions of cuda/nmf_kernels.cu, dispatched by name ---- */

typedef int (*kernel_fn)(unsigned grid, unsigned block, void **params);

#define P(i, T) (*(T *) params[i])

/*
 * A reduction kernel's grid: thread t of block g computes THREAD_SUM (an expression of `thread`, its global
 * index, and `step`, the grid's size), the block's tree reduction sums them, and partials[g] gets the total.
 */
#define BLOCK_PARTIALS(THREAD_SUM)                                                                   \
    do {                                                                                             \
        if (block != NMF_REDUCE_THREADS) {                                                           \
            return INVALID_VALUE;                                                                    \
        }                                                                                            \
        double s[NMF_REDUCE_THREADS];                                                                \
        long long step = (long long) grid * block;                                                   \
        for (unsigned g = 0; g < grid; g++) {                                                        \
            for (unsigned t = 0; t < block; t++) {                                                   \
                long long thread = (long long) g * block + t;                                        \
                s[t] = THREAD_SUM;                                                                   \
            }                                                                                        \
            reduce(s);                                                                               \
            partials[g] = s[0];                                                                      \
        }                                                                                            \
        return OK;                                                                                   \
    } while (0)

#define STAND_IN_KERNELS(T, S)                                                                       \
    static int mu_update##S(unsigned grid, unsigned block, void **params) {                          \
        (void) grid;                                                                                 \
        (void) block;                                                                                \
        T *x = P(0, T *);                                                                            \
        const T *num = P(1, const T *);                                                              \
        const T *den = P(2, const T *);                                                              \
        T guard = P(3, T);                                                                           \
        T floor_ = P(4, T);                                                                          \
        long long n = P(5, long long);                                                               \
        for (long long i = 0; i < n; i++) {                                                          \
            x[i] = nmf_mu_update##S(x[i], num[i], den[i], guard, floor_);                             \
        }                                                                                            \
        return OK;                                                                                   \
    }                                                                                                \
    static int hals_columns##S(unsigned grid, unsigned block, void **params) {                       \
        T *w = P(0, T *);                                                                            \
        const T *a = P(1, const T *);                                                                \
        const T *b = P(2, const T *);                                                                \
        int n = P(3, int);                                                                           \
        int k = P(4, int);                                                                           \
        if (block % NMF_WARP != 0 || (long long) grid * (block / NMF_WARP) < n) {                    \
            return INVALID_VALUE; /* one warp per row */                                             \
        }                                                                                            \
        for (long long i = 0; i < n; i++) {                                                          \
            nmf_hals_vector_lanes##S(w + i * k, 1, a + i * k, 1, b, k);                              \
        }                                                                                            \
        return OK;                                                                                   \
    }                                                                                                \
    static int hals_rows##S(unsigned grid, unsigned block, void **params) {                          \
        T *h = P(0, T *);                                                                            \
        const T *c = P(1, const T *);                                                                \
        const T *d = P(2, const T *);                                                                \
        int k = P(3, int);                                                                           \
        int m = P(4, int);                                                                           \
        if (block % NMF_WARP != 0 || (long long) grid * (block / NMF_WARP) < m) {                    \
            return INVALID_VALUE; /* one warp per column */                                          \
        }                                                                                            \
        for (long long j = 0; j < m; j++) {                                                          \
            nmf_hals_vector_lanes##S(h + j, m, c + j, m, d, k);                                      \
        }                                                                                            \
        return OK;                                                                                   \
    }                                                                                                \
    static int dot_partials##S(unsigned grid, unsigned block, void **params) {                       \
        const T *a = P(0, const T *);                                                                \
        const T *b = P(1, const T *);                                                                \
        long long n = P(2, long long);                                                               \
        double *partials = P(3, double *);                                                           \
        BLOCK_PARTIALS(nmf_dot_thread##S(a, b, n, thread, step));                                    \
    }                                                                                                \
    static int mu_power_update##S(unsigned grid, unsigned block, void **params) {                    \
        (void) grid;                                                                                 \
        (void) block;                                                                                \
        T *x = P(0, T *);                                                                            \
        const T *num = P(1, const T *);                                                              \
        const T *den = P(2, const T *);                                                              \
        T guard = P(3, T);                                                                           \
        double gamma = P(4, double);                                                                 \
        T zero_below = P(5, T);                                                                      \
        T floor_ = P(6, T);                                                                          \
        long long n = P(7, long long);                                                               \
        for (long long i = 0; i < n; i++) {                                                          \
            x[i] = nmf_mu_power_update##S(x[i], num[i], den[i], guard, gamma, zero_below, floor_);    \
        }                                                                                            \
        return OK;                                                                                   \
    }                                                                                                \
    static int combine##S(unsigned grid, unsigned block, void **params) {                            \
        (void) grid;                                                                                 \
        (void) block;                                                                                \
        const T *y = P(0, const T *);                                                                \
        T a = P(1, T);                                                                               \
        const T *x = P(2, const T *);                                                                \
        T c = P(3, T);                                                                               \
        T *out = P(4, T *);                                                                          \
        long long n = P(5, long long);                                                               \
        for (long long i = 0; i < n; i++) {                                                          \
            out[i] = nmf_combine##S(y[i], a, x[i], c);                                               \
        }                                                                                            \
        return OK;                                                                                   \
    }                                                                                                \
    static int power_entries##S(unsigned grid, unsigned block, void **params) {                      \
        (void) grid;                                                                                 \
        (void) block;                                                                                \
        const T *v = P(0, const T *);                                                                \
        T *out = P(1, T *);                                                                          \
        double exponent = P(2, double);                                                              \
        T guard = P(3, T);                                                                           \
        long long n = P(4, long long);                                                               \
        for (long long i = 0; i < n; i++) {                                                          \
            T p = nmf_power##S(out[i], exponent, guard);                                             \
            out[i] = v ? v[i] * p : p;                                                               \
        }                                                                                            \
        return OK;                                                                                   \
    }                                                                                                \
    static int projected_gradient_partials##S(unsigned grid, unsigned block, void **params) {        \
        const T *x = P(0, const T *);                                                                \
        const T *num = P(1, const T *);                                                              \
        const T *den = P(2, const T *);                                                              \
        long long n = P(3, long long);                                                               \
        double *partials = P(4, double *);                                                           \
        BLOCK_PARTIALS(nmf_projected_gradient_thread##S(x, num, den, n, thread, step));              \
    }                                                                                                \
    static int beta_partials##S(unsigned grid, unsigned block, void **params) {                      \
        const T *v = P(0, const T *);                                                                \
        const int *row_start = P(1, const int *);                                                    \
        const int *columns = P(2, const int *);                                                      \
        const T *w = P(3, const T *);                                                                \
        const T *h = P(4, const T *);                                                                \
        int n = P(5, int);                                                                           \
        int m = P(6, int);                                                                           \
        int k = P(7, int);                                                                           \
        double beta = P(8, double);                                                                  \
        double *partials = P(9, double *);                                                           \
        BLOCK_PARTIALS(nmf_beta_thread##S(v, row_start, columns, w, h, n, m, k, beta, thread, step)); \
    }                                                                                                \
    static int residual_partials##S(unsigned grid, unsigned block, void **params) {                  \
        const T *v = P(0, const T *);                                                                \
        const int *row_start = P(1, const int *);                                                    \
        const int *columns = P(2, const int *);                                                      \
        const T *w = P(3, const T *);                                                                \
        const T *h = P(4, const T *);                                                                \
        int n = P(5, int);                                                                           \
        int m = P(6, int);                                                                           \
        int k = P(7, int);                                                                           \
        double *partials = P(8, double *);                                                           \
        BLOCK_PARTIALS(nmf_residual_thread##S(v, row_start, columns, w, h, n, m, k, thread, step));  \
    }                                                                                                \
    static int sampled_power##S(unsigned grid, unsigned block, void **params) {                      \
        (void) grid;                                                                                 \
        (void) block;                                                                                \
        const int *row_start = P(0, const int *);                                                    \
        const int *columns = P(1, const int *);                                                      \
        const T *v = P(2, const T *);                                                                \
        const T *w = P(3, const T *);                                                                \
        const T *h = P(4, const T *);                                                                \
        int rows = P(5, int);                                                                        \
        int m = P(6, int);                                                                           \
        int k = P(7, int);                                                                           \
        int transposed = P(8, int);                                                                  \
        double exponent = P(9, double);                                                              \
        T guard = P(10, T);                                                                          \
        T *out = P(11, T *);                                                                         \
        long long nnz = P(12, long long);                                                            \
        for (long long q = 0; q < nnz; q++) {                                                        \
            out[q] = nmf_sampled_power##S(row_start, columns, v, w, h, rows, m, k, transposed, exponent, \
                                          guard, q);                                                 \
        }                                                                                            \
        return OK;                                                                                   \
    }

/* The block tree reduction of nmf_kernels.cu, thread by thread within each step. */
static void reduce(double *s) {
    for (int half = NMF_REDUCE_THREADS / 2; half > 0; half /= 2) {
        for (int t = 0; t < NMF_REDUCE_THREADS; t++) {
            nmf_tree_step(s, t, half);
        }
    }
}

STAND_IN_KERNELS(float, _f32)
STAND_IN_KERNELS(double, _f64)

static int sum_partials(unsigned grid, unsigned block, void **params) {
    const double *partials = P(0, const double *);
    int count = P(1, int);
    double *out = P(2, double *);
    if (grid != 1 || block != NMF_REDUCE_THREADS || count > NMF_REDUCE_BLOCKS) {
        return INVALID_VALUE;
    }
    double s[NMF_REDUCE_THREADS];
    for (int t = 0; t < NMF_REDUCE_THREADS; t++) {
        s[t] = nmf_sum_thread(partials, count, t, NMF_REDUCE_THREADS);
    }
    reduce(s);
    out[0] = s[0];
    return OK;
}

struct CUfunc_st {
    const char *name;
    kernel_fn run;
};

static struct CUfunc_st KERNELS[] = {
    {"nmf_mu_update_f32", mu_update_f32},
    {"nmf_mu_update_f64", mu_update_f64},
    {"nmf_hals_columns_f32", hals_columns_f32},
    {"nmf_hals_columns_f64", hals_columns_f64},
    {"nmf_hals_rows_f32", hals_rows_f32},
    {"nmf_hals_rows_f64", hals_rows_f64},
    {"nmf_dot_partials_f32", dot_partials_f32},
    {"nmf_dot_partials_f64", dot_partials_f64},
    {"nmf_residual_partials_f32", residual_partials_f32},
    {"nmf_residual_partials_f64", residual_partials_f64},
    {"nmf_mu_power_update_f32", mu_power_update_f32},
    {"nmf_mu_power_update_f64", mu_power_update_f64},
    {"nmf_combine_f32", combine_f32},
    {"nmf_combine_f64", combine_f64},
    {"nmf_power_entries_f32", power_entries_f32},
    {"nmf_power_entries_f64", power_entries_f64},
    {"nmf_projected_gradient_partials_f32", projected_gradient_partials_f32},
    {"nmf_projected_gradient_partials_f64", projected_gradient_partials_f64},
    {"nmf_beta_partials_f32", beta_partials_f32},
    {"nmf_beta_partials_f64", beta_partials_f64},
    {"nmf_sampled_power_f32", sampled_power_f32},
    {"nmf_sampled_power_f64", sampled_power_f64},
    {"nmf_sum_partials", sum_partials},
};

struct CUmod_st {
    int loaded;
};

EXPORT CUresult cuModuleLoadDataEx(CUmodule *module, const void *image, unsigned int count, CUjit_option *options,
                                   void **values) {
    ENTER(1);
    (void) count;
    (void) options;
    (void) values;
    if (image == NULL) {
        return (CUresult) INVALID_IMAGE;
    }
    struct CUmod_st *m = calloc(1, sizeof *m);
    m->loaded = 1;
    *module = m;
    return (CUresult) OK;
}

EXPORT CUresult cuModuleGetFunction(CUfunction *function, CUmodule module, const char *name) {
    ENTER(1);
    if (module == NULL || !module->loaded) {
        return (CUresult) INVALID_HANDLE;
    }
    for (size_t i = 0; i < sizeof KERNELS / sizeof KERNELS[0]; i++) {
        if (strcmp(KERNELS[i].name, name) == 0) {
            *function = &KERNELS[i];
            return (CUresult) OK;
        }
    }
    return (CUresult) NOT_FOUND;
}

EXPORT CUresult cuModuleUnload(CUmodule module) {
    ENTER(1);
    if (module == NULL) {
        return (CUresult) INVALID_HANDLE;
    }
    free(module);
    return (CUresult) OK;
}

EXPORT CUresult cuLaunchKernel(CUfunction f, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx,
                               unsigned int by, unsigned int bz, unsigned int shared, CUstream stream,
                               void **params, void **extra) {
    ENTER(1);
    (void) shared;
    run_all_pending(stream);
    if (f == NULL) {
        return (CUresult) INVALID_HANDLE;
    }
    if (gx == 0 || gy != 1 || gz != 1 || bx == 0 || bx > 1024 || by != 1 || bz != 1 || params == NULL
        || extra != NULL) {
        return (CUresult) INVALID_VALUE;
    }
    return (CUresult) f->run(gx, bx, params);
}

EXPORT CUresult cuStreamCreate(CUstream *stream, unsigned int flags) {
    ENTER(1);
    struct CUstream_st *s = calloc(1, sizeof *s);
    s->flags = (int) flags;
    *stream = s;
    return (CUresult) OK;
}

EXPORT CUresult cuStreamDestroy_v2(CUstream stream) {
    ENTER(1);
    if (stream == NULL) {
        return (CUresult) INVALID_HANDLE;
    }
    run_all_pending(stream);
    free(stream->pending);
    free(stream);
    return (CUresult) OK;
}

EXPORT CUresult cuStreamSynchronize(CUstream stream) {
    ENTER(1);
    run_all_pending(stream);
    return (CUresult) OK;
}

EXPORT CUresult cuStreamWaitEvent(CUstream stream, CUevent event, unsigned int flags) {
    ENTER(1);
    (void) stream;
    if (event == NULL || flags != 0) {
        return event == NULL ? (CUresult) INVALID_HANDLE : (CUresult) INVALID_VALUE;
    }
    /* An event never recorded counts as complete, as on a GPU. */
    run_pending(event->stream, event->mark);
    return (CUresult) OK;
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + t.tv_nsec * 1e-9;
}

EXPORT CUresult cuEventCreate(CUevent *event, unsigned int flags) {
    ENTER(1);
    (void) flags;
    *event = calloc(1, sizeof(struct CUevent_st));
    return (CUresult) OK;
}

EXPORT CUresult cuEventRecord(CUevent event, CUstream stream) {
    ENTER(1);
    event->seconds = now();
    event->stream = stream;
    event->mark = stream == NULL ? 0 : stream->queued;
    return (CUresult) OK;
}

EXPORT CUresult cuEventSynchronize(CUevent event) {
    ENTER(1);
    run_pending(event->stream, event->mark);
    return (CUresult) OK;
}

EXPORT CUresult cuEventElapsedTime_v2(float *milliseconds, CUevent start, CUevent end) {
    ENTER(1);
    *milliseconds = (float) ((end->seconds - start->seconds) * 1e3);
    return (CUresult) OK;
}

#ifndef JNMF_CHECK_WITH_CUDA_H /* cuda.h 13 #defines the plain name to the _v2 one */
EXPORT CUresult cuEventElapsedTime(float *milliseconds, CUevent start, CUevent end) {
    return cuEventElapsedTime_v2(milliseconds, start, end);
}
#endif

EXPORT CUresult cuEventDestroy_v2(CUevent event) {
    ENTER(1);
    free(event);
    return (CUresult) OK;
}
