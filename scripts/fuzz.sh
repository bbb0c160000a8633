#!/usr/bin/env bash
# Fuzzes the matrix parsers and the saved-model loader with Jazzer, one fuzz test per JVM (Jazzer's rule),
# each for SECONDS.
#   scripts/fuzz.sh [SECONDS] [TEST...]      SECONDS default 60; TEST (default: all six):
#     mtx npy csv tsv                        MatrixReaderFuzzTest
#     model modelWithValidChecksums          NmfModelFuzzTest
# A finding fails the run; Jazzer saves its input under src/test/resources/org/jnmf/io/MatrixReaderFuzzTestInputs/
# <test>/ (or org/jnmf/NmfModelFuzzTestInputs/<test>/), where every normal build then replays it: fix the
# parser and commit the input as the regression test. The growing corpus is kept
# in .cifuzz-corpus/ (git-ignored) so that later runs start from it.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(mtx npy csv tsv model modelWithValidChecksums)
case "$seconds" in ''|*[!0-9]*) echo "fuzz.sh: SECONDS must be a whole number; got '$seconds'" >&2; exit 2;; esac

if [ -z "${JAVA_HOME:-}" ] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -q '"25'; then
  for jdk in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-25-openjdk-amd64; do
    [ -x "$jdk/bin/java" ] && export JAVA_HOME=$jdk && break
  done
fi
export MAVEN_OPTS="${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}"
offline=-o
[ -d "$HOME/.m2/repository/com/code-intelligence/jazzer-junit" ] || offline=

# Compile once; each fuzz test then runs in its own surefire JVM.
./mvnw $offline -q test-compile
status=0
for t in "${tests[@]}"; do
  case "$t" in
    mtx|npy|csv|tsv) class=MatrixReaderFuzzTest inputs=src/test/resources/org/jnmf/io/MatrixReaderFuzzTestInputs/$t;;
    model|modelWithValidChecksums) class=NmfModelFuzzTest inputs=src/test/resources/org/jnmf/NmfModelFuzzTestInputs/$t;;
    *) echo "fuzz.sh: unknown fuzz test '$t' (mtx, npy, csv, tsv, model, modelWithValidChecksums)" >&2; exit 2;;
  esac
  echo "fuzz.sh: fuzzing $class#$t for ${seconds}s"
  log=target/fuzz-$t.log
  start=$(date +%s)
  # libFuzzer's per-input limit: an input that takes over 10 s is a hang, hence a finding. (JUnit's @Timeout
  # would limit the whole fuzzing run instead.) Jazzer reads its libFuzzer arguments from these properties.
  if JAVA_TOOL_OPTIONS="-Djazzer.internal.arg.0=fake_argv0 -Djazzer.internal.arg.1=-timeout=10" \
     JAZZER_FUZZ=1 JAZZER_MAX_DURATION="${seconds}s" ./mvnw $offline -q surefire:test@fuzz-tests \
        -Dtest="$class#$t" -Dsurefire.failIfNoSpecifiedTests=false >"$log" 2>&1; then
    echo "fuzz.sh: $t: no finding in $(( $(date +%s) - start ))s ($(grep -o 'Done [0-9]* runs' "$log" | tail -1 | cut -d' ' -f2) inputs)"
  else
    status=1
    echo "fuzz.sh: $t: FINDING (see $log; the input is saved under $inputs/)" >&2
    grep -E 'Exception|Error|crash-' "$log" | head -20 >&2 || true
  fi
done
exit $status
