#!/usr/bin/env python3
"""Runs mlir-opt with the sparse_train plugin on every file of a directory of
malformed inputs; each must exit with 1 and print `file:line:col: error:`."""

import os
import re
import subprocess
import sys


def main():
    mlir_opt, plugin, directory = sys.argv[1:4]
    files = sorted(f for f in os.listdir(directory) if f.endswith(".mlir"))
    bad = 0
    for name in files:
        proc = subprocess.run(
            [mlir_opt, f"--load-dialect-plugin={plugin}",
             os.path.join(directory, name), "-o", os.devnull],
            capture_output=True, text=True)
        located = re.search(re.escape(name) + r":\d+:\d+: error: ", proc.stderr)
        if proc.returncode != 1 or not located:
            bad += 1
            print(f"{name}: exit {proc.returncode}\n{proc.stderr}")
    if bad:
        print(f"{bad} of {len(files)} malformed inputs not rejected properly")
        return 1
    print(f"all {len(files)} malformed inputs rejected with a located error")
    return 0


if __name__ == "__main__":
    sys.exit(main())
