#!/usr/bin/env python3
"""Runs every test tier of sparse_train and ends with one summary line,
`N passed, N failed` (plus `, N skipped` when tests were skipped), which is
what `make check` and CI read.

Tiers: the lit suite (IR, conversion, execution, differential, C API,
plugin, unit and example tests), then the pytest suite of the Python package
(python_bindings/tests) when the package was built. Each tier's own summary
is printed above the line.
"""

import argparse
import glob
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
LIT = "/usr/lib/llvm-22/bin/lit"
PYTHON = "/usr/bin/python3"


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


def run_pytest(build_dir):
    """Runs the Python package's tests; returns (passed, failed, skipped),
    or None when the package was not built."""
    package = os.path.join(os.path.abspath(build_dir), "python_packages")
    if not glob.glob(os.path.join(package, "sparse_train", "_sparse_train*.so")):
        print("pytest tier: the Python package was not built, skipped")
        return None
    env = dict(os.environ, PYTHONPATH=package)
    proc = subprocess.run(
        [PYTHON, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         os.path.join(ROOT, "python_bindings", "tests")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    sys.stdout.write(proc.stdout)
    counts = {}
    for number, word in re.findall(r"(\d+) (passed|failed|skipped|errors?)",
                                   proc.stdout.splitlines()[-1] if proc.stdout else ""):
        counts[word.rstrip("s") if word.startswith("error") else word] = int(number)
    failed = counts.get("failed", 0) + counts.get("error", 0)
    if proc.returncode not in (0, 5) and not failed:
        failed = 1  # pytest itself failed (collection, usage)
    return counts.get("passed", 0), failed, counts.get("skipped", 0)


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
    if args.lit_dir is None:
        python = run_pytest(args.build_dir)
        if python is not None:
            passed += python[0]
            failed += python[1]
            skipped += python[2]
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
