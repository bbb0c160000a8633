#!/usr/bin/env bash
# Time to equal error, jnmf against RcppML (Debian r-cran-rcppml), on the same files and threads.
# For each problem RcppML runs 10, 25 and 50 iterations (tol so small that all of them run); its relative
# error after each is the target. For each jnmf algorithm, one fit with a loss check every iteration gives
# the first iteration count N that reaches the target (the loss is monotone for these solvers), then a fit of
# exactly N iterations is timed. Times: RcppML's nmf() call and jnmf's summary.json `seconds` (each start
# included, file reading excluded), and both whole commands (R or JVM start, reading, writing included).
# Medians of REPEATS runs. Prints a Markdown table and stores it in benchmarks/results/.
# Usage: benchmarks/rcppml/compare.sh [--quick]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/benchmarks/rcppml"
PY=/usr/bin/python3
DATA="${JNMF_DATA:-$ROOT/../shared/data}"
THREADS=2
REPEATS=3
MAX_N=400       # jnmf iterations searched for the target
ALGORITHMS=("hals --accelerate 0" "hals" "anls") # plain HALS, the default (accelerated HALS), ANLS
INITS=("random" "nndsvda")
# label|name|rank
PROBLEMS=(
  "dense 2000×1500 (rank 20 + noise)|dense2000|20"
  "SpamAssassin word counts (6046×14304, sparse)|spam|20"
  "Golub leukaemia expression (5000×38)|golub|3"
)
TARGETS=(10 25 50)
if [ "${1:-}" = "--quick" ]; then
  REPEATS=1; TARGETS=(10); PROBLEMS=("dense 2000×1500 (rank 20 + noise)|dense2000|20"); INITS=("random")
fi

if ! command -v Rscript >/dev/null || ! Rscript -e 'library(RcppML)' >/dev/null 2>&1; then
  echo "installing Debian's r-cran-rcppml..." >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq r-cran-rcppml >/dev/null
fi
if ! "$PY" -c 'import numpy' 2>/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-numpy >/dev/null
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
"$ROOT/jnmf" --version >/dev/null   # builds the jar once, outside the timings

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now() { date +%s.%N; }
json() { "$PY" -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }

problem_file() { # NAME -> a float64 .npy or a Matrix Market file both tools read
  case "$1" in
    dense2000) [ -f "$WORK/dense2000.f64.npy" ] || "$PY" "$ROOT/benchmarks/sklearn/make_problem.py" 2000 1500 20 0 "$WORK/dense2000" >/dev/null
               echo "$WORK/dense2000.f64.npy" ;;
    spam) echo "$DATA/text/spamassassin_counts.mtx.gz" ;;
    golub) [ -f "$WORK/golub.npy" ] || "$PY" - "$DATA/genes/golub_esGolub_5000x38.csv.gz" "$WORK/golub.npy" <<'PYEOF'
import gzip, sys, numpy
with gzip.open(sys.argv[1], "rt") as f:
    rows = [line.rstrip("\n").split(",") for line in f]
values = numpy.array([[float(x) for x in r[1:]] for r in rows[1:]], dtype=numpy.float64)
numpy.save(sys.argv[2], values)
PYEOF
           echo "$WORK/golub.npy" ;;
  esac
}

rcppml() { # FILE RANK ITERATIONS -> "fit_seconds wall_seconds relative_error"
  local s e line
  s=$(now); line="$(Rscript "$HERE/rcppml_fit.R" "$1" "$2" "$3" "$THREADS" 1)"; e=$(now)
  "$PY" -c "import json,sys; d=json.loads(sys.argv[1]); print(d['seconds'], float(sys.argv[3])-float(sys.argv[2]), d['relative_error'])" "$line" "$s" "$e"
}

jnmf_fit() { # FILE RANK ITERATIONS CHECK_EVERY INIT ALGORITHM... -> "fit_seconds wall_seconds"; summary in $WORK/out
  local file="$1" rank="$2" n="$3" every="$4" init="$5" s e; shift 5
  rm -rf "$WORK/out"
  s=$(now)
  # shellcheck disable=SC2068 # the algorithm words are separate options
  "$ROOT/jnmf" fit "$file" --rank "$rank" --init "$init" --algorithm $@ --max-iter "$n" --check-every "$every" \
    --tol 0 --threads "$THREADS" --out "$WORK/out" --quiet >/dev/null
  e=$(now)
  echo "$(json "$WORK/out/summary.json" seconds) $(echo "$e - $s" | bc)"
}

first_reaching() { # SUMMARY TARGET -> the first checked iteration whose relative error is at most TARGET, or "none"
  "$PY" - "$1" "$2" <<'PYEOF'
import json, math, sys
s = json.load(open(sys.argv[1])); target = float(sys.argv[2])
losses, checks, final = s["loss_history"], s["check_iterations"], s["relative_error"]
# loss = ½‖V − WH‖² here (no penalties), so the error at a check is final·sqrt(loss/loss_final)
for it, loss in zip(checks, losses):
    if final * math.sqrt(loss / losses[-1]) <= target:
        print(it); break
else:
    print("none")
PYEOF
}

