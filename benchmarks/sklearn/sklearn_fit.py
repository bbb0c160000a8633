"""Times scikit-learn's non_negative_factorization on a file and prints one JSON line:
{"seconds": ..., "relative_error": ..., "iterations": ..., "blas": ...}. Arguments: FILE RANK SOLVER
(cd|mu) INIT ITERATIONS THREADS [DTYPE]. FILE is .npy (dense, its own dtype unless DTYPE is given) or
Matrix Market .mtx/.mtx.gz (sparse CSR, DTYPE float64 unless given)."""
import gzip
import json
import sys
import time
import warnings

import numpy as np
import scipy.io
import scipy.sparse
from sklearn.decomposition import non_negative_factorization
from threadpoolctl import threadpool_info, threadpool_limits


def load(path, dtype):
    if path.endswith(".npy"):
        v = np.load(path)
        return v.astype(dtype) if dtype else v
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        return scipy.sparse.csr_matrix(scipy.io.mmread(f), dtype=dtype or np.float64)


def relative_error(v, w, h):
    """‖V − WH‖_F / ‖V‖_F through the trace identity, so sparse V is never densified."""
    if scipy.sparse.issparse(v):
        norm2 = float(v.multiply(v).sum())
        cross = float(np.sum((v @ h.T) * w))
    else:
        norm2 = float(np.sum(v.astype(np.float64) ** 2))
        cross = float(np.sum((v @ h.T) * w))
    model = float(np.sum((w.T @ w) * (h @ h.T)))
    return np.sqrt(max(norm2 - 2 * cross + model, 0.0) / norm2)


def main():
    path, rank, solver, init, iterations, threads = sys.argv[1:7]
    dtype = sys.argv[7] if len(sys.argv) > 7 else None
    v = load(path, dtype)
    with threadpool_limits(int(threads)), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        w, h, n_iter = non_negative_factorization(v, n_components=int(rank), init=init, solver=solver,
                                                  beta_loss="frobenius", tol=0.0, max_iter=int(iterations),
                                                  random_state=0)
        seconds = time.perf_counter() - start
        blas = [f"{i['internal_api']} {i.get('version')} {i.get('architecture')} x{i['num_threads']}"
                for i in threadpool_info() if i["user_api"] == "blas"]
    print(json.dumps({"seconds": seconds, "relative_error": float(relative_error(v, w, h)),
                      "iterations": int(n_iter), "blas": blas}))


if __name__ == "__main__":
    main()
