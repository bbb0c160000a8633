/*
 * The custom kernels of the jnmf CUDA backend (org.jnmf.cuda.CudaBackend). The element arithmetic lives
 * in nmf_kernel_math.h, shared with the CPU stand-in; this file only maps it onto threads. Every kernel
 * has an unmangled float (_f32) and double (_f64) entry point; the parameter lists are the contract with
 * CudaBackend (which packs kernelParams) and with native/stand-in/cuda_stand_in.c (which unpacks them).
 *
 * Build (see pom.xml): nvcc -fatbin --fmad=false -gencode arch=compute_80,code=sm_80
 *   -gencode arch=compute_90,code=sm_90 -gencode arch=compute_90,code=compute_90
 * IEEE division and no contraction, so results match the Java backend's rounding.
 */
#include "nmf_kernel_math.h"

namespace {

template <typename T>
__device__ void mu_update(T *x, const T *num, const T *den, T guard, T floor, long long n) {
    long long step = (long long) blockDim.x * gridDim.x;
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += step) {
        x[i] = nmf_mu_update(x[i], num[i], den[i], guard, floor);
    }
}

/* Largest k for which hals_columns works on a thread-local copy of its row of W. */
#define NMF_HALS_LOCAL_K 256

/*
 * W (n×k) with A = V·Hᵀ (n×k), B = H·Hᵀ (k×k): one thread per row, each running the sequential l loop.
 * Neighbouring threads own rows k elements apart, so reading W in place would touch one memory sector per
 * thread; for k ≤ NMF_HALS_LOCAL_K the row is first copied to thread-local memory, which CUDA interleaves
 * across threads, so the k² reads of the sweep coalesce. The arithmetic is the same either way.
 */
template <typename T>
__device__ void hals_columns(T *w, const T *a, const T *b, int n, int k) {
    long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) {
        return;
    }
    T *row = w + i * k;
    if (k <= NMF_HALS_LOCAL_K) {
        T local[NMF_HALS_LOCAL_K];
        for (int r = 0; r < k; r++) {
            local[r] = row[r];
        }
        nmf_hals_vector(local, 1, a + i * k, 1, b, k);
        for (int r = 0; r < k; r++) {
            row[r] = local[r];
        }
    } else {
        nmf_hals_vector(row, 1, a + i * k, 1, b, k);
    }
}

/* H (k×m) with C = Wᵀ·V (k×m), D = Wᵀ·W (k×k): one thread per column (coalesced across threads). */
template <typename T>
__device__ void hals_rows(T *h, const T *c, const T *d, int k, int m) {
    long long j = (long long) blockIdx.x * blockDim.x + threadIdx.x;
    if (j < m) {
        nmf_hals_vector(h + j, m, c + j, m, d, k);
    }
}

/* Block tree reduction of each thread's value; thread 0 writes the block's sum to out[blockIdx.x]. */
__device__ void reduce_block(double value, double *out) {
    __shared__ double s[NMF_REDUCE_THREADS];
    int t = threadIdx.x;
    s[t] = value;
    __syncthreads();
    for (int half = NMF_REDUCE_THREADS / 2; half > 0; half /= 2) {
        nmf_tree_step(s, t, half);
        __syncthreads();
    }
    if (t == 0) {
        out[blockIdx.x] = s[0];
    }
}

template <typename T>
__device__ void dot_partials(const T *a, const T *b, long long n, double *partials) {
    long long step = (long long) blockDim.x * gridDim.x;
    long long start = (long long) blockIdx.x * blockDim.x + threadIdx.x;
    reduce_block(nmf_dot_thread(a, b, n, start, step), partials);
}

template <typename T>
__device__ void residual_partials(const T *v, const T *w, const T *h, int n, int m, int k, double *partials) {
    long long step = (long long) blockDim.x * gridDim.x;
    long long start = (long long) blockIdx.x * blockDim.x + threadIdx.x;
    reduce_block(nmf_residual_thread(v, w, h, n, m, k, start, step), partials);
}

} // namespace

#define NMF_KERNELS(T, S)                                                                                   \
    extern "C" __global__ void nmf_mu_update##S(T *x, const T *num, const T *den, T guard, T floor,          \
                                                long long n) {                                              \
        mu_update<T>(x, num, den, guard, floor, n);                                                         \
    }                                                                                                       \
    extern "C" __global__ void nmf_hals_columns##S(T *w, const T *a, const T *b, int n, int k) {            \
        hals_columns<T>(w, a, b, n, k);                                                                     \
    }                                                                                                       \
    extern "C" __global__ void nmf_hals_rows##S(T *h, const T *c, const T *d, int k, int m) {               \
        hals_rows<T>(h, c, d, k, m);                                                                        \
    }                                                                                                       \
    extern "C" __global__ void __launch_bounds__(NMF_REDUCE_THREADS)                                        \
        nmf_dot_partials##S(const T *a, const T *b, long long n, double *partials) {                        \
        dot_partials<T>(a, b, n, partials);                                                                 \
    }                                                                                                       \
    extern "C" __global__ void __launch_bounds__(NMF_REDUCE_THREADS)                                        \
        nmf_residual_partials##S(const T *v, const T *w, const T *h, int n, int m, int k, double *partials) { \
        residual_partials<T>(v, w, h, n, m, k, partials);                                                   \
    }

NMF_KERNELS(float, _f32)
NMF_KERNELS(double, _f64)

/* Sums count ≤ NMF_REDUCE_BLOCKS partials into out[0]; one block of NMF_REDUCE_THREADS threads. */
extern "C" __global__ void __launch_bounds__(NMF_REDUCE_THREADS)
    nmf_sum_partials(const double *partials, int count, double *out) {
    reduce_block(nmf_sum_thread(partials, count, threadIdx.x, NMF_REDUCE_THREADS), out);
}