table="| problem | RcppML iterations | RcppML rel. error | RcppML nmf() s | RcppML Rscript s | jnmf init, algorithm | jnmf iterations to that error | jnmf fit s | jnmf command s | jnmf / RcppML (fit) | jnmf / RcppML (command) |
|---|---|---|---|---|---|---|---|---|---|---|"
for problem in "${PROBLEMS[@]}"; do
  IFS='|' read -r label name k <<<"$problem"
  file="$(problem_file "$name")"
  # One fit checking every iteration per start and algorithm serves every target: its error history does not
  # depend on the target.
  for init in "${INITS[@]}"; do
    for algorithm in "${ALGORITHMS[@]}"; do
      # shellcheck disable=SC2086
      jnmf_fit "$file" "$k" "$MAX_N" 1 "$init" $algorithm >/dev/null
      cp "$WORK/out/summary.json" "$WORK/history-$init-${algorithm// /}.json"
    done
  done
  for target_n in "${TARGETS[@]}"; do
    rf=(); rw=(); re=()
    for _ in $(seq "$REPEATS"); do
      read -r f w e < <(rcppml "$file" "$k" "$target_n"); rf+=("$f"); rw+=("$w"); re+=("$e")
    done
    rfit=$(printf '%s\n' "${rf[@]}" | median); rwall=$(printf '%s\n' "${rw[@]}" | median)
    err=$(printf '%s\n' "${re[@]}" | median)
    for init in "${INITS[@]}"; do
      for algorithm in "${ALGORITHMS[@]}"; do
        n="$(first_reaching "$WORK/history-$init-${algorithm// /}.json" "$err")"
        jfit=none; jwall=none
        if [ "$n" != none ]; then
          jf=(); jw=()
          for _ in $(seq "$REPEATS"); do
            # shellcheck disable=SC2086
            read -r f w < <(jnmf_fit "$file" "$k" "$n" 1000000 "$init" $algorithm); jf+=("$f"); jw+=("$w")
          done
          jfit=$(printf '%s\n' "${jf[@]}" | median); jwall=$(printf '%s\n' "${jw[@]}" | median)
        fi
        row="$("$PY" - "$label, k=$k" "$target_n" "$err" "$rfit" "$rwall" "$init, $algorithm" "$n" "$jfit" "$jwall" "$MAX_N" <<'PYEOF'
import sys
label, target_n, err, rfit, rwall, setting, n, jfit, jwall, max_n = sys.argv[1:]
rfit, rwall = float(rfit), float(rwall)
cells = [label, target_n, f"{float(err):.6f}", f"{rfit:.3f}", f"{rwall:.2f}", setting]
if n == "none":
    cells += [f"not within {max_n}", "–", "–", "–", "–"]
else:
    jfit, jwall = float(jfit), float(jwall)
    cells += [n, f"{jfit:.3f}", f"{jwall:.2f}", f"{jfit / rfit:.2f}", f"{jwall / rwall:.2f}"]
print("| " + " | ".join(cells) + " |")
PYEOF
)"
        table+=$'\n'"$row"
        echo "$row" >&2
      done
    done
  done
done

stamp="$(date -u +%Y-%m-%d)"
result="$ROOT/benchmarks/results/rcppml-time-to-error-$stamp.md"
n=2 # a second run on the same day gets its own file rather than replacing the first's
while [ -e "$result" ]; do result="$ROOT/benchmarks/results/rcppml-time-to-error-$stamp-$n.md"; n=$((n + 1)); done
{
  echo "# jnmf vs RcppML: time to equal error ($stamp)"
  echo
  echo "Command: \`benchmarks/rcppml/compare.sh ${1:-}\`. $THREADS threads each, medians of $REPEATS runs. RcppML's"
  echo "error after 10/25/50 iterations is the target; jnmf's row is the fewest iterations reaching it (from a fit"
  echo "checking every iteration) and the time of a fit of exactly that many. \"fit s\": RcppML's \`nmf()\` call,"
  echo "jnmf's summary.json \`seconds\` (upload, start and iterations; JIT warm-up included). \"command s\": the whole"
  echo "\`Rscript\` / \`./jnmf fit\` run, interpreter or JVM start, reading and writing included."
  echo
  echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores"
  echo "- jnmf: $("$ROOT/jnmf" --version 2>/dev/null | tr '\n' ' ')"
  echo "- RcppML $(Rscript -e 'cat(as.character(packageVersion("RcppML")))'), $(Rscript --version 2>&1 | head -n 1)"
  echo
  echo "$table"
} > "$result"
cat "$result"
