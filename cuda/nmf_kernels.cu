/*
 * The custom kernels of the jnmf CUDA backend (org.jnmf.cuda.CudaBackend). The element arithmetic lives
 * in nmf_kernel_math.h, shared with the CPU stand-in; this file only maps it onto threads. Every kernel
 * has an unmangled float (_f32) and double (_f64) entry point; the parameter lists are the contract with
 * CudaBackend (which packs kernelParams) and with native/stand-in/cuda_stand_in.c (which unpacks them).
 *
 * Build (see pom.xml): nvcc -fatbin --fmad=false -gencode arch=compute_80,code=sm_80
 *   -gencode arch=compute_90,code=sm_90 -gencode arch=compute_90,code=compute_90
 * IEEE division and no contraction, so the element-wise results match the Java backend's rounding; the
 * HALS gradients are summed over a warp's lanes in a fixed order (see nmf_kernel_math.h), which the stand-in
 * reproduces bit for bit but the Java backend's sequential sum only to rounding.
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

/* Largest k whose HALS vector a warp keeps in registers: NMF_HALS_REGISTERS values per lane. */
#define NMF_HALS_REGISTERS 8

/* The butterfly warp sum of nmf_kernel_math.h (offsets 16, 8, 4, 2, 1): every lane gets the same bits. */
template <typename T>
__device__ T warp_sum(T value) {
    for (int offset = NMF_WARP / 2; offset > 0; offset /= 2) {
        value = nmf_warp_add(value, __shfl_xor_sync(0xffffffffu, value, offset));
    }
    return value;
}

/*
 * Shared memory for the HALS kernels' rows of B (D): NMF_HALS_CHUNK_BYTES per block, i.e. 32 rows of B at
 * k = 256 float32 (16 for float64). The block's warps all run the same steps l, so they copy the rows of
 * the next chunk of steps together (coalesced) and then read them from shared memory: the k² values of B
 * come from L2 once per block of NMF_HALS_WARPS vectors instead of once per vector.
 */
#define NMF_HALS_CHUNK_BYTES 32768

/*
 * One HALS sweep of the vector x (k ≤ 32·R entries, stride xs; g and its stride gs) by the calling warp:
 * lane t holds x[t + 32q] and g[t + 32q] in registers (q < R, a compile-time count, so the loops unroll
 * and every index is a constant). Step l reads row l of b from the block's shared chunk (staged by every
 * thread of the block, so every warp calls this, `active` or not, and k is the same for the whole block),
 * sums the lanes' partials in the fixed butterfly order and lets the owner of x[l] update it. The q loop
 * is unrolled, the step loop within it is not (code size).
 */
template <typename T, int R>
__device__ void hals_warp_registers(T *x, long long xs, const T *g, long long gs, const T *b, int k, int lane,
                                    bool active, T *chunk) {
    const int chunk_rows = NMF_HALS_CHUNK_BYTES / (int) sizeof(T) / (NMF_HALS_REGISTERS * NMF_WARP);
    T xr[R];
    T gr[R];
#pragma unroll
    for (int q = 0; q < R; q++) {
        int r = lane + NMF_WARP * q;
        xr[q] = active && r < k ? x[r * xs] : (T) 0;
        gr[q] = active && r < k ? g[r * gs] : (T) 0;
    }
#pragma unroll
    for (int q = 0; q < R; q++) {
        // Rows 32q .. 32q + 31 of b (the steps whose x[l] lives in xr[q]), chunk_rows at a time.
        for (int first = 0; first < NMF_WARP && NMF_WARP * q + first < k; first += chunk_rows) {
            int l0 = NMF_WARP * q + first;
            int rows = k - l0 < chunk_rows ? k - l0 : chunk_rows;
            if (rows > NMF_WARP - first) {
                rows = NMF_WARP - first;
            }
            __syncthreads(); // every warp is done with the previous chunk
            const T *source = b + (long long) l0 * k;
            for (int e = threadIdx.x; e < rows * k; e += blockDim.x) {
                chunk[e] = source[e];
            }
            __syncthreads();
            if (!active) {
                continue;
            }
            for (int u = 0; u < rows; u++) {
                int t = first + u;
                int l = l0 + u;
                const T *b_row = chunk + u * k;
                T hess = b_row[l];
                if (hess == 0) {
                    continue; // uniform across the warp: every lane read the same b[l,l]
                }
                T sum = warp_sum(nmf_hals_partial(b_row, xr, 1, lane, k, R));
                if (lane == t) {
                    xr[q] = nmf_hals_step(xr[q], sum, gr[q], hess);
                }
            }
        }
    }
    if (active) {
#pragma unroll
        for (int q = 0; q < R; q++) {
            int r = lane + NMF_WARP * q;
            if (r < k) {
                x[r * xs] = xr[q];
            }
        }
    }
}

