"""Speedup of the zero-skipping convolutions over oneDNN against the zero
fraction of the scanned operand, from the conv benchmark's CSV: one panel
per layer, a line per (pass, oneDNN peer), with the break-even (1x) line;
the ReLU-pattern points are drawn at their measured zero fraction.

    /usr/bin/python3 benchmarks/plot_conv.py [--csv results/conv.csv]
                                             [--out docs/conv_speedup.png] [--threads 1]
"""

import argparse
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PASSES = {"fwd": "C0", "bwd_data": "C1", "bwd_weights": "C2"}
PEERS = {"onednn-direct": ("o-", "direct"), "onednn-auto": ("s--", "auto")}


def load(path, threads):
    """Our rows (default max_density) of `threads` threads."""
    with open(path, newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["candidate"] == "ours" and int(r["threads"]) == threads]
    return rows


def plot(rows, out, threads):
    layers = list(dict.fromkeys(r["layer"] for r in rows))
    if not layers:
        raise SystemExit(f"no {threads}-thread rows to plot")
    cols = min(4, len(layers))
    nrows = (len(layers) + cols - 1) // cols
    fig, axes = plt.subplots(nrows, cols, squeeze=False, figsize=(4 * cols, 3.2 * nrows))
    for i, layer in enumerate(layers):
        ax = axes[i // cols][i % cols]
        for conv_pass, color in PASSES.items():
            sel = [r for r in rows if r["layer"] == layer and r["conv_pass"] == conv_pass]
            for peer, (style, label) in PEERS.items():
                key = f"x_{peer}"
                iid = sorted((float(r["zeros"]), float(r[key])) for r in sel
                             if r["zeros"] != "relu" and r.get(key) not in ("", "nan", None))
                if iid:
                    ax.plot(*zip(*iid), style, color=color, label=f"{conv_pass} vs {label}", ms=4)
                relu = [(float(r["actual_zeros"]), float(r[key])) for r in sel
                        if r["zeros"] == "relu" and r.get(key) not in ("", "nan", None)]
                if relu:
                    ax.plot(*zip(*relu), "*", color=color, ms=9)
        ax.axhline(1.0, color="k", lw=0.6)
        ax.set_yscale("log")
        ax.set_title(layer, fontsize=9)
        ax.set_xlabel("zero fraction of the scanned operand")
        ax.set_ylabel("speedup over oneDNN")
    for j in range(len(layers), nrows * cols):
        axes[j // cols][j % cols].axis("off")
    axes[0][0].legend(fontsize=6)
    fig.suptitle(f"conv2d_zero_skip and gradients, fp32, {threads} thread(s): speedup over oneDNN "
                 "(stars: ReLU pattern)")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    print(f"wrote {out}")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--csv", default=os.path.join(HERE, "results", "conv.csv"))
    p.add_argument("--out", default=os.path.join(os.path.dirname(HERE), "docs", "conv_speedup.png"))
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args(argv)
    plot(load(args.csv, args.threads), args.out, args.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
