#!/usr/bin/env python3
"""What `make run` does: verify the bundled training step with
sparse-train-opt, print the verified IR, and list the sparse_train ops it
uses.

Lowering and execution are not part of the project yet; when the reference
lowering exists this script compiles and runs the step instead.
"""

import argparse
import collections
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build-dir", default=os.path.join(HERE, "..", "build"))
    parser.add_argument("--example", default=os.path.join(HERE, "training_step.mlir"))
    args = parser.parse_args()

    opt = os.path.join(args.build_dir, "bin", "sparse-train-opt")
    result = subprocess.run([opt, args.example], capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        print(f"sparse-train-opt rejected {args.example}")
        return 1

    print(f"== {os.path.relpath(args.example)}: verified IR ==")
    print(result.stdout)

    ops = collections.Counter(re.findall(r"(?:=|^)\s*sparse_train\.(\w+)", result.stdout, re.M))
    funcs = re.findall(r"func\.func @(\w+)", result.stdout)
    print(f"== sparse_train ops in {len(funcs)} functions ({', '.join(funcs)}) ==")
    for name, count in sorted(ops.items()):
        print(f"  sparse_train.{name:<34} x{count}")
    print(f"  {sum(ops.values())} sparse_train ops in total")
    return 0


if __name__ == "__main__":
    sys.exit(main())
