#!/usr/bin/env python3
"""Builds the demo data in src/main/resources/org/jnmf/data from the shared data folder.

Usage: python3 data-prep/make_bundled.py /path/to/shared/data
The Brown corpus counts are pruned to keep the jar small: English stop words, terms shorter than
three letters or with digits, and terms found in fewer than 10 documents are dropped; the remaining
terms keep their original order. Fashion-MNIST keeps the first 1000 of its 2000 rows.
"""
import gzip
import os
import shutil
import sys

shared = sys.argv[1]
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "main", "resources", "org", "jnmf", "data")

# Brown: documents x terms, raw counts.
stop = set(w.strip() for w in open(os.path.join(shared, "text", "stopwords_en.txt")) if w.strip())
vocab = [w.rstrip("\n") for w in open(os.path.join(shared, "text", "brown_vocab.txt"))]
entries = []
with gzip.open(os.path.join(shared, "text", "brown_counts.mtx.gz"), "rt") as f:
    header = None
    for line in f:
        if line.startswith("%"):
            continue
        if header is None:
            header = [int(x) for x in line.split()]
            continue
        i, j, v = line.split()
        entries.append((int(i), int(j), int(v)))
rows, cols, _ = header
df = [0] * (cols + 1)
for _, j, _ in entries:
    df[j] += 1
keep = [j for j in range(1, cols + 1)
        if df[j] >= 10 and len(vocab[j - 1]) >= 3 and vocab[j - 1].isalpha() and vocab[j - 1] not in stop]
new_index = {j: n + 1 for n, j in enumerate(keep)}
kept = sorted((i, new_index[j], v) for i, j, v in entries if j in new_index)
with gzip.GzipFile(os.path.join(out, "brown_counts.mtx.gz"), "wb", mtime=0) as g:
    g.write(b"%%MatrixMarket matrix coordinate integer general\n")
    g.write(("%% Brown corpus: %d documents x %d terms, raw counts (pruned, see README.md)\n" % (rows, len(keep))).encode())
    g.write(("%d %d %d\n" % (rows, len(keep), len(kept))).encode())
    for i, j, v in kept:
        g.write(("%d %d %d\n" % (i, j, v)).encode())
with open(os.path.join(out, "brown_vocab.txt"), "w") as f:
    for j in keep:
        f.write(vocab[j - 1] + "\n")
shutil.copy(os.path.join(shared, "text", "brown_docs.tsv"), os.path.join(out, "brown_docs.tsv"))

# Golub ALL/AML: genes x samples.
shutil.copy(os.path.join(shared, "genes", "golub_esGolub_5000x38.csv.gz"), os.path.join(out, "golub_5000x38.csv.gz"))
shutil.copy(os.path.join(shared, "genes", "golub_samples.tsv"), os.path.join(out, "golub_samples.tsv"))
with open(os.path.join(shared, "genes", "golub_genes.txt"), "rb") as src, \
        gzip.GzipFile(os.path.join(out, "golub_genes.txt.gz"), "wb", mtime=0) as dst:
    dst.write(src.read())

# Fashion-MNIST: the first 1000 rows.
with gzip.open(os.path.join(shared, "images", "fashion_mnist_test2k.csv.gz"), "rt") as f, \
        gzip.GzipFile(os.path.join(out, "fashion1k.csv.gz"), "wb", mtime=0) as g:
    for n, line in enumerate(f):
        if n == 1000:
            break
        g.write(line.encode())
with open(os.path.join(shared, "images", "fashion_mnist_test2k_labels.txt")) as f, \
        open(os.path.join(out, "fashion1k_labels.txt"), "w") as g:
    g.writelines(f.readlines()[:1000])
shutil.copy(os.path.join(shared, "images", "fashion_mnist_classes.txt"), os.path.join(out, "fashion_classes.txt"))
print("Brown: %d x %d, %d non-zeros" % (rows, len(keep), len(kept)))
