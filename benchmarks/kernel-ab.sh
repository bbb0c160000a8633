#!/usr/bin/env bash
# Side-by-side timings of two jnmf builds on this machine, interleaved so that both see the same machine state:
# `bench gemm` (V·Hᵀ and Wᵀ·V, best of 5 calls after a 3 s warm-up) and `bench fit` (HALS and MU, ms per
# iteration), REPEAT rounds of A then B, with the launcher's JVM flags (JNMF_JAR). Prints the raw lines, tagged.
# Usage: benchmarks/kernel-ab.sh A.jar B.jar [REPEAT] [SHAPES]   (SHAPES: 2000x1500x20,8000x4000x50 by default)
# Build a reference jar from a commit with: git worktree add /tmp/ref REV && (cd /tmp/ref && ./mvnw -q -DskipTests package)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
a="$1"; b="$2"; repeat="${3:-3}"; shapes="${4:-2000x1500x20,8000x4000x50}"
echo "# CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) threads; A = $a, B = $b"
for round in $(seq "$repeat"); do
  for side in A B; do
    jar="$a"; [ "$side" = B ] && jar="$b"
    JNMF_JAR="$jar" "$ROOT/jnmf" bench gemm --backends java --square 0 --shapes "$shapes" --warmup-ms 3000 \
      | grep -E '^(V|W)' | sed "s/^/$side round $round gemm  /"
    JNMF_JAR="$jar" "$ROOT/jnmf" bench fit --backends java --shapes "$shapes" --iterations 10 \
      | grep -E '^[0-9]' | sed "s/^/$side round $round fit   /"
  done
done
