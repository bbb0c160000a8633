#!/usr/bin/env python3
"""The reference for jnmf's GPU MU timing: a plain PyTorch float32 loop of the same multiplicative updates.

Same sizes, same V construction (V = W0·H0 on the device, W0, H0 uniform with k0 = min(32, k)), same update
order as org.jnmf.Nmf (W step, then H step, Gram matrices first: W ← W ⊙ (V·Hᵀ) ⊘ (W·(H·Hᵀ)),
H ← H ⊙ (Wᵀ·V) ⊘ ((Wᵀ·W)·H), a zero denominator replaced by float32 epsilon), no TF32, and the same timing
method (wall clock between synchronisations over the timed iterations after warm-up). Reads the jnmf
MU times written by GpuBenchmark --tsv and prints both with their ratio as a markdown table.

Usage: torch_mu.py [--smoke] [--java-tsv FILE] [--budget SECONDS]
"""
import argparse
import sys
import time


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--smoke", action="store_true", help="tiny sizes; runs on the CPU when there is no GPU")
    p.add_argument("--java-tsv", help="GpuBenchmark --tsv output: n, k, MU ms, HALS ms, floor ms")
    p.add_argument("--budget", type=float, default=60.0, help="seconds; later sizes are skipped after it")
    a = p.parse_args()

    java = {}
    if a.java_tsv:
        try:
            with open(a.java_tsv) as f:
                for line in f:
                    parts = line.split("\t")
                    if len(parts) >= 3:
                        java[(int(parts[0]), int(parts[1]))] = float(parts[2])
        except OSError as e:
            print(f"(no jnmf times: {e})")

    print("## PyTorch float32 MU loop (no TF32, Gram matrices first) vs jnmf cuda MU")
    print()
    try:
        import torch
    except ImportError:
        print("torch is not installed: PyTorch comparison skipped")
        return 0
    if torch.cuda.is_available():
        device = "cuda"
    elif a.smoke:
        device = "cpu"
    else:
        print("torch sees no GPU: PyTorch comparison skipped")
        return 0
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.set_float32_matmul_precision("highest")
    name = torch.cuda.get_device_name(0) if device == "cuda" else "cpu"
    print(f"torch {torch.__version__}, device {name}")
    print()
    print("| n | k | torch MU ms/iter | jnmf MU ms/iter | jnmf / torch |")
    print("|---:|---:|---:|---:|---:|")

    sizes = [48, 96] if a.smoke else [8192, 20000, 40000]
    ranks = [4, 8] if a.smoke else [64, 256]
    warmup, timed = (1, 2) if a.smoke else (2, 10)
    eps = 2.0 ** -23  # float32 machine epsilon, jnmf's Backend.DIVISION_GUARD
    deadline = time.perf_counter() + a.budget

    def sync():
        if device == "cuda":
            torch.cuda.synchronize()

    for n in sizes:
        for k in ranks:
            if time.perf_counter() > deadline:
                print(f"| {n} | {k} | skipped: time budget | | |")
                continue
            g = torch.Generator(device=device).manual_seed(n * 31 + k)
            k0 = min(32, k)
            w0 = torch.rand(n, k0, device=device, generator=g)
            h0 = torch.rand(k0, n, device=device, generator=g)
            v = w0 @ h0
            del w0, h0
            w = torch.rand(n, k, device=device, generator=g)
            h = torch.rand(k, n, device=device, generator=g)
            hht = h @ h.T
            t0 = 0.0
            for i in range(warmup + timed):
                if i == warmup:
                    sync()
                    t0 = time.perf_counter()
                den = w @ hht
                den.masked_fill_(den == 0, eps)
                w.mul_((v @ h.T).div_(den))
                wtw = w.T @ w
                den = wtw @ h
                den.masked_fill_(den == 0, eps)
                h.mul_((w.T @ v).div_(den))
                hht = h @ h.T
            sync()
            ms = (time.perf_counter() - t0) / timed * 1e3
            j = java.get((n, k))
            js = f"{j:.3f}" if j is not None else "–"
            ratio = f"{j / ms:.2f}" if j is not None else "–"
            print(f"| {n} | {k} | {ms:.3f} | {js} | {ratio} |")
            del v, w, h, hht, den, wtw
            if device == "cuda":
                torch.cuda.empty_cache()
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
