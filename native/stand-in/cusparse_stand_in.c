/*
 * A CPU stand-in for libcusparse.so.12 implementing exactly the generic-API subset in native/jnmf_cusparse.h:
 * CSR and dense descriptors and SpMM, so the CUDA backend's sparse call sites run in CI without a GPU.
 * "Device" pointers are host pointers (see cuda_stand_in.c). SpMM checks its arguments as cuSPARSE does
 * (CUSPARSE_STATUS_INVALID_VALUE for shapes that do not fit, a leading dimension that is too small, or an
 * unknown operation, order or type) and, more strictly than cuSPARSE documents, refuses B and C in
 * different orders (CUSPARSE_STATUS_NOT_SUPPORTED), so the binding keeps to the layout combination that
 * cuSPARSE supports with every CSR algorithm. Accumulation: C[r,c] = Σ_q A[r,col_q]·op(B)[col_q,c] with fma
 * in the working precision, in the CSR order q of row r (the Java backend's order).
 *
 * Failure injection: jnmf_stand_in_cusparse_fail("cusparseSpMM", 6, 0) makes the next call return 6 (once).
 *
 * Build: gcc -O2 -ffp-contract=off -shared -fPIC -Inative -Wl,-soname,libjnmf-stand-in-cusparse.so.12
 *        -o target/native-stand-ins/libcusparse.so.12 native/stand-in/cusparse_stand_in.c -lm
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jnmf_cusparse.h"
#include "fail_injection.h"

#define EXPORT __attribute__((visibility("default")))

enum {
    SUCCESS = 0, NOT_INITIALIZED = 1, ALLOC_FAILED = 2, INVALID_VALUE = 3, EXECUTION_FAILED = 6,
    INTERNAL_ERROR = 7, NOT_SUPPORTED = 10
};
enum { OP_N = 0, OP_T = 1, INDEX_32I = 2, BASE_ZERO = 0, ORDER_COL = 1, ORDER_ROW = 2, R_32F = 0, R_64F = 1 };

struct cusparseContext {
    cudaStream_t stream;
};
struct cusparseSpMatDescr {
    int64_t rows, cols, nnz;
    const int *row_start;
    const int *columns;
    void *values;
    int type;
};
struct cusparseDnMatDescr {
    int64_t rows, cols, ld;
    void *values;
    int type;
    int order;
};

EXPORT int jnmf_stand_in_cusparse_fail(const char *function, int status, int skip) {
    fail_arm(function, status, skip);
    return 0;
}

EXPORT cusparseStatus_t cusparseCreate(cusparseHandle_t *handle) {
    int status = injected(__func__);
    if (status != 0) {
        return status;
    }
    if (handle == NULL) {
        return INVALID_VALUE;
    }
    *handle = calloc(1, sizeof(struct cusparseContext));
    return *handle == NULL ? ALLOC_FAILED : SUCCESS;
}

EXPORT cusparseStatus_t cusparseDestroy(cusparseHandle_t handle) {
    if (handle == NULL) {
        return NOT_INITIALIZED;
    }
    free(handle);
    return SUCCESS;
}

EXPORT cusparseStatus_t cusparseGetVersion(cusparseHandle_t handle, int *version) {
    if (handle == NULL) {
        return NOT_INITIALIZED;
    }
    *version = 12600; /* 12.6.0: major·1000 + minor·100 + patch */
    return SUCCESS;
}

EXPORT cusparseStatus_t cusparseSetStream(cusparseHandle_t handle, cudaStream_t stream) {
    if (handle == NULL) {
        return NOT_INITIALIZED;
    }
    handle->stream = stream;
    return SUCCESS;
}

static const struct {
    int code;
    const char *name;
    const char *text;
} STATUSES[] = {
    {0, "CUSPARSE_STATUS_SUCCESS", "success"},
    {1, "CUSPARSE_STATUS_NOT_INITIALIZED", "initialization error"},
    {2, "CUSPARSE_STATUS_ALLOC_FAILED", "out of memory"},
    {3, "CUSPARSE_STATUS_INVALID_VALUE", "invalid value"},
    {6, "CUSPARSE_STATUS_EXECUTION_FAILED", "execution failed"},
    {7, "CUSPARSE_STATUS_INTERNAL_ERROR", "internal error"},
    {10, "CUSPARSE_STATUS_NOT_SUPPORTED", "operation not supported"},
};

