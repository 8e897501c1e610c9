"""Block-sparse activations: sparse_train.bsr_matmul and block_prune against
their peers (docs/Performance.md, "BSR").

For each shape M x K x N, block size b and block density, a random block
pattern (fixed seed) of X (M x K) is built in numpy as BSR buffers
(positions, coordinates, values), and two products are timed:

* fwd:   Y  = X^ W    (W dense K x N)
* wgrad: dW = X^T dY  (dY dense M x N), bsr_matmul's `transpose_a` form.

Candidates per product: ours (sparse_tensor.assemble of the buffers, then
sparse_train.bsr_matmul, through sparse-train-to-cpu), the libxsmm
batch-reduce-GEMM BSR kernel (peers.c), the upstream MLIR sparsifier on a
linalg.matmul with the same BSR operand, and OpenBLAS / oneDNN sgemm on the
dense X^ (zeros included). Separately, block_prune (dense X -> BSR with
global top-k by l1 at the same density) is timed and reported as a fraction
of the forward product it feeds.

Useful GF/s = 2 M N K d / t with d the exact fraction of stored blocks.
Speedups are t_peer / t_candidate (above 1: the candidate is faster).
"""

import sys
from dataclasses import dataclass

import numpy as np

import common
import peers
from common import Candidate, check_close, fmt, markdown_table, reference as ref, ttype

SHAPES = [(2048, 1024, 1024), (2048, 1024, 4096)]
BLOCKS = [16, 32, 64]
DENSITIES = [1.0, 0.5, 0.25, 0.1]
QUICK = {"shapes": [(256, 256, 512)], "blocks": [16, 32], "densities": [1.0, 0.25]}
SEED = 20240601
DENSE_PEERS = ("openblas", "onednn")
FORMS = ("fwd", "wgrad")


# --- operands -----------------------------------------------------------------

@dataclass
class Bsr:
    """A BSR matrix as the three buffers plus its dense form."""
    block: int
    positions: np.ndarray    # int64, block rows + 1
    coordinates: np.ndarray  # int64, block column of each stored block
    values: np.ndarray       # float32, stored blocks row-major, flattened
    dense: np.ndarray        # float32 M x K, zeros outside stored blocks

    @property
    def stored(self):
        return self.coordinates.size

    def density(self):
        m, k = self.dense.shape
        return self.stored / ((m // self.block) * (k // self.block))

    def blocks(self):
        return self.values.reshape(-1, self.block, self.block)

    def block_rows(self):
        """Block row of each stored block."""
        return np.repeat(np.arange(self.positions.size - 1), np.diff(self.positions))

    def block_csc(self):
        """(ptr, idx, blocks) of X^ by block columns with each block
        transposed: the layout of the libxsmm peer's X^T dY (peers.c)."""
        nbc = self.dense.shape[1] // self.block
        rows, cols = self.block_rows(), self.coordinates
        order = np.lexsort((rows, cols))
        ptr = np.concatenate([[0], np.cumsum(np.bincount(cols, minlength=nbc))]).astype(np.int64)
        blocks = np.ascontiguousarray(self.blocks()[order].transpose(0, 2, 1))
        return ptr, rows[order].astype(np.int64), blocks


def random_bsr(rng, m, k, b, density):
    """X^ with keep_count(density, blocks) stored blocks chosen uniformly at
    random (the count block_prune's global top-k keeps), Gaussian values."""
    nbr, nbc = m // b, k // b
    stored = ref.keep_count(density, nbr * nbc)
    flat = np.sort(rng.choice(nbr * nbc, size=stored, replace=False))
    rows, cols = flat // nbc, flat % nbc
    positions = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=nbr))]).astype(np.int64)
    values = rng.standard_normal((stored, b, b)).astype(np.float32)
    grid = np.zeros((nbr, nbc, b, b), dtype=np.float32)
    grid[rows, cols] = values
    dense = np.ascontiguousarray(grid.transpose(0, 2, 1, 3).reshape(m, k))
    return Bsr(b, positions, cols.astype(np.int64), values.reshape(-1), dense)


# --- MLIR ---------------------------------------------------------------------

def encoding(b):
    return (f"#sparse_tensor.encoding<{{map = (i, j) -> (i floordiv {b} : dense, "
            f"j floordiv {b} : compressed, i mod {b} : dense, j mod {b} : dense)}}>")


