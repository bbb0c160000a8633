#!/usr/bin/env bash
# Side-by-side timing of jnmf against scikit-learn on the same files, same init, same iteration budget,
# tolerance 0 and 2 threads each. Per-iteration time = (t(2N) − t(N)) / N, so initialisation and
# warm-up cancel; each time is the best of the problem's repeats. Prints a markdown table and stores it in
# benchmarks/results/. Usage: benchmarks/sklearn/compare.sh [--quick]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/benchmarks/sklearn"
PY=/usr/bin/python3          # Debian's python3-sklearn; the first python3 on PATH may have none
DATA="${JNMF_DATA:-$ROOT/../shared/data}"   # the shared datasets (README there names source and licence)
ACCURACY_N=50  # accuracy: relative error of both, and total time, after this many iterations
# label|name|rank|N|repeats: per-iteration time from fits of N and 2N iterations, best of repeats
PROBLEMS=(
  "dense 2000×1500|dense2000|20|200|3"
  "dense 8000×4000|dense8000|50|30|2"
  "digits 8×8 (1797×64)|digits|16|200|3"
  "SpamAssassin word counts (6046×14304, sparse)|spam|20|40|2"
)
if [ "${1:-}" = "--quick" ]; then
  ACCURACY_N=10
  PROBLEMS=("dense 2000×1500|dense2000|20|10|1" "digits 8×8 (1797×64)|digits|16|10|1" "SpamAssassin word counts (6046×14304, sparse)|spam|20|5|1")
fi

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

jnmf_run() { # FILE RANK ALGORITHM ITERATIONS PRECISION -> "seconds relative_error"
  local out="$WORK/out"
  rm -rf "$out"
  local plain=()
  [ "$3" = hals ] && plain=(--accelerate 0) # scikit-learn's cd is plain HALS; jnmf's default accelerates it
  "$ROOT/jnmf" fit "$1" --rank "$2" --algorithm "$3" "${plain[@]}" --init nndsvda --max-iter "$4" --tol 0 \
    --threads 2 --precision "$5" --out "$out" --quiet >/dev/null
  echo "$(json "$out/summary.json" seconds) $(json "$out/summary.json" relative_error)"
}

sk_run() { # FILE RANK SOLVER ITERATIONS PRECISION -> "seconds relative_error"
  local dtype=float64
  [ "$5" = single ] && dtype=float32
  "$PY" "$HERE/sklearn_fit.py" "$1" "$2" "$3" nndsvda "$4" 2 "$dtype" \
    | "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(d["seconds"], d["relative_error"])'
}

problem_file() { # NAME PRECISION -> path (made once in $WORK, or the shared dataset)
  local suffix=f64
  [ "$2" = single ] && suffix=f32
  case "$1" in
    dense2000) [ -f "$WORK/dense2000.f64.npy" ] || "$PY" "$HERE/make_problem.py" 2000 1500 20 0 "$WORK/dense2000"
               echo "$WORK/dense2000.$suffix.npy" ;;
    dense8000) [ -f "$WORK/dense8000.f64.npy" ] || "$PY" "$HERE/make_problem.py" 8000 4000 50 0 "$WORK/dense8000"
               echo "$WORK/dense8000.$suffix.npy" ;;
    digits) [ -f "$WORK/digits.f64.npy" ] || "$PY" "$HERE/to_npy.py" "$DATA/images/digits8x8.csv" "$WORK/digits"
            echo "$WORK/digits.$suffix.npy" ;;
    spam) echo "$DATA/text/spamassassin_counts.mtx.gz" ;;
  esac
}

blas="$("$PY" -c '
import numpy
from threadpoolctl import threadpool_info
print("; ".join(" ".join(str(i.get(key)) for key in ("internal_api", "version", "architecture"))
                for i in threadpool_info() if i["user_api"] == "blas"))')"
