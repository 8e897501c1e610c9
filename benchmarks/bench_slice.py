"""SliceOut: a transformer FFN pair, forward and backward, with slice-drop
of the hidden units (docs/Performance.md, "Slice").

Shapes: tokens T, model width D, hidden width H (1024, 1024, 4096). At keep
ratio r the kept width is W = r * H rounded to a multiple of 32, starting
at a multiple of 32 drawn by slice_start (fixed seed and counter), and one
step runs six GEMMs of 2 T D W flops each:

    h  = x W1s          y   = a W2s        (a = relu(h) * H/W)
    da = dy W2s^T       dW2s = a^T dy
    dh = da * (h > 0) * H/W
    dW1s = x^T dh       dx  = dh W1s^T

with W1s = W1[:, s:s+W] and W2s = W2[s:s+W, :] (views, no copies).

Candidates:
* ours-step: the whole step written with our ops (slice_start, slice_drop
  with scale 1 for the weight views, slice_expand of the weight gradients
  back to H) plus linalg.matmul / linalg.generic, through
  sparse-train-to-cpu;
* ours-gemms: the six linalg.matmul on the same views, nothing else;
* openblas-gemms: the six cblas_sgemm calls on leading-dimension views.

Reported: time(keep) / time(keep 1.0) per candidate, GF/s (12 T D W / t),
and ours-gemms' GF/s as a % of OpenBLAS's at the same sliced shapes.
"""

import sys

import numpy as np

import common
import peers
from common import Candidate, check_close, fmt, markdown_table, reference as ref, ttype

SHAPE = (1024, 1024, 4096)  # tokens, model width, hidden width
KEEPS = [1.0, 0.9, 0.75, 0.5]
QUICK = {"shape": (128, 128, 512), "keeps": [1.0, 0.5]}
ALIGN = 32
SEED, COUNTER = 20240603, 7
GEMM_OUTPUTS = ("h", "y", "da", "dw2s", "dw1s", "dx")
STEP_OUTPUTS = ("y", "dx", "dw1", "dw2")


def kept_width(keep, hidden):
    """keep * hidden rounded to a multiple of ALIGN (at least ALIGN)."""
    return max(ALIGN, int(round(keep * hidden / ALIGN)) * ALIGN)


def scale_f32(hidden, width):
    """The inverted-dropout scale H/W as the f32 the IR uses."""
    return np.float32(hidden / width)


# --- MLIR ---------------------------------------------------------------------------

_MAPS = {
    "nn": "",
    "nt": ("indexing_maps = [affine_map<(i, j, k) -> (i, k)>, affine_map<(i, j, k) -> (j, k)>, "
           "affine_map<(i, j, k) -> (i, j)>] "),
    "tn": ("indexing_maps = [affine_map<(i, j, k) -> (k, i)>, affine_map<(i, j, k) -> (k, j)>, "
           "affine_map<(i, j, k) -> (i, j)>] "),
}


def _matmul(result, form, lhs, rhs, types, out_shape):
    """`result` = op(lhs) op(rhs) as a zero-filled linalg.matmul."""
    out_t = ttype(out_shape, "f32")
    return (f"  %{result}_e = tensor.empty() : {out_t}\n"
            f"  %{result}_z = linalg.fill ins(%zero : f32) outs(%{result}_e : {out_t}) -> {out_t}\n"
            f"  %{result} = linalg.matmul {_MAPS[form]}ins(%{lhs}, %{rhs} : {types[0]}, {types[1]}) "
            f"outs(%{result}_z : {out_t}) -> {out_t}\n")


def _elementwise(result, inputs, types, out_t, body):
    """An identity-indexed linalg.generic over 2-D tensors."""
    n = len(inputs) + 1
    maps = ", ".join(["affine_map<(i, j) -> (i, j)>"] * n)
    args = ", ".join(f"%b{i}: f32" for i in range(n))
    return (f"  %{result}_e = tensor.empty() : {out_t}\n"
            f"  %{result} = linalg.generic {{indexing_maps = [{maps}], iterator_types = [\"parallel\", \"parallel\"]}}"
            f" ins({', '.join('%' + i for i in inputs)} : {', '.join(types)}) outs(%{result}_e : {out_t}) {{\n"
            f"  ^bb0({args}):\n{body}  }} -> {out_t}\n")


