// Runs the CUDA code of cuda/nmf_kernels.cu on the CPU -- every block and thread, with real barriers --
// and compares it bit for bit with the C kernels of the libcuda stand-in (launched through its
// cuLaunchKernel), so the GPU-side thread mapping (grid-stride loops, bounds, the shared-memory tree
// reductions, the HALS warp sweeps with their shuffles) is checked without a GPU. The two sides share
// nmf_kernel_math.h; what this adds is the .cu file's own code. Grid and block sizes are those CudaBackend launches with.
//
// Build and run: native/stand-in/check-kernels.sh (after the stand-ins are built by Maven's test phase).
#include <barrier>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <memory>
#include <random>
#include <thread>
#include <vector>

// ---- just enough of the CUDA execution model ----
#define __global__
#define __shared__ static
#define __launch_bounds__(...)
struct Dim3 {
    unsigned x = 1;
};
static thread_local Dim3 threadIdx;
static thread_local Dim3 blockIdx;
static Dim3 blockDim;
static Dim3 gridDim;
static std::barrier<> *block_barrier;
static void __syncthreads() {
    block_barrier->arrive_and_wait();
}
// A warp: 32 threads with their own barrier and an exchange slot per lane for the shuffles.
struct Warp {
    std::barrier<> *barrier;
    double slots[32];
};
static thread_local Warp *this_warp;
static void __syncwarp() {
    this_warp->barrier->arrive_and_wait();
}
template <typename T>
static T __shfl_xor_sync(unsigned mask, T value, int offset) {
    if (mask != 0xffffffffu) {
        std::abort(); // the kernels only shuffle over full warps
    }
    unsigned lane = threadIdx.x % 32;
    std::memcpy(&this_warp->slots[lane], &value, sizeof value);
    __syncwarp();
    T partner;
    std::memcpy(&partner, &this_warp->slots[lane ^ (unsigned) offset], sizeof partner);
    __syncwarp();
    return partner;
}

#include "nmf_kernels.cu"

/* Runs kernel(args...) on grid×block threads, one block at a time (shared memory is per block). */
template <typename F>
static void emulate(unsigned grid, unsigned block, F kernel) {
    gridDim.x = grid;
    blockDim.x = block;
    for (unsigned b = 0; b < grid; b++) {
        std::barrier<> barrier(block);
        block_barrier = &barrier;
        std::vector<std::unique_ptr<std::barrier<>>> warp_barriers;
        std::vector<Warp> warps((block + 31) / 32);
        for (unsigned w = 0; w < warps.size(); w++) {
            unsigned lanes = block - 32 * w < 32 ? block - 32 * w : 32;
            warp_barriers.push_back(std::make_unique<std::barrier<>>(lanes));
            warps[w].barrier = warp_barriers.back().get();
        }
        std::vector<std::thread> threads;
        for (unsigned t = 0; t < block; t++) {
            threads.emplace_back([=, &warps] {
                blockIdx.x = b;
                threadIdx.x = t;
                this_warp = &warps[t / 32];
                kernel();
            });
        }
        for (auto &t : threads) {
            t.join();
        }
    }
}

// ---- the stand-in, through the driver API ----
typedef int (*init_fn)(unsigned);
typedef int (*retain_fn)(void **, int);
typedef int (*set_fn)(void *);
typedef int (*load_fn)(void **, const void *, unsigned, int *, void **);
typedef int (*function_fn)(void **, void *, const char *);
typedef int (*launch_fn)(void *, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, unsigned, void *,
                         void **, void **);

static launch_fn launch_kernel;
static function_fn get_function;
static void *module;
static int failures;

static void stand_in(const char *name, unsigned grid, unsigned block, std::vector<void *> args) {
    void *f = nullptr;
    if (get_function(&f, module, name) != 0) {
        std::printf("FAIL %s: not found in the stand-in\n", name);
        std::exit(1);
    }
    int status = launch_kernel(f, grid, 1, 1, block, 1, 1, 0, nullptr, args.data(), nullptr);
    if (status != 0) {
        std::printf("FAIL %s: stand-in launch returned %d\n", name, status);
        std::exit(1);
    }
}

template <typename T>
static void same(const char *what, const std::vector<T> &a, const std::vector<T> &b) {
    if (a.size() != b.size() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) != 0) {
        size_t i = 0;
        while (i < a.size() && std::memcmp(&a[i], &b[i], sizeof(T)) == 0) {
            i++;
        }
        std::printf("FAIL %s: differs at %zu (%.17g vs %.17g)\n", what, i, (double) a[i], (double) b[i]);
        failures++;
    } else {
        std::printf("ok   %s (%zu values)\n", what, a.size());
    }
}

