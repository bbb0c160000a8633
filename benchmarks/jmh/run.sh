#!/usr/bin/env bash
# Builds and runs the JMH benchmarks, then writes a markdown table with GFLOP/s per backend for the
# products, ms/iteration and relative error for fits, and each backend's ratio to the reference backend
# (the first of BACKENDS) measured in the same run, to benchmarks/results/jmh-DATE.md.
# Usage: benchmarks/jmh/run.sh [--quick] [extra JMH options...]
#   BACKENDS=java,blas (default) THREADS=2 (default)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/benchmarks/jmh"
BACKENDS="${BACKENDS:-blas,java}"
THREADS="${THREADS:-2}"
ARGS="$*"
QUICK=()
FIT_SHAPE=2000x1500x20
FIT_N=50
if [ "${1:-}" = "--quick" ]; then
  shift
  QUICK=(-wi 1 -i 2 -w 200ms -r 200ms -p "product=vht:500x400x10,wtv:500x400x10,square:256x0x0" -p shape=300x200x5)
  FIT_SHAPE=300x200x5
fi

java_home() {
  for j in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
    [ -x "$j/bin/java" ] && "$j/bin/java" -version 2>&1 | grep -qE 'version "(2[5-9]|[3-9][0-9])' && { echo "$j"; return; }
  done
  echo "no JDK 25 found: install Temurin 25 or set JAVA_HOME" >&2; exit 2
}
export JAVA_HOME="$(java_home)" MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
JAVA="$JAVA_HOME/bin/java"
(cd "$ROOT" && ./mvnw -q install -DskipTests)
(cd "$HERE" && "$ROOT/mvnw" -q package)

# OpenBLAS picks its kernel from the CPU; see ../README.md for why this is named when it falls back.
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
if grep -q avx512_bf16 /proc/cpuinfo; then export OPENBLAS_CORETYPE=Cooperlake
elif grep -q avx512f /proc/cpuinfo; then export OPENBLAS_CORETYPE=SkylakeX; fi

FLAGS="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED -XX:+UnlockDiagnosticVMOptions -XX:+DisplayVMOutputToStderr -XX:CompilerDirectivesFile=$ROOT/src/main/jvm/kernels-c2-only.json"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
"$JAVA" -jar "$HERE/target/benchmarks.jar" -jvmArgsAppend "$FLAGS" -p "backend=$BACKENDS" -p "threads=$THREADS" \
  -rf json -rff "$WORK/jmh.json" "${QUICK[@]}" "$@" 2>&1 | grep -vE 'WARNING: Using incubator modules' | tee "$WORK/jmh.log" >&2
"$JAVA" $FLAGS -cp "$HERE/target/benchmarks.jar" org.jnmf.bench.FitAccuracy "$BACKENDS" "$FIT_SHAPE" "$FIT_N" "$THREADS" \
  2> >(grep -v 'incubator' >&2) > "$WORK/accuracy.tsv"

stamp="$(date -u +%Y-%m-%d)"
result="$ROOT/benchmarks/results/jmh-$stamp.md"
n=2 # a second run on the same day gets its own file rather than replacing the first's
while [ -e "$result" ]; do result="$ROOT/benchmarks/results/jmh-$stamp-$n.md"; n=$((n + 1)); done
python3 "$HERE/report.py" "$WORK/jmh.json" "$WORK/accuracy.tsv" "$BACKENDS" "$FIT_N" > "$WORK/table.md"
{
  echo "# JMH: jnmf backends ($stamp)"
  echo
  echo "Command: \`benchmarks/jmh/run.sh $ARGS\` (BACKENDS=$BACKENDS, THREADS=$THREADS); OpenBLAS kernel: ${OPENBLAS_CORETYPE:-auto}."
  echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores"
  echo "- JDK: $("$JAVA" -version 2>&1 | head -n 1)"
  echo
  cat "$WORK/table.md"
} > "$result"
cat "$result"
