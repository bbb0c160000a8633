#!/usr/bin/env bash
# The GPU checks, run ON the GPU machine from the repository root with bundle/ beside it (made here by
# benchmarks/gpu/make-bundle.sh; the GPU machine needs no Java and no network). One call, about 2–4 minutes:
#   (a) the Cuda*Test suite against the real libcuda and cuBLAS,
#   (b) GPU-vs-CPU agreement on random noisy problems (loss difference, matched factor cosines),
#   (c) cuBLAS GEMM TFLOP/s (float32, TF32) and NMF ms/iteration (MU, HALS) next to the GEMM-only floor,
#   (d) a plain PyTorch float32 MU loop on the same sizes, with the ratio,
#   (e) V larger than the Java heap: `jnmf fit` with -Xmx1g on a 4 GB float32 .npy (made with NumPy), used
#       in place from its mapping, against the same fit with a heap that holds V (factors must be equal),
#   (f) sparse V on cuSPARSE (5000×40000, nnz ≈ 33 M, k = 20: ms per iteration against RcppML 1.0's published
#       0.139 s) and a dense 8 GiB V streamed from page-locked host memory (HALS iteration against a pass
#       that only copies the blocks in: the bus's floor).
# Results go to $OUT/gpu-results.md when OUT is set (and always to stdout).
#
# Usage: benchmarks/gpu/run.sh [--smoke] [--stand-ins DIR] [--budget SECONDS]
#   --smoke          tiny sizes (checks the whole flow)
#   --stand-ins DIR  use the CPU stand-ins in DIR (target/native-stand-ins) instead of the real libraries
#   --budget S       seconds for parts (b)+(c) before later sizes are skipped (default 120); with the
#                    hard limits below (tests 100 s, benchmark budget + 60 s, sparse/stream 90 s, PyTorch 75 s) the run ends within 7 min
set -uo pipefail
cd "$(dirname "$0")/../.."
smoke=""
stand_ins=""
budget=120
while [ $# -gt 0 ]; do
    case "$1" in
        --smoke) smoke="--smoke" ;;
        --stand-ins) stand_ins=$(cd "$2" && pwd); shift ;;
        --budget) budget="$2"; shift ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
[ -f bundle/jnmf-runtime.tar.xz ] || { echo "bundle/ is missing: run benchmarks/gpu/make-bundle.sh first" >&2; exit 2; }

results=/dev/null
if [ -n "${OUT:-}" ]; then
    mkdir -p "$OUT"
    results="$OUT/gpu-results.md"
    : > "$results"
fi
say() { printf '%s\n' "$*" | tee -a "$results"; }
run() { "$@" 2>&1 | grep -v 'WARNING: Using incubator modules' | tee -a "$results"; return "${PIPESTATUS[0]}"; }

work=$(mktemp -d /tmp/jnmf-gpu.XXXXXX)
trap 'rm -rf "$work"' EXIT
tar -xJf bundle/jnmf-runtime.tar.xz -C "$work"
java="$work/runtime/bin/java"
export CUDA_CACHE_PATH="$work/cuda-cache"

props=()
if [ -n "$stand_ins" ]; then
    props+=("-Djnmf.cuda.libraryPath=$stand_ins" "-Djnmf.cuda.testLibraryPath=$stand_ins")
    libs="stand-ins in $stand_ins"
else
    # cuBLAS from the toolkit or the pip wheel (nvidia-cublas); never a stubs folder. Prefer 13, then 12.
    roots=(/usr/local /usr/lib /usr/lib64 /opt)
    for site in $(python3 -c 'import site, sys; print(" ".join(site.getsitepackages() + [site.getusersitepackages()]))' 2>/dev/null); do
        [ -d "$site" ] && roots+=("$site")
    done
    cublas=""
    for so in libcublas.so.13 libcublas.so.12 libcublas.so.11; do
        cublas=$(find "${roots[@]}" -name "$so" -not -path '*/stubs/*' 2>/dev/null | head -1)
        [ -n "$cublas" ] && break
    done
    if [ -n "$cublas" ]; then
        export NMF_CUDA_LIB_DIRS="$(dirname "$cublas")${NMF_CUDA_LIB_DIRS:+:$NMF_CUDA_LIB_DIRS}"
    fi
    libs="cuBLAS ${cublas:-not found}; libcuda from the loader path"
fi
jflags=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UnlockDiagnosticVMOptions
        -XX:CompilerDirectivesFile=bundle/kernels-c2-only.json -Xss4m "${props[@]}")
cp="bundle/jnmf.jar:bundle/jnmf-tests.jar"

