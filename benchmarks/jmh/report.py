"""Turns JMH's JSON and FitAccuracy's lines into the markdown tables run.sh stores. Arguments:
JMH_JSON ACCURACY_TSV BACKENDS(comma-separated, first = reference) N(iterations of the accuracy fits)."""
import json
import sys
from collections import defaultdict


def flops(product):
    op, shape = product.split(":")
    n, m, k = (int(x) for x in shape.replace("×", "x").split("x"))
    return 2.0 * n ** 3 if op == "square" else 2.0 * n * m * k


def main():
    results = json.load(open(sys.argv[1]))
    backends = sys.argv[3].split(",")
    reference = backends[0]
    accuracy = {}
    for line in open(sys.argv[2]):
        fields = line.rstrip("\n").split("\t")
        if len(fields) != 6:
            continue
        b, p, a, shape, _, err = fields
        accuracy[(b, p, a)] = float(err)

    products = defaultdict(dict)
    fits = defaultdict(dict)
    for r in results:
        params = r["params"]
        ms = r["primaryMetric"]["score"]
        if r["benchmark"].endswith("ProductBenchmark.product"):
            products[(params["product"], params["precision"])][params["backend"]] = flops(params["product"]) / ms / 1e6
        elif r["benchmark"].endswith("FitBenchmark.fit"):
            key = (params["shape"], params["precision"], params["algorithm"])
            fits[key].setdefault(params["backend"], {})[int(params["iterations"])] = ms

    others = [b for b in backends if b != reference]
    if products:
        print(f"## Products: GFLOP/s (reference: {reference})\n")
        print("| " + " | ".join(["product", "precision"] + backends + [f"{b}/{reference}" for b in others]) + " |")
        print("|---|---|" + "---|" * (len(backends) + len(others)))
        for (product, precision), g in sorted(products.items()):
            cells = [f"{g[b]:.1f}" if b in g else "–" for b in backends]
            ratios = [f"{g[b] / g[reference]:.2f}" if b in g and reference in g else "–" for b in others]
            print(f"| {product} | {precision} | " + " | ".join(cells + ratios) + " |")
        print()
    if fits:
        print(f"## Fits: ms/iteration = (t(2N) − t(N)) / N, best-of-run averages; relative error after {sys.argv[4]} iterations\n")
        print("| " + " | ".join(["shape", "precision", "algorithm"] + [f"{b} ms/iter" for b in backends]
                                + [f"{b}/{reference} time" for b in others]
                                + [f"{b} rel. error" for b in backends]) + " |")
        print("|---|---|---|" + "---|" * (2 * len(backends) + len(others)))
        for (shape, precision, algorithm), per in sorted(fits.items()):
            ms = {}
            for b, t in per.items():
                if len(t) == 2:
                    n1, n2 = sorted(t)
                    ms[b] = (t[n2] - t[n1]) / (n2 - n1)
            cells = [f"{ms[b]:.2f}" if b in ms else "–" for b in backends]
            ratios = [f"{ms[b] / ms[reference]:.2f}" if b in ms and reference in ms else "–" for b in others]
            errors = [f"{accuracy[(b, precision, algorithm)]:.6f}" if (b, precision, algorithm) in accuracy else "–"
                      for b in backends]
            print(f"| {shape} | {precision} | {algorithm} | " + " | ".join(cells + ratios + errors) + " |")


if __name__ == "__main__":
    main()
