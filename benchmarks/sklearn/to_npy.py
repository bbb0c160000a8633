"""Writes a headerless numeric CSV as float64 and float32 .npy files: CSV OUT_PREFIX."""
import sys

import numpy as np

v = np.loadtxt(sys.argv[1], delimiter=",", dtype=np.float64)
np.save(sys.argv[2] + ".f64.npy", v)
np.save(sys.argv[2] + ".f32.npy", v.astype(np.float32))
