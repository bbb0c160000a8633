# One RcppML fit, timed: Rscript rcppml_fit.R FILE K ITERATIONS THREADS SEED
# FILE: a float64 C-order .npy (dense) or a Matrix Market file, optionally .gz (sparse).
# Prints one JSON line: seconds (the nmf() call alone), relative_error ‖A − W·diag(d)·H‖_F / ‖A‖_F, iterations.
# tol is set far below what any fit reaches so that exactly ITERATIONS iterations run.
suppressPackageStartupMessages({ library(RcppML); library(Matrix) })
args <- commandArgs(trailingOnly = TRUE)
file <- args[1]; k <- as.integer(args[2]); iterations <- as.integer(args[3])
threads <- as.integer(args[4]); seed <- as.integer(args[5])

read_npy <- function(path) {
  con <- file(path, "rb"); on.exit(close(con))
  magic <- readBin(con, "raw", 6)
  if (!identical(magic[2:6], charToRaw("NUMPY"))) stop(path, " is not a .npy file")
  major <- as.integer(readBin(con, "raw", 1)); readBin(con, "raw", 1)
  header_length <- if (major == 1) readBin(con, "integer", 1, size = 2, signed = FALSE, endian = "little")
                   else readBin(con, "integer", 1, size = 4, endian = "little")
  header <- rawToChar(readBin(con, "raw", header_length))
  if (!grepl("'descr': '<f8'", header, fixed = TRUE) || grepl("'fortran_order': True", header, fixed = TRUE))
    stop(path, ": only little-endian float64 in C order is read here")
  shape <- as.integer(strsplit(sub(".*'shape': \\(([0-9, ]+)\\).*", "\\1", header), ",\\s*")[[1]])
  values <- readBin(con, "double", prod(shape), size = 8, endian = "little")
  matrix(values, nrow = shape[1], ncol = shape[2], byrow = TRUE)
}

A <- if (grepl("\\.npy$", file)) read_npy(file) else {
  con <- if (grepl("\\.gz$", file)) gzfile(file) else file
  as(readMM(con), "CsparseMatrix")
}
setRcppMLthreads(threads)
elapsed <- system.time(model <- nmf(A, k, tol = 1e-30, maxit = iterations, verbose = FALSE, seed = seed))[["elapsed"]]
# ‖A − W·D·H‖² = ‖A‖² − 2⟨WᵀA, D·H⟩ + ⟨WᵀW, (D·H)(D·H)ᵀ⟩: no dense n×m product, which a sparse A would not fit.
w <- model$w; dh <- model$d * model$h
residual <- sum(A^2) - 2 * sum(as.matrix(crossprod(w, A)) * dh) + sum(crossprod(w) * tcrossprod(dh))
relative_error <- sqrt(max(residual, 0)) / sqrt(sum(A^2))
cat(sprintf('{"seconds": %.6f, "relative_error": %.10f, "iterations": %d}\n', elapsed, relative_error, iterations))
