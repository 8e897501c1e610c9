#!/usr/bin/env python3
"""Runs every test tier of sparse_train and ends with one summary line,
`N passed, N failed` (plus `, N skipped` when tests were skipped), which is
what `make check` and CI read.

Tiers: the lit suite (IR, C API, plugin, unit and, as they appear, execution
and GPU tests). Lit's own summary is printed above the line.
"""

import argparse
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LIT = "/usr/lib/llvm-22/bin/lit"


def run_lit(test_dir, jobs, extra):
    """Runs lit on `test_dir`; returns its counts."""
    cmd = [sys.executable, LIT, "-sv", "--no-progress-bar", f"-j{jobs}",
           test_dir] + extra
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)
    sys.stdout.write(proc.stdout)
    counts = {}
    for line in proc.stdout.splitlines():
        m = re.match(r"\s*(Passed|Failed|Unsupported|Expectedly Failed|"
                     r"Unexpectedly Passed|Unresolved|Timed Out|Skipped|"
                     r"Excluded)\s*:\s*(\d+)", line)
        if m:
            counts[m.group(1)] = int(m.group(2))
    if proc.returncode != 0 and not counts.get("Failed") and \
            not counts.get("Unresolved"):
        # lit itself failed (bad configuration): count it as one failure.
        counts["Failed"] = 1
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build-dir", default="build")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--lit-dir", help="lit suite to run (default: "
                        "<build-dir>/test)")
    parser.add_argument("lit_args", nargs="*")
    args = parser.parse_args()

    counts = run_lit(args.lit_dir or os.path.join(args.build_dir, "test"),
                     args.jobs, args.lit_args)
    passed = counts.get("Passed", 0) + counts.get("Expectedly Failed", 0)
    failed = (counts.get("Failed", 0) + counts.get("Unexpectedly Passed", 0) +
              counts.get("Unresolved", 0) + counts.get("Timed Out", 0))
    skipped = counts.get("Unsupported", 0) + counts.get("Skipped", 0)
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
