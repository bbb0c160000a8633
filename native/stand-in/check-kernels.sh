#!/usr/bin/env bash
# Runs the CUDA code of cuda/nmf_kernels.cu on the CPU (every thread, with real barriers) and compares it
# bit for bit with the libcuda stand-in's kernels. Needs g++ (C++20) and the stand-ins
# (./mvnw test-compile antrun:run@cuda-stand-ins, or any `./mvnw test`). Usage: native/stand-in/check-kernels.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
out=target/native-stand-ins
[ -f "$out/libcuda.so.1" ] || { echo "build the stand-ins first (./mvnw test -Dtest='Cuda*Test')" >&2; exit 2; }
g++ -std=c++20 -O2 -ffp-contract=off -pthread -Icuda -Inative -o "$out/check_kernels" native/stand-in/check_kernels.cpp -ldl
"$out/check_kernels" "$out/libcuda.so.1"
