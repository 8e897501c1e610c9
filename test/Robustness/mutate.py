#!/usr/bin/env python3
"""Seeded mutation run: damages sparse_train test inputs in many small ways
and checks that sparse-train-opt never crashes on them.

Each mutant is one `// -----` chunk of a seed file with one mutation applied
(a token dropped, duplicated or swapped, a number replaced by an extreme
value, a keyword replaced by another of the dialect's keywords, the text cut
short). Mutants are fed in batches with -split-input-file, once plainly and
once with -canonicalize (which runs the folders on whatever still verifies).
The tool must exit with 0 or 1 and never print a crash report; any mutant
that makes it crash is written next to the report for reproduction.
"""

import argparse
import random
import re
import subprocess
import sys

NUMBERS = ["0", "-1", "1", "2", "7", "-9223372036854775808", "9223372036854775807",
           "4294967296", "18446744073709551616", "0.0", "-0.0", "1.5", "1e308",
           "0x7FF8000000000000", "0x7FF0000000000000", "?"]
KEYWORDS = ["dim", "width", "extent", "align", "scale", "keep", "keep_ratio",
            "granularity", "encoding", "row", "tensor", "bitmask", "indices",
            "block", "score", "select", "l1", "l2", "max_abs", "global_top_k",
            "row_top_k", "threshold", "keep_per_row", "transpose_a",
            "transpose_b", "strides", "dilations", "padding", "kept", "f16",
            "bf16", "f32", "f64", "i32", "index", "x", "?", ",", "=", "[", "]",
            "<", ">", ":", "->", "(", ")"]
CRASH_MARKERS = ["PLEASE submit a bug report", "Stack dump", "LLVM ERROR",
                 "Assertion", "Segmentation fault", "terminate called"]
TOKEN = re.compile(r"%[\w.#]+|#?[\w.]+|->|\S")


def chunks(path):
    text = open(path).read()
    parts = re.split(r"^// -----\s*$", text, flags=re.M)
    # Drop comment-only lines (RUN lines, expectations) from the seeds.
    return ["\n".join(l for l in p.splitlines() if not l.lstrip().startswith("//"))
            for p in parts if "sparse_train." in p]


def mutate(text, rng):
    tokens = [(m.start(), m.end()) for m in TOKEN.finditer(text)]
    if not tokens:
        return text
    kind = rng.randrange(6)
    start, end = tokens[rng.randrange(len(tokens))]
    tok = text[start:end]
    if kind == 0:  # drop a token
        return text[:start] + text[end:]
    if kind == 1:  # duplicate a token
        return text[:end] + " " + tok + text[end:]
    if kind == 2:  # replace a number (or any token) by an extreme value
        nums = [(s, e) for s, e in tokens if re.fullmatch(r"-?\d+(\.\d+)?", text[s:e])]
        if nums:
            start, end = nums[rng.randrange(len(nums))]
        return text[:start] + rng.choice(NUMBERS) + text[end:]
    if kind == 3:  # replace a token by a keyword of the dialect
        return text[:start] + rng.choice(KEYWORDS) + text[end:]
    if kind == 4:  # swap two tokens
        s2, e2 = tokens[rng.randrange(len(tokens))]
        if s2 < start:
            start, end, s2, e2 = s2, e2, start, end
        if s2 >= end:
            return (text[:start] + text[s2:e2] + text[end:s2] + text[start:end]
                    + text[e2:])
        return text
    return text[:rng.randrange(len(text) + 1)]  # cut the text short


def run_batch(opt, mutants, extra):
    source = "\n// -----\n".join(mutants)
    proc = subprocess.run([opt, "-split-input-file", "-o", "/dev/null"] + extra,
                          input=source, capture_output=True, text=True,
                          timeout=120)
    crashed = proc.returncode not in (0, 1) or any(
        m in proc.stderr for m in CRASH_MARKERS)
    return crashed, proc


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--opt", required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--crash-file", default="mutant-crash.mlir")
    parser.add_argument("--lower", action="store_true",
                        help="also run --sparse-train-to-cpu on every mutant")
    parser.add_argument("--lower-vector-bits", default="",
                        help="with --lower, also run --sparse-train-to-cpu "
                             "at each of these vector widths (comma-separated "
                             "bits)")
    parser.add_argument("--lower-gpu", action="store_true",
                        help="also run --sparse-train-to-nvvm (PTX) on every "
                             "mutant")
    parser.add_argument("inputs", nargs="+")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    seeds = [c for path in args.inputs for c in chunks(path)]
    mutants = [mutate(rng.choice(seeds), rng) for _ in range(args.count)]
    failures = 0
    runs = [[], ["-canonicalize"], ["-mlir-print-op-generic"]]
    if args.lower:
        runs.append(["--sparse-train-to-cpu"])
        for bits in filter(None, args.lower_vector_bits.split(",")):
            runs.append([f"--sparse-train-to-cpu=vector-bits={bits}"])
    if args.lower_gpu:
        runs.append(["--sparse-train-to-nvvm=chip=sm_90 format=isa"])
    for extra in runs:
        for i in range(0, len(mutants), args.batch):
            batch = mutants[i:i + args.batch]
            crashed, proc = run_batch(args.opt, batch, extra)
            if not crashed:
                continue
            # Find the single mutant that crashes, for the report.
            for mutant in batch:
                if run_batch(args.opt, [mutant], extra)[0]:
                    with open(args.crash_file, "w") as f:
                        f.write(mutant)
                    print(f"CRASH with {extra}: exit {proc.returncode}; "
                          f"mutant written to {args.crash_file}")
                    print(mutant)
                    break
            failures += 1
    print(f"{len(mutants)} mutants x {len(runs)} runs, {failures} crashing batches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