say "# jnmf GPU run"
say ""
say "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ); commit: $(cat bundle/COMMIT 2>/dev/null || echo '?')"
say "- command: benchmarks/gpu/run.sh $smoke ${stand_ins:+--stand-ins $stand_ins} --budget $budget"
say "- libraries: $libs"
say "- java: $("$java" -version 2>&1 | sed -n 2p)"
if command -v nvidia-smi >/dev/null; then
    say "- GPU: $(nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader 2>&1 | head -1)"
fi
say "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') ($(nproc) threads)"
say ""
status=0

say "## (a) Cuda*Test against ${stand_ins:-the real libraries}"
say '```'
selectors=()
while read -r test_class; do
    [ -n "$test_class" ] && selectors+=(--select-class "$test_class")
done < bundle/cuda-tests.txt
run timeout 100 "$java" "${jflags[@]}" -jar bundle/junit-platform-console-standalone.jar execute \
    --class-path "$cp" "${selectors[@]}" --disable-banner --disable-ansi-colors --details=tree --details-theme=ascii || status=1
say '```'
say ""

tsv="$work/mu.tsv"
run timeout $((budget + 60)) "$java" "${jflags[@]}" -cp "$cp" org.jnmf.cuda.GpuBenchmark $smoke \
    --budget "$budget" --tsv "$tsv" agreement gemm nmf || status=1

run timeout 90 "$java" "${jflags[@]}" -cp "$cp" org.jnmf.cuda.GpuBenchmark $smoke sparse stream || status=1

if command -v python3 >/dev/null; then
    run timeout 75 python3 benchmarks/gpu/torch_mu.py $smoke --java-tsv "$tsv" --budget 50 || status=1
else
    say "python3 not found: PyTorch comparison skipped"
fi
# (e) V larger than the heap: the .npy is memory-mapped and uploaded from the mapping.
if [ -n "$smoke" ]; then rows=3000; cols=4000; rank=8; iters=3; small_heap=32m
else rows=20000; cols=50000; rank=32; iters=50; small_heap=1g; fi
say ""
say "## (e) V larger than the Java heap ($rows×$cols float32 .npy, rank $rank, $iters HALS iterations, random init)"
say ""
if python3 -c 'import numpy' 2>/dev/null; then
    python3 - "$work/big.npy" "$rows" "$cols" <<'PY'
import sys, numpy as np
path, n, m = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = np.random.default_rng(7)
w, h = rng.random((n, 8), dtype=np.float32), rng.random((8, m), dtype=np.float32)
v = np.lib.format.open_memmap(path, mode='w+', dtype='<f4', shape=(n, m))
for i in range(0, n, 1000):
    v[i:i + 1000] = w[i:i + 1000] @ h + 0.1 * rng.random((min(1000, n - i), m), dtype=np.float32)
v.flush()
PY
    say "| heap | precision | exit | wall s | fit s | relative error |"
    say "|---|---|---:|---:|---:|---:|"
    for spec in "$small_heap single" "12g single" "$small_heap double"; do
        set -- $spec
        out="$work/fit-$1-$2"
        start=$EPOCHREALTIME
        timeout 150 "$java" "-Xmx$1" "${jflags[@]}" -cp bundle/jnmf.jar org.jnmf.cli.Main fit "$work/big.npy" \
            --rank "$rank" --max-iter "$iters" --init random --seed 1 --backend cuda --precision "$2" --out "$out" \
            > "$work/log" 2>&1
        code=$?
        wall=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
        grep -v 'WARNING: Using incubator' "$work/log" | tail -3
        fit_s=$(grep -o '"seconds": [0-9.]*' "$out/summary.json" 2>/dev/null | head -1 | cut -d' ' -f2)
        err=$(grep -o '"relative_error": [0-9.eE-]*' "$out/summary.json" 2>/dev/null | head -1 | cut -d' ' -f2)
        [ -n "$fit_s" ] && fit_s=$(awk -v x="$fit_s" 'BEGIN { printf "%.2f", x }')
        [ -n "$err" ] && err=$(awk -v x="$err" 'BEGIN { printf "%.6g", x }')
        say "| -Xmx$1 | $2 | $code | $wall | ${fit_s:-–} | ${err:-–} |"
        [ "$code" = 0 ] || status=1
    done
    if cmp -s "$work/fit-$small_heap-single/W.npy" "$work/fit-12g-single/W.npy" \
        && cmp -s "$work/fit-$small_heap-single/H.npy" "$work/fit-12g-single/H.npy"; then
        say ""
        say "W and H from -Xmx$small_heap (V mapped, off the heap) equal those from -Xmx12g (V on the heap), bit for bit."
    else
        say ""
        say "W or H from -Xmx$small_heap differ from -Xmx12g's"
        status=1
    fi
else
    say "python3 with NumPy not found: part (e) skipped"
fi
say "exit status: $status"
exit "$status"