def _views(d, hidden, width):
    """slice_start and the two weight views (slice_drop with scale 1)."""
    w1_t, w2_t = ttype([d, hidden], "f32"), ttype([hidden, d], "f32")
    return (f"  %zero = arith.constant 0.0 : f32\n"
            f"  %s = sparse_train.slice_start %seed, %ctr extent = {hidden}, width = {width}, align = {ALIGN}\n"
            f"  %w1s = sparse_train.slice_drop %w1, %s dim = 1, width = {width}, scale = 1.0 : {w1_t}\n"
            f"  %w2s = sparse_train.slice_drop %w2, %s dim = 0, width = {width}, scale = 1.0 : {w2_t}\n")


def _gemms(t, d, width, names):
    """The GEMMs `names` of a step (on the views, `a` and `dh`), in order."""
    tw, dw, wd, td = (ttype(s, "f32") for s in ([t, width], [d, width], [width, d], [t, d]))
    specs = {"h": ("nn", "x", "w1s", (td, dw), [t, width]),
             "y": ("nn", "a", "w2s", (tw, wd), [t, d]),
             "da": ("nt", "dy", "w2s", (td, wd), [t, width]),
             "dw2s": ("tn", "a", "dy", (tw, td), [width, d]),
             "dw1s": ("tn", "x", "dh", (td, tw), [d, width]),
             "dx": ("nt", "dh", "w1s", (tw, dw), [t, d])}
    return "".join(_matmul(name, *specs[name]) for name in names)


def _params(t, d, hidden):
    """The step's tensor parameters: x, W1, W2, dY."""
    return [f"%x: {ttype([t, d], 'f32')}", f"%w1: {ttype([d, hidden], 'f32')}",
            f"%w2: {ttype([hidden, d], 'f32')}", f"%dy: {ttype([t, d], 'f32')}"]


def step_ir(t, d, hidden, width):
    """@ffn_step: forward and backward of the FFN pair with slice-drop."""
    tw = ttype([t, width], "f32")
    scale = float(scale_f32(hidden, width))
    body = (_views(d, hidden, width)
            + f"  %scale = arith.constant {scale!r} : f32\n"
            + _gemms(t, d, width, ["h"])
            + _elementwise("a", ["h"], [tw], tw,
                           "    %r = arith.maximumf %b0, %zero : f32\n    %q = arith.mulf %r, %scale : f32\n"
                           "    linalg.yield %q : f32\n")
            + _gemms(t, d, width, ["y", "da", "dw2s"])
            + _elementwise("dh", ["da", "h"], [tw, tw], tw,
                           "    %p = arith.cmpf ogt, %b1, %zero : f32\n    %g = arith.mulf %b0, %scale : f32\n"
                           "    %q = arith.select %p, %g, %zero : f32\n    linalg.yield %q : f32\n")
            + _gemms(t, d, width, ["dw1s", "dx"]))
    dw1_t, dw2_t = ttype([d, hidden], "f32"), ttype([hidden, d], "f32")
    body += (f"  %dw1 = sparse_train.slice_expand %dw1s, %s dim = 1, extent = {hidden} : {ttype([d, width], 'f32')}\n"
             f"  %dw2 = sparse_train.slice_expand %dw2s, %s dim = 0, extent = {hidden} : {ttype([width, d], 'f32')}\n"
             f"  return %y, %dx, %dw1, %dw2 : {ttype([t, d], 'f32')}, {ttype([t, d], 'f32')}, {dw1_t}, {dw2_t}")
    return common.mlir_func("ffn_step", _params(t, d, hidden) + ["%seed: i64", "%ctr: i64"],
                            [ttype([t, d], "f32")] * 2 + [dw1_t, dw2_t], body)