def _assemble(m, k, b):
    st = f"tensor<{m}x{k}xf32, {encoding(b)}>"
    line = (f"  %x = sparse_tensor.assemble (%pos, %crd), %val : (tensor<?xindex>, tensor<?xindex>), "
            f"tensor<?xf32> to {st}")
    return st, line


_BUFFERS = ["%pos: tensor<?xindex>", "%crd: tensor<?xindex>", "%val: tensor<?xf32>"]


def ours_ir(m, k, n, b):
    """@fwd and @wgrad on sparse_train.bsr_matmul."""
    st, assemble = _assemble(m, k, b)
    fwd = common.mlir_func(
        "fwd", _BUFFERS + [f"%w: {ttype([k, n], 'f32')}"], [ttype([m, n], "f32")],
        f"{assemble}\n  %y = sparse_train.bsr_matmul %x, %w : {st}, {ttype([k, n], 'f32')} -> {ttype([m, n], 'f32')}\n"
        f"  return %y : {ttype([m, n], 'f32')}")
    wgrad = common.mlir_func(
        "wgrad", _BUFFERS + [f"%dy: {ttype([m, n], 'f32')}"], [ttype([k, n], "f32")],
        f"{assemble}\n  %g = sparse_train.bsr_matmul %x, %dy transpose_a : {st}, {ttype([m, n], 'f32')} -> {ttype([k, n], 'f32')}\n"
        f"  return %g : {ttype([k, n], 'f32')}")
    return fwd + "\n" + wgrad


def _linalg_matmul(lhs_t, rhs_t, out_shape, transpose_lhs):
    out_t = ttype(out_shape, "f32")
    maps = ""
    if transpose_lhs:
        maps = ("indexing_maps = [affine_map<(i, j, k) -> (k, i)>, affine_map<(i, j, k) -> (k, j)>, "
                "affine_map<(i, j, k) -> (i, j)>] ")
    return (f"  %zero = arith.constant 0.0 : f32\n"
            f"  %e = tensor.empty() : {out_t}\n"
            f"  %f = linalg.fill ins(%zero : f32) outs(%e : {out_t}) -> {out_t}\n"
            f"  %r = linalg.matmul {maps}ins(%x, %d : {lhs_t}, {rhs_t}) outs(%f : {out_t}) -> {out_t}\n"
            f"  return %r : {out_t}")


def sparsifier_ir(m, k, n, b):
    """@fwd and @wgrad as linalg.matmul on the assembled BSR operand, for
    the upstream sparsifier."""
    st, assemble = _assemble(m, k, b)
    fwd = common.mlir_func("fwd", _BUFFERS + [f"%d: {ttype([k, n], 'f32')}"], [ttype([m, n], "f32")],
                           f"{assemble}\n" + _linalg_matmul(st, ttype([k, n], "f32"), [m, n], False))
    wgrad = common.mlir_func("wgrad", _BUFFERS + [f"%d: {ttype([m, n], 'f32')}"], [ttype([k, n], "f32")],
                             f"{assemble}\n" + _linalg_matmul(st, ttype([m, n], "f32"), [k, n], True))
    return fwd + "\n" + wgrad


def prune_ir(m, k, b, density):
    """@prune: block_prune (l1, global top-k) returning the BSR buffers."""
    st = f"tensor<{m}x{k}xf32, {encoding(b)}>"
    body = (f"  %p = sparse_train.block_prune %x block = [{b}, {b}] score = l1 select = global_top_k "
            f"keep_ratio = {density!r} : {ttype([m, k], 'f32')} -> {st}\n"
            f"  %pos = sparse_tensor.positions %p {{level = 1 : index}} : {st} to memref<?xindex>\n"
            f"  %crd = sparse_tensor.coordinates %p {{level = 1 : index}} : {st} to memref<?xindex>\n"
            f"  %val = sparse_tensor.values %p : {st} to memref<?xf32>\n"
            f"  return %pos, %crd, %val : memref<?xindex>, memref<?xindex>, memref<?xf32>")
    return common.mlir_func("prune", [f"%x: {ttype([m, k], 'f32')}"],
                            ["memref<?xindex>", "memref<?xindex>", "memref<?xf32>"], body)


# --- candidates -----------------------------------------------------------------

