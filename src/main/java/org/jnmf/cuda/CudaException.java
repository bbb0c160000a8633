package org.jnmf.cuda;

import org.jnmf.NmfException;

/**
 * A CUDA driver or cuBLAS call failed during a fit. The message names the call, the status code and its
 * name (for example {@code cuLaunchKernel(nmf_hals_rows_f32) failed: CUDA_ERROR_LAUNCH_FAILED (719)}); the
 * fit stops there, with no fallback to another backend.
 */
public class CudaException extends NmfException {
    private final String call;
    private final int status;
    private final String statusName;

    public CudaException(String call, int status, String statusName, String message) {
        super(message);
        this.call = call;
        this.status = status;
        this.statusName = statusName;
    }

    CudaException(CudaException cause) {
        super(cause.getMessage(), cause);
        this.call = cause.call;
        this.status = cause.status;
        this.statusName = cause.statusName;
    }

    /** The native function that failed, with the kernel name for launches. */
    public String call() {
        return call;
    }

    /** The {@code CUresult} or {@code cublasStatus_t} it returned. */
    public int status() {
        return status;
    }

    /** The status's symbolic name, such as {@code CUDA_ERROR_OUT_OF_MEMORY}. */
    public String statusName() {
        return statusName;
    }
}
