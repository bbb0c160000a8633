#!/usr/bin/env bash
# Whole-run wall time, JVM or Python start included: `./jnmf fit` (plain HALS, `--accelerate 0`: scikit-learn's cd
# step for step; NNDSVDa, tol 0) against scikit-learn's
# script (benchmarks/sklearn/sklearn_fit.py, solver cd, same start, 2 threads) on the same .npy, each run
# REPEAT times in turn; prints one Markdown row per case with the medians and jnmf's fit seconds from
# summary.json, and jnmf's fit seconds with -Djnmf.kernelWarmup=false (the Vector API kernels from the first
# call, interpreted until C2 compiles them: no scalar twins), the reference for the twins' gain.
# Usage: benchmarks/cold-start.sh PROBLEM_PREFIX [REPEAT] [INIT]   (INIT: nndsvda, the default, or random)
# PROBLEM_PREFIX.f32.npy / .f64.npy come from benchmarks/sklearn/make_problem.py N M K SEED PREFIX.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="$1"
repeat="${2:-3}"
init="${3:-nndsvda}"
py=/usr/bin/python3
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
seconds() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }
./jnmf --version >/dev/null 2>&1 # builds the jar first if needed
echo "| init | precision | iterations | jnmf wall s | jnmf fit s | jnmf fit s, no twins | scikit-learn script s | jnmf / scikit-learn |"
echo "|---|---|---|---|---|---|---|---|"
for precision in f32 f64; do
  for iterations in 0 50 200; do
    jw=(); jf=(); jv=(); sw=()
    for _ in $(seq "$repeat"); do
      jw+=("$(seconds ./jnmf fit "$prefix.$precision.npy" --rank 20 --max-iter "$iterations" --tol 0 --threads 2 \
        --accelerate 0 --init "$init" --out "$out/fit" --quiet)")
      jf+=("$(sed -n 's/^ *"seconds": \([0-9.]*\),*/\1/p' "$out/fit/summary.json")")
      ./jnmf -Djnmf.kernelWarmup=false fit "$prefix.$precision.npy" --rank 20 --max-iter "$iterations" --tol 0 \
        --threads 2 --accelerate 0 --init "$init" --out "$out/fit" --quiet >/dev/null 2>&1
      jv+=("$(sed -n 's/^ *"seconds": \([0-9.]*\),*/\1/p' "$out/fit/summary.json")")
      # scikit-learn needs at least one iteration: 0 is compared with its start plus one iteration.
      sw+=("$(seconds "$py" benchmarks/sklearn/sklearn_fit.py "$prefix.$precision.npy" 20 cd "$init" \
        "$(( iterations == 0 ? 1 : iterations ))" 2)")
    done
    j=$(printf '%s\n' "${jw[@]}" | median); f=$(printf '%s\n' "${jf[@]}" | median)
    v=$(printf '%s\n' "${jv[@]}" | median)
    s=$(printf '%s\n' "${sw[@]}" | median)
    printf '| %s | %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f |\n' "$init" "$precision" "$iterations" "$j" "$f" "$v" "$s" \
      "$(echo "$j / $s" | bc -l)"
  done
done
