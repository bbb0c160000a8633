/*
 * A CPU stand-in for libcublas.so.13 implementing exactly the subset in native/jnmf_cublas.h.
 * GEMM is a plain column-major loop that honours the operations and checks the arguments as real cuBLAS
 * does (CUBLAS_STATUS_INVALID_VALUE for a leading dimension that is too small, a negative size or an
 * unknown operation), so a wrong row-major→column-major mapping fails here rather than on a GPU.
 * "Device" pointers are host pointers (see cuda_stand_in.c). Accumulation is in the working precision
 * with fma, like a GPU GEMM, in k order.
 *
 * Failure injection: jnmf_stand_in_cublas_fail("cublasSgemm_v2", 13, 2) makes the 3rd following call of
 * that function return 13 (once).
 *
 * Build: gcc -O2 -ffp-contract=off -shared -fPIC -Inative -Wl,-soname,libjnmf-stand-in-cublas.so.13
 *        -o target/native-stand-ins/libcublas.so.13 native/stand-in/cublas_stand_in.c -lm
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jnmf_cublas.h"
#include "fail_injection.h"

#define EXPORT __attribute__((visibility("default")))

enum {
    SUCCESS = 0, NOT_INITIALIZED = 1, ALLOC_FAILED = 3, INVALID_VALUE = 7, ARCH_MISMATCH = 8,
    MAPPING_ERROR = 11, EXECUTION_FAILED = 13, INTERNAL_ERROR = 14, NOT_SUPPORTED = 15
};

struct cublasContext {
    cudaStream_t stream;
    int math;
};

EXPORT int jnmf_stand_in_cublas_fail(const char *function, int status, int skip) {
    fail_arm(function, status, skip);
    return 0;
}

EXPORT cublasStatus_t cublasCreate_v2(cublasHandle_t *handle) {
    int status = injected(__func__);
    if (status != 0) {
        return status;
    }
    if (handle == NULL) {
        return INVALID_VALUE;
    }
    *handle = calloc(1, sizeof(struct cublasContext));
    return *handle == NULL ? ALLOC_FAILED : SUCCESS;
}

EXPORT cublasStatus_t cublasDestroy_v2(cublasHandle_t handle) {
    if (handle == NULL) {
        return NOT_INITIALIZED;
    }
    free(handle);
    return SUCCESS;
}

EXPORT cublasStatus_t cublasGetVersion_v2(cublasHandle_t handle, int *version) {
    if (handle == NULL) {
        return NOT_INITIALIZED;
    }
    *version = 130000;
    return SUCCESS;
}

EXPORT cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t stream) {
    if (handle == NULL) {
        return NOT_INITIALIZED;
    }
    handle->stream = stream;
    return SUCCESS;
}

EXPORT cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode) {
    if (handle == NULL) {
        return NOT_INITIALIZED;
    }
    int base = mode & 0xf;
    if (base < 0 || base > 4) {
        return INVALID_VALUE;
    }
    handle->math = mode;
    return SUCCESS;
}

static const char *const NAMES[] = {
    [0] = "CUBLAS_STATUS_SUCCESS", [1] = "CUBLAS_STATUS_NOT_INITIALIZED", [3] = "CUBLAS_STATUS_ALLOC_FAILED",
    [7] = "CUBLAS_STATUS_INVALID_VALUE", [8] = "CUBLAS_STATUS_ARCH_MISMATCH", [11] = "CUBLAS_STATUS_MAPPING_ERROR",
    [13] = "CUBLAS_STATUS_EXECUTION_FAILED", [14] = "CUBLAS_STATUS_INTERNAL_ERROR",
    [15] = "CUBLAS_STATUS_NOT_SUPPORTED", [16] = "CUBLAS_STATUS_LICENSE_ERROR",
};
static const char *const TEXTS[] = {
    [0] = "the operation completed successfully", [1] = "the library was not initialized",
    [3] = "the resource allocation failed", [7] = "an invalid numeric value was used as an argument",
    [8] = "an absent device architectural feature is required", [11] = "an access to GPU memory space failed",
    [13] = "the GPU program failed to execute", [14] = "an internal operation failed",
    [15] = "the functionality requested is not supported", [16] = "error detected trying to check the license",
};

EXPORT const char *cublasGetStatusName(cublasStatus_t status) {
    if (status >= 0 && status < (int) (sizeof NAMES / sizeof NAMES[0]) && NAMES[status] != NULL) {
        return NAMES[status];
    }
    return "CUBLAS_STATUS_UNKNOWN";
}

EXPORT const char *cublasGetStatusString(cublasStatus_t status) {
    if (status >= 0 && status < (int) (sizeof TEXTS / sizeof TEXTS[0]) && TEXTS[status] != NULL) {
        return TEXTS[status];
    }
    return "unknown error";
}

static int max1(int x) {
    return x > 1 ? x : 1;
}

/* The argument checks of cuBLAS's ?gemm (column-major: op(A) m×k, op(B) k×n, C m×n). */
static int check(cublasHandle_t handle, int ta, int tb, int m, int n, int k, const void *alpha,
                 const void *beta, int lda, int ldb, int ldc) {
    if (handle == NULL) {
        return NOT_INITIALIZED;
    }
    if (ta < 0 || ta > 2 || tb < 0 || tb > 2 || m < 0 || n < 0 || k < 0 || alpha == NULL || beta == NULL) {
        return INVALID_VALUE;
    }
    if (lda < max1(ta == 0 ? m : k) || ldb < max1(tb == 0 ? k : n) || ldc < max1(m)) {
        return INVALID_VALUE;
    }
    return SUCCESS;
}

#define GEMM(NAME, T, FMA)                                                                                  \
    EXPORT cublasStatus_t NAME(cublasHandle_t handle, cublasOperation_t ta, cublasOperation_t tb, int m,    \
                               int n, int k, const T *alpha, const T *A, int lda, const T *B, int ldb,      \
                               const T *beta, T *C, int ldc) {                                              \
        int status = injected(#NAME);                                                                       \
        if (status != 0) {                                                                                  \
            return status;                                                                                  \
        }                                                                                                   \
        status = check(handle, ta, tb, m, n, k, alpha, beta, lda, ldb, ldc);                                \
        if (status != SUCCESS) {                                                                            \
            return status;                                                                                  \
        }                                                                                                   \
        for (long long j = 0; j < n; j++) {                                                                 \
            for (long long i = 0; i < m; i++) {                                                             \
                T s = 0;                                                                                    \
                for (long long p = 0; p < k; p++) {                                                         \
                    T a = ta == 0 ? A[i + p * lda] : A[p + i * lda];                                        \
                    T b = tb == 0 ? B[p + j * ldb] : B[j + p * ldb];                                        \
                    s = FMA(a, b, s);                                                                       \
                }                                                                                           \
                T *c = &C[i + j * ldc];                                                                     \
                *c = *beta == 0 ? *alpha * s : *alpha * s + *beta * *c;                                     \
            }                                                                                               \
        }                                                                                                   \
        return SUCCESS;                                                                                     \
    }

GEMM(cublasSgemm_v2, float, fmaf)
GEMM(cublasDgemm_v2, double, fma)