/* The same sweep for any k, reading and writing x in place (k > 32·NMF_HALS_REGISTERS). */
template <typename T>
__device__ void hals_warp_in_place(T *x, long long xs, const T *g, long long gs, const T *b, int k, int lane) {
    int count = (k + NMF_WARP - 1) / NMF_WARP;
    for (int l = 0; l < k; l++) {
        const T *b_row = b + (long long) l * k;
        T hess = b_row[l];
        if (hess == 0) {
            continue;
        }
        T sum = warp_sum(nmf_hals_partial(b_row, x + lane * xs, NMF_WARP * xs, lane, k, count));
        if (lane == l % NMF_WARP) {
            x[l * xs] = nmf_hals_step(x[l * xs], sum, g[l * gs], hess);
        }
        __syncwarp(); // the new x[l] is visible to every lane before step l + 1 reads it
    }
}

/*
 * Dispatch on k (the same for the whole block): the register version with the smallest R that holds k,
 * else in place. Every warp of the block calls this; `active` is false for a warp past the last vector.
 */
template <typename T>
__device__ void hals_warp(T *x, long long xs, const T *g, long long gs, const T *b, int k, bool active) {
    __shared__ T chunk[NMF_HALS_CHUNK_BYTES / sizeof(T)];
    int lane = (int) (threadIdx.x % NMF_WARP);
    if (k <= NMF_WARP) {
        hals_warp_registers<T, 1>(x, xs, g, gs, b, k, lane, active, chunk);
    } else if (k <= 2 * NMF_WARP) {
        hals_warp_registers<T, 2>(x, xs, g, gs, b, k, lane, active, chunk);
    } else if (k <= 4 * NMF_WARP) {
        hals_warp_registers<T, 4>(x, xs, g, gs, b, k, lane, active, chunk);
    } else if (k <= NMF_HALS_REGISTERS * NMF_WARP) {
        hals_warp_registers<T, NMF_HALS_REGISTERS>(x, xs, g, gs, b, k, lane, active, chunk);
    } else if (active) {
        hals_warp_in_place(x, xs, g, gs, b, k, lane);
    }
}

/*
 * W (n×k) with A = V·Hᵀ (n×k), B = H·Hᵀ (k×k): one warp per row (NMF_HALS_WARPS rows per block, sharing
 * the staged rows of B). A row is k consecutive values, so the lanes' loads and stores coalesce.
 */
template <typename T>
__device__ void hals_columns(T *w, const T *a, const T *b, int n, int k) {
    long long i = (long long) blockIdx.x * (blockDim.x / NMF_WARP) + threadIdx.x / NMF_WARP;
    bool active = i < n; // the same for every lane of a warp
    long long at = active ? i * k : 0;
    hals_warp(w + at, 1, a + at, 1, b, k, active);
}

/*
 * H (k×m) with C = Wᵀ·V (k×m), D = Wᵀ·W (k×k): one warp per column, the NMF_HALS_WARPS warps of a block on
 * consecutive columns, so the strided loads of a block's columns share sectors in L1 (for float32, 8
 * columns are one 32-byte sector per row).
 */
template <typename T>
__device__ void hals_rows(T *h, const T *c, const T *d, int k, int m) {
    long long j = (long long) blockIdx.x * (blockDim.x / NMF_WARP) + threadIdx.x / NMF_WARP;
    bool active = j < m;
    long long at = active ? j : 0;
    hals_warp(h + at, m, c + at, m, d, k, active);
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
__device__ void residual_partials(const T *v, const int *row_start, const int *columns, const T *w, const T *h, int n,
                                  int m, int k, double *partials) {
    long long step = (long long) blockDim.x * gridDim.x;
    long long start = (long long) blockIdx.x * blockDim.x + threadIdx.x;
    reduce_block(nmf_residual_thread(v, row_start, columns, w, h, n, m, k, start, step), partials);
}

template <typename T>
__device__ void mu_power_update(T *x, const T *num, const T *den, T guard, double gamma, T zero_below, T floor,
                                long long n) {
    long long step = (long long) blockDim.x * gridDim.x;
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += step) {
        x[i] = nmf_mu_power_update(x[i], num[i], den[i], guard, gamma, zero_below, floor);
    }
}

template <typename T>
__device__ void combine(const T *y, T a, const T *x, T c, T *out, long long n) {
    long long step = (long long) blockDim.x * gridDim.x;
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += step) {
        out[i] = nmf_combine(y[i], a, x[i], c);
    }
}

/* out[e] = (v ? v[e] : 1)·power(out[e]): out holds W·H from cuBLAS on entry. */
template <typename T>
__device__ void power_entries(const T *v, T *out, double exponent, T guard, long long n) {
    long long step = (long long) blockDim.x * gridDim.x;
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < n; i += step) {
        T p = nmf_power(out[i], exponent, guard);
        out[i] = v ? v[i] * p : p;
    }
}

template <typename T>
__device__ void projected_gradient_partials(const T *x, const T *num, const T *den, long long n, double *partials) {
    long long step = (long long) blockDim.x * gridDim.x;
    long long start = (long long) blockIdx.x * blockDim.x + threadIdx.x;
    reduce_block(nmf_projected_gradient_thread(x, num, den, n, start, step), partials);
}

