/*
 * The subset of the cuSPARSE generic API that org.jnmf.cuda.Cusparse binds, with the exact exported
 * names. CUDA 13's toolkit and its pip wheel (nvidia/cu13/lib) ship cuSPARSE 12 as libcusparse.so.12;
 * these prototypes are those of cusparse.h in cuSPARSE 12 (identical in 11.x for these functions).
 * Enum values used by the binding: CUSPARSE_OPERATION_NON_TRANSPOSE = 0, _TRANSPOSE = 1;
 * CUSPARSE_INDEX_32I = 2; CUSPARSE_INDEX_BASE_ZERO = 0; CUSPARSE_ORDER_COL = 1, _ROW = 2;
 * CUDA_R_32F = 0, CUDA_R_64F = 1; CUSPARSE_SPMM_ALG_DEFAULT = 0.
 */
#ifndef JNMF_CUSPARSE_H
#define JNMF_CUSPARSE_H

#include <stddef.h>
#include <stdint.h>

typedef int cusparseStatus_t;             /* enum; 0 = CUSPARSE_STATUS_SUCCESS */
typedef struct cusparseContext *cusparseHandle_t;
typedef struct cusparseSpMatDescr *cusparseSpMatDescr_t;
typedef struct cusparseDnMatDescr *cusparseDnMatDescr_t;
typedef struct CUstream_st *cudaStream_t; /* the driver's CUstream */
typedef int cusparseOperation_t;
typedef int cusparseIndexType_t;
typedef int cusparseIndexBase_t;
typedef int cusparseOrder_t;
typedef int cudaDataType;
typedef int cusparseSpMMAlg_t;

cusparseStatus_t cusparseCreate(cusparseHandle_t *handle);
cusparseStatus_t cusparseDestroy(cusparseHandle_t handle);
cusparseStatus_t cusparseGetVersion(cusparseHandle_t handle, int *version);
cusparseStatus_t cusparseSetStream(cusparseHandle_t handle, cudaStream_t streamId);
const char *cusparseGetErrorName(cusparseStatus_t status);
const char *cusparseGetErrorString(cusparseStatus_t status);

cusparseStatus_t cusparseCreateCsr(cusparseSpMatDescr_t *spMatDescr, int64_t rows, int64_t cols, int64_t nnz,
                                   void *csrRowOffsets, void *csrColInd, void *csrValues,
                                   cusparseIndexType_t csrRowOffsetsType, cusparseIndexType_t csrColIndType,
                                   cusparseIndexBase_t idxBase, cudaDataType valueType);
cusparseStatus_t cusparseDestroySpMat(cusparseSpMatDescr_t spMatDescr);
cusparseStatus_t cusparseCreateDnMat(cusparseDnMatDescr_t *dnMatDescr, int64_t rows, int64_t cols, int64_t ld,
                                     void *values, cudaDataType valueType, cusparseOrder_t order);
cusparseStatus_t cusparseDestroyDnMat(cusparseDnMatDescr_t dnMatDescr);
cusparseStatus_t cusparseSpMM_bufferSize(cusparseHandle_t handle, cusparseOperation_t opA, cusparseOperation_t opB,
                                         const void *alpha, cusparseSpMatDescr_t matA, cusparseDnMatDescr_t matB,
                                         const void *beta, cusparseDnMatDescr_t matC, cudaDataType computeType,
                                         cusparseSpMMAlg_t alg, size_t *bufferSize);
cusparseStatus_t cusparseSpMM(cusparseHandle_t handle, cusparseOperation_t opA, cusparseOperation_t opB,
                              const void *alpha, cusparseSpMatDescr_t matA, cusparseDnMatDescr_t matB,
                              const void *beta, cusparseDnMatDescr_t matC, cudaDataType computeType,
                              cusparseSpMMAlg_t alg, void *externalBuffer);

#endif
