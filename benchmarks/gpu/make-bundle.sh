#!/usr/bin/env bash
# Builds bundle/ (git-ignored) for the GPU machine, which has no Java, no Maven and no network:
#   bundle/jnmf-runtime.tar.xz   a jlinked Java 25 runtime (java.base, java.logging, java.management,
#                                jdk.incubator.vector, jdk.unsupported; zip-0 jimage, ~14 MB as xz)
#   bundle/jnmf.jar              the library with its dependencies and the CUDA kernels (fatbin)
#   bundle/jnmf-tests.jar        the test classes (Cuda*Test, GpuBenchmark)
#   bundle/junit-platform-console-standalone.jar   JUnit 1.14.1 (JUnit 5.14.1) console launcher
#   bundle/kernels-c2-only.json  the JIT directives the Java backend runs with
#   bundle/cuda-tests.txt        the Cuda*Test class names
# Run from anywhere; needs JDK 25 (JAVA_HOME, default Temurin 25), nvcc (the kernels must be in the jar)
# and Maven Central for the JUnit console jar the first time. Set MVN_OFFLINE=-o to build offline.
set -euo pipefail
cd "$(dirname "$0")/../.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JUNIT_CONSOLE_VERSION=1.14.1
LIMIT=$((48 * 1024 * 1024))   # well under the 64 MiB that travels with the working tree

command -v nvcc >/dev/null || { echo "nvcc not found: the bundle needs the CUDA kernels" >&2; exit 1; }
./mvnw -q ${MVN_OFFLINE:-} package -DskipTests
jar=$(ls target/jnmf-*-all.jar 2>/dev/null | head -1)
[ -n "$jar" ] || jar=$(ls target/jnmf-*.jar | grep -v -- '-all' | head -1)
unzip -l "$jar" | grep 'org/jnmf/cuda/nmf_kernels.fatbin' >/dev/null || { echo "$jar has no kernels" >&2; exit 1; }

rm -rf bundle
mkdir -p bundle
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$JAVA_HOME/bin/jlink" --add-modules java.base,java.logging,java.management,jdk.incubator.vector,jdk.unsupported \
    --strip-debug --no-header-files --no-man-pages --compress zip-0 --output "$tmp/runtime"
tar -C "$tmp" -cf - runtime | xz -T0 -9 > bundle/jnmf-runtime.tar.xz

cp "$jar" bundle/jnmf.jar
"$JAVA_HOME/bin/jar" --create --file bundle/jnmf-tests.jar -C target/test-classes .
# The runtime has no jdk.zipfs, so JUnit cannot scan jars for a package: list the Cuda*Test classes here.
(cd target/test-classes && find . -name 'Cuda*Test.class' | sed 's|^\./||; s|\.class$||; s|/|.|g' | sort) \
    > bundle/cuda-tests.txt
./mvnw -q ${MVN_OFFLINE:-} dependency:copy \
    -Dartifact=org.junit.platform:junit-platform-console-standalone:$JUNIT_CONSOLE_VERSION \
    -DoutputDirectory=bundle -Dmdep.stripVersion=true
cp src/main/jvm/kernels-c2-only.json bundle/
git rev-parse HEAD > bundle/COMMIT 2>/dev/null || true

total=$(du -cb bundle/* | tail -1 | cut -f1)
ls -l bundle
echo "bundle: $total bytes"
if [ "$total" -gt "$LIMIT" ]; then
    echo "bundle is larger than $LIMIT bytes" >&2
    exit 1
fi
