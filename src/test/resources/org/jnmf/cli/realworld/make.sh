#!/usr/bin/env bash
# Writes the real-world-format inputs of CliRealWorldFilesTest with the tools that produce such files in
# the wild: R's write.csv (NA for missing values, quoted names), pandas' to_csv (empty fields, an index),
# and NumPy's np.save of integer counts. Run here; needs Rscript, and python3 with numpy and pandas
# (Debian: r-base-core, python3-pandas). The values are small made-up counts and levels, not a dataset.
set -euo pipefail
cd "$(dirname "$0")"
Rscript -e '
m <- matrix(c(5.5, 0.25, 3, 1, 2.5, NA, 0, 4, 1.75, 2, NA, 0.5, 3, 6, 1.25, 0, 2, 2.5, 1, 4.5, 0.75, 3, 0, 2),
            nrow = 6, byrow = TRUE,
            dimnames = list(c("TP53", "BRCA1", "MYC", "EGFR", "KRAS", "PTEN"), c("S1", "S2", "S3", "S4")))
write.csv(m, "r-write-csv-na.csv")
'
/usr/bin/python3 - <<'PY'
import numpy as np, pandas as pd
levels = np.array([[5.5, 0.25, 3, 1], [2.5, np.nan, 0, 4], [1.75, 2, np.nan, 0.5],
                   [3, 6, 1.25, 0], [2, 2.5, 1, 4.5], [0.75, 3, 0, 2]])
genes = ["TP53", "BRCA1", "MYC", "EGFR", "KRAS", "PTEN"]
pd.DataFrame(levels, index=pd.Index(genes, name="gene"), columns=["2019", "2020", "2021", "2022"]).to_csv(
    "pandas-empty-fields.csv")
counts = np.array([[5, 0, 3, 1], [2, 7, 0, 4], [1, 2, 9, 0], [3, 6, 1, 0], [2, 2, 1, 4], [0, 3, 0, 2]])
frame = pd.DataFrame(counts + 0.5, columns=["s1", "s2", "s3", "s4"])
frame.insert(0, "entrez_id", [7157, 672, 4609, 1956, 3845, 5728])
frame.to_csv("entrez-ids.csv", index=False)
np.save("counts-int64.npy", counts.astype(np.int64))
np.save("counts-uint16.npy", counts.astype(np.uint16))
PY
