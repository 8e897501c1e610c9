"""Min-k retention (DropIT): min_k_retain, min_k_restore and
min_k_weight_grad against their peers (docs/Performance.md, "Min-k").

Per data distribution (Gaussian; post-ReLU, about half exact zeros) and
keep ratio, interleaved in one measurement:

* retain on n = 2^24 fp32 (64 MiB), ours in both encodings (bitmask,
  indices) against DropIT's torch path (x.view(-1).abs().topk(k,
  sorted=False), gather, int32 indices), numpy argpartition, and a
  STREAM-like read of x (the one-pass bound, measured in the same run);
* restore to dense, ours in both encodings, against a memset of the dense
  tensor (the lower bound of any densify), the memory traffic of a bitmask
  restore (a C loop that reads the bitmask and the kept values and streams
  the dense result, unexpanded: a bound for this machine), a C
  memset+scatter and DropIT's torch densify (zeros(n).scatter_);
* the linear weight gradient dW = x^T dY from the retained form at a
  realistic shape (x 4096 x 1024, dY 4096 x 1024), ours in both encodings,
  against restore + OpenBLAS sgemm and OpenBLAS sgemm on the dense x.

Our results are compared exactly with the numpy oracle
(test/Differential/reference.py); torch and numpy, whose tie-breaking
differs, are checked for the selection property (k distinct valid indices,
values at them, min |kept| >= max |dropped|).
"""

import sys

import numpy as np

import common
import peers
from common import Candidate, check_close, fmt, markdown_table, reference as ref, ttype

N = 1 << 24
GRAD_SHAPE = (4096, 1024, 1024)  # rows, in, out
KEEPS = [0.1, 0.3, 0.5]
DISTRIBUTIONS = ["gaussian", "relu"]
QUICK = {"n": 1 << 18, "grad": (512, 256, 256), "keeps": [0.1, 0.5]}
SEED = 20240602
ENCODINGS = ("bitmask", "indices")


# --- data and layout -------------------------------------------------------------

def data(rng, shape, distribution):
    """Gaussian fp32, or its ReLU (about half exact zeros: ties at 0)."""
    x = rng.standard_normal(shape, dtype=np.float32)
    return np.maximum(x, 0) if distribution == "relu" else x