def _peer_candidate(name, fn, out, expected):
    return Candidate(name, fn, check=lambda: check_close(out, expected))


def product_candidates(form, x, dense, ours_lib, sparsifier_lib):
    """The candidates of one product form on X^ (a Bsr) and its dense
    operand (W for fwd, dY for wgrad); a lib may be a compile error."""
    x64, d64 = x.dense.astype(np.float64), dense.astype(np.float64)
    expected = x64 @ d64 if form == "fwd" else x64.T @ d64
    buffers = [x.positions, x.coordinates, x.values, dense]
    check = lambda out: check_close(out[0], expected)
    cands = [Candidate.compiled(f"{form}:{name}", lib, form, buffers, [(2, np.float32)], check)
             for name, lib in (("ours", ours_lib), ("sparsifier", sparsifier_lib))]
    out_shape = expected.shape
    xsmm_out = common.prefaulted(out_shape)
    if form == "fwd":
        layout = (x.positions, x.coordinates, x.blocks())
    else:
        layout = x.block_csc()
    cands.append(_peer_candidate(
        f"{form}:libxsmm", lambda: peers.xsmm_bsr(*layout, x.block, dense, xsmm_out), xsmm_out, expected))
    for peer, library in (("openblas", "openblas"), ("onednn", "dnnl")):
        out = common.prefaulted(out_shape)
        cands.append(_peer_candidate(
            f"{form}:{peer}",
            lambda lib=library, out=out: peers.sgemm(lib, x.dense, dense, out, trans_a=form == "wgrad"),
            out, expected))
    return cands


def prune_candidate(rng, m, k, b, density, threads):
    """block_prune on integer-valued X (exact l1 scores, so the selection
    is compared exactly with the numpy oracle)."""
    x = rng.integers(-4, 5, (m, k)).astype(np.float32)
    keep = ref.block_select(ref.block_scores(x, b, b, "l1"), "global_top_k", keep_ratio=density)
    pos, crd, vals = ref.bsr_buffers(x, b, b, keep)
    lib = common.try_compile(common.compile_ours, prune_ir(m, k, b, density), threads, "prune")

    def check(got):
        for what, g, e in zip(("positions", "coordinates", "values"), got, (pos, crd, vals)):
            if g.shape != e.shape or not np.array_equal(g, e):
                return f"{what} differ from the oracle"
        return None
    return Candidate.compiled("prune:ours", lib, "prune", [x],
                              [(1, np.int64), (1, np.int64), (1, np.float32)], check)


# --- one configuration -------------------------------------------------------------

def _rows_of(timings, base):
    """One row per candidate: the base fields, its summary, and speedups."""
    rows = []
    dense = {f: min((timings[f"{f}:{p}"] for p in DENSE_PEERS), key=lambda t: t.median)
             for f in FORMS}
    for name, t in timings.items():
        form, cand = name.split(":")
        row = dict(base, form=form, candidate=cand, **t.summary())
        if form in FORMS:
            row["useful_gflops"] = base["flops"] / row["median_ms"] / 1e6
            row["best_dense_peer"] = dense[form].name.split(":")[1]
            row["x_dense"], row["x_dense_per_rep"] = common.speedup(t, dense[form])
            row["x_libxsmm"], _ = common.speedup(t, timings[f"{form}:libxsmm"])
            row["x_sparsifier"], _ = common.speedup(t, timings[f"{form}:sparsifier"])
        else:
            # block_prune as a fraction of the forward product it feeds.
            fraction = common.speedup(timings["fwd:ours"], t)
            row["fraction_of_fwd"], row["fraction_of_fwd_per_rep"] = fraction
        rows.append(row)
    return rows


