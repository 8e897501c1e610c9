"""The measurement protocol shared by every benchmark (docs/Performance.md).

* Candidates (our compiled function and its peers) run **interleaved in one
  process**: each round runs every candidate once, in a round-robin order
  that starts one candidate later at each round; the warm-up rounds (2
  calls per candidate, the checked first call included) are followed by at
  least 7 timed rounds in full runs.
* Reported per candidate: the median and the interquartile range; between
  two candidates: the ratio of the medians and the median of the
  per-repetition ratios (robust to background load that hits one
  repetition).
* Every candidate's first result is checked against numpy before any
  timing; a mismatch stops the run.
* Outputs are pre-faulted: peers write into arrays whose pages are mapped;
  our functions return buffers they allocate, which are freed after each
  call outside the timed region, and malloc is told never to use mmap or to
  trim (MALLOC_MMAP_MAX_=0, MALLOC_TRIM_THRESHOLD_), so the next call gets
  the same, already mapped, memory. Minor page faults per call are logged
  to show it.
* Each thread count runs in its own child process, pinned with taskset
  (`-c 0` for 1 thread, `-c 0,1` for 2), with OMP_NUM_THREADS and
  OPENBLAS_NUM_THREADS set and OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset;
  with more than one thread, OpenMP threads sleep when idle (see
  `_child_env`) and each pool's threads are bound one per core after the
  candidates' first calls (`_spread_threads`).
  The parent merges the children's rows into CSV and markdown under
  benchmarks/results/.

A benchmark script defines a `Benchmark` and calls `main()`.
"""

import argparse
import atexit
import csv
import ctypes
import datetime
import functools
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
RESULTS = os.path.join(HERE, "results")
PYTHON = "/usr/bin/python3"
LLVM = "/usr/lib/llvm-22"
DEFAULT_OPT = os.path.join(REPO, "build", "bin", "sparse-train-opt")

sys.path.insert(0, os.path.join(REPO, "test", "Differential"))
import harness  # noqa: E402  (compile_module, and _memref through it)
import reference  # noqa: E402,F401  (the numpy oracle, for the benchmarks)
from cases_common import ttype  # noqa: E402,F401
from _memref import (from_descriptor, result_descriptors,  # noqa: E402
                     results_type, to_descriptor)

#: Upstream sparsifier options of the BSR peer (peers.md section 3.3).
SPARSIFIER = ("--sparsifier=enable-runtime-library=false enable-buffer-initialization=true "
              "vl=16 reassociate-fp-reductions=true enable-index-optimizations=true")
#: Pointer value MLIR uses for buffers it did not allocate (constants).
_NOT_ALLOCATED = 0xDEADBEEF
_libc = ctypes.CDLL(None)
_libc.free.argtypes = [ctypes.c_void_p]


class BenchmarkError(RuntimeError):
    """A wrong result or a broken set-up: the run is void."""


# --- compiling MLIR ------------------------------------------------------------

def opt_path():
    """sparse-train-opt: $SPARSE_TRAIN_OPT, else build/bin of this checkout."""
    return os.environ.get("SPARSE_TRAIN_OPT", DEFAULT_OPT)


@functools.lru_cache(maxsize=None)
def pipeline_options(opt):
    """Names of the options `sparse-train-to-cpu` accepts, read from the
    pipeline's own section of `opt --help` (upstream passes have a
    `num-threads` option too, so the whole text would not do)."""
    text = subprocess.run([opt, "--help"], capture_output=True, text=True, check=True).stdout
    names, inside = set(), False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("--sparse-train-to-cpu "):
            inside, indent = True, len(line) - len(line.lstrip())
            continue
        if inside:
            depth = len(line) - len(line.lstrip())
            if stripped.startswith("--") and depth <= indent:
                break
            if stripped.startswith("--"):
                names.add(stripped[2:].split("=")[0].split()[0])
    return names


def our_pipeline(threads):
    """The `--sparse-train-to-cpu=...` argument for `threads` threads;
    `num-threads` is passed only where the pipeline has that option."""
    options = ["kernels=cpu", "vector-bits=512", "x86-compress=true"]
    if "num-threads" in pipeline_options(opt_path()):
        options.append(f"num-threads={threads}")
    return "--sparse-train-to-cpu=" + " ".join(options)