table="| problem | precision | solver | jnmf ms/iter | sklearn ms/iter | sklearn / jnmf | jnmf s to ${ACCURACY_N} it. | sklearn s to ${ACCURACY_N} it. | jnmf rel. error @${ACCURACY_N} | sklearn rel. error @${ACCURACY_N} | difference |
|---|---|---|---|---|---|---|---|---|---|---|"
per_iteration() { # "t(N) runs" "t(2N) runs" N -> ms per iteration from the best of each
  "$PY" -c "import sys; a=min(map(float,sys.argv[1].split())); b=min(map(float,sys.argv[2].split())); print((b-a)/int(sys.argv[3])*1000)" "$1" "$2" "$3"
}
for problem in "${PROBLEMS[@]}"; do
  IFS='|' read -r label name k N repeats <<<"$problem"
  for precision in single double; do
    file="$(problem_file "$name" "$precision")"
    for pair in "hals cd" "mu mu"; do
      read -r algorithm solver <<<"$pair"
      declare -a jt1=() jt2=() st1=() st2=()
      for _ in $(seq "$repeats"); do
        read -r s _ < <(jnmf_run "$file" "$k" "$algorithm" "$N" "$precision"); jt1+=("$s")
        read -r s _ < <(jnmf_run "$file" "$k" "$algorithm" $((2 * N)) "$precision"); jt2+=("$s")
        read -r s _ < <(sk_run "$file" "$k" "$solver" "$N" "$precision"); st1+=("$s")
        read -r s _ < <(sk_run "$file" "$k" "$solver" $((2 * N)) "$precision"); st2+=("$s")
      done
      read -r jt e1 < <(jnmf_run "$file" "$k" "$algorithm" "$ACCURACY_N" "$precision")
      read -r st f1 < <(sk_run "$file" "$k" "$solver" "$ACCURACY_N" "$precision")
      j="$(per_iteration "${jt1[*]}" "${jt2[*]}" "$N")"
      s="$(per_iteration "${st1[*]}" "${st2[*]}" "$N")"
      row="$("$PY" -c "import sys; j,s,jt,st,e,f=map(float,sys.argv[1:7]); print(f'| {sys.argv[7]} | {sys.argv[8]} | {sys.argv[9]} | {j:.2f} | {s:.2f} | {s/j:.2f} | {jt:.3f} | {st:.3f} | {e:.6f} | {f:.6f} | {(e-f)/f:+.2%} |')" \
        "$j" "$s" "$jt" "$st" "$e1" "$f1" "$label, k=$k" "$precision" "$algorithm vs $solver")"
      table+=$'\n'"$row"
      echo "$row" >&2
    done
  done
done

stamp="$(date -u +%Y-%m-%d)"
result="$ROOT/benchmarks/results/sklearn-side-by-side-$stamp.md"
n=2 # a second run on the same day gets its own file rather than replacing the first's
while [ -e "$result" ]; do result="$ROOT/benchmarks/results/sklearn-side-by-side-$stamp-$n.md"; n=$((n + 1)); done
{
  echo "# jnmf vs scikit-learn, side by side ($stamp)"
  echo
  echo "Command: \`benchmarks/sklearn/compare.sh ${1:-}\`. Both on 2 threads, init nndsvda, tolerance 0; per-iteration"
  echo "time = (t(2N) − t(N)) / N, N and repeats per problem as in the script (best of the repeats); jnmf's time is"
  echo "summary.json \`seconds\` (init + iterations), scikit-learn's the wall time of \`non_negative_factorization\`."
  echo "\"s to ${ACCURACY_N} it.\" is one whole fit of ${ACCURACY_N} iterations including initialisation: with equal relative errors"
  echo "it is the time to equal error."
  echo
  echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores"
  echo "- JDK: $("$ROOT/jnmf" --version 2>/dev/null | head -n 1); $(ls -d /usr/lib/jvm/temurin-25* 2>/dev/null | head -n 1)"
  echo "- scikit-learn $("$PY" -c 'import sklearn; print(sklearn.__version__)'), NumPy $("$PY" -c 'import numpy; print(numpy.__version__)'), BLAS: $blas (OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset})"
  echo
  echo "$table"
} > "$result"
cat "$result"
