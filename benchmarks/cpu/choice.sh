#!/usr/bin/env bash
# The measurements behind `auto`'s CPU rule (org.jnmf.backend.CpuChoice): the pure-Java and the BLAS
# backend side by side on the NMF products and on whole fits, at ranks below and above the threshold.
# Run on a quiet machine; extra arguments go to both commands (e.g. --threads 2 --precision single).
# OpenBLAS picks its kernels at load time: the '# blas:' line says which ran. Where it fell back to
# 'Prescott' on a CPU it does not know, run as OPENBLAS_CORETYPE=SkylakeX benchmarks/cpu/choice.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
shapes=2000x1500x20,2000x1500x50,2000x1500x100,2000x1500x200,8000x4000x50,8000x4000x100,8000x4000x200
./jnmf bench gemm --backends java,blas --shapes "$shapes" --square 1024 "$@"
./jnmf bench fit --backends java,blas --shapes 2000x1500x20,2000x1500x100,2000x1500x200 "$@"