EXPORT const char *cusparseGetErrorName(cusparseStatus_t status) {
    for (size_t i = 0; i < sizeof STATUSES / sizeof STATUSES[0]; i++) {
        if (STATUSES[i].code == status) {
            return STATUSES[i].name;
        }
    }
    return "CUSPARSE_STATUS_UNKNOWN";
}

EXPORT const char *cusparseGetErrorString(cusparseStatus_t status) {
    for (size_t i = 0; i < sizeof STATUSES / sizeof STATUSES[0]; i++) {
        if (STATUSES[i].code == status) {
            return STATUSES[i].text;
        }
    }
    return "unknown error";
}

EXPORT cusparseStatus_t cusparseCreateCsr(cusparseSpMatDescr_t *descr, int64_t rows, int64_t cols, int64_t nnz,
                                          void *row_start, void *columns, void *values, cusparseIndexType_t row_type,
                                          cusparseIndexType_t column_type, cusparseIndexBase_t base,
                                          cudaDataType type) {
    int status = injected(__func__);
    if (status != 0) {
        return status;
    }
    if (descr == NULL || rows < 0 || cols < 0 || nnz < 0 || (rows > 0 && row_start == NULL)
            || (nnz > 0 && (columns == NULL || values == NULL))) {
        return INVALID_VALUE;
    }
    if (row_type != INDEX_32I || column_type != INDEX_32I || base != BASE_ZERO || (type != R_32F && type != R_64F)) {
        return INVALID_VALUE;
    }
    struct cusparseSpMatDescr *d = calloc(1, sizeof *d);
    if (d == NULL) {
        return ALLOC_FAILED;
    }
    *d = (struct cusparseSpMatDescr) {rows, cols, nnz, row_start, columns, values, type};
    *descr = d;
    return SUCCESS;
}

EXPORT cusparseStatus_t cusparseDestroySpMat(cusparseSpMatDescr_t descr) {
    free(descr);
    return SUCCESS;
}

EXPORT cusparseStatus_t cusparseCreateDnMat(cusparseDnMatDescr_t *descr, int64_t rows, int64_t cols, int64_t ld,
                                            void *values, cudaDataType type, cusparseOrder_t order) {
    if (descr == NULL || rows < 0 || cols < 0 || (type != R_32F && type != R_64F)
            || (order != ORDER_COL && order != ORDER_ROW)) {
        return INVALID_VALUE;
    }
    /* The leading dimension: at least the rows of a column-major matrix, the columns of a row-major one. */
    if (ld < (order == ORDER_COL ? rows : cols) || ld < 1) {
        return INVALID_VALUE;
    }
    struct cusparseDnMatDescr *d = calloc(1, sizeof *d);
    if (d == NULL) {
        return ALLOC_FAILED;
    }
    *d = (struct cusparseDnMatDescr) {rows, cols, ld, values, type, order};
    *descr = d;
    return SUCCESS;
}

EXPORT cusparseStatus_t cusparseDestroyDnMat(cusparseDnMatDescr_t descr) {
    free(descr);
    return SUCCESS;
}

/* Checks an SpMM call: op(A) r×s, op(B) s×t, C r×t, one value type throughout. */
static int check_spmm(cusparseHandle_t handle, int op_a, int op_b, const void *alpha, cusparseSpMatDescr_t a,
                      cusparseDnMatDescr_t b, const void *beta, cusparseDnMatDescr_t c, int compute) {
    if (handle == NULL) {
        return NOT_INITIALIZED;
    }
    if (alpha == NULL || beta == NULL || a == NULL || b == NULL || c == NULL) {
        return INVALID_VALUE;
    }
    if ((op_a != OP_N && op_a != OP_T) || (op_b != OP_N && op_b != OP_T)) {
        return INVALID_VALUE;
    }
    if (a->type != compute || b->type != compute || c->type != compute) {
        return INVALID_VALUE;
    }
    if (b->order != c->order) {
        return NOT_SUPPORTED;
    }
    int64_t r = op_a == OP_N ? a->rows : a->cols;
    int64_t s = op_a == OP_N ? a->cols : a->rows;
    int64_t b_rows = op_b == OP_N ? b->rows : b->cols;
    int64_t t = op_b == OP_N ? b->cols : b->rows;
    if (b_rows != s || c->rows != r || c->cols != t) {
        return INVALID_VALUE;
    }
    return SUCCESS;
}

