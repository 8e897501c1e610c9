"""The digits example trains both runs end to end through sparse_train, and
the sparse run's best test accuracy is within 1.5 points of the dense run's
(docs/Python.md lists the gaps measured over six seeds)."""

import os
import re
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def test_digits_example_trains_dense_and_sparse():
    out = subprocess.run([sys.executable, os.path.join(ROOT, "examples", "train_mlp_digits.py"),
                          "--epochs", "12", "--seed", "0"],
                         capture_output=True, text=True, check=True, timeout=300).stdout
    assert "== dense ==" in out and "== sparse:" in out
    kept = re.findall(r"saved for weight gradients\s+(\d+) B of (\d+) B", out)
    assert kept and int(kept[-1][0]) < 0.4 * int(kept[-1][1])
    m = re.search(r"dense ([\d.]+) %, sparse ([\d.]+) %: gap ([+-][\d.]+)", out)
    dense, sparse, gap = map(float, m.groups())
    assert dense > 94.0 and sparse > 92.0
    assert gap <= 1.5, out