def _load_openmp():
    """Makes LLVM's OpenMP runtime visible to every later dlopen, for
    kernels compiled with num-threads whose .so does not name libomp."""
    ctypes.CDLL(os.path.join(LLVM, "lib", "libomp.so"), mode=ctypes.RTLD_GLOBAL)


@functools.lru_cache(maxsize=None)
def _work_base():
    """This process's directory of compiled modules, removed at exit unless
    SPARSE_TRAIN_BENCH_KEEP is set (to inspect the generated code)."""
    base = tempfile.mkdtemp(prefix="sparse-train-bench-")
    if not os.environ.get("SPARSE_TRAIN_BENCH_KEEP"):
        atexit.register(shutil.rmtree, base, ignore_errors=True)
    return base


def _workdir(tag):
    return tempfile.mkdtemp(prefix=f"{tag}-", dir=_work_base())


@functools.lru_cache(maxsize=None)
def compile_ours(ir, threads, tag="ours"):
    """Our pipeline (sparse-train-to-cpu, then test/Differential/harness.py's
    mlir-translate / llc / cc steps); returns the loaded library."""
    pipeline = our_pipeline(threads)
    if "num-threads" in pipeline:
        _load_openmp()
    try:
        return harness.compile_module(ir, opt_path(), _workdir(tag), pipeline)
    except RuntimeError as e:
        raise BenchmarkError(f"our pipeline failed on {tag}:\n{e}") from None


@functools.lru_cache(maxsize=None)
def compile_sparsifier(ir, tag="sparsifier"):
    """The upstream sparsifier peer: stock mlir-opt with SPARSIFIER to the
    LLVM dialect, then the same backend steps as our code (the harness
    re-runs sparse-train-opt on the LLVM dialect with a no-op canonicalize,
    then mlir-translate / llc / cc)."""
    work = _workdir(tag)
    src, lowered = os.path.join(work, "peer.mlir"), os.path.join(work, "peer.llvm.mlir")
    with open(src, "w") as f:
        f.write(ir)
    done = subprocess.run([os.path.join(LLVM, "bin", "mlir-opt"), src, SPARSIFIER, "-o", lowered],
                          capture_output=True, text=True)
    if done.returncode:
        raise BenchmarkError(f"mlir-opt {SPARSIFIER} failed on {tag}:\n{done.stderr}")
    with open(lowered) as f:
        llvm_dialect = f.read()
    try:
        return harness.compile_module(llvm_dialect, opt_path(), work, "--canonicalize")
    except RuntimeError as e:
        raise BenchmarkError(f"the sparsifier peer's backend failed on {tag}:\n{e}") from None


def try_compile(compiler, *args):
    """compiler(*args), or the BenchmarkError (printed in full) as a value,
    so that one failing function makes its candidates n/a, not the run."""
    try:
        return compiler(*args)
    except BenchmarkError as e:
        print(e, file=sys.stderr, flush=True)
        return e


def mlir_func(name, params, results, body):
    """A public function with a C interface (what `Call` needs)."""
    return (f"func.func @{name}({', '.join(params)}) -> ({', '.join(results)}) "
            f"attributes {{llvm.emit_c_interface}} {{\n{body}\n}}")


class Call:
    """A compiled function called through its C interface
    (`llvm.emit_c_interface`) on fixed arguments: descriptors are built
    once, so a call does nothing but the call. The buffers it returns are
    freed by `release()` (not the arguments, not constants)."""

    def __init__(self, lib, name, args, results):
        self.symbol = getattr(lib, "_mlir_ciface_" + name)
        self.results = results  # [(rank, numpy dtype)]
        self._keep, self._args, self._inputs = [], [], set()
        for a in args:
            if isinstance(a, np.ndarray):
                assert a.flags.c_contiguous, "arguments must be row-major"
                desc = to_descriptor(a)
                self._keep += [a, desc]
                self._inputs.add(a.ctypes.data)
                self._args.append(ctypes.byref(desc))
            else:
                self._args.append(ctypes.c_int64(int(a)))
        self._out = None

    def __call__(self):
        self._out = results_type([rank for rank, _ in self.results])()
        self.symbol(ctypes.byref(self._out), *self._args)

    def outputs(self):
        """numpy copies of the last call's results."""
        descs = result_descriptors(self._out, len(self.results))
        return [from_descriptor(d, dtype) for d, (_, dtype) in zip(descs, self.results)]

    def release(self):
        """Frees the buffers the last call returned."""
        if self._out is None:
            return
        freed = set()
        for d in result_descriptors(self._out, len(self.results)):
            ptr = d.allocated
            if ptr and ptr not in freed and ptr not in self._inputs and ptr != _NOT_ALLOCATED:
                _libc.free(ptr)
                freed.add(ptr)
        self._out = None


