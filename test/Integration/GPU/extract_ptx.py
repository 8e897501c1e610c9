#!/usr/bin/env python3
"""The PTX of every gpu.binary in MLIR text (sparse-train-to-nvvm with
format=isa), one kernel module at a time:

  extract_ptx.py print IN          print each module's PTX after a line
                                   '// kernel: <binary name>'
  extract_ptx.py ptxas ARCH IN     assemble each module with `ptxas -v
                                   -arch=ARCH` and print its resource report
                                   after the same line (ptxas from
                                   $CUDA_HOME/bin, else PATH); exits non-zero
                                   if ptxas fails on one

Used by the GPU tests and by docs/GPU.md's resource table."""

import os
import re
import shutil
import subprocess
import sys
import tempfile


def modules(path):
    text = open(path).read()
    found = []
    for match in re.finditer(
            r'gpu\.binary @(\w+)\s+\[#gpu\.object<.*?assembly = "((?:[^"\\]|\\.)*)"',
            text, re.S):
        ptx = re.sub(r"\\([0-9A-Fa-f]{2})",
                     lambda m: chr(int(m.group(1), 16)), match.group(2))
        found.append((match.group(1), ptx))
    if not found:
        sys.exit("extract_ptx.py: no gpu.binary with PTX assembly in " + path)
    return found


def find_ptxas():
    home = os.environ.get("CUDA_HOME")
    if home and os.path.isfile(os.path.join(home, "bin", "ptxas")):
        return os.path.join(home, "bin", "ptxas")
    found = shutil.which("ptxas")
    if not found:
        sys.exit("extract_ptx.py: ptxas not found (set CUDA_HOME)")
    return found


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "print":
        for name, ptx in modules(sys.argv[2]):
            print("// kernel: " + name)
            print(ptx)
        return
    if len(sys.argv) == 4 and sys.argv[1] == "ptxas":
        ptxas, arch = find_ptxas(), sys.argv[2]
        failed = False
        with tempfile.TemporaryDirectory() as tmp:
            for name, ptx in modules(sys.argv[3]):
                source = os.path.join(tmp, name + ".ptx")
                with open(source, "w") as out:
                    out.write(ptx)
                result = subprocess.run(
                    [ptxas, "-v", "-arch=" + arch, source, "-o",
                     os.path.join(tmp, name + ".cubin")],
                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                    universal_newlines=True)
                print("// kernel: " + name)
                print(result.stdout.replace(tmp + "/", ""))
                failed = failed or result.returncode != 0
        sys.exit(1 if failed else 0)
    sys.exit(__doc__)


if __name__ == "__main__":
    main()
