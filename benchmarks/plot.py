"""Speedup over the best dense GEMM peer against block density, from the
BSR benchmark's CSV: one panel per (shape, product form) and block size,
a line per BSR candidate (ours, libxsmm, the MLIR sparsifier), with the
ideal 1/density and break-even (1x) for reference.

    /usr/bin/python3 benchmarks/plot.py [--csv results/bsr.csv]
                                        [--out docs/bsr_speedup.png] [--threads 1]
"""

import argparse
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter, NullFormatter  # noqa: E402

_PLAIN = FuncFormatter(lambda v, _: f"{v:g}")
_YTICKS = [0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50]

HERE = os.path.dirname(os.path.abspath(__file__))
CANDIDATES = [("ours", "o-", "sparse_train"), ("libxsmm", "s--", "libxsmm BRGEMM"),
              ("sparsifier", "^:", "MLIR sparsifier")]
FORMS = {"fwd": "Y = X^ W", "wgrad": "dW = X^T dY"}


def load(path, threads):
    """The fwd/wgrad rows of `threads` threads with a finite speedup."""
    with open(path, newline="") as f:
        rows = [r for r in csv.DictReader(f)
                if r["form"] in FORMS and int(r["threads"]) == threads and r["x_dense"] not in ("", "nan")]
    for r in rows:
        r["density"], r["x_dense"], r["block"] = float(r["density"]), float(r["x_dense"]), int(r["block"])
    return rows


def plot(rows, out, threads):
    panels = sorted({(r["shape"], r["form"]) for r in rows})
    blocks = sorted({r["block"] for r in rows})
    if not panels:
        raise SystemExit(f"no {threads}-thread fwd/wgrad rows to plot")
    fig, axes = plt.subplots(len(panels), len(blocks), squeeze=False, sharex=True,
                             figsize=(4 * len(blocks), 3.2 * len(panels)))
    for i, (shape, form) in enumerate(panels):
        for j, b in enumerate(blocks):
            ax = axes[i][j]
            sel = [r for r in rows if (r["shape"], r["form"], r["block"]) == (shape, form, b)]
            densities = sorted({r["density"] for r in sel})
            for cand, style, label in CANDIDATES:
                pts = sorted((r["density"], r["x_dense"]) for r in sel if r["candidate"] == cand)
                if pts:
                    ax.plot(*zip(*pts), style, label=label)
            if densities:
                ax.plot(densities, [1 / d for d in densities], color="0.6", lw=0.8, label="ideal 1/density")
            ax.axhline(1.0, color="k", lw=0.6)
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xticks(densities)
            ax.xaxis.set_major_formatter(_PLAIN)
            ax.xaxis.set_minor_formatter(NullFormatter())
            ax.set_yticks([t for t in _YTICKS if ax.get_ylim()[0] <= t <= ax.get_ylim()[1]])
            ax.yaxis.set_major_formatter(_PLAIN)
            ax.yaxis.set_minor_formatter(NullFormatter())
            ax.set_title(f"{shape} {FORMS[form]}, b={b}", fontsize=9)
            if i == len(panels) - 1:
                ax.set_xlabel("block density")
            if j == 0:
                ax.set_ylabel("speedup vs best dense peer")
    axes[0][0].legend(fontsize=7)
    fig.suptitle(f"BSR x dense, fp32, {threads} thread(s): speedup over OpenBLAS/oneDNN dense")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    print(f"wrote {out}")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--csv", default=os.path.join(HERE, "results", "bsr.csv"))
    p.add_argument("--out", default=os.path.join(os.path.dirname(HERE), "docs", "bsr_speedup.png"))
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args(argv)
    plot(load(args.csv, args.threads), args.out, args.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