EXPORT cusparseStatus_t cusparseSpMM_bufferSize(cusparseHandle_t handle, cusparseOperation_t op_a,
                                                cusparseOperation_t op_b, const void *alpha, cusparseSpMatDescr_t a,
                                                cusparseDnMatDescr_t b, const void *beta, cusparseDnMatDescr_t c,
                                                cudaDataType compute, cusparseSpMMAlg_t alg, size_t *size) {
    int status = check_spmm(handle, op_a, op_b, alpha, a, b, beta, c, compute);
    if (status != SUCCESS) {
        return status;
    }
    if (size == NULL || alg != 0) {
        return INVALID_VALUE;
    }
    *size = 64; /* a small workspace, so the caller's buffer handling runs */
    return SUCCESS;
}

/* Element (i, j) of a dense descriptor's matrix (before op). */
#define AT(d, i, j) ((d)->order == ORDER_ROW ? (i) * (d)->ld + (j) : (j) * (d)->ld + (i))

#define SPMM(T, FMA)                                                                                           \
    do {                                                                                                    \
        const T *av = a->values;                                                                            \
        const T *bv = b->values;                                                                            \
        T *cv = c->values;                                                                                  \
        T al = *(const T *) alpha;                                                                          \
        T be = *(const T *) beta;                                                                           \
        int64_t t = c->cols;                                                                                \
        for (int64_t i = 0; i < c->rows; i++) {                                                             \
            for (int64_t j = 0; j < t; j++) {                                                               \
                cv[AT(c, i, j)] = be == 0 ? 0 : be * cv[AT(c, i, j)];                                       \
            }                                                                                               \
        }                                                                                                   \
        /* op(A) = A: row i of C from row i of A; op(A) = Aᵀ: row i of A scatters into the rows col_q. */   \
        for (int64_t i = 0; i < a->rows; i++) {                                                             \
            for (int q = a->row_start[i]; q < a->row_start[i + 1]; q++) {                                   \
                int64_t col = a->columns[q];                                                                \
                T x = al * av[q];                                                                           \
                int64_t out_row = op_a == OP_N ? i : col;                                                   \
                int64_t in_row = op_a == OP_N ? col : i;                                                    \
                for (int64_t j = 0; j < t; j++) {                                                           \
                    T bvalue = op_b == OP_N ? bv[AT(b, in_row, j)] : bv[AT(b, j, in_row)];                  \
                    cv[AT(c, out_row, j)] = FMA(x, bvalue, cv[AT(c, out_row, j)]);                          \
                }                                                                                           \
            }                                                                                               \
        }                                                                                                   \
    } while (0)

EXPORT cusparseStatus_t cusparseSpMM(cusparseHandle_t handle, cusparseOperation_t op_a, cusparseOperation_t op_b,
                                     const void *alpha, cusparseSpMatDescr_t a, cusparseDnMatDescr_t b,
                                     const void *beta, cusparseDnMatDescr_t c, cudaDataType compute,
                                     cusparseSpMMAlg_t alg, void *buffer) {
    int status = injected(__func__);
    if (status != 0) {
        return status;
    }
    status = check_spmm(handle, op_a, op_b, alpha, a, b, beta, c, compute);
    if (status != SUCCESS) {
        return status;
    }
    if (alg != 0 || buffer == NULL) {
        return INVALID_VALUE;
    }
    if (compute == R_32F) {
        SPMM(float, fmaf);
    } else {
        SPMM(double, fma);
    }
    return SUCCESS;
}
