#!/usr/bin/env bash
# The GPU checks, run ON the GPU machine from the repository root with bundle/ beside it (made here by
# benchmarks/gpu/make-bundle.sh; the GPU machine needs no Java and no network). One call, about 2–4 minutes:
#   (a) the Cuda*Test suite against the real libcuda and cuBLAS,
#   (b) GPU-vs-CPU agreement on random noisy problems (loss difference, matched factor cosines),
#   (c) cuBLAS GEMM TFLOP/s (float32, TF32) and NMF ms/iteration (MU, HALS) next to the GEMM-only floor,
#   (d) a plain PyTorch float32 MU loop on the same sizes, with the ratio.
# Results go to $OUT/gpu-results.md when OUT is set (and always to stdout).
#
# Usage: benchmarks/gpu/run.sh [--smoke] [--stand-ins DIR] [--budget SECONDS]
#   --smoke          tiny sizes (checks the whole flow)
#   --stand-ins DIR  use the CPU stand-ins in DIR (target/native-stand-ins) instead of the real libraries
#   --budget S       seconds for parts (b)+(c) before later sizes are skipped (default 120); with the
#                    hard limits below (tests 100 s, benchmark budget + 60 s, PyTorch 75 s) the run ends within 6 min
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

if command -v python3 >/dev/null; then
    run timeout 75 python3 benchmarks/gpu/torch_mu.py $smoke --java-tsv "$tsv" --budget 50 || status=1
else
    say "python3 not found: PyTorch comparison skipped"
fi
say "exit status: $status"
exit "$status"
