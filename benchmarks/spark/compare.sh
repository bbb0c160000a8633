#!/usr/bin/env bash
# jnmf on Spark against MLlib ALS (nonnegative=true, implicitPrefs=false, rank 20, 20 iterations,
# checkpoint dir set) on the 2000×1500 rank-20 matrix of benchmarks/sklearn/make_problem.py (seed 0), in
# one local[2] session: wall time and relative error of both, and the distributed fit's per-iteration Spark
# overhead. Prints a markdown table and stores it in benchmarks/results/.
# Usage: benchmarks/spark/compare.sh [PARTITIONS]   (default 2, one per local core)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PY=/usr/bin/python3
PARTITIONS="${1:-2}"
N=2000 M=1500 K=20

if [ -z "${JAVA_HOME:-}" ] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -q 'version "2[5-9]'; then
  JAVA_HOME="$(ls -d /usr/lib/jvm/*-25-* 2>/dev/null | head -n 1)"
fi
[ -x "$JAVA_HOME/bin/java" ] || { echo "compare.sh: needs a JDK 25 (set JAVA_HOME)" >&2; exit 3; }
export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH" MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
"$PY" "$ROOT/benchmarks/sklearn/make_problem.py" "$N" "$M" "$K" 0 "$WORK/dense"
(cd "$ROOT" && ./mvnw -q -B install -DskipTests)
(cd "$ROOT/spark" && ../mvnw -q -B test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$WORK/classpath.txt" >/dev/null)

output="$("$JAVA_HOME/bin/java" -Xmx8g @"$ROOT/spark/jvm-spark.args" --add-modules jdk.incubator.vector \
  --enable-native-access=ALL-UNNAMED -XX:+UnlockDiagnosticVMOptions \
  -XX:CompilerDirectivesFile="$ROOT/src/main/jvm/kernels-c2-only.json" -Dlog4j2.level=error \
  -cp "$ROOT/spark/target/classes:$ROOT/spark/target/test-classes:$(cat "$WORK/classpath.txt")" \
  org.jnmf.spark.bench.AlsComparisonBenchmark "$WORK/dense.f64.npy" "$K" "$PARTITIONS" 2> "$WORK/stderr" \
  | grep -v "compiler directives added")" || { cat "$WORK/stderr" >&2; exit 1; }

stamp="$(date -u +%Y-%m-%d)"
result="$ROOT/benchmarks/results/spark-vs-als-$stamp.md"
n=2 # a second run on the same day gets its own file rather than replacing the first's
while [ -e "$result" ]; do result="$ROOT/benchmarks/results/spark-vs-als-$stamp-$n.md"; n=$((n + 1)); done
cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
{
  echo "# jnmf on Spark vs MLlib ALS, $stamp"
  echo
  echo "Machine: $cpu, $(nproc) cores; $("$JAVA_HOME/bin/java" -version 2>&1 | head -n 1); Spark 4.2.0 local[2]."
  echo "Command: \`benchmarks/spark/compare.sh $PARTITIONS\`. V: ${N}×${M}, max(W0·H0 + N, 0) (make_problem.py, seed 0);"
  echo "rank $K; jnmf HALS from a random start (seed 0); ALS regParam 0, nonnegative, explicit, seed 42,"
  echo "fed every entry of V as a rating. Wall times include each fit's set-up; errors are ‖V − WH‖/‖V‖."
  echo
  echo "$output"
} | tee "$result"
echo "stored in $result" >&2
