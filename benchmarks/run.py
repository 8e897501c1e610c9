"""One entry point for the benchmark suite (docs/Performance.md).

    /usr/bin/python3 benchmarks/run.py [--quick] [--only bsr|min_k|slice|conv]
                                       [--threads 1,2] [--build-dir build]
                                       [--skip-setup]

1. Set-up: installs the peers' missing Debian packages (deps.py).
2. Runs each benchmark script (each runs one pinned child process per
   thread count) and writes benchmarks/results/<name>[_quick].{csv,md,json}.
3. Plots the BSR and convolution speedups: docs/{bsr,conv}_speedup.png
   after a full run, benchmarks/results/*_speedup_quick.png after --quick.

--quick runs small shapes with 3 repetitions: it validates the scripts,
its numbers are noise. `make bench` runs this after building.
"""

import argparse
import os
import subprocess
import sys

import deps

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
PYTHON = "/usr/bin/python3"
BENCHMARKS = {"bsr": "bench_bsr.py", "min_k": "bench_min_k.py", "slice": "bench_slice.py",
              "conv": "bench_conv.py"}


def parse(argv):
    p = argparse.ArgumentParser(description="run the sparse_train benchmark suite")
    p.add_argument("--quick", action="store_true", help="small shapes, few repetitions (validation only)")
    p.add_argument("--only", choices=sorted(BENCHMARKS), action="append",
                   help="run only this benchmark (repeatable)")
    p.add_argument("--threads", default="1,2", help="thread counts (default 1,2)")
    p.add_argument("--build-dir", default=os.path.join(REPO, "build"),
                   help="the build holding bin/sparse-train-opt and lib/libsparse_train_runtime.so")
    p.add_argument("--skip-setup", action="store_true", help="do not install missing peer packages")
    p.add_argument("--openblas-coretype", metavar="CORE",
                   help="passed to each benchmark (common.py): force OpenBLAS's AVX-512 "
                        "kernels on a host its autodetection does not know")
    return p.parse_args(argv)


def run_benchmark(script, args, env):
    cmd = [PYTHON, os.path.join(HERE, script), "--threads", args.threads] + (["--quick"] if args.quick else [])
    if args.openblas_coretype:
        cmd += ["--openblas-coretype", args.openblas_coretype]
    print(f"\n##### {' '.join(cmd)}", flush=True)
    return subprocess.run(cmd, env=env).returncode


def plot(name, quick, threads, env):
    """The speedup plot of benchmark `name` (bsr or conv): docs/<name>_speedup.png
    after a full run, results/<name>_speedup_quick.png after --quick."""
    script = {"bsr": "plot.py", "conv": "plot_conv.py"}[name]
    suffix = "_quick" if quick else ""
    csv = os.path.join(HERE, "results", f"{name}{suffix}.csv")
    out = (os.path.join(HERE, "results", f"{name}_speedup_quick.png") if quick
           else os.path.join(REPO, "docs", f"{name}_speedup.png"))
    return subprocess.run([PYTHON, os.path.join(HERE, script), "--csv", csv, "--out", out,
                           "--threads", threads], env=env).returncode


def main(argv=None):
    args = parse(sys.argv[1:] if argv is None else argv)
    if not args.skip_setup:
        deps.ensure_packages()
    opt = os.path.join(os.path.abspath(args.build_dir), "bin", "sparse-train-opt")
    if not os.path.exists(opt):
        print(f"{opt} is missing: build the project first (make build)", file=sys.stderr)
        return 1
    env = dict(os.environ, SPARSE_TRAIN_OPT=opt)
    failed = []
    for name in args.only or list(BENCHMARKS):
        if run_benchmark(BENCHMARKS[name], args, env):
            failed.append(name)
    for name in ("bsr", "conv"):
        if (name in (args.only or BENCHMARKS) and name not in failed
                and plot(name, args.quick, args.threads.split(",")[0], env)):
            failed.append(f"plot {name}")
    print(f"\nbenchmarks failed: {', '.join(failed)}" if failed else "\nall benchmarks done", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
