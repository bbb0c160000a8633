/*
 * The arithmetic of the jnmf CUDA kernels, written once and compiled twice: by nvcc into the kernels
 * (cuda/nmf_kernels.cu) and by gcc into the CPU stand-in of libcuda (native/stand-in/cuda_stand_in.c),
 * so the stand-in runs exactly this maths, in exactly this order.
 *
 * Each function is defined for float and double by including this file twice (the classic C "template"
 * idiom). In C the names get a suffix (nmf_mu_update_f32, nmf_mu_update_f64); in C++ (nvcc) they keep
 * the plain name and the two versions are overloads, so the kernel templates call them directly.
 *
 * Semantics follow the Java backend (org.jnmf.backend.FloatKernels / DoubleKernels) operation for
 * operation, except the order in which a HALS gradient is summed (over the lanes of a warp, see below). Build both sides without floating-point contraction (nvcc --fmad=false,
 * gcc -ffp-contract=off): the fused multiply-adds that the Java code makes are written as fma here.
 */
#ifndef NMF_KERNEL_MATH_PASS
#ifndef NMF_KERNEL_MATH_H
#define NMF_KERNEL_MATH_H

#ifndef __CUDACC__
#include <math.h>
#define __host__
#define __device__
#endif

/* Threads per block of every reduction kernel; partial sums are laid out per block. */
#define NMF_REDUCE_THREADS 256
/* Most blocks a reduction uses (the length of the partial-sum buffer). */
#define NMF_REDUCE_BLOCKS 1024
/* Lanes per warp: the HALS sweeps spread each vector over the lanes of one warp. */
#define NMF_WARP 32
/* Warps per block of the HALS kernels (one vector per warp). */
#define NMF_HALS_WARPS 16

/* Fully unrolls the loop that follows on the GPU (so a lane's values stay in registers); nothing in C. */
#ifdef __CUDACC__
#define NMF_UNROLL _Pragma("unroll")
#else
#define NMF_UNROLL
#endif

#define NMF_CAT_(a, b) a##b
#define NMF_CAT(a, b) NMF_CAT_(a, b)
#ifdef __cplusplus
#define NMF_NAME(base) base
#else
#define NMF_NAME(base) NMF_CAT(base, NMF_SUFFIX)
#endif

/* scikit-learn's guard for a zero denominator: float32 machine epsilon (Backend.DIVISION_GUARD). */
#define NMF_DIVISION_GUARD 1.1920928955078125e-7

/*
 * d_β(x ‖ y) of one entry, in double, with scikit-learn's conventions (org.jnmf.backend.BetaDivergence):
 * entries with x ≤ the guard leave out the terms that hold x, and y = 0 counts as the guard.
 */
static __host__ __device__ inline double nmf_beta_term(double x, double y, double beta) {
    int present = x > NMF_DIVISION_GUARD;
    double yg = y == 0 ? NMF_DIVISION_GUARD : y;
    if (beta == 1) {
        return y + (present ? x * log(x / yg) - x : 0);
    }
    if (beta == 0) {
        return present ? x / yg - log(x / yg) - 1 : -1;
    }
    double t = (beta - 1) * pow(y, beta);
    if (present) {
        t += pow(x, beta) - beta * x * pow(yg, beta - 1);
    }
    return t / (beta * (beta - 1));
}