def gemms_ir(t, d, hidden, width):
    """@ffn_gemms: the six GEMMs only, with a and dh given."""
    tw = ttype([t, width], "f32")
    types = [ttype(s, "f32") for s in ([t, width], [t, d], [t, width], [width, d], [d, width], [t, d])]
    body = (_views(d, hidden, width) + _gemms(t, d, width, GEMM_OUTPUTS)
            + f"  return {', '.join('%' + o for o in GEMM_OUTPUTS)} : {', '.join(types)}")
    return common.mlir_func("ffn_gemms", _params(t, d, hidden) + [f"%a: {tw}", f"%dh: {tw}", "%seed: i64",
                                                               "%ctr: i64"], types, body)


# --- reference and peers --------------------------------------------------------------------

def reference_step(x, w1, w2, dy, start, width):
    """Every intermediate of the step in f64 (a and dh from f32 h, as the
    compiled code rounds them)."""
    hidden = w1.shape[1]
    scale = scale_f32(hidden, width)
    w1s, w2s = w1[:, start:start + width].astype(np.float64), w2[start:start + width].astype(np.float64)
    x64, dy64 = x.astype(np.float64), dy.astype(np.float64)
    h = x64 @ w1s
    a = (np.maximum(h, 0).astype(np.float32) * scale).astype(np.float32)
    da = dy64 @ w2s.T
    dh = np.where(h > 0, da.astype(np.float32) * scale, np.float32(0)).astype(np.float32)
    out = {"h": h, "a": a, "dh": dh, "y": a.astype(np.float64) @ w2s, "da": da,
           "dw2s": a.astype(np.float64).T @ dy64, "dw1s": x64.T @ dh.astype(np.float64),
           "dx": dh.astype(np.float64) @ w1s.T}
    out["dw1"] = ref.slice_expand(out["dw1s"], start, 1, hidden)
    out["dw2"] = ref.slice_expand(out["dw2s"], start, 0, hidden)
    return out


def _check_all(names, outputs, expected):
    """The first output not within 1e-4 of the oracle, or None."""
    for name, got in zip(names, outputs):
        problem = check_close(got, expected[name], tol=1e-4)
        if problem:
            return f"{name}: {problem}"
    return None


def openblas_candidate(x, w1, w2, dy, a, dh, start, width, expected):
    """The six GEMMs on OpenBLAS, weights as leading-dimension views."""
    w1s, w2s = w1[:, start:start + width], w2[start:start + width]
    outs = {name: common.prefaulted(expected[name].shape) for name in GEMM_OUTPUTS}

    def run():
        peers.sgemm("openblas", x, w1s, outs["h"])
        peers.sgemm("openblas", a, w2s, outs["y"])
        peers.sgemm_nt(dy, w2s, outs["da"])
        peers.sgemm("openblas", a, dy, outs["dw2s"], trans_a=True)
        peers.sgemm("openblas", x, dh, outs["dw1s"], trans_a=True)
        peers.sgemm_nt(dh, w1s, outs["dx"])
    return Candidate("openblas-gemms", run, check=lambda: _check_all(
        GEMM_OUTPUTS, [outs[n] for n in GEMM_OUTPUTS], expected))


# --- one configuration ------------------------------------------------------------------------

