#!/usr/bin/env bash
# Side-by-side timing of jnmf against scikit-learn on the same files, same init, same iteration budget,
# tolerance 0 and 2 threads each. Per-iteration time = (t(2N) − t(N)) / N, so initialisation and
# warm-up cancel; each time is the best of REPEATS runs. Prints a markdown table and stores it in
# benchmarks/results/. Usage: benchmarks/sklearn/compare.sh [--quick]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/benchmarks/sklearn"
PY=/usr/bin/python3          # Debian's python3-sklearn; the first python3 on PATH may have none
N=200          # timing: per-iteration time from fits of N and 2N iterations
ACCURACY_N=50  # accuracy: relative error of both after this many iterations
REPEATS=3
SIZES=("2000 1500 20")
[ "${1:-}" = "--quick" ] && { REPEATS=1; N=20; ACCURACY_N=20; }

if ! "$PY" -c 'import sklearn, threadpoolctl' 2>/dev/null; then
  echo "installing Debian's python3-sklearn (scikit-learn for $PY)..." >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-sklearn python3-threadpoolctl >/dev/null
fi

# OpenBLAS chooses its kernel from the CPU; these two variables, set on some of our machines for old
# builds, override that. Unset them for this benchmark only. If OpenBLAS still falls back to a generic
# pre-AVX kernel (it does not know every new CPU), name the best kernel the CPU supports instead.
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
arch="$("$PY" -c 'from threadpoolctl import threadpool_info; import numpy; print([i.get("architecture") for i in threadpool_info() if i["user_api"]=="blas"][0])')"
case "$arch" in
  Prescott|Core2|Penryn|Dunnington|Nehalem|Atom|Katmai|Coppermine|Northwood|Banias)
    if grep -q avx512_bf16 /proc/cpuinfo; then export OPENBLAS_CORETYPE=Cooperlake
    elif grep -q avx512f /proc/cpuinfo; then export OPENBLAS_CORETYPE=SkylakeX
    elif grep -q avx2 /proc/cpuinfo; then export OPENBLAS_CORETYPE=Haswell; fi
    echo "OpenBLAS chose the generic '$arch' kernel for this CPU; using OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-$arch}" >&2 ;;
esac

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
"$ROOT/jnmf" --version >/dev/null   # builds the jar once, outside the timings

best() { sort -g | head -n 1; }
json() { "$PY" -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }

jnmf_run() { # FILE RANK ALGORITHM ITERATIONS -> "seconds relative_error"
  local out="$WORK/out"
  rm -rf "$out"
  "$ROOT/jnmf" fit "$1" --rank "$2" --algorithm "$3" --init nndsvda --max-iter "$4" --tol 0 --threads 2 \
    --out "$out" --quiet >/dev/null
  echo "$(json "$out/summary.json" seconds) $(json "$out/summary.json" relative_error)"
}

sk_run() { # FILE RANK SOLVER ITERATIONS -> "seconds relative_error"
  "$PY" "$HERE/sklearn_fit.py" "$1" "$2" "$3" nndsvda "$4" 2 \
    | "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(d["seconds"], d["relative_error"])'
}

blas="$("$PY" -c '
import numpy
from threadpoolctl import threadpool_info
print("; ".join(" ".join(str(i.get(key)) for key in ("internal_api", "version", "architecture"))
                for i in threadpool_info() if i["user_api"] == "blas"))')"
table="| problem | precision | solver | jnmf ms/iter | sklearn ms/iter | sklearn / jnmf | jnmf rel. error @${ACCURACY_N} | sklearn rel. error @${ACCURACY_N} | difference |
|---|---|---|---|---|---|---|---|---|"
for size in "${SIZES[@]}"; do
  read -r n m k <<<"$size"
  "$PY" "$HERE/make_problem.py" "$n" "$m" "$k" 0 "$WORK/dense${n}x${m}"
  for precision in f32 f64; do
    file="$WORK/dense${n}x${m}.$precision.npy"
    for pair in "hals cd" "mu mu"; do
      read -r algorithm solver <<<"$pair"
      declare -a jt1=() jt2=() st1=() st2=()
      for _ in $(seq "$REPEATS"); do
        read -r s _ < <(jnmf_run "$file" "$k" "$algorithm" "$N"); jt1+=("$s")
        read -r s _ < <(jnmf_run "$file" "$k" "$algorithm" $((2 * N))); jt2+=("$s")
        read -r s _ < <(sk_run "$file" "$k" "$solver" "$N"); st1+=("$s")
        read -r s _ < <(sk_run "$file" "$k" "$solver" $((2 * N))); st2+=("$s")
      done
      read -r _ e1 < <(jnmf_run "$file" "$k" "$algorithm" "$ACCURACY_N")
      read -r _ f1 < <(sk_run "$file" "$k" "$solver" "$ACCURACY_N")
      j="$("$PY" -c "import sys; a=min(map(float,sys.argv[1].split())); b=min(map(float,sys.argv[2].split())); print((b-a)/$N*1000)" "${jt1[*]}" "${jt2[*]}")"
      s="$("$PY" -c "import sys; a=min(map(float,sys.argv[1].split())); b=min(map(float,sys.argv[2].split())); print((b-a)/$N*1000)" "${st1[*]}" "${st2[*]}")"
      row="$("$PY" -c "import sys; j,s,e,f=map(float,sys.argv[1:5]); print(f'| {sys.argv[5]} | {sys.argv[6]} | {sys.argv[7]} | {j:.2f} | {s:.2f} | {s/j:.2f} | {e:.6f} | {f:.6f} | {(e-f)/f:+.2%} |')" \
        "$j" "$s" "$e1" "$f1" "dense ${n}×${m}, k=${k}" "$precision" "$algorithm vs $solver")"
      table+=$'\n'"$row"
      echo "$row" >&2
    done
  done
done

stamp="$(date -u +%Y-%m-%d)"
result="$ROOT/benchmarks/results/sklearn-side-by-side-$stamp.md"
{
  echo "# jnmf vs scikit-learn, side by side ($stamp)"
  echo
  echo "Command: \`benchmarks/sklearn/compare.sh ${1:-}\`. Both on 2 threads, init nndsvda, tolerance 0; per-iteration"
  echo "time = (t(2N) − t(N)) / N with N = $N, best of $REPEATS; jnmf's time is summary.json \`seconds\`"
  echo "(init + iterations), scikit-learn's the wall time of \`non_negative_factorization\`."
  echo
  echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores"
  echo "- JDK: $("$ROOT/jnmf" --version 2>/dev/null | head -n 1); $(ls -d /usr/lib/jvm/temurin-25* 2>/dev/null | head -n 1)"
  echo "- scikit-learn $("$PY" -c 'import sklearn; print(sklearn.__version__)'), NumPy $("$PY" -c 'import numpy; print(numpy.__version__)'), BLAS: $blas (OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset})"
  echo
  echo "$table"
} > "$result"
cat "$result"
