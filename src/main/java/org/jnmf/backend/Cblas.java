package org.jnmf.backend;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import jdk.incubator.vector.FloatVector;

/**
 * FFM bindings of the four CBLAS routines jnmf uses ({@code cblas_sgemm}, {@code cblas_dgemm},
 * {@code cblas_ssyrk}, {@code cblas_dsyrk}), from the library named by the system property
 * {@value #LIBRARY_PROPERTY} or else the first of {@link #DEFAULT_NAMES} that loads and exports them.
 * Operands are native memory segments; the calls are ordinary (not critical) downcalls, because a
 * product may run for many milliseconds and a critical call would hold off the garbage collector of the
 * whole JVM meanwhile. Libraries stay loaded for the life of the process.
 *
 * <p>Threads: OpenBLAS's count is process-wide; {@link #setThreads} sets it through
 * {@code openblas_set_num_threads} before each product. Other libraries export no such call that jnmf
 * binds: BLIS, MKL and the reference BLAS take their count from their own environment variables
 * ({@code BLIS_NUM_THREADS}, {@code MKL_NUM_THREADS}, {@code OMP_NUM_THREADS}).
 */
final class Cblas {
    /** System property: path or file name of the BLAS library to use, instead of searching. */
    static final String LIBRARY_PROPERTY = "jnmf.blas.library";
    /** Searched in order when the property is unset: OpenBLAS, BLIS, MKL, then whatever provides libblas. */
    static final List<String> DEFAULT_NAMES =
            List.of("libopenblas.so.0", "libblis.so.4", "libmkl_rt.so", "libblas.so.3");