template <typename T>
__device__ void beta_partials(const T *v, const int *row_start, const int *columns, const T *w, const T *h, int n,
                              int m, int k, double beta, double *partials) {
    long long step = (long long) blockDim.x * gridDim.x;
    long long start = (long long) blockIdx.x * blockDim.x + threadIdx.x;
    reduce_block(nmf_beta_thread(v, row_start, columns, w, h, n, m, k, beta, start, step), partials);
}

/* out[q] = v[q]·power((W·H)[i,j]) at the nnz stored entries of a CSR pattern (V's, or Vᵀ's when transposed). */
template <typename T>
__device__ void sampled_power(const int *row_start, const int *columns, const T *v, const T *w, const T *h, int rows,
                              int m, int k, int transposed, double exponent, T guard, T *out, long long nnz) {
    long long step = (long long) blockDim.x * gridDim.x;
    for (long long q = (long long) blockIdx.x * blockDim.x + threadIdx.x; q < nnz; q += step) {
        out[q] = nmf_sampled_power(row_start, columns, v, w, h, rows, m, k, transposed, exponent, guard, q);
    }
}

} // namespace

#define NMF_KERNELS(T, S)                                                                                   \
    extern "C" __global__ void nmf_mu_update##S(T *x, const T *num, const T *den, T guard, T floor,          \
                                                long long n) {                                              \
        mu_update<T>(x, num, den, guard, floor, n);                                                         \
    }                                                                                                       \
    extern "C" __global__ void __launch_bounds__(NMF_HALS_WARPS * NMF_WARP, 1)                                \
        nmf_hals_columns##S(T *w, const T *a, const T *b, int n, int k) {            \
        hals_columns<T>(w, a, b, n, k);                                                                     \
    }                                                                                                       \
    extern "C" __global__ void __launch_bounds__(NMF_HALS_WARPS * NMF_WARP, 1)                                \
        nmf_hals_rows##S(T *h, const T *c, const T *d, int k, int m) {               \
        hals_rows<T>(h, c, d, k, m);                                                                        \
    }                                                                                                       \
    extern "C" __global__ void __launch_bounds__(NMF_REDUCE_THREADS)                                        \
        nmf_dot_partials##S(const T *a, const T *b, long long n, double *partials) {                        \
        dot_partials<T>(a, b, n, partials);                                                                 \
    }                                                                                                       \
    extern "C" __global__ void nmf_mu_power_update##S(T *x, const T *num, const T *den, T guard, double gamma, \
                                                      T zero_below, T floor, long long n) {                 \
        mu_power_update<T>(x, num, den, guard, gamma, zero_below, floor, n);                                \
    }                                                                                                       \
    extern "C" __global__ void nmf_combine##S(const T *y, T a, const T *x, T c, T *out, long long n) {     \
        combine<T>(y, a, x, c, out, n);                                                                     \
    }                                                                                                       \
    extern "C" __global__ void nmf_power_entries##S(const T *v, T *out, double exponent, T guard,          \
                                                    long long n) {                                          \
        power_entries<T>(v, out, exponent, guard, n);                                                       \
    }                                                                                                       \
    extern "C" __global__ void __launch_bounds__(NMF_REDUCE_THREADS)                                        \
        nmf_projected_gradient_partials##S(const T *x, const T *num, const T *den, long long n,             \
                                           double *partials) {                                              \
        projected_gradient_partials<T>(x, num, den, n, partials);                                           \
    }                                                                                                       \
    extern "C" __global__ void __launch_bounds__(NMF_REDUCE_THREADS)                                        \
        nmf_beta_partials##S(const T *v, const int *row_start, const int *columns, const T *w, const T *h,  \
                             int n, int m, int k, double beta, double *partials) {                          \
        beta_partials<T>(v, row_start, columns, w, h, n, m, k, beta, partials);                             \
    }                                                                                                       \
    extern "C" __global__ void __launch_bounds__(NMF_REDUCE_THREADS)                                        \
        nmf_residual_partials##S(const T *v, const int *row_start, const int *columns, const T *w,          \
                                 const T *h, int n, int m, int k, double *partials) {                       \
        residual_partials<T>(v, row_start, columns, w, h, n, m, k, partials);                               \
    }                                                                                                       \
    extern "C" __global__ void nmf_sampled_power##S(const int *row_start, const int *columns, const T *v,   \
                                                    const T *w, const T *h, int rows, int m, int k,         \
                                                    int transposed, double exponent, T guard, T *out,       \
                                                    long long nnz) {                                        \
        sampled_power<T>(row_start, columns, v, w, h, rows, m, k, transposed, exponent, guard, out, nnz);   \
    }

NMF_KERNELS(float, _f32)
NMF_KERNELS(double, _f64)

/* Sums count ≤ NMF_REDUCE_BLOCKS partials into out[0]; one block of NMF_REDUCE_THREADS threads. */
extern "C" __global__ void __launch_bounds__(NMF_REDUCE_THREADS)
    nmf_sum_partials(const double *partials, int count, double *out) {
    reduce_block(nmf_sum_thread(partials, count, threadIdx.x, NMF_REDUCE_THREADS), out);
}
