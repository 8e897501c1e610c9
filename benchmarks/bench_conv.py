"""Dynamic-zero convolutions: sparse_train.conv2d_zero_skip and its two
gradients against oneDNN (docs/Performance.md, "Convolutions").

Layers (N = 16, stride 1, "same" padding): VGG16 conv3 (256->256, 56x56),
conv4 (512->512, 28x28), conv5 (512->512, 14x14), all 3x3; ResNet-50 3x3
64->64 at 56x56 and 128->128 at 28x28; ResNet-50 1x1 256->64 and 64->256 at
56x56. Passes: fwd (y = conv(x, w), zeros of x skipped), bwd_data (dx from
dy, zeros of dy skipped) and bwd_weights (dw from x and dy, zeros of x
skipped). The scanned operand has a zero fraction of 0, 0.3, 0.5, 0.7 or
0.9 (i.i.d.), or the "relu" pattern: the ReLU of a spatially smooth field
(Gaussian noise averaged over 3x3 pixels, plus a per-channel offset drawn
from N(0, 0.5^2)), about half zeros in clusters, as ReLU outputs of a
trained network have. The other operand is Gaussian.

Candidates:
* ours: the op with its default max_density, through sparse-train-to-cpu
  (its density count, packing and dispatch are inside the timed call);
* ours-skip: max_density = 1 (always skipping), at zero fractions 0 and
  0.3 only, where the dispatch matters;
* onednn-direct, onednn-auto: oneDNN 2.6 primitives (peers.c), created once
  with their preferred layouts (inputs reordered once, untimed): only the
  execution is timed. The implementation oneDNN picked is logged.

Reported: median ms, effective GF/s = dense direct-conv flops / t, speedup
over each oneDNN peer (t_peer / t_ours), the break-even zero fraction
against each peer (linear interpolation between measured i.i.d. fractions;
"none" when never ahead, "0" when ahead already without zeros), and the
VGG16 conv3-conv5 training step (the three passes of the three layers at
the "relu" pattern) as one ratio per peer.

Checks, before any timing: at full size every candidate's first result
against the result oneDNN direct computes before the candidates run (the
float64 numpy reference is too slow there; ours and oneDNN auto are
independent of it); with --quick every candidate, oneDNN direct included,
against the numpy reference (test/Differential/reference.py). Relative
error (max |diff| / max |reference|) at most 1e-4.

--layers, --passes and --zeros select a subset (its results go to
results/conv_subset.*, not over a full run's); the parent prints the grid's
size and estimated duration before starting (RATES).
"""

import sys

import numpy as np

import common
import peers
from common import Candidate, check_close, fmt, markdown_table, reference as ref, ttype

# name: (N, H, W, C, F, K)
LAYERS = {
    "vgg_conv3": (16, 56, 56, 256, 256, 3),
    "vgg_conv4": (16, 28, 28, 512, 512, 3),
    "vgg_conv5": (16, 14, 14, 512, 512, 3),
    "r50_3x3_64": (16, 56, 56, 64, 64, 3),
    "r50_3x3_128": (16, 28, 28, 128, 128, 3),
    "r50_1x1_256_64": (16, 56, 56, 256, 64, 1),
    "r50_1x1_64_256": (16, 56, 56, 64, 256, 1),
}
QUICK_LAYERS = {"quick_3x3": (2, 14, 14, 32, 32, 3), "quick_1x1": (2, 14, 14, 32, 16, 1)}
PASSES = ("fwd", "bwd_data", "bwd_weights")
ZEROS = [0.0, 0.3, 0.5, 0.7, 0.9, "relu"]
QUICK_ZEROS = [0.0, 0.5, "relu"]
VGG_STEP = ("vgg_conv3", "vgg_conv4", "vgg_conv5")
PEERS = ("onednn-direct", "onednn-auto")
SEED = 20241122
TOLERANCE = 1e-4
OPS = {"fwd": "conv2d_zero_skip", "bwd_data": "conv2d_zero_skip_backward_data",
       "bwd_weights": "conv2d_zero_skip_backward_filter"}


def shapes(layer):
    """x, w, y shapes of a layer."""
    n, h, w, c, f, k = layer
    return [n, h, w, c], [k, k, c, f], [n, h, w, f]


def operand_shapes(layer, conv_pass):
    """(scanned, other, result) shapes of a pass, in the op's operand order."""
    xs, ws, ys = shapes(layer)
    return {"fwd": (xs, ws, ys), "bwd_data": (ys, ws, xs), "bwd_weights": (xs, ys, ws)}[conv_pass]