def run_config(protocol, threads, shape, b, density):
    """Measures every candidate of one (shape, block, density); its rows."""
    m, k, n = shape
    rng = np.random.default_rng([SEED, m, k, n, b, int(density * 1000)])
    x = random_bsr(rng, m, k, b, density)
    w = rng.standard_normal((k, n)).astype(np.float32)
    dy = rng.standard_normal((m, n)).astype(np.float32)
    ours = common.try_compile(common.compile_ours, ours_ir(m, k, n, b), threads, f"bsr-{m}x{k}x{n}-b{b}")
    sparsifier = common.try_compile(common.compile_sparsifier, sparsifier_ir(m, k, n, b),
                                    f"sparsifier-{m}x{k}x{n}-b{b}")
    cands = (product_candidates("fwd", x, w, ours, sparsifier)
             + product_candidates("wgrad", x, dy, ours, sparsifier)
             + [prune_candidate(rng, m, k, b, density, threads)])
    timings = protocol.measure(cands)
    base = {"shape": f"{m}x{k}x{n}", "M": m, "K": k, "N": n, "block": b, "density": density,
            "stored_blocks": x.stored, "actual_density": x.density(),
            "flops": 2.0 * m * n * k * x.density()}
    return _rows_of(timings, base)


def run(args, protocol):
    """The whole grid in this process (Benchmark.run)."""
    threads = int(args.threads)
    info = peers.identify(threads)
    grid = QUICK if args.quick else {"shapes": SHAPES, "blocks": BLOCKS, "densities": DENSITIES}
    rows = []
    for shape in grid["shapes"]:
        for b in grid["blocks"]:
            for density in grid["densities"]:
                print(f"[{threads}T] {shape} b={b} density={density}", flush=True)
                rows += run_config(protocol, threads, shape, b, density)
    return rows, info


# --- report ------------------------------------------------------------------------

def report(rows):
    """Markdown: the forward and weight-gradient tables, block_prune."""
    out = ["Times are medians in ms; x = t_peer / t_candidate (above 1: faster than that peer), "
           "ratio of medians, with the median of per-repetition ratios in brackets for the dense "
           "peer. Useful GF/s = 2MNK*density/t."]
    for form, title in (("fwd", "Forward Y = X^ W"), ("wgrad", "Weight gradient dW = X^T dY")):
        out.append(f"## {title}")
        headers = ["threads", "shape", "b", "density", "ours ms", "ours GF/s", "x best dense",
                   "x libxsmm", "x sparsifier", "libxsmm ms", "sparsifier ms", "OpenBLAS ms",
                   "oneDNN ms"]
        table = []
        keyed = {(r["threads"], r["shape"], r["block"], r["density"], r["candidate"]): r
                 for r in rows if r["form"] == form}
        for (t, shape, b, d, cand), r in keyed.items():
            if cand != "ours":
                continue
            peer = lambda p: keyed[(t, shape, b, d, p)]["median_ms"]
            table.append([t, shape, b, d, r["median_ms"], r["useful_gflops"],
                          f"{fmt(r['x_dense'])} ({fmt(r['x_dense_per_rep'])})", r["x_libxsmm"],
                          r["x_sparsifier"], peer("libxsmm"), peer("sparsifier"), peer("openblas"),
                          peer("onednn")])
        out.append(markdown_table(headers, table))
        out.append(_peer_table(rows, form))
    out.append("## block_prune (dense X -> BSR, l1, global top-k)")
    prune = [[r["threads"], r["shape"], r["block"], r["density"], r["median_ms"], r["iqr_ms"],
              f"{fmt(r['fraction_of_fwd'])} ({fmt(r['fraction_of_fwd_per_rep'])})"]
             for r in rows if r["form"] == "prune"]
    out.append(markdown_table(["threads", "shape", "b", "density", "prune ms", "IQR ms",
                               "fraction of fwd bsr_matmul"], prune))
    out.append(_status_lines(rows))
    return "\n\n".join(out)


def _peer_table(rows, form):
    """Useful GF/s and speedup over the best dense peer of every candidate."""
    headers = ["threads", "shape", "b", "density", "candidate", "ms", "IQR ms", "useful GF/s",
               "x best dense", "faults/call"]
    table = [[r["threads"], r["shape"], r["block"], r["density"], r["candidate"], r["median_ms"],
              r["iqr_ms"], r["useful_gflops"], r["x_dense"], r["faults_per_call"]]
             for r in rows if r["form"] == form]
    return "<details><summary>all candidates</summary>\n\n" + markdown_table(headers, table) + \
        "\n\n</details>"


def _status_lines(rows):
    return common.not_repeated(rows, lambda r: f"{r['threads']}T {r['shape']} b={r['block']} "
                                               f"d={r['density']} {r['form']}:{r['candidate']}")


BENCH = common.Benchmark("bsr", run, report)

if __name__ == "__main__":
    sys.exit(common.main(BENCH))