def prefaulted(shape, dtype=np.float32):
    """An output array with every page mapped (np.zeros maps pages lazily,
    so the first write would time page faults)."""
    out = np.empty(shape, dtype=dtype)
    out.fill(0)
    return out


# --- correctness ----------------------------------------------------------------

def relative_error(got, expected):
    """max |got - expected| / max |expected| (inf on a shape mismatch)."""
    got, expected = np.asarray(got, np.float64), np.asarray(expected, np.float64)
    if got.shape != expected.shape:
        return float("inf")
    scale = np.max(np.abs(expected)) if expected.size else 0.0
    diff = np.max(np.abs(got - expected)) if expected.size else 0.0
    return float(diff / scale) if scale else float(diff)


def check_close(got, expected, tol=1e-5):
    """None when `got` is within `tol` of `expected` (relative_error),
    else the reason."""
    err = relative_error(got, expected)
    return None if err <= tol else f"relative error {err:.3g} > {tol:g}"


# --- the protocol ------------------------------------------------------------------

@dataclass
class Candidate:
    """One thing to time. `run` is the timed work; `release` (untimed) runs
    after every call; `check` (untimed) runs once after the first call and
    returns None or what is wrong with the result."""
    name: str
    run: Optional[Callable[[], object]]
    check: Optional[Callable[[], Optional[str]]] = None
    release: Callable[[], None] = lambda: None
    unavailable: str = ""  # why there is nothing to run (e.g. a compile error)

    @classmethod
    def missing(cls, name, reason):
        """A candidate that is reported as n/a with `reason`."""
        return cls(name, None, unavailable=reason)

    @classmethod
    def compiled(cls, name, lib, function, args, results, check):
        """`function` of a compiled library (or n/a when `lib` is the
        compile error of try_compile); check(outputs) validates it."""
        if isinstance(lib, Exception):
            lines = str(lib).splitlines()
            first = next((line.strip() for line in lines if "error:" in line), lines[0] if lines else "")
            return cls.missing(name, "compile failed: " + first)
        call = Call(lib, function, args, results)
        return cls(name, call, check=lambda: check(call.outputs()), release=call.release)


@dataclass
class Timing:
    """Times of one candidate in seconds, one per repetition (aligned with
    the other candidates' repetitions)."""
    name: str
    times: List[float] = field(default_factory=list)
    faults: List[int] = field(default_factory=list)
    status: str = "ok"

    @property
    def median(self):
        return float(np.median(self.times)) if self.times else float("nan")

    def summary(self):
        """Median, quartiles and IQR in ms, repetitions, page faults/call."""
        if not self.times:
            return {"status": self.status, "median_ms": float("nan"), "q25_ms": float("nan"),
                    "q75_ms": float("nan"), "iqr_ms": float("nan"), "reps": 0,
                    "faults_per_call": float("nan")}
        q25, med, q75 = np.percentile(np.array(self.times) * 1e3, [25, 50, 75])
        return {"status": self.status, "median_ms": med, "q25_ms": q25, "q75_ms": q75,
                "iqr_ms": q75 - q25, "reps": len(self.times),
                "faults_per_call": float(np.median(self.faults))}


def speedup(candidate, baseline):
    """How many times faster `candidate` is than `baseline`: the ratio of
    medians and the median of per-repetition ratios t_baseline / t_candidate."""
    if not candidate.times or not baseline.times:
        return float("nan"), float("nan")
    per_rep = np.array(baseline.times) / np.array(candidate.times)
    return baseline.median / candidate.median, float(np.median(per_rep))