def keep_candidates(threads, shape, keep):
    """The three candidates at one keep ratio, named `<keep>:<candidate>`,
    and the fields of their rows."""
    t, d, hidden = shape
    width = kept_width(keep, hidden)
    rng = np.random.default_rng([SEED, t, d, hidden, width])
    x, dy = (rng.standard_normal((t, d), dtype=np.float32) for _ in range(2))
    w1 = (rng.standard_normal((d, hidden), dtype=np.float32) / np.sqrt(d)).astype(np.float32)
    w2 = (rng.standard_normal((hidden, d), dtype=np.float32) / np.sqrt(hidden)).astype(np.float32)
    start = ref.slice_start(SEED, COUNTER, hidden, width, ALIGN)
    expected = reference_step(x, w1, w2, dy, start, width)
    a, dh = expected["a"], expected["dh"]
    step = common.try_compile(common.compile_ours, step_ir(t, d, hidden, width), threads,
                              f"slice-step-{width}")
    gemms = common.try_compile(common.compile_ours, gemms_ir(t, d, hidden, width), threads,
                               f"slice-gemms-{width}")
    cands = [
        Candidate.compiled("ours-step", step, "ffn_step", [x, w1, w2, dy, SEED, COUNTER],
                           [(2, np.float32)] * 4, lambda out: _check_all(STEP_OUTPUTS, out, expected)),
        Candidate.compiled("ours-gemms", gemms, "ffn_gemms", [x, w1, w2, dy, a, dh, SEED, COUNTER],
                           [(2, np.float32)] * 6, lambda out: _check_all(GEMM_OUTPUTS, out, expected)),
        openblas_candidate(x, w1, w2, dy, a, dh, start, width, expected),
    ]
    for cand in cands:
        cand.name = f"{keep}:{cand.name}"
    fields = dict(shape="x".join(map(str, shape)), keep=keep, width=width,
                  actual_keep=width / hidden, start=start)
    return cands, fields


def run(args, protocol):
    """Every keep ratio in this process (Benchmark.run), measured in the
    same interleaved rounds: time(keep) / time(keep 1) is a ratio of
    medians taken together, not minutes apart (this VM's speed drifts by
    tens of percent between configurations)."""
    threads = int(args.threads)
    info = peers.identify(threads)
    shape = QUICK["shape"] if args.quick else SHAPE
    cands, fields = [], {}
    for keep in QUICK["keeps"] if args.quick else KEEPS:
        print(f"[{threads}T] {shape} keep={keep}", flush=True)
        keep_cands, fields[keep] = keep_candidates(threads, shape, keep)
        cands += keep_cands
    timings = protocol.measure(cands)
    t, d, _ = shape
    rows = []
    for name, timing in timings.items():
        keep, cand = name.split(":")
        keep = float(keep)
        row = dict(**fields[keep], candidate=cand, **timing.summary())
        row["gflops"] = 12.0 * t * d * row["width"] / row["median_ms"] / 1e6
        row["x_openblas"], row["x_openblas_per_rep"] = common.speedup(
            timing, timings[f"{keep}:openblas-gemms"])
        rows.append(row)
    return rows, info


# --- report ---------------------------------------------------------------------------------------

def report(rows):
    """Markdown: one table, every candidate at every keep ratio."""
    full = {(r["threads"], r["candidate"]): r["median_ms"] for r in rows if r["keep"] == 1.0}
    headers = ["threads", "shape", "keep", "W", "candidate", "ms", "IQR ms", "time / time(keep 1)", "GF/s",
               "% of OpenBLAS GF/s", "faults/call"]
    table = []
    for r in rows:
        base = full.get((r["threads"], r["candidate"]))
        table.append([r["threads"], r["shape"], r["keep"], r["width"], r["candidate"], r["median_ms"],
                      r["iqr_ms"], r["median_ms"] / base if base else None, r["gflops"],
                      f"{fmt(100 * r['x_openblas'])} ({fmt(100 * r['x_openblas_per_rep'])})",
                      r["faults_per_call"]])
    out = ["Times are medians in ms. GF/s = 12 T D W / t (the six GEMMs; ours-step also runs the "
           "element-wise ops and the slice ops). % of OpenBLAS = t_openblas / t_candidate, ratio of "
           "medians with the median of per-repetition ratios in brackets.",
           markdown_table(headers, table)]
    out.append(common.not_repeated(rows, lambda r: f"{r['threads']}T keep={r['keep']} {r['candidate']}"))
    return "\n\n".join(o for o in out if o)


BENCH = common.Benchmark("slice", run, report)

if __name__ == "__main__":
    sys.exit(common.main(BENCH))