def module_ir(layer, conv_pass, max_density):
    """@conv: the op of one pass (padding (K-1)/2)."""
    a, b, r = operand_shapes(layer, conv_pass)
    p = (layer[5] - 1) // 2
    attrs = f"padding = [{p}, {p}, {p}, {p}]"
    if max_density is not None:
        attrs += f" max_density = {max_density!r}"
    result = f" -> {ttype(r, 'f32')}" if conv_pass != "fwd" else ""
    body = (f"  %r = sparse_train.{OPS[conv_pass]} %a, %b {attrs} : {ttype(a, 'f32')}, "
            f"{ttype(b, 'f32')}{result}\n  return %r : {ttype(r, 'f32')}")
    return common.mlir_func("conv", [f"%a: {ttype(a, 'f32')}", f"%b: {ttype(b, 'f32')}"],
                            [ttype(r, "f32")], body)


def scanned_operand(rng, shape, zeros):
    """Gaussian values with the zero fraction `zeros`, or the "relu" pattern."""
    if zeros == "relu":
        n, h, w, c = shape
        noise = rng.standard_normal((n, h + 2, w + 2, c), dtype=np.float32)
        smooth = sum(noise[:, i:i + h, j:j + w, :] for i in range(3) for j in range(3)) / 3.0
        offset = rng.normal(0.0, 0.5, c).astype(np.float32)
        return np.maximum(smooth + offset, 0.0).astype(np.float32)
    x = rng.standard_normal(shape, dtype=np.float32)
    x[rng.random(shape) < zeros] = 0.0
    return x


def numpy_reference(layer, conv_pass, a, b):
    """The float64 result of one pass on (a, b) (the numpy oracle)."""
    p = (layer[5] - 1) // 2
    window = ((1, 1), (1, 1), (p,) * 4)
    xs, ws, _ = shapes(layer)
    if conv_pass == "fwd":
        return ref.conv_forward(a, b, *window)
    if conv_pass == "bwd_data":
        return ref.conv_backward_data(a, b, xs, *window)
    return ref.conv_backward_filter(a, b, ws, *window)


def flops(layer):
    n, h, w, c, f, k = layer
    return 2.0 * n * h * w * c * f * k * k


def run_config(protocol, quick, name, layer, conv_pass, zeros, libs):
    """Every candidate of one (layer, pass, zero fraction); its rows."""
    rng = np.random.default_rng([SEED, list(LAYERS).index(name) if name in LAYERS else 99,
                                 PASSES.index(conv_pass), int(1000 * zeros) if zeros != "relu" else 2000])
    a_shape, b_shape, r_shape = operand_shapes(layer, conv_pass)
    a = scanned_operand(rng, a_shape, zeros)
    b = rng.standard_normal(b_shape, dtype=np.float32)
    p = (layer[5] - 1) // 2
    dnnl = {}
    for algorithm in ("direct", "auto"):
        try:
            dnnl[algorithm] = peers.DnnlConv(conv_pass, algorithm, a, b, r_shape, padding=(p,) * 4)
        except RuntimeError as e:
            dnnl[algorithm] = e
    reference = dnnl["direct"]
    if quick:
        expected = numpy_reference(layer, conv_pass, a, b)
    elif isinstance(reference, Exception):
        raise common.BenchmarkError(f"{name} {conv_pass}: no oneDNN direct result to check "
                                    f"against: {reference}")
    else:
        reference.run()
        expected = reference.fetch(common.prefaulted(r_shape))

    def check(got):
        return check_close(got, expected, tol=TOLERANCE)

    cands = [Candidate.compiled("ours", libs["ours"], "conv", [a, b], [(4, np.float32)],
                                lambda out: check(out[0]))]
    if zeros in (0.0, 0.3):
        cands.append(Candidate.compiled("ours-skip", libs["skip"], "conv", [a, b], [(4, np.float32)],
                                        lambda out: check(out[0])))
    impls = {}
    for algorithm, peer in dnnl.items():
        cand_name = f"onednn-{algorithm}"
        if isinstance(peer, Exception):
            cands.append(Candidate.missing(cand_name, str(peer)))
            continue
        impls[cand_name] = peer.impl
        # At full size oneDNN direct's result is the reference itself.
        fetch = None
        if quick or peer is not reference:
            out = common.prefaulted(r_shape)
            fetch = lambda peer=peer, out=out: check(peer.fetch(out))
        cands.append(Candidate(cand_name, peer.run, check=fetch))
    timings = protocol.measure(cands)
    actual = float(np.mean(a == 0))
    rows = []
    for cand, timing in timings.items():
        row = dict(layer=name, shape="x".join(map(str, layer)), conv_pass=conv_pass,
                   zeros=str(zeros), actual_zeros=actual, candidate=cand,
                   impl=impls.get(cand, ""), **timing.summary())
        row["gflops"] = flops(layer) / row["median_ms"] / 1e6
        for peer_name in PEERS:
            if peer_name in timings:
                row[f"x_{peer_name}"], row[f"x_{peer_name}_per_rep"] = common.speedup(
                    timing, timings[peer_name])
        rows.append(row)
    for peer in dnnl.values():
        if not isinstance(peer, Exception):
            peer.close()
    return rows