def _minor_faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def _timed(candidate):
    faults = _minor_faults()
    start = time.perf_counter()
    candidate.run()
    elapsed = time.perf_counter() - start
    faults = _minor_faults() - faults
    candidate.release()
    return elapsed, faults


def _spread_threads():
    """Binds this thread to the first CPU of the process's affinity and
    every other thread of the process (the workers of each thread pool the
    candidates' first calls created: libomp's, libgomp's, OpenBLAS's) to
    the others in turn, so that each pool runs one thread per core. Unbound,
    a worker woken after the idle gap was often queued behind the master on
    its vCPU for milliseconds (docs/Performance.md, "Protocol"). Done here
    rather than with OMP_PROC_BIND because several OpenMP runtimes share
    the process: the first to start binds the master thread, and the next
    one then derives its places from that one-CPU mask. A pool created
    later starts on the master's CPU and is spread before it is timed."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return
    me = threading.get_native_id()
    others = sorted(int(t) for t in os.listdir("/proc/self/task") if int(t) != me)
    os.sched_setaffinity(me, {cpus[0]})
    for i, tid in enumerate(others):
        try:
            os.sched_setaffinity(tid, {cpus[1 + i % (len(cpus) - 1)]})
        except OSError:  # the thread has exited
            pass


@dataclass
class Protocol:
    """Repetition settings of one run."""
    reps: int = 7
    warmup: int = 2          # calls before timing, the checked first call included
    gap_s: float = 0.0       # idle time before each call (lets other runtimes' spinning workers sleep)
    max_call_s: float = 20.0  # a candidate slower than this in its first call is not repeated

    def measure(self, candidates: List[Candidate]) -> Dict[str, Timing]:
        """Checks each candidate's first call, then runs the warm-up and
        the timed repetitions interleaved (the same rounds, so the heap and
        caches reach their steady state before timing); returns a Timing
        per name. Raises BenchmarkError on a wrong result."""
        timings = {c.name: Timing(c.name) for c in candidates}
        active = [c for c in candidates if self._first_call(c, timings[c.name])]
        _spread_threads()
        for rnd in range(self.warmup - 1 + self.reps):
            shift = rnd % len(active) if active else 0
            for c in active[shift:] + active[:shift]:
                if self.gap_s:
                    time.sleep(self.gap_s)
                elapsed, faults = _timed(c)
                if rnd >= self.warmup - 1:
                    timings[c.name].times.append(elapsed)
                    timings[c.name].faults.append(faults)
        return timings

    def _first_call(self, c, timing):
        """Runs and checks `c` once; whether it is to be repeated."""
        if c.unavailable:
            timing.status = c.unavailable
            return False
        start = time.perf_counter()
        c.run()
        first = time.perf_counter() - start
        problem = c.check() if c.check else None
        c.release()
        if problem:
            raise BenchmarkError(f"{c.name}: wrong result: {problem}")
        if self.max_call_s and first > self.max_call_s:
            timing.status = f"too slow ({first:.3g} s per call, not repeated)"
            return False
        return True


# --- environment -----------------------------------------------------------------

def _read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return ""


def cpu_model():
    for line in _read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def loadavg():
    """The first three fields of /proc/loadavg."""
    return " ".join(_read("/proc/loadavg").split()[:3])


def _git(*args):
    done = subprocess.run(["git", "-C", REPO] + list(args), capture_output=True, text=True)
    return done.stdout.strip()


def environment(threads):
    """What the measuring process ran on (peer kernels are added by the
    benchmarks that load them)."""
    return {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "cpu": cpu_model(),
        "online_cpus": os.cpu_count(),
        "affinity": sorted(os.sched_getaffinity(0)),
        "threads": threads,
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS"),
        "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS"),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", "(unset)"),
        "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE", "(unset)"),
        "OMP_WAIT_POLICY": os.environ.get("OMP_WAIT_POLICY", "(unset)"),
        "OMP_PROC_BIND": os.environ.get("OMP_PROC_BIND", "(unset)"),
        "OMP_PLACES": os.environ.get("OMP_PLACES", "(unset)"),
        "kernel": platform.release(),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "commit": _git("rev-parse", "--short", "HEAD"),
        "dirty_files": len(_git("status", "--porcelain", "--untracked-files=no").splitlines()),
        "sparse_train_opt": opt_path(),
        "pipeline": our_pipeline(threads),
    }


# --- running one benchmark: parent and children ----------------------------------

@dataclass
class Benchmark:
    """A benchmark script: `run(args, protocol)` measures in the current
    process and returns (rows, extra environment); `report(rows)` returns
    markdown; `add_arguments(parser)` adds its own options; `plan(args,
    protocols)` (protocols by thread count) returns a line the parent prints
    before starting, e.g. an estimated duration; `suffix(args)` is appended
    to the results' file names (e.g. for a subset of the full grid)."""
    name: str
    run: Callable
    report: Callable
    add_arguments: Callable = lambda parser: None
    plan: Callable = lambda args, protocols: ""
    suffix: Callable = lambda args: ""


