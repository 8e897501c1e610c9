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
  extract_ptx.py spills OPT ARCH IN... compile each IN with `OPT
                                   --sparse-train-to-nvvm="chip=ARCH
                                   format=isa"`, assemble every kernel
                                   module with ptxas -v and print, per
                                   file, the modules and their spill
                                   bytes, then the number of modules
                                   that spill; exits non-zero if a
                                   compile or ptxas fails

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


def assemble(ptxas, arch, path, tmp):
    """[(module, ptxas -v output, return code)] for the modules of `path`."""
    reports = []
    for name, ptx in modules(path):
        source = os.path.join(tmp, name + ".ptx")
        with open(source, "w") as out:
            out.write(ptx)
        result = subprocess.run(
            [ptxas, "-v", "-arch=" + arch, source, "-o",
             os.path.join(tmp, name + ".cubin")],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            universal_newlines=True)
        reports.append((name, result.stdout.replace(tmp + "/", ""),
                        result.returncode))
    return reports


def spills(opt, arch, paths):
    ptxas = find_ptxas()
    failed, spilling = False, 0
    with tempfile.TemporaryDirectory() as tmp:
        for path in paths:
            out = os.path.join(tmp, "gpu.mlir")
            result = subprocess.run(
                [opt, path, '--sparse-train-to-nvvm=chip=%s format=isa' % arch,
                 "-o", out], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                universal_newlines=True)
            if result.returncode:
                print("%s %s: compile failed\n%s" % (path, arch, result.stdout))
                failed = True
                continue
            reports = assemble(ptxas, arch, out, tmp)
            total = 0
            for name, report, code in reports:
                found = [int(a) + int(b) for a, b in re.findall(
                    r"(\d+) bytes spill stores, (\d+) bytes spill loads", report)]
                if code or not found:
                    print("%s %s: ptxas failed on %s\n%s" % (path, arch, name, report))
                    failed = True
                total += sum(found)
                spilling += 1 if sum(found) else 0
            print("%s %s: %d kernel modules, spill bytes: %d"
                  % (os.path.basename(path), arch, len(reports), total))
    print("%d files, %d kernel modules with spills" % (len(paths), spilling))
    sys.exit(1 if failed else 0)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "print":
        for name, ptx in modules(sys.argv[2]):
            print("// kernel: " + name)
            print(ptx)
        return
    if len(sys.argv) == 4 and sys.argv[1] == "ptxas":
        failed = False
        with tempfile.TemporaryDirectory() as tmp:
            for name, report, code in assemble(find_ptxas(), sys.argv[2],
                                               sys.argv[3], tmp):
                print("// kernel: " + name)
                print(report)
                failed = failed or code != 0
        sys.exit(1 if failed else 0)
    if len(sys.argv) >= 5 and sys.argv[1] == "spills":
        spills(sys.argv[2], sys.argv[3], sys.argv[4:])
    sys.exit(__doc__)


if __name__ == "__main__":
    main()