static unsigned blocks(long long n, unsigned threads, long long cap) {
    long long b = (n + threads - 1) / threads;
    return (unsigned) (b < 1 ? 1 : b > cap ? cap : b);
}

template <typename T>
static std::vector<T> random(std::mt19937_64 &g, size_t n, double zeros = 0) {
    std::uniform_real_distribution<double> u(0, 1);
    std::vector<T> x(n);
    for (auto &v : x) {
        v = (T) u(g);
        if (u(g) < zeros) {
            v = 0;
        }
    }
    return x;
}

template <typename T>
static void check(const char *suffix, int n, int m, int k) {
    std::mt19937_64 g(n * 1000 + m * 10 + k);
    std::string s(suffix);
    char label[128];
    std::snprintf(label, sizeof label, "%d×%d k=%d %s", n, m, k, suffix);
    // Multiplicative update, with zero denominators and a floor.
    {
        long long count = (long long) n * m;
        auto x = random<T>(g, count), num = random<T>(g, count), den = random<T>(g, count, 0.1);
        auto xs = x;
        T guard = (T) 1.1920928955078125e-7, floor = (T) 0.25;
        unsigned grid = blocks(count, 256, 1 << 16);
        emulate(grid, 256, [&] {
            if constexpr (sizeof(T) == 4) nmf_mu_update_f32(x.data(), num.data(), den.data(), guard, floor, count);
            else nmf_mu_update_f64(x.data(), num.data(), den.data(), guard, floor, count);
        });
        T *px = xs.data();
        const T *pn = num.data(), *pd = den.data();
        stand_in(("nmf_mu_update" + s).c_str(), grid, 256, {&px, &pn, &pd, &guard, &floor, &count});
        same((std::string("mu_update ") + label).c_str(), x, xs);
    }
    // The β-divergence update (γ ≠ 1, zeroing small entries), the penalty combination and the powers of W·H.
    {
        long long count = (long long) n * m;
        auto x = random<T>(g, count), num = random<T>(g, count), den = random<T>(g, count, 0.1);
        auto xs = x;
        T guard = (T) 1.1920928955078125e-7, zero_below = (T) 0.05, floor = (T) 0;
        double gamma = 1 / 1.5;
        unsigned grid = blocks(count, 256, 1 << 16);
        emulate(grid, 256, [&] {
            if constexpr (sizeof(T) == 4) nmf_mu_power_update_f32(x.data(), num.data(), den.data(), guard, gamma, zero_below, floor, count);
            else nmf_mu_power_update_f64(x.data(), num.data(), den.data(), guard, gamma, zero_below, floor, count);
        });
        T *px = xs.data();
        const T *pn = num.data(), *pd = den.data();
        stand_in(("nmf_mu_power_update" + s).c_str(), grid, 256, {&px, &pn, &pd, &guard, &gamma, &zero_below, &floor, &count});
        same((std::string("mu_power_update ") + label).c_str(), x, xs);

        auto out = random<T>(g, count), outs = out;
        T a = (T) 0.5, c = (T) 0.25;
        emulate(grid, 256, [&] {
            if constexpr (sizeof(T) == 4) nmf_combine_f32(num.data(), a, den.data(), c, out.data(), count);
            else nmf_combine_f64(num.data(), a, den.data(), c, out.data(), count);
        });
        T *po = outs.data();
        stand_in(("nmf_combine" + s).c_str(), grid, 256, {&pn, &a, &pd, &c, &po, &count});
        same((std::string("combine ") + label).c_str(), out, outs);

        auto product = random<T>(g, count, 0.1), products = product;
        double exponent = -1.5;
        emulate(grid, 256, [&] {
            if constexpr (sizeof(T) == 4) nmf_power_entries_f32(num.data(), product.data(), exponent, guard, count);
            else nmf_power_entries_f64(num.data(), product.data(), exponent, guard, count);
        });
        T *pp = products.data();
        stand_in(("nmf_power_entries" + s).c_str(), grid, 256, {&pn, &pp, &exponent, &guard, &count});
        same((std::string("power_entries ") + label).c_str(), product, products);
    }
    // HALS sweeps (a zero on each diagonal: that coordinate is skipped).
    {
        auto w = random<T>(g, (size_t) n * k), a = random<T>(g, (size_t) n * k), b = random<T>(g, (size_t) k * k);
        b[(k / 2) * k + k / 2] = 0;
        auto ws = w;
        unsigned grid = blocks(n, NMF_HALS_WARPS, 1LL << 31);
        unsigned threads = NMF_HALS_WARPS * NMF_WARP;
        emulate(grid, threads, [&] {
            if constexpr (sizeof(T) == 4) nmf_hals_columns_f32(w.data(), a.data(), b.data(), n, k);
            else nmf_hals_columns_f64(w.data(), a.data(), b.data(), n, k);
        });
        T *pw = ws.data();
        const T *pa = a.data(), *pb = b.data();
        stand_in(("nmf_hals_columns" + s).c_str(), grid, threads, {&pw, &pa, &pb, &n, &k});
        same((std::string("hals_columns ") + label).c_str(), w, ws);

        auto h = random<T>(g, (size_t) k * m), c = random<T>(g, (size_t) k * m), d = random<T>(g, (size_t) k * k);
        d[0] = 0;
        auto hs = h;
        grid = blocks(m, NMF_HALS_WARPS, 1LL << 31);
        emulate(grid, threads, [&] {
            if constexpr (sizeof(T) == 4) nmf_hals_rows_f32(h.data(), c.data(), d.data(), k, m);
            else nmf_hals_rows_f64(h.data(), c.data(), d.data(), k, m);
        });
        T *ph = hs.data();
        const T *pc = c.data(), *pdd = d.data();
        stand_in(("nmf_hals_rows" + s).c_str(), grid, threads, {&ph, &pc, &pdd, &k, &m});
        same((std::string("hals_rows ") + label).c_str(), h, hs);
    }
    // Reductions: dot products and the direct residual, then the partial sums.
    {
        long long count = (long long) n * m;
        auto v = random<T>(g, count), y = random<T>(g, count);
        auto w = random<T>(g, (size_t) n * k, 0.2), h = random<T>(g, (size_t) k * m);
        unsigned grid = blocks(count, 256, 1024);
        std::vector<double> pe(grid), ps(grid), oe(1), os(1);
        emulate(grid, 256, [&] {
            if constexpr (sizeof(T) == 4) nmf_dot_partials_f32(v.data(), y.data(), count, pe.data());
            else nmf_dot_partials_f64(v.data(), y.data(), count, pe.data());
        });
        const T *pv = v.data(), *py = y.data();
        double *pp = ps.data();
        stand_in(("nmf_dot_partials" + s).c_str(), grid, 256, {&pv, &py, &count, &pp});
        same((std::string("dot_partials ") + label).c_str(), pe, ps);
        int count32 = (int) grid;
        emulate(1, 256, [&] { nmf_sum_partials(pe.data(), count32, oe.data()); });
        double *po = os.data();
        const double *cpp = ps.data();
        stand_in("nmf_sum_partials", 1, 256, {&cpp, &count32, &po});
        same((std::string("sum_partials ") + label).c_str(), oe, os);

        // V dense (no pattern) and V as CSR: a random pattern of about a third of the entries.
        std::vector<int> rowStart(n + 1), columns;
        std::vector<T> sparseValues;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                if (v[(size_t) i * m + j] < (T) 0.35) {
                    columns.push_back(j);
                    sparseValues.push_back(v[(size_t) i * m + j]);
                }
            }
            rowStart[i + 1] = (int) columns.size();
        }
        const T *pw = w.data(), *ph = h.data();
        for (int sparse = 0; sparse < 2; sparse++) {
            const T *pvv = sparse ? sparseValues.data() : v.data();
            const int *prs = sparse ? rowStart.data() : nullptr;
            const int *pcs = sparse ? columns.data() : nullptr;
            std::string kind = sparse ? " csr " : " ";
            emulate(grid, 256, [&] {
                if constexpr (sizeof(T) == 4) nmf_residual_partials_f32(pvv, prs, pcs, w.data(), h.data(), n, m, k, pe.data());
                else nmf_residual_partials_f64(pvv, prs, pcs, w.data(), h.data(), n, m, k, pe.data());
            });
            stand_in(("nmf_residual_partials" + s).c_str(), grid, 256, {&pvv, &prs, &pcs, &pw, &ph, &n, &m, &k, &pp});
            same((std::string("residual_partials") + kind + label).c_str(), pe, ps);

            for (double beta : {0.0, 0.5, 1.0, 1.5}) {
                emulate(grid, 256, [&] {
                    if constexpr (sizeof(T) == 4) nmf_beta_partials_f32(pvv, prs, pcs, w.data(), h.data(), n, m, k, beta, pe.data());
                    else nmf_beta_partials_f64(pvv, prs, pcs, w.data(), h.data(), n, m, k, beta, pe.data());
                });
                stand_in(("nmf_beta_partials" + s).c_str(), grid, 256, {&pvv, &prs, &pcs, &pw, &ph, &n, &m, &k, &beta, &pp});
                same((std::string("beta_partials") + kind + label).c_str(), pe, ps);
            }
        }
        // The sampled power on V's pattern (rows = n) and, with the pattern read as Vᵀ's, on m rows.
        {
            long long nnz = (long long) columns.size();
            unsigned sgrid = blocks(nnz, 256, 1LL << 16);
            double exponent = -1.0;
            T guard = (T) 1.1920928955078125e-7;
            int transposed = 0;
            std::vector<T> out(nnz), outs(nnz);
            emulate(sgrid, 256, [&] {
                if constexpr (sizeof(T) == 4) nmf_sampled_power_f32(rowStart.data(), columns.data(), sparseValues.data(), w.data(), h.data(), n, m, k, transposed, exponent, guard, out.data(), nnz);
                else nmf_sampled_power_f64(rowStart.data(), columns.data(), sparseValues.data(), w.data(), h.data(), n, m, k, transposed, exponent, guard, out.data(), nnz);
            });
            const int *prs = rowStart.data(), *pcs = columns.data();
            const T *psv = sparseValues.data();
            T *pso = outs.data();
            stand_in(("nmf_sampled_power" + s).c_str(), sgrid, 256, {&prs, &pcs, &psv, &pw, &ph, &n, &m, &k, &transposed, &exponent, &guard, &pso, &nnz});
            same((std::string("sampled_power ") + label).c_str(), out, outs);
        }
        emulate(grid, 256, [&] {
            if constexpr (sizeof(T) == 4) nmf_projected_gradient_partials_f32(w.data(), v.data(), y.data(), count < (long long) n * k ? count : (long long) n * k, pe.data());
            else nmf_projected_gradient_partials_f64(w.data(), v.data(), y.data(), count < (long long) n * k ? count : (long long) n * k, pe.data());
        });
        long long pgCount = count < (long long) n * k ? count : (long long) n * k;
        stand_in(("nmf_projected_gradient_partials" + s).c_str(), grid, 256, {&pw, &pv, &py, &pgCount, &pp});
        same((std::string("projected_gradient_partials ") + label).c_str(), pe, ps);
    }
}