def _parser(bench):
    p = argparse.ArgumentParser(description=f"benchmark {bench.name} (docs/Performance.md)")
    p.add_argument("--quick", action="store_true",
                   help="small shapes and few repetitions: validates the scripts, numbers are noise")
    p.add_argument("--threads", default="1,2", help="thread counts, comma-separated (default 1,2)")
    p.add_argument("--reps", type=int, help="timed repetitions (default 7, quick 3)")
    p.add_argument("--warmup", type=int, help="warm-up calls (default 2, quick 1)")
    p.add_argument("--max-call-s", type=float, default=20.0,
                   help="a candidate whose first call takes longer is reported, not repeated (0: no limit)")
    p.add_argument("--gap-s", type=float,
                   help="idle time before each call with >1 thread (default 0.25, quick 0)")
    p.add_argument("--openblas-coretype", metavar="CORE",
                   help="force OpenBLAS's kernels (OPENBLAS_CORETYPE) in the measuring "
                        "process, for a host its autodetection does not know (OpenBLAS "
                        "0.3.21 takes Intel family 6 model 207, Emerald Rapids, for a "
                        "Prescott); one of the AVX-512 cores peers.py accepts; logged")
    p.add_argument("--child", metavar="JSON", help=argparse.SUPPRESS)
    bench.add_arguments(p)
    return p


def _protocol(args, threads):
    quick = args.quick
    return Protocol(reps=args.reps or (3 if quick else 7),
                    warmup=args.warmup or (1 if quick else 2),
                    gap_s=(args.gap_s if args.gap_s is not None else 0.0 if quick else 0.25)
                    if threads > 1 else 0.0,
                    max_call_s=args.max_call_s)


def _child_env(threads, openblas_coretype=None):
    """The measuring process's environment (module docstring). With more
    than one thread, OpenMP workers sleep as soon as they are idle
    (OMP_WAIT_POLICY=passive unless set, honoured by libgomp and libomp): one process
    holds several thread pools (ours on libomp, oneDNN and peers.c on
    libgomp, OpenBLAS's own), and a pool spinning after its call would take
    a core from the next candidate's. `Protocol.measure` binds the threads
    one per core (`_spread_threads`)."""
    env = dict(os.environ)
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        env.pop(var, None)
    env.update({"OMP_NUM_THREADS": str(threads), "OPENBLAS_NUM_THREADS": str(threads),
                "MALLOC_MMAP_MAX_": "0", "MALLOC_TRIM_THRESHOLD_": str(1 << 40),
                "PYTHONUNBUFFERED": "1"})
    if threads > 1:
        env.setdefault("OMP_WAIT_POLICY", "passive")
    if openblas_coretype:
        # peers.lib() accepts a forced core only when it is this one.
        env["OPENBLAS_CORETYPE"] = env["SPARSE_TRAIN_OPENBLAS_CORETYPE"] = openblas_coretype
    return env


def _run_child(script, argv, threads, openblas_coretype=None):
    """Runs the benchmark for `threads` threads in a pinned child process;
    returns its {"env", "rows"}."""
    cpus = ",".join(str(c) for c in range(threads))
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = f.name
    cmd = ["taskset", "-c", cpus, PYTHON, script] + argv + ["--threads", str(threads), "--child", out]
    print(f"== {threads} thread(s): {' '.join(cmd)}", flush=True)
    done = subprocess.run(cmd, env=_child_env(threads, openblas_coretype))
    if done.returncode:
        raise BenchmarkError(f"the {threads}-thread run failed (exit {done.returncode})")
    with open(out) as f:
        result = json.load(f)
    os.unlink(out)
    return result