def _parse_list(text, allowed):
    items = [t for t in text.split(",") if t] if text else list(allowed)
    bad = [t for t in items if t not in allowed]
    if bad:
        raise SystemExit(f"unknown: {', '.join(bad)} (choose from {', '.join(allowed)})")
    return items


def _zero_label(z):
    return z if z == "relu" else f"{z:g}"


def selection(args):
    """(layers, passes, zero fractions) of this run: the full or quick grid,
    narrowed by --layers, --passes and --zeros."""
    all_layers = QUICK_LAYERS if args.quick else LAYERS
    layers = {k: all_layers[k] for k in _parse_list(args.layers, all_layers)}
    passes = _parse_list(args.passes, PASSES)
    all_zeros = {_zero_label(z): z for z in (QUICK_ZEROS if args.quick else ZEROS)}
    zeros = [all_zeros[z] for z in _parse_list(args.zeros, all_zeros)]
    return layers, passes, zeros


def add_arguments(parser):
    parser.add_argument("--layers", help=f"comma-separated subset of {', '.join(LAYERS)} "
                                         f"(quick: {', '.join(QUICK_LAYERS)})")
    parser.add_argument("--passes", help=f"comma-separated subset of {', '.join(PASSES)}")
    parser.add_argument("--zeros", help="comma-separated subset of "
                                        f"{', '.join(_zero_label(z) for z in ZEROS)}")


def suffix(args):
    """A subset writes results/conv_subset.* (conv_quick_subset.* with
    --quick), so that it does not replace a full run's results."""
    return "_subset" if args.layers or args.passes or args.zeros else ""


#: GF/s per thread (effective) assumed by the estimate, from the first full
#: run (1 thread, medians over the layers): oneDNN direct and auto on 3x3
#: and 1x1 layers, and ours per pass without zeros; ours at zero fraction z
#: is taken to cost (0.25 + 0.75 (1 - z)) of that (0.45 for "relu").
RATES = {"direct": {3: 160.0, 1: 130.0}, "auto": {3: 360.0, 1: 135.0},
         "fwd": 110.0, "bwd_data": 110.0, "bwd_weights": 100.0}
#: Untimed set-up per configuration (operands, oneDNN's reorders, checks),
#: seconds per million elements of the operands and the result.
SETUP_S_PER_MELEM = 0.02


def _estimate_s(layer, conv_pass, zeros, protocol, threads, quick):
    """Seconds one configuration is expected to take (RATES)."""
    gflop = flops(layer) / 1e9
    speed = threads * (1.0 if threads == 1 else 0.9)
    k = layer[5]
    cost = 0.45 if zeros == "relu" else 0.25 + 0.75 * (1 - zeros)
    ours = gflop / (RATES[conv_pass] * speed)
    direct = gflop / (RATES["direct"][k] * speed)
    calls = [ours * cost, direct, gflop / (RATES["auto"][k] * speed)]
    if zeros in (0.0, 0.3):
        calls.append(ours)
    elements = sum(float(np.prod(s)) for s in operand_shapes(layer, conv_pass)) / 1e6
    return ((protocol.warmup + protocol.reps) * (sum(calls) + len(calls) * protocol.gap_s)
            + (0.0 if quick else direct) + SETUP_S_PER_MELEM * elements)


def plan(args, protocols):
    """The grid's size and estimated duration per thread count."""
    layers, passes, zeros = selection(args)
    seconds = {t: sum(_estimate_s(layer, p, z, protocol, t, args.quick)
                      for layer in layers.values() for p in passes for z in zeros)
               for t, protocol in protocols.items()}
    per_thread = ", ".join(f"{t} thread(s) ~{s / 60:.1f} min" for t, s in seconds.items())
    return (f"conv: {len(layers) * len(passes) * len(zeros)} configurations per thread count "
            f"({len(layers)} layers x {len(passes)} passes x {len(zeros)} zero fractions); "
            f"estimated {sum(seconds.values()) / 60:.1f} min in all ({per_thread})")