/* The row r of the CSR entry q: row_start[r] ≤ q < row_start[r + 1] (binary search over rows + 1 offsets). */
static __host__ __device__ inline int nmf_csr_row(const int *row_start, int rows, long long q) {
    int lo = 0;
    int hi = rows - 1;
    while (lo < hi) {
        int mid = lo + (hi - lo + 1) / 2;
        if (row_start[mid] <= q) {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    return lo;
}

#define NMF_KERNEL_MATH_PASS 1
#define NMF_REAL float
#define NMF_SUFFIX _f32
#define NMF_FMA fmaf
#include "nmf_kernel_math.h"
#undef NMF_REAL
#undef NMF_SUFFIX
#undef NMF_FMA
#define NMF_REAL double
#define NMF_SUFFIX _f64
#define NMF_FMA fma
#include "nmf_kernel_math.h"
#undef NMF_REAL
#undef NMF_SUFFIX
#undef NMF_FMA
#undef NMF_KERNEL_MATH_PASS

/*
 * Tree reduction of s[0..NMF_REDUCE_THREADS) into s[0], one step of stride `half`: thread t < half adds
 * s[t + half]. On the GPU every thread runs the step between barriers; the stand-in runs the threads in
 * order. The result is the same either way.
 */
static __host__ __device__ inline void nmf_tree_step(double *s, int t, int half) {
    if (t < half) {
        s[t] += s[t + half];
    }
}

/* Σ partials[i] for i = t, t + step, ... < count: the first stage of summing the per-block partials. */
static __host__ __device__ inline double nmf_sum_thread(const double *partials, int count, int t, int step) {
    double s = 0;
    for (int i = t; i < count; i += step) {
        s += partials[i];
    }
    return s;
}

#endif /* NMF_KERNEL_MATH_H */
#else /* one pass, NMF_REAL = float or double */

/*
 * Multiplicative update of one element: x·(num/den') with den' = guard where den = 0, then raised to at
 * least floor when floor > 0. NaN propagates as in Java's Math.max.
 */
static __host__ __device__ inline NMF_REAL NMF_NAME(nmf_mu_update)(NMF_REAL x, NMF_REAL num, NMF_REAL den,
                                                                  NMF_REAL guard, NMF_REAL floor) {
    NMF_REAL d = den == 0 ? guard : den;
    NMF_REAL r = x * (num / d);
    return floor > 0 && r < floor ? floor : r;
}

/*
 * The β-divergence update of one element (FloatKernels.multiplicativeUpdate with gamma): x·(num/den')^gamma,
 * the power taken in double; 0 below zero_below; then raised to at least floor when floor > 0.
 */
static __host__ __device__ inline NMF_REAL NMF_NAME(nmf_mu_power_update)(NMF_REAL x, NMF_REAL num, NMF_REAL den,
                                                                        NMF_REAL guard, double gamma,
                                                                        NMF_REAL zero_below, NMF_REAL floor) {
    NMF_REAL d = den == 0 ? guard : den;
    NMF_REAL ratio = num / d;
    if (gamma != 1) {
        ratio = (NMF_REAL) pow((double) ratio, gamma);
    }
    NMF_REAL r = x * ratio;
    if (r < zero_below) {
        r = 0;
    }
    return floor > 0 && r < floor ? floor : r;
}

/* (y + a·x) + c, no contraction. */
static __host__ __device__ inline NMF_REAL NMF_NAME(nmf_combine)(NMF_REAL y, NMF_REAL a, NMF_REAL x, NMF_REAL c) {
    NMF_REAL ax = a * x;
    NMF_REAL s = y + ax;
    return s + c;
}

/* y^exponent with y = 0 replaced by the guard under a negative exponent (FloatKernels.power). */
static __host__ __device__ inline NMF_REAL NMF_NAME(nmf_power)(NMF_REAL y, double exponent, NMF_REAL guard) {
    if (exponent < 0 && y == 0) {
        y = guard;
    }
    if (exponent == -1) {
        return (NMF_REAL) 1 / y;
    }
    if (exponent == 1) {
        return y;
    }
    if (exponent == 0) {
        return (NMF_REAL) 1;
    }
    return (NMF_REAL) pow((double) y, exponent);
}

/* Σ [∇ᴾ]² in double over i = start, start + step, ... < n, ∇ = den − num projected onto x ≥ 0. */
static __host__ __device__ inline double NMF_NAME(nmf_projected_gradient_thread)(const NMF_REAL *x,
                                                                                const NMF_REAL *num,
                                                                                const NMF_REAL *den, long long n,
                                                                                long long start, long long step) {
    double s = 0;
    for (long long i = start; i < n; i += step) {
        double g = (double) den[i] - (double) num[i];
        if (!(x[i] > 0) && g > 0) {
            continue;
        }
        s += g * g;
    }
    return s;
}

/* max(x, 0) with Java's Math.max semantics: NaN stays NaN and −0 becomes +0. */
static __host__ __device__ inline NMF_REAL NMF_NAME(nmf_non_negative)(NMF_REAL x) {
    return (x > 0 || x != x) ? x : (NMF_REAL) 0;
}

/*
 * The HALS sweeps, one warp per vector x (a row of W, or a column of H), k entries. Lane t of the 32 owns
 * the entries r = t, t + 32, t + 64, ... < k. Step l of the Gauss–Seidel sweep (l = 0..k−1, skipped where
 * b[l,l] = 0) is
 *   1. each lane's partial sum over its own entries, nmf_hals_partial (fma in r order, from 0),
 *   2. the fixed-order butterfly sum of the 32 partials, nmf_warp_sum (on the GPU __shfl_xor_sync with
 *      offsets 16, 8, 4, 2, 1; every lane ends with the same bits, since a + b = b + a exactly),
 *   3. the update of x[l] by its owner, nmf_hals_step: x[l] ← max(0, x[l] − (Σ − g[l]) / b[l,l]).
 * The Java backend sums the gradient sequentially from −g[l]; this order differs, so the two agree to
 * rounding (not bit for bit). The GPU kernels and the stand-in both use these functions in this order.
 * A row of W: x = W[i,:] (stride 1), g = (V·Hᵀ)[i,:], b = H·Hᵀ.
 * A column of H: x = H[:,j] (stride m), g = (Wᵀ·V)[:,j], b = Wᵀ·W.
 */

/*
 * One lane's share of Σ_r b_row[r]·x[r] at a HALS step: the entries r = lane + 32·q for q < count and
 * r < k, accumulated with fma in q order from 0. x points at the lane's first entry (r = lane) and holds
 * its q-th entry at x[q·xs]: on the GPU the lane's values are in registers (xs = 1), in the stand-in
 * they are read in place (xs = 32 × the vector's stride).
 */
static __host__ __device__ inline NMF_REAL NMF_NAME(nmf_hals_partial)(const NMF_REAL *b_row, const NMF_REAL *x,
                                                                     long long xs, int lane, int k, int count) {
    NMF_REAL acc = 0;
    NMF_UNROLL
    for (int q = 0; q < count; q++) {
        int r = lane + NMF_WARP * q;
        if (r < k) {
            acc = NMF_FMA(b_row[r], x[q * xs], acc);
        }
    }
    return acc;
}

/* One butterfly stage of the warp sum: a lane's value plus that of its partner lane (lane ^ offset). */
static __host__ __device__ inline NMF_REAL NMF_NAME(nmf_warp_add)(NMF_REAL mine, NMF_REAL partner) {
    return mine + partner;
}

/*
 * The warp sum of the 32 lane partials s[0..32) as the GPU computes it (offsets 16, 8, 4, 2, 1, each lane
 * adding its partner's value): the stand-in's emulation. s is overwritten; returns lane 0's result, which
 * every lane holds.
 */
static __host__ __device__ inline NMF_REAL NMF_NAME(nmf_warp_sum_lanes)(NMF_REAL *s) {
    NMF_REAL t[NMF_WARP];
    for (int offset = NMF_WARP / 2; offset > 0; offset /= 2) {
        for (int lane = 0; lane < NMF_WARP; lane++) {
            t[lane] = NMF_NAME(nmf_warp_add)(s[lane], s[lane ^ offset]);
        }
        for (int lane = 0; lane < NMF_WARP; lane++) {
            s[lane] = t[lane];
        }
    }
    return s[0];
}

/* The HALS update of one entry: max(0, x − (sum − g) / hess), where sum = Σ_r b[l,r]·x[r] (hess ≠ 0). */
static __host__ __device__ inline NMF_REAL NMF_NAME(nmf_hals_step)(NMF_REAL x, NMF_REAL sum, NMF_REAL g,
                                                                  NMF_REAL hess) {
    NMF_REAL grad = sum - g;
    return NMF_NAME(nmf_non_negative)(x - grad / hess);
}

/*
 * One HALS sweep over the vector x (stride xs, k entries) exactly as a warp runs it, lane by lane: the
 * stand-in's version of the kernels (nmf_kernels.cu runs the same steps with the lanes in parallel).
 */
static __host__ __device__ inline void NMF_NAME(nmf_hals_vector_lanes)(NMF_REAL *x, long long xs, const NMF_REAL *g,
                                                                      long long gs, const NMF_REAL *b, int k) {
    int count = (k + NMF_WARP - 1) / NMF_WARP;
    NMF_REAL s[NMF_WARP];
    for (int l = 0; l < k; l++) {
        NMF_REAL hess = b[(long long) l * k + l];
        if (hess == 0) {
            continue;
        }
        const NMF_REAL *b_row = b + (long long) l * k;
        for (int lane = 0; lane < NMF_WARP; lane++) {
            s[lane] = NMF_NAME(nmf_hals_partial)(b_row, x + lane * xs, NMF_WARP * xs, lane, k, count);
        }
        NMF_REAL sum = NMF_NAME(nmf_warp_sum_lanes)(s);
        x[l * xs] = NMF_NAME(nmf_hals_step)(x[l * xs], sum, g[l * gs], hess);
    }
}

/* Σ a[i]·b[i] in double over i = start, start + step, ... < n (one thread's share of a dot product). */
static __host__ __device__ inline double NMF_NAME(nmf_dot_thread)(const NMF_REAL *a, const NMF_REAL *b,
                                                                 long long n, long long start, long long step) {
    double s = 0;
    for (long long i = start; i < n; i += step) {
        s += (double) a[i] * (double) b[i];
    }
    return s;
}

/* (W·H)[i,j] in double: Σ_p w_row[p]·h_col[p·hs], skipping zero weights as the Java backend does. */
static __host__ __device__ inline double NMF_NAME(nmf_product_entry)(const NMF_REAL *w_row, const NMF_REAL *h_col,
                                                                    long long hs, int k) {
    double s = 0;
    for (int p = 0; p < k; p++) {
        double wp = w_row[p];
        if (wp == 0) {
            continue;
        }
        s += wp * (double) h_col[p * hs];
    }
    return s;
}

/*
 * V[i,j] of a data matrix: v[i·m + j] when V is dense (row_start == 0), else the CSR entry of row i at
 * column j found by binary search in its (strictly increasing) columns, 0 where V stores nothing.
 */
static __host__ __device__ inline double NMF_NAME(nmf_data_entry)(const NMF_REAL *v, const int *row_start,
                                                                 const int *columns, long long i, long long j,
                                                                 int m) {
    if (row_start == 0) {
        return (double) v[i * m + j];
    }
    int lo = row_start[i];
    int hi = row_start[i + 1] - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (columns[mid] == j) {
            return (double) v[mid];
        }
        if (columns[mid] < j) {
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return 0;
}

/*
 * Σ (V[i,j] − (W·H)[i,j])² in double over the elements e = i·m + j = start, start + step, ... < n·m (one
 * thread's share of the direct residual ‖V − WH‖²_F). V is n×m (dense, or CSR with row_start/columns),
 * W n×k, H k×m, all row-major.
 */
static __host__ __device__ inline double NMF_NAME(nmf_residual_thread)(const NMF_REAL *v, const int *row_start,
                                                                      const int *columns, const NMF_REAL *w,
                                                                      const NMF_REAL *h, int n, int m, int k,
                                                                      long long start, long long step) {
    double s = 0;
    long long total = (long long) n * m;
    for (long long e = start; e < total; e += step) {
        long long i = e / m;
        long long j = e - i * m;
        double r = NMF_NAME(nmf_data_entry)(v, row_start, columns, i, j, m)
                - NMF_NAME(nmf_product_entry)(w + i * k, h + j, m, k);
        s += r * r;
    }
    return s;
}

/*
 * Σ d_β(V[i,j] ‖ (W·H)[i,j]) in double over the elements e = start, start + step, ... < n·m (one thread's
 * share of the β-divergence, every entry of V, stored or not), W·H in double as for the residual.
 */
static __host__ __device__ inline double NMF_NAME(nmf_beta_thread)(const NMF_REAL *v, const int *row_start,
                                                                  const int *columns, const NMF_REAL *w,
                                                                  const NMF_REAL *h, int n, int m, int k, double beta,
                                                                  long long start, long long step) {
    double s = 0;
    long long total = (long long) n * m;
    for (long long e = start; e < total; e += step) {
        long long i = e / m;
        long long j = e - i * m;
        s += nmf_beta_term(NMF_NAME(nmf_data_entry)(v, row_start, columns, i, j, m),
                           NMF_NAME(nmf_product_entry)(w + i * k, h + j, m, k), beta);
    }
    return s;
}

/*
 * One stored entry q of a work matrix with V's sparsity pattern: v[q]·power((W·H)[i,j]), where W·H is
 * summed in the working precision with fma in p order from 0 (the Java backend's sampled product). The
 * pattern is V's CSR ((i, j) = (row, column)) or the CSR of Vᵀ ((i, j) = (column, row)), so both
 * layouts that the products need are filled with the same bits.
 */
static __host__ __device__ inline NMF_REAL NMF_NAME(nmf_sampled_power)(const int *row_start, const int *columns,
                                                                      const NMF_REAL *v, const NMF_REAL *w,
                                                                      const NMF_REAL *h, int rows, int m, int k,
                                                                      int transposed, double exponent,
                                                                      NMF_REAL guard, long long q) {
    long long r = nmf_csr_row(row_start, rows, q);
    long long c = columns[q];
    long long i = transposed ? c : r;
    long long j = transposed ? r : c;
    NMF_REAL y = 0;
    for (int p = 0; p < k; p++) {
        y = NMF_FMA(w[i * k + p], h[(long long) p * m + j], y);
    }
    return v[q] * NMF_NAME(nmf_power)(y, exponent, guard);
}

#endif /* NMF_KERNEL_MATH_PASS */
