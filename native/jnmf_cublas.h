/*
 * The subset of cuBLAS (libcublas.so.13, .12 or .11) that org.jnmf.cuda.Cublas binds, with the exact
 * exported names. Only the v2 API: cublasSgemm (unversioned) is the legacy v1 API with an implicit
 * handle, and cublasCreate/cublasSetStream do not exist as symbols. Prototypes as in cublas_api.h of
 * cuBLAS 13.0 (identical in 11 and 12 for these functions).
 *
 *   jextract --output gen -t org.jnmf.cuda.gen native/jnmf_cublas.h
 */
#ifndef JNMF_CUBLAS_H
#define JNMF_CUBLAS_H

typedef int cublasStatus_t;              /* enum; 0 = CUBLAS_STATUS_SUCCESS */
typedef struct cublasContext *cublasHandle_t;
typedef struct CUstream_st *cudaStream_t; /* the driver's CUstream */
typedef int cublasOperation_t;           /* CUBLAS_OP_N = 0, CUBLAS_OP_T = 1 */
typedef int cublasMath_t;                /* CUBLAS_DEFAULT_MATH = 0, CUBLAS_TF32_TENSOR_OP_MATH = 3 */

cublasStatus_t cublasCreate_v2(cublasHandle_t *handle);
cublasStatus_t cublasDestroy_v2(cublasHandle_t handle);
cublasStatus_t cublasGetVersion_v2(cublasHandle_t handle, int *version);
cublasStatus_t cublasSetStream_v2(cublasHandle_t handle, cudaStream_t streamId);
cublasStatus_t cublasSetMathMode(cublasHandle_t handle, cublasMath_t mode);
const char *cublasGetStatusName(cublasStatus_t status);
const char *cublasGetStatusString(cublasStatus_t status);

cublasStatus_t cublasSgemm_v2(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n,
                              int k, const float *alpha, const float *A, int lda, const float *B, int ldb,
                              const float *beta, float *C, int ldc);
cublasStatus_t cublasDgemm_v2(cublasHandle_t handle, cublasOperation_t transa, cublasOperation_t transb, int m, int n,
                              int k, const double *alpha, const double *A, int lda, const double *B, int ldb,
                              const double *beta, double *C, int ldc);

#endif