def run(args, protocol):
    """Every selected layer, pass and zero fraction in this process."""
    threads = int(args.threads)
    info = peers.identify(threads)
    layers, passes, zeros_list = selection(args)
    rows = []
    for name, layer in layers.items():
        for conv_pass in passes:
            libs = {"ours": common.try_compile(common.compile_ours, module_ir(layer, conv_pass, None),
                                               threads, f"conv-{name}-{conv_pass}"),
                    "skip": common.try_compile(common.compile_ours, module_ir(layer, conv_pass, 1.0),
                                               threads, f"conv-{name}-{conv_pass}-skip")}
            for zeros in zeros_list:
                print(f"[{threads}T] {name} {conv_pass} zeros={zeros}", flush=True)
                rows += run_config(protocol, args.quick, name, layer, conv_pass, zeros, libs)
    return rows, info


# --- report ---------------------------------------------------------------------------------------

def break_even(points):
    """The zero fraction where the speedup crosses 1, by linear
    interpolation between measured (fraction, speedup) points."""
    points = sorted((z, s) for z, s in points if np.isfinite(s))
    if not points:
        return "n/a"
    if points[0][1] >= 1.0:
        return "0"
    for (z0, s0), (z1, s1) in zip(points, points[1:]):
        if s0 < 1.0 <= s1:
            return fmt(z0 + (1.0 - s0) * (z1 - z0) / (s1 - s0), 2)
    return "none"


def report(rows):
    """Markdown: the per-configuration table, break-even fractions, the
    VGG16 step."""
    headers = ["threads", "layer", "pass", "zeros", "actual", "candidate", "ms", "IQR ms", "eff. GF/s",
               "x onednn-direct", "x onednn-auto", "impl"]
    table = [[r["threads"], r["layer"], r["conv_pass"], r["zeros"], r["actual_zeros"], r["candidate"],
              r["median_ms"], r["iqr_ms"], r["gflops"], r.get("x_onednn-direct"), r.get("x_onednn-auto"),
              r["impl"]] for r in rows]
    out = ["Times are medians in ms. eff. GF/s = dense direct-convolution flops / t. x peer = "
           "t_peer / t_candidate (above 1: faster than the peer).", markdown_table(headers, table)]
    # Break-even zero fraction of ours against each peer.
    keys = sorted({(r["threads"], r["layer"], r["conv_pass"]) for r in rows},
                  key=lambda k: (k[0], list(LAYERS).index(k[1]) if k[1] in LAYERS else 99,
                                 PASSES.index(k[2])))
    even = []
    for threads, layer, conv_pass in keys:
        mine = [r for r in rows if (r["threads"], r["layer"], r["conv_pass"]) == (threads, layer, conv_pass)
                and r["candidate"] == "ours" and r["zeros"] != "relu"]
        relu = [r for r in rows if (r["threads"], r["layer"], r["conv_pass"]) == (threads, layer, conv_pass)
                and r["candidate"] == "ours" and r["zeros"] == "relu"]
        even.append([threads, layer, conv_pass]
                    + [break_even([(float(r["zeros"]), r.get(f"x_{p}", float("nan"))) for r in mine])
                       for p in PEERS]
                    + [relu[0].get(f"x_{p}") if relu else None for p in PEERS])
    out += ["Break-even zero fraction of ours (i.i.d. zeros), and the speedup at the ReLU pattern:",
            markdown_table(["threads", "layer", "pass", "vs direct", "vs auto", "x direct (relu)",
                            "x auto (relu)"], even)]
    # The VGG16 conv3-conv5 step at the ReLU pattern.
    step = []
    for threads in sorted({r["threads"] for r in rows}):
        total = {}
        for r in rows:
            if r["threads"] == threads and r["layer"] in VGG_STEP and r["zeros"] == "relu":
                total.setdefault(r["candidate"], []).append(r["median_ms"])
        if "ours" in total and len(total["ours"]) == 3 * len(VGG_STEP):
            ours = sum(total["ours"])
            step.append([threads, ours] + [sum(total[p]) / ours if p in total else None for p in PEERS])
    if step:
        out += ["VGG16 conv3-conv5 step (3 layers x 3 passes, ReLU pattern), sum of medians:",
                markdown_table(["threads", "ours ms", "x onednn-direct", "x onednn-auto"], step)]
    out.append(common.not_repeated(rows, lambda r: f"{r['threads']}T {r['layer']} {r['conv_pass']} "
                                                   f"zeros={r['zeros']} {r['candidate']}"))
    return "\n\n".join(o for o in out if o)


BENCH = common.Benchmark("conv", run, report, add_arguments, plan, suffix)

if __name__ == "__main__":
    sys.exit(common.main(BENCH))
