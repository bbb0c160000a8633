"""Times scikit-learn's non_negative_factorization on an .npy file and prints one JSON line:
{"seconds": ..., "relative_error": ..., "iterations": ..., "blas": ...}. Arguments: FILE RANK SOLVER
(cd|mu) INIT ITERATIONS THREADS."""
import json
import sys
import time
import warnings

import numpy as np
from sklearn.decomposition import non_negative_factorization
from threadpoolctl import threadpool_info, threadpool_limits


def main():
    path, rank, solver, init, iterations, threads = sys.argv[1:7]
    v = np.load(path)
    with threadpool_limits(int(threads)), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        w, h, n_iter = non_negative_factorization(v, n_components=int(rank), init=init, solver=solver,
                                                  beta_loss="frobenius", tol=0.0, max_iter=int(iterations),
                                                  random_state=0)
        seconds = time.perf_counter() - start
        blas = [f"{i['internal_api']} {i.get('version')} {i.get('architecture')} x{i['num_threads']}"
                for i in threadpool_info() if i["user_api"] == "blas"]
    error = np.linalg.norm(v - w @ h) / np.linalg.norm(v)
    print(json.dumps({"seconds": seconds, "relative_error": float(error), "iterations": int(n_iter),
                      "blas": blas}))


if __name__ == "__main__":
    main()