int main(int argc, char **argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: check_kernels PATH/libcuda.so.1 (the stand-in)\n");
        return 2;
    }
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
        std::fprintf(stderr, "%s\n", dlerror());
        return 2;
    }
    auto init = (init_fn) dlsym(lib, "cuInit");
    auto retain = (retain_fn) dlsym(lib, "cuDevicePrimaryCtxRetain");
    auto set = (set_fn) dlsym(lib, "cuCtxSetCurrent");
    auto load = (load_fn) dlsym(lib, "cuModuleLoadDataEx");
    get_function = (function_fn) dlsym(lib, "cuModuleGetFunction");
    launch_kernel = (launch_fn) dlsym(lib, "cuLaunchKernel");
    void *context = nullptr;
    static const char image[] = "any";
    if (init(0) != 0 || retain(&context, 0) != 0 || set(context) != 0 || load(&module, image, 0, nullptr, nullptr) != 0) {
        std::fprintf(stderr, "the stand-in did not initialise\n");
        return 2;
    }
    // Shapes: a partial last block everywhere; HALS with k in each register class of the warp sweep
    // (R = 1, 2, 4, 8 values per lane, k not a multiple of 32 too) and above it (in place).
    check<float>("_f32", 131, 77, 7);
    check<double>("_f64", 131, 77, 7);
    check<double>("_f64", 37, 45, 40);
    check<float>("_f32", 29, 31, 100);
    check<float>("_f32", 45, 70, 256);
    check<float>("_f32", 40, 33, 300);
    check<double>("_f64", 40, 33, 300);
    std::printf("%s\n", failures == 0 ? "all kernels agree" : "KERNELS DIFFER");
    return failures == 0 ? 0 : 1;
}