def bitmask_words(kept, numel):
    """reference.encode_bitmask, vectorized: bit i % 32 of int32 word i / 32."""
    mask = np.zeros(((numel + 31) // 32) * 32, dtype=bool)
    mask[kept] = True
    return np.packbits(mask, bitorder="little").view(np.int32)


def positions(kept, numel, encoding):
    """The positions buffer of the retained form."""
    return bitmask_words(kept, numel) if encoding == "bitmask" else kept.astype(np.int32)


def stored_bytes(numel, kept, encoding):
    """Bytes of the retained form (fp32 values + positions)."""
    pos = 4 * ((numel + 31) // 32) if encoding == "bitmask" else 4 * kept
    return 4 * kept + pos


# --- MLIR ----------------------------------------------------------------------------

def retained_type(shape, kept, encoding):
    dims = "".join(f"{d}x" for d in shape)
    return f"!sparse_train.retained<{dims}f32, kept = {kept}, {encoding}>"


def module_ir(n, grad, keep, encoding):
    """@retain and @restore on n elements, @wgrad at the `grad` shape."""
    rows, fin, fout = grad
    rt = retained_type([n], ref.keep_count(keep, n), encoding)
    gt = retained_type([rows, fin], ref.keep_count(keep, rows * fin), encoding)
    x_t, dy_t, dw_t = ttype([n], "f32"), ttype([rows, fout], "f32"), ttype([fin, fout], "f32")
    return "\n".join([
        common.mlir_func("retain", [f"%x: {x_t}"], [rt],
                         f"  %r = sparse_train.min_k_retain %x keep_ratio = {keep!r} encoding = {encoding} : {x_t}\n"
                         f"  return %r : {rt}"),
        common.mlir_func("restore", [f"%r: {rt}"], [x_t],
                         f"  %d = sparse_train.min_k_restore %r : {rt}\n  return %d : {x_t}"),
        common.mlir_func("wgrad", [f"%r: {gt}", f"%dy: {dy_t}"], [dw_t],
                         f"  %g = sparse_train.min_k_weight_grad %r, %dy : {gt}, {dy_t} -> {dw_t}\n"
                         f"  return %g : {dw_t}"),
    ])


# --- checks ----------------------------------------------------------------------------

def same(got, expected, what):
    if got.shape != expected.shape or not np.array_equal(got, expected):
        return f"{what} differ from the oracle"
    return None


def selection_problem(x, indices, values, k):
    """None if (indices, values) is a valid top-k-by-magnitude of x."""
    indices = np.asarray(indices, dtype=np.int64)
    if indices.size != k or np.unique(indices).size != k:
        return f"{indices.size} indices ({np.unique(indices).size} distinct), expected {k}"
    if indices.size and (indices.min() < 0 or indices.max() >= x.size):
        return "index out of range"
    if not np.array_equal(np.asarray(values), x[indices]):
        return "values are not x at the indices"
    kept = np.zeros(x.size, dtype=bool)
    kept[indices] = True
    if k and k < x.size and np.abs(x[kept]).min() < np.abs(x[~kept]).max():
        return "a dropped element is larger than a kept one"
    return None


# --- candidates --------------------------------------------------------------------------

def retain_candidates(x, keep, libs, torch):
    """Ours in both encodings, DropIT's torch path, numpy, one read of x;
    also returns the oracle's kept indices."""
    n = x.size
    k = ref.keep_count(keep, n)
    kept = ref.min_k_select(x, ratio=keep)
    cands = []
    for enc in ENCODINGS:
        expected = positions(kept, n, enc)
        check = (lambda out, e=expected: same(out[0], x[kept], "values") or same(out[1], e, "positions"))
        cands.append(Candidate.compiled(f"retain:ours-{enc}", libs[enc], "retain", [x],
                                        [(1, np.float32), (1, np.int32)], check))
    cands.append(dropit_candidate(torch, x, k))
    found = {}

    def argpartition():
        idx = np.argpartition(np.abs(x), n - k)[n - k:]
        found["indices"], found["values"] = idx, x[idx]
    cands.append(Candidate("retain:numpy-argpartition", argpartition,
                           check=lambda: selection_problem(x, found["indices"], found["values"], k)))
    cands.append(Candidate("retain:stream-read", lambda: peers.stream_read(x)))
    return cands, kept


def dropit_candidate(torch, x, k):
    """DropIT's selection, x.view(-1).abs().topk(k, sorted=False), gather,
    int32 indices, with every output (the |x| temporary included) written
    into preallocated, pre-faulted tensors through out= (torch would
    otherwise time the page faults of fresh 64 MiB allocations)."""
    flat = torch.from_numpy(x).view(-1)
    magnitude = torch.from_numpy(common.prefaulted(x.size))
    top = (torch.from_numpy(common.prefaulted(k)), torch.from_numpy(common.prefaulted(k, np.int64)))
    values = torch.from_numpy(common.prefaulted(k))
    indices = torch.from_numpy(common.prefaulted(k, np.int32))

    def run():
        torch.abs(flat, out=magnitude)
        torch.topk(magnitude, k, sorted=False, out=top)
        torch.gather(flat, 0, top[1], out=values)
        indices.copy_(top[1])
    return Candidate("retain:torch-topk", run,
                     check=lambda: selection_problem(x, indices.numpy(), values.numpy(), k))


def restore_candidates(x, kept, libs, torch):
    """Ours in both encodings, memset (the bound), the traffic of a bitmask
    restore (C: its reads and streaming writes, no expand), C and torch
    scatters."""
    n = x.size
    expected = ref.min_k_restore(x, kept)
    check = lambda out: same(out[0], expected, "restored tensor")
    cands = [Candidate.compiled(f"restore:ours-{enc}", libs[enc], "restore",
                                [x[kept], positions(kept, n, enc)], [(1, np.float32)], check)
             for enc in ENCODINGS]
    dense = common.prefaulted(n)
    cands.append(Candidate("restore:memset", lambda: peers.memset(dense)))
    values, idx32 = x[kept], kept.astype(np.int32)
    scattered = common.prefaulted(n)
    cands.append(Candidate("restore:c-scatter", lambda: peers.restore_indices(values, idx32, scattered),
                           check=lambda: same(scattered, expected, "restored tensor")))
    if n % 32 == 0:
        # Streaming stores want 64-byte alignment; np.empty gives 16.
        padded = common.prefaulted(n + 16)
        skip = (-padded.ctypes.data % 64) // 4
        streamed, words = padded[skip:skip + n], bitmask_words(kept, n)
        cands.append(Candidate("restore:traffic-bound",
                               lambda: peers.restore_traffic(words, values, streamed),
                               check=lambda: None if peers.restore_traffic(words, values, streamed) == kept.size
                               else "read a different number of values than were kept"))
    tv, ti = torch.from_numpy(values), torch.from_numpy(kept)  # scatter_ wants int64 indices
    densified = {}

    def densify():
        densified["x"] = torch.zeros(n, dtype=torch.float32).scatter_(0, ti, tv)
    cands.append(Candidate("restore:torch-scatter", densify,
                           check=lambda: same(densified["x"].numpy(), expected, "restored tensor")))
    return cands


def wgrad_candidates(rng, distribution, keep, grad, libs):
    """dW = x^T dY: ours in both encodings, restore + OpenBLAS, OpenBLAS on
    the dense x; also returns the number of kept entries of x."""
    rows, fin, fout = grad
    x = data(rng, (rows, fin), distribution)
    dy = rng.standard_normal((rows, fout), dtype=np.float32)
    kept = ref.min_k_select(x, ratio=keep)
    x_hat = ref.min_k_restore(x, kept)
    expected = x_hat.astype(np.float64).T @ dy.astype(np.float64)
    values, idx32 = x.reshape(-1)[kept], kept.astype(np.int32)
    check = lambda out: check_close(out[0], expected)
    cands = [Candidate.compiled(f"wgrad:ours-{enc}", libs[enc], "wgrad",
                                [values, positions(kept, x.size, enc), dy], [(2, np.float32)], check)
             for enc in ENCODINGS]
    restored, out = common.prefaulted((rows, fin)), common.prefaulted((fin, fout))

    def restore_sgemm():
        peers.restore_indices(values, idx32, restored)
        peers.sgemm("openblas", restored, dy, out, trans_a=True)
    cands.append(Candidate("wgrad:restore+openblas", restore_sgemm,
                           check=lambda: check_close(out, expected)))
    dense_out = common.prefaulted((fin, fout))
    cands.append(Candidate("wgrad:openblas-dense-x",
                           lambda: peers.sgemm("openblas", x, dy, dense_out, trans_a=True)))
    return cands, kept.size


# --- one configuration ----------------------------------------------------------------------

def _compile_all(n, grad, keep, threads):
    """Our module per encoding (or its compile error: its candidates are n/a)."""
    return {enc: common.try_compile(common.compile_ours, module_ir(n, grad, keep, enc), threads,
                                    f"min_k-{enc}-{keep}")
            for enc in ENCODINGS}


def run_config(protocol, threads, torch, n, grad, distribution, keep):
    """Measures every candidate of one (distribution, keep); its rows."""
    rng = np.random.default_rng([SEED, n, int(keep * 1000), DISTRIBUTIONS.index(distribution)])
    x = data(rng, n, distribution)
    libs = _compile_all(n, grad, keep, threads)
    retain, kept = retain_candidates(x, keep, libs, torch)
    wgrad, grad_kept = wgrad_candidates(rng, distribution, keep, grad, libs)
    timings = protocol.measure(retain + restore_candidates(x, kept, libs, torch) + wgrad)
    base = {"distribution": distribution, "keep": keep, "n": n, "kept": kept.size,
            "grad_shape": "x".join(map(str, grad)), "grad_kept": grad_kept}
    return _rows_of(timings, base, grad)


def _rows_of(timings, base, grad):
    """One row per candidate, with its ratio to the op's reference and the
    op's traffic or flop rate."""
    n, k = base["n"], base["kept"]
    refs = {"retain": "retain:stream-read", "restore": "restore:memset",
            "wgrad": "wgrad:restore+openblas"}
    out = []
    for name, t in timings.items():
        op, cand = name.split(":")
        row = dict(base, op=op, candidate=cand, **t.summary())
        row["vs"] = refs[op].split(":")[1]
        row["vs_ref"], row["vs_ref_per_rep"] = common.speedup(t, timings[refs[op]])
        if op in ("retain", "restore") and cand.startswith("ours"):
            stored = stored_bytes(n, k, cand.split("-")[1])
            row["stored_pct_of_dense"] = 100.0 * stored / (4 * n)
            # retain reads x and writes the retained form; restore the reverse.
            row["essential_gbps"] = (4 * n + stored) / row["median_ms"] / 1e6
        if op == "wgrad":
            row["useful_gflops"] = 2.0 * grad[2] * base["grad_kept"] / row["median_ms"] / 1e6
        out.append(row)
    return out


def run(args, protocol):
    """The whole grid in this process (Benchmark.run)."""
    threads = int(args.threads)
    import torch  # heavy: only in the measuring process
    torch.set_num_threads(threads)
    info = peers.identify(threads)
    info.update({"torch": torch.__version__, "torch_threads": torch.get_num_threads()})
    n = QUICK["n"] if args.quick else N
    grad = QUICK["grad"] if args.quick else GRAD_SHAPE
    keeps = QUICK["keeps"] if args.quick else KEEPS
    rows = []
    for distribution in DISTRIBUTIONS:
        for keep in keeps:
            print(f"[{threads}T] {distribution} keep={keep}", flush=True)
            rows += run_config(protocol, threads, torch, n, grad, distribution, keep)
    return rows, info


# --- report ----------------------------------------------------------------------------------

def report(rows):
    """Markdown: one table per op."""
    out = ["Times are medians in ms. `x` columns are t_reference / t_candidate (above 1: faster), "
           "ratio of medians with the median of per-repetition ratios in brackets."]
    sections = [
        ("retain", "min_k_retain (n elements; reference: one STREAM-like read of x in the same run)",
         ["stored % of dense", "GB/s (read x + write retained)"],
         lambda r: [r.get("stored_pct_of_dense"), r.get("essential_gbps")]),
        ("restore", "min_k_restore to dense (reference: memset of the dense tensor)",
         ["GB/s (write dense + read retained)"], lambda r: [r.get("essential_gbps")]),
        ("wgrad", "min_k_weight_grad dW = x^T dY (reference: C restore + OpenBLAS sgemm)",
         ["useful GF/s"], lambda r: [r.get("useful_gflops")]),
    ]
    for op, title, extra_headers, extra in sections:
        out.append(f"## {title}")
        headers = (["threads", "data", "keep", "candidate", "ms", "IQR ms", "x reference"] + extra_headers
                   + ["faults/call"])
        table = [[r["threads"], r["distribution"], r["keep"], r["candidate"], r["median_ms"], r["iqr_ms"],
                  f"{fmt(r['vs_ref'])} ({fmt(r['vs_ref_per_rep'])})"] + extra(r) + [r["faults_per_call"]]
                 for r in rows if r["op"] == op]
        out.append(markdown_table(headers, table))
    out.append(common.not_repeated(
        rows, lambda r: f"{r['threads']}T {r['distribution']} keep={r['keep']} {r['op']}:{r['candidate']}"))
    return "\n\n".join(o for o in out if o)


BENCH = common.Benchmark("min_k", run, report)

if __name__ == "__main__":
    sys.exit(common.main(BENCH))
