"""Writes the benchmark's dense test matrix: V = max(W0·H0 + N, 0) with W0, H0 uniform on [0, 1) and
N Gaussian with standard deviation 1 % of mean(W0·H0), as float64 and float32 .npy files."""
import sys

import numpy as np


def main():
    n, m, k, seed, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    rng = np.random.default_rng(seed)
    w0 = rng.random((n, k))
    h0 = rng.random((k, m))
    clean = w0 @ h0
    v = np.maximum(clean + rng.normal(0.0, 0.01 * clean.mean(), size=clean.shape), 0.0)
    np.save(out + ".f64.npy", v)
    np.save(out + ".f32.npy", v.astype(np.float32))


if __name__ == "__main__":
    main()