def _strip_option(argv, option):
    """argv without `option VALUE` / `option=VALUE`."""
    out, skip = [], False
    for a in argv:
        if skip:
            skip = False
        elif a == option:
            skip = True
        elif not a.startswith(option + "="):
            out.append(a)
    return out


def write_csv(path, rows):
    """Rows (dicts) as CSV, columns in first-seen order."""
    columns = []
    for r in rows:
        columns += [k for k in r if k not in columns]
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=columns)
        w.writeheader()
        for r in rows:
            w.writerow({k: _fmt_csv(v) for k, v in r.items()})


def _fmt_csv(v):
    return f"{v:.6g}" if isinstance(v, float) else v


def fmt(v, digits=3):
    """A number for a markdown table: `digits` significant digits, n/a for
    NaN and None."""
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "n/a"
    if isinstance(v, float):
        return f"{v:.{digits}g}" if abs(v) < 10 ** digits else f"{v:.0f}"
    return str(v)


def not_repeated(rows, describe):
    """The markdown list of the candidates whose status is not "ok"
    (`describe(row)` names the configuration), or "" when all are."""
    bad = [f"- {describe(r)}: {r['status']}" for r in rows if r["status"] != "ok"]
    return "\n".join(["Candidates not repeated:"] + bad) if bad else ""


def markdown_table(headers, rows):
    """A markdown table of `rows` (lists of cells)."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(fmt(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _environment_markdown(envs):
    lines = ["## Environment", ""]
    for env in envs:
        lines.append(f"### {env['threads']} thread(s)")
        lines += [f"- {k}: {v}" for k, v in env.items()]
        lines.append("")
    return "\n".join(lines)


def main(bench: Benchmark, argv=None):
    """Entry point of a benchmark script: as the parent, runs one pinned
    child per thread count and writes results/<name>[_quick].{csv,md,json};
    as a child (--child), measures and writes its rows."""
    argv = sys.argv[1:] if argv is None else argv
    args = _parser(bench).parse_args(argv)
    if args.child:
        threads = int(args.threads)
        env = environment(threads)
        env["loadavg_before"] = loadavg()
        rows, extra = bench.run(args, _protocol(args, threads))
        env.update(extra)
        env["loadavg_after"] = loadavg()
        for r in rows:
            r.setdefault("threads", threads)
        with open(args.child, "w") as f:
            json.dump({"env": env, "rows": rows}, f, default=float)
        return 0
    counts = [int(t) for t in args.threads.split(",")]
    skipped = [t for t in counts if t > os.cpu_count()]
    for t in skipped:
        print(f"skipping {t} threads: only {os.cpu_count()} CPUs", flush=True)
    counts = [t for t in counts if t not in skipped]
    plan = bench.plan(args, {t: _protocol(args, t) for t in counts})
    if plan:
        print(plan, flush=True)
    child_argv = _strip_option(argv, "--threads")
    rows, envs = [], []
    for t in counts:
        try:
            result = _run_child(os.path.abspath(sys.modules["__main__"].__file__), child_argv, t,
                                args.openblas_coretype)
        except BenchmarkError as e:
            print(f"{bench.name}: {e}; nothing written", file=sys.stderr, flush=True)
            return 1
        rows += result["rows"]
        envs.append(result["env"])
    os.makedirs(RESULTS, exist_ok=True)
    stem = os.path.join(RESULTS, bench.name + ("_quick" if args.quick else "") + bench.suffix(args))
    write_csv(stem + ".csv", rows)
    with open(stem + ".json", "w") as f:
        json.dump(envs, f, indent=1, default=str)
    title = f"# {bench.name}{' (quick: validation only, the numbers are noise)' if args.quick else ''}"
    text = "\n\n".join([title, bench.report(rows), _environment_markdown(envs)])
    with open(stem + ".md", "w") as f:
        f.write(text + "\n")
    print(text, flush=True)
    print(f"wrote {stem}.csv, {stem}.md, {stem}.json", flush=True)
    return 0