    static final int ROW_MAJOR = 101;
    static final int NO_TRANS = 111;
    static final int TRANS = 112;
    static final int UPPER = 121;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final FunctionDescriptor SGEMM = FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, JAVA_INT, JAVA_FLOAT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_FLOAT, ADDRESS, JAVA_INT);
    private static final FunctionDescriptor DGEMM = FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, JAVA_INT, JAVA_DOUBLE, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_DOUBLE, ADDRESS,
            JAVA_INT);
    private static final FunctionDescriptor SSYRK = FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, JAVA_FLOAT, ADDRESS, JAVA_INT, JAVA_FLOAT, ADDRESS, JAVA_INT);
    private static final FunctionDescriptor DSYRK = FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT,
            JAVA_INT, JAVA_INT, JAVA_DOUBLE, ADDRESS, JAVA_INT, JAVA_DOUBLE, ADDRESS, JAVA_INT);

    private static final Map<String, Loaded> LOADED = new ConcurrentHashMap<>();

    /** What loading found: the bindings, or null and one line per library tried saying why it failed. */
    record Loaded(Cblas cblas, List<String> tried) {
        Loaded {
            tried = List.copyOf(tried);
        }
    }

    final String location;
    final String description;
    /** OpenBLAS fell back to its generic SSE3 (Prescott) kernels on a CPU with wider vectors. */
    final boolean fallbackKernels;
    private final MethodHandle sgemm;
    private final MethodHandle dgemm;
    private final MethodHandle ssyrk;
    private final MethodHandle dsyrk;
    private final MethodHandle setThreads;

    private Cblas(String location, SymbolLookup lookup) throws MissingSymbol {
        this.location = location;
        this.sgemm = bind(lookup, "cblas_sgemm", SGEMM);
        this.dgemm = bind(lookup, "cblas_dgemm", DGEMM);
        this.ssyrk = bind(lookup, "cblas_ssyrk", SSYRK);
        this.dsyrk = bind(lookup, "cblas_dsyrk", DSYRK);
        this.setThreads = lookup.find("openblas_set_num_threads")
                .map(s -> LINKER.downcallHandle(s, FunctionDescriptor.ofVoid(JAVA_INT))).orElse(null);
        this.fallbackKernels = setThreads != null && "Prescott".equalsIgnoreCase(cString(lookup, "openblas_get_corename"))
                && FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 256;
        this.description = describe(lookup, location, setThreads != null, fallbackKernels);
    }

    /** The library the system property names, or the first default one that works; cached per property value. */
    static Loaded load() {
        String configured = System.getProperty(LIBRARY_PROPERTY, "").strip();
        return LOADED.computeIfAbsent(configured, Cblas::loadUncached);
    }

    private static Loaded loadUncached(String configured) {
        List<String> tried = new ArrayList<>();
        List<String> names = configured.isEmpty() ? DEFAULT_NAMES : List.of(configured);
        for (String name : names) {
            String label = configured.isEmpty() ? name : "-D" + LIBRARY_PROPERTY + "=" + name;
            SymbolLookup lookup;
            try {
                lookup = SymbolLookup.libraryLookup(name, Arena.global());
            } catch (IllegalArgumentException e) {
                tried.add(label + ": cannot be loaded (" + (e.getMessage() == null ? "not found" : e.getMessage()) + ")");
                continue;
            }
            try {
                return new Loaded(new Cblas(name, lookup), tried);
            } catch (MissingSymbol e) {
                tried.add(label + ": " + e.getMessage());
            }
        }
        return new Loaded(null, tried);
    }

    private static final class MissingSymbol extends Exception {
        MissingSymbol(String message) {
            super(message, null, false, false);
        }
    }

    private static MethodHandle bind(SymbolLookup lookup, String name, FunctionDescriptor descriptor)
            throws MissingSymbol {
        Optional<MemorySegment> symbol = lookup.find(name);
        if (symbol.isEmpty()) {
            throw new MissingSymbol("loads but does not export " + name + " (a BLAS without the CBLAS interface)");
        }
        return LINKER.downcallHandle(symbol.get(), descriptor);
    }

    /** "OpenBLAS 0.3.21 ... (Cooperlake kernels), libopenblas.so.0" where OpenBLAS says so, else the location. */
    private static String describe(SymbolLookup lookup, String location, boolean openblas, boolean fallback) {
        if (!openblas) {
            return location + " (thread count from the library's own environment variable)";
        }
        String config = cString(lookup, "openblas_get_config");
        String core = cString(lookup, "openblas_get_corename");
        String hint = fallback
                ? "; OpenBLAS did not recognise this CPU and fell back to its SSE3 kernels: start the JVM with"
                        + " OPENBLAS_CORETYPE=Haswell (AVX2) or SkylakeX (AVX-512) in the environment for the fast ones"
                : "";
        return "OpenBLAS" + (config == null ? "" : " " + config.replaceFirst("^OpenBLAS ", ""))
                + (core == null ? "" : " (" + core + " kernels)") + ", " + location + hint;
    }

    private static String cString(SymbolLookup lookup, String function) {
        Optional<MemorySegment> symbol = lookup.find(function);
        if (symbol.isEmpty()) {
            return null;
        }
        try {
            MemorySegment s = (MemorySegment) LINKER.downcallHandle(symbol.get(), FunctionDescriptor.of(ADDRESS))
                    .invokeExact();
            return s.equals(MemorySegment.NULL) ? null : s.reinterpret(4096).getString(0).strip();
        } catch (Throwable t) {
            return null;
        }
    }

    /** Whether this library's thread count can be set from here (OpenBLAS). */
    boolean threadsSettable() {
        return setThreads != null;
    }

    /** Sets OpenBLAS's process-wide thread count; does nothing for other libraries. */
    void setThreads(int threads) {
        if (setThreads == null) {
            return;
        }
        try {
            setThreads.invokeExact(threads);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** C (m×n) = alpha·op(A)·op(B) + beta·C, row-major, float32. */
    void sgemm(int transA, int transB, int m, int n, int k, float alpha, MemorySegment a, int lda,
               MemorySegment b, int ldb, float beta, MemorySegment c, int ldc) {
        try {
            sgemm.invokeExact(ROW_MAJOR, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** C (m×n) = alpha·op(A)·op(B) + beta·C, row-major, float64. */
    void dgemm(int transA, int transB, int m, int n, int k, double alpha, MemorySegment a, int lda,
               MemorySegment b, int ldb, double beta, MemorySegment c, int ldc) {
        try {
            dgemm.invokeExact(ROW_MAJOR, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Upper triangle of C (n×n) = op(A)·op(A)ᵀ (trans = NO_TRANS, A n×k) or AᵀA (TRANS, A k×n), float32. */
    void ssyrk(int trans, int n, int k, MemorySegment a, int lda, MemorySegment c, int ldc) {
        try {
            ssyrk.invokeExact(ROW_MAJOR, UPPER, trans, n, k, 1f, a, lda, 0f, c, ldc);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@link #ssyrk} in float64. */
    void dsyrk(int trans, int n, int k, MemorySegment a, int lda, MemorySegment c, int ldc) {
        try {
            dsyrk.invokeExact(ROW_MAJOR, UPPER, trans, n, k, 1.0, a, lda, 0.0, c, ldc);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
