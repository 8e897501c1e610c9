//===- Passes.td - sparse_train transform passes -----------*- tablegen -*-===//

#ifndef SPARSETRAIN_TRANSFORMS_PASSES_TD
#define SPARSETRAIN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def SparseTrainVerifyLoweringPass
    : Pass<"sparse-train-verify-lowering", "::mlir::ModuleOp"> {
  let summary = "Fail on any op a lowering pipeline left outside the target dialects";
  let description = [{
    Upstream lowering passes leave ops they do not handle in place, and a
    pipeline that ends with them produces IR that only fails later, when it
    is translated or run. This pass ends the sparse_train pipelines: every op
    must belong to one of `allowed-dialects` (by default `builtin` and
    `llvm`), otherwise it emits an error naming the op and the pass fails.

    ```
    error: 'bufferization.to_tensor' was not lowered (allowed dialects: builtin, llvm)
    ```
  }];
  let options = [
    ListOption<"allowedDialects", "allowed-dialects", "std::string",
               "Dialects that may remain (default: builtin, llvm)">
  ];
}

def SparseTrainSetTargetTriplePass
    : Pass<"sparse-train-set-target-triple", "::mlir::ModuleOp"> {
  let summary = "Give a module without one the target triple its LLVM IR is compiled for";
  let description = [{
    `mlir-translate --mlir-to-llvmir` writes the module's `llvm.target_triple`
    attribute into the LLVM IR, and none when it is missing. `llc` and `opt`
    then compile for an unknown operating system without a C library: LLVM
    22 expands every `llvm.memset` and `llvm.memcpy` into a loop of
    single-byte stores instead of calling `memset`/`memcpy` (a 16 MiB zero
    fill took about 5 ms instead of 1). This pass sets the attribute on a
    module that has none, so that the output of `sparse-train-to-cpu` needs
    no `-mtriple` flag downstream; a triple the module already names is
    kept.

    `triple=host` (the default) is the triple of the machine the compiler
    runs on (`llvm::sys::getProcessTriple()`); any other value is used as
    written and must name an architecture LLVM knows.

    ```
    module attributes {llvm.target_triple = "x86_64-pc-linux-gnu"} { ... }
    ```
  }];
  let options = [
    Option<"triple", "triple", "std::string", /*default=*/"\"host\"",
           "Target triple to set, or `host` for the compiling machine's">
  ];
}

def SparseTrainMatmulToBlasPass
    : Pass<"sparse-train-matmul-to-blas", "::mlir::ModuleOp"> {
  let summary = "Run dense f32 linalg.matmul on buffers through the runtime's sgemm";
  let description = [{
    Rewrites every `linalg.matmul` on memrefs whose operands are all f32 and
    whose indexing maps are one of the four transpose forms
    (`C[i, j] += A[i, k] · B[k, j]`, with A indexed `[k, i]` and/or B
    indexed `[j, k]`) into a call of `sparse_train_sgemm` (C interface,
    operands cast to fully dynamic strided memrefs, then the two transpose
    flags and an accumulate flag as i64). A product that follows a
    `linalg.fill` of +0 into its output buffer, with only ops without memory
    effects in between, overwrites the output instead (accumulate = 0, BLAS
    beta = 0) and the fill is erased: the output is then neither written
    twice nor read. `libsparse_train_runtime.so` implements it with OpenBLAS's
    sgemm when the build found Debian's `libopenblas-dev`, with loops
    otherwise. Matmuls on strided views (e.g. the weight slices of
    slice-drop) need no copy: the leading dimension goes to BLAS.

    Why a library call and not generated code: the project's generated
    register-tiled kernel (bsr_matmul at block density 1) runs 2048x1024 by
    1024x1024 at 0.99x OpenBLAS and 0.88x oneDNN on one core of the
    development machine, and 0.75-0.79x of the best at N = 4096; OpenBLAS
    holds its rate on every shape and transpose form, takes strided views
    without copies and brings its own threading (docs/Performance.md).

    Other element types, batched and generic contractions are left alone.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::func::FuncDialect",
    "::mlir::memref::MemRefDialect"
  ];
}

def SparseTrainSinkFillsPass : Pass<"sparse-train-sink-fills"> {
  let summary = "Clone each linalg.fill in front of every op it initializes";
  let description = [{
    A `linalg.fill` on tensors (usually of zeros into a `tensor.empty`)
    whose result is the init operand of destination-style ops is cloned,
    with its `tensor.empty` when that is its destination, right in front of
    each of them; the original goes when nothing else uses it. Two things
    follow:

    - CSE merges identical fills, and One-Shot Bufferize copies a shared
      filled buffer once for every product that writes into it (a memcpy of
      the whole result per product); with a fill per product, each fills
      and writes its own buffer.
    - A fill right in front of the product it initializes can be folded
      into it later: `sparse-train-matmul-to-blas` calls sgemm with
      beta = 0 instead, and the lowering of `slice_expand` writes a product
      into its expanded result when the product's `tensor.empty` follows
      the slice's start.

    ```mlir
    %z = linalg.fill ins(%zero : f32) outs(%e : tensor<4x4xf32>) -> tensor<4x4xf32>
    %a = linalg.matmul ins(%x, %y : ...) outs(%z : tensor<4x4xf32>) -> tensor<4x4xf32>
    %b = linalg.matmul ins(%u, %v : ...) outs(%z : tensor<4x4xf32>) -> tensor<4x4xf32>
    ```

    becomes a `tensor.empty` and a `linalg.fill` right before each matmul.
    Fills with other users (not as an init) stay for them. The
    `sparse-train-to-cpu` pipeline runs this pass before its lowering.
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def SparseTrainGeneralizeSparseLinalgPass
    : Pass<"sparse-train-generalize-sparse-linalg"> {
  let summary = "Generalize the named linalg ops that have a sparse operand";
  let description = [{
    The sparsifier rewrites `linalg.generic` only, so named linalg ops with a
    sparse tensor operand must become generic first. Unlike
    `linalg-generalize-named-ops`, this pass keeps dense named ops (e.g.
    `linalg.matmul`) named, so that later passes can still recognize them
    (`sparse-train-matmul-to-blas`).
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def SparseTrainPropagateSlicesPass
    : Pass<"sparse-train-propagate-slices"> {
  let summary = "Turn slice-drop around linear layers into smaller GEMMs on weight views";
  let description = [{
    SliceOut saves time only if the dropped units are never computed. This
    pass moves the slices of `slice_drop` and `slice_expand` to where they
    remove work, forward and backward:

    - `slice_drop` whose start comes from a `slice_start` of the same extent
      and width (so it is in range) becomes a `tensor.extract_slice` (a
      view) followed by the scale; the slice then moves above the linalg
      ops that produce the activation and whose indexing maps are
      permutations (element-wise bias and activation, `linalg.matmul`),
      down to a slice of the weight with a dynamic offset: a smaller GEMM on
      a strided view, no copy.
    - `slice_expand` (zeros outside the slice) sinks below element-wise
      `linalg.generic` ops that map a zero of it to zero (products with it,
      its negation, a select between it and 0: the ReLU gradient), and a
      `linalg.matmul` with a `slice_expand` operand contracts over the slice
      only (along the contraction dimension: the data gradient through the
      sliced weight) or computes only that slice of its result, expanded
      after (along a parallel dimension: the weight gradient, which stays
      full size, zero outside the slice).

    Between rounds, common subexpressions are merged, so an activation that
    the forward and the backward step both slice ends with one sliced use,
    which the bubble-up pattern needs.

    Results equal the unpropagated program's up to the sign of zeros outside
    the slice, except where a dropped zero would have met an Inf or NaN
    (`0 · Inf` is NaN in the dense product and absent from the sliced one).
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::sparse_train::SparseTrainDialect"
  ];
}

def SparseTrainApplyZeroSkipPass
    : Pass<"sparse-train-apply-zero-skip", "::mlir::func::FuncOp"> {
  let summary = "Rewrite convolutions behind a ReLU into zero-skipping convolutions";
  let description = [{
    Finds convolutions whose image operand gets its zeros from a ReLU, and
    rewrites them into the sparse_train op that skips those zeros. The
    three computations are recognized from the indexing maps of any
    `linalg` op (named or generic) with a multiply-accumulate body and two
    inputs, once its operands are traced back through `linalg.transpose`,
    zero `tensor.pad` (the image) and torch-mlir's weight flip (a generic
    without inputs that reads the filter with `tensor.extract` at
    `[i1, i0, K-1-i2, K-1-i3]`, the filter):

    | computation | maps (loop names as in the ops) | becomes |
    |---|---|---|
    | forward | `y(n,a,b,f) += x(n, a*s + kh*d, b*s + kw*d, c) * w(kh,kw,c,f)` | `conv2d_zero_skip %x, %w` |
    | filter gradient | `dw(kh,kw,c,f) += x(n, a*s + kh*d, b*s + kw*d, c) * dy(n,a,b,f)` | `conv2d_zero_skip_backward_filter %x, %dy` |
    | data gradient (stride 1) | `dx(n,i,j,c) += dy(n, i + A - kh*d, j + B - kw*d, f) * w(kh,kw,c,f)` | `conv2d_zero_skip_backward_data %dy, %w` |

    The dimensions may come in any order: the image's batch is its first
    dimension (NHWC and NCHW alike), which tells a filter gradient (batch
    reduced) from a forward convolution (batch kept), and a filter read
    through the flip turns torch-mlir's `conv_transpose` form into the data
    gradient of the unflipped filter. So `linalg.conv_2d_nhwc_hwcf`,
    `linalg.conv_2d_nchw_fchw`, torch-mlir's decomposed
    `convolution_backward` (flip + pad + convolution for dX;
    transpose + pad + transpose + convolution + transpose for dW) and its
    direct generic form all match. Operands in other layouts than the ops'
    (NHWC images and output gradients, HWCF filters) are transposed to them
    with `linalg.transpose`, and the result back; canonicalization cancels
    the pairs this leaves between layers. The zero padding looked through
    becomes the op's padding (with the maps' offsets); an accumulator that
    is not zero (torch-mlir's broadcast bias) is added to the result with
    `linalg.add`. The image must be a ReLU output or a gradient masked by
    one: the result of an element-wise linalg op (or `arith.maximumf` on
    tensors) whose value is `max(v, 0)` or a `select` between a value and
    zero on a comparison with zero (the forms torch-mlir and JAX emit for
    ReLU and its backward, also at the end of a fused body).

    Every convolution-shaped op gets a remark: what it became, or why it
    was declined (no ReLU zeros, padding with a value other than zero or
    of the batch or channels, dynamic padding, sizes that no window
    explains). Forward results do
    not change except where a zero of the image meets Inf/NaN in the other
    operand (docs/Semantics.md).
  }];
  let options = [
    Option<"maxDensity", "max-density", "double", "-1.0",
           "max_density given to the created ops, in [0, 1] (default: the "
           "ops' own default)">
  ];
  let dependentDialects = ["::mlir::sparse_train::SparseTrainDialect"];
}

def SparseTrainStripTrainingPass
    : Pass<"sparse-train-strip-training", "::mlir::func::FuncOp"> {
  let summary = "Remove slice-drop for evaluation, widening what consumed it";
  let description = [{
    The evaluation form of a program written with slice-drop: every
    `sparse_train.slice_drop` is replaced by its full-size input (no scale:
    the inverted-dropout convention already gives evaluation its expected
    values), and the full sizes are propagated to every op that consumed a
    slice:

    - element-wise ops on tensors take the operands' new shape;
    - linalg ops on tensors (named or generic) get loop sizes from their
      inputs; inits built by `tensor.empty`, `linalg.fill` of one, or a
      splat constant are rebuilt at the new sizes (a shared init is copied,
      not changed);
    - `slice_expand` of a full-size value becomes that value;
    - the function's results take the new types (a gradient the step
      returned expanded keeps its type).

    `slice_start` ops left without uses are removed. Any other op fed by a
    slice is an error that names it: the pass never leaves IR whose types
    disagree. Run it before `sparse-train-propagate-slices`.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def SparseTrainMemoryReportPass
    : Pass<"sparse-train-memory-report", "::mlir::ModuleOp"> {
  let summary = "Report the activation bytes a training step saves for its backward";
  let description = [{
    Analyzes each joint training-step function (forward and backward in one
    body): the forward is what the first `forward-results` results need,
    the backward what the tangent arguments feed and what the other
    (gradient) results need beyond the forward, and the saved values are
    what backward ops read from forward ops or from non-tangent arguments
    (operands other than destination inits, and values captured in
    regions; constants and empty tensors excluded). Saved values computed
    from parameters alone are parameters; the others are activations.
    Parameters are the `params` arguments, else those marked with the unit
    argument attribute `sparse_train.param`, else the arguments whose type
    some gradient result has.

    Per saved activation the report gives its producer and location, type,
    bytes as a dense tensor (the full-size tensor for a slice, the dense
    shape for a retained form or a BSR tensor) and bytes as stored (values
    plus positions of a retained form, blocks plus positions and
    coordinates of a block_prune result with a fixed count), then the
    totals, and the peak of the saved bytes live at one point of the step
    (a value is live from its definition to its last backward reader). The
    IR is not changed.

    ```
    memory report for @train_step: 1 forward result(s)
    saved activations:
      argument 0 at loc("step.mlir":3:21): tensor<4x8xf32>: 128 B dense, 128 B stored, read by 1 backward op(s)
      ...
    total saved activations: 2 value(s), 384 B dense, 384 B stored (100.0 %)
    peak of live saved activations: 384 B dense, 384 B stored (100.0 %)
    saved parameters: 1 value(s), 192 B
    ```
  }];
  let options = [
    Option<"funcName", "func", "std::string", "\"\"",
           "Only this function (default: every function with a body)">,
    Option<"forwardResults", "forward-results", "unsigned", "1",
           "Leading results that are forward outputs; the rest are gradients">,
    ListOption<"tangents", "tangents", "unsigned",
               "Arguments that are tangents (output gradients)">,
    ListOption<"params", "params", "unsigned",
               "Arguments that are parameters (default: see the description)">,
    Option<"format", "format", "std::string", "\"text\"",
           "text or json">,
    Option<"output", "output", "std::string", "\"\"",
           "File to write the report to ('-': stdout; default: stderr)">
  ];
}

def SparseTrainApplySliceDropPass
    : Pass<"sparse-train-apply-slice-drop", "::mlir::func::FuncOp"> {
  let summary = "SliceOut: train a contiguous slice of the hidden units of linear and convolution unit chains";
  let description = [{
    In a joint training step (see `sparse-train-memory-report` for the
    analysis and its options `forward-results`, `tangents` and `params`),
    a unit chain is a forward product `U · W` (any matmul transpose form,
    named or generic; W a parameter, possibly behind a `linalg.transpose`)
    whose operand U, the hidden units, comes from a forward product
    through element-wise ops only (bias, activation): Linear, bias, ReLU or
    GELU, Linear. For each chain the pass draws a start with
    `sparse_train.slice_start` (`seed`/`seed-arg`, `counter`/`counter-arg`
    plus the chain's index, extent N, width W = the largest multiple of
    `align` not above `keep-ratio` x N, at least `align`) and rewrites:

    - the forward product to read `slice_drop(U)` (scale N/W, the
      inverted-dropout convention) and the matching rows of its weight
      operand (`slice_drop` with scale 1);
    - the weight gradients computed from U (backward products reading U)
      to read the slice, expanded back to N with `slice_expand` (zeros:
      units outside the slice get no gradient);
    - the gradient of U (the backward product reading W) to use W's slice,
      times the scale, expanded with zeros, so the backward of the
      element-wise ops and of the first product see a gradient that is
      zero outside the slice.

    This is SliceOut's definition: the forward results change (dropped
    units contribute nothing, kept ones are scaled). Run
    `sparse-train-propagate-slices` (part of `sparse-train-to-cpu`) to turn
    the slices into smaller products. Chains whose units or weight have
    other readers (a residual connection, a forward use of the weight) are
    declined with a remark; so are chains whose units have a dynamic
    shape or whose keep ratio and alignment keep every unit.

    Convolution chains slice channels: a forward convolution (any layout,
    named or generic, found as `sparse-train-apply-zero-skip` finds it,
    through transposes and zero padding) whose image is the output of
    another forward convolution through element-wise ops (bias, ReLU) and
    whose filter is a parameter. The loop over the units' channels of each
    of the chain's convolutions runs over the slice: the forward
    convolution reads the scaled channel slice of its (padded) image and
    the filter's input-channel slice; its filter gradients (those computed
    from the units, torch-mlir's transposed form included) read the scaled
    slice and are expanded along the filter's input channels; its data
    gradients (those computing the units' gradient from the filter, through
    torch-mlir's weight flip) read the filter's slice times the scale and
    are expanded along the channels. A chain whose filter gradient or data
    gradient is not a convolution (torch-mlir turns a strided data gradient
    into a scatter) is declined. Max pooling between the convolutions ends
    a chain.
  }];
  let options = [
    Option<"keepRatio", "keep-ratio", "double", "0.5",
           "Fraction of each chain's units kept, in (0, 1]">,
    Option<"align", "align", "int64_t", "1",
           "The slice's start and width are multiples of this">,
    Option<"seed", "seed", "int64_t", "0",
           "Philox key of slice_start when seed-arg is not given">,
    Option<"seedArg", "seed-arg", "int64_t", "-1",
           "An i64 argument to use as the seed (-1: the seed option)">,
    Option<"counter", "counter", "int64_t", "0",
           "Counter of the first chain's slice_start (the chain's index is "
           "added) when counter-arg is not given">,
    Option<"counterArg", "counter-arg", "int64_t", "-1",
           "An i64 argument to use as the counter (-1: the counter option)">,
    ListOption<"layerIndices", "layers", "unsigned",
               "Unit chains to slice, in forward order (default: all)">,
    Option<"funcName", "func", "std::string", "\"\"",
           "Only this function (default: every joint step)">,
    Option<"forwardResults", "forward-results", "unsigned", "1",
           "Leading results that are forward outputs; the rest are gradients">,
    ListOption<"tangents", "tangents", "unsigned",
               "Arguments that are tangents (output gradients)">,
    ListOption<"params", "params", "unsigned",
               "Arguments that are parameters">
  ];
  let dependentDialects = [
    "::mlir::sparse_train::SparseTrainDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def SparseTrainApplyMinKPass
    : Pass<"sparse-train-apply-min-k", "::mlir::func::FuncOp"> {
  let summary = "DropIT: weight gradients of linear layers and convolutions from min-k retained inputs";
  let description = [{
    In a joint training step (see `sparse-train-memory-report` for how the
    forward, the backward and the saved values are found, and its options
    `forward-results`, `tangents` and `params`), the weight gradient of a
    linear layer is a matmul-shaped contraction over the rows of a saved
    activation X and of an output gradient G: `dW = X^T G` or, in
    torch-mlir's `[out, in]` layout, `G^T X` (any of the four transpose
    forms of `linalg.matmul` or the equivalent `linalg.generic`, with
    `linalg.transpose` ops in front looked through). The filter gradient of
    a convolution is found as `sparse-train-apply-zero-skip` finds it (any
    layout, named or generic, torch-mlir's decomposed
    `convolution_backward` included). The pass inserts
    `sparse_train.min_k_retain` of X right after X is defined (of X
    transposed to NHWC for a convolution in another layout) and computes
    the gradient with `sparse_train.min_k_weight_grad` (transposed back to
    the layout the step uses). X's forward uses stay dense, so the forward
    results do not change; the gradient follows DropIT's definition.

    Layers are the saved activations that feed such a gradient (linear
    layers and convolutions alike), numbered in the order the function
    defines them. By default the first (the
    network input) and the last (the classifier's input) keep their dense
    input, as DropIT's reference runs do; `layers` lists the indices to
    rewrite instead, and `layer-names` the names: a layer is named by a
    `sparse_train.layer` string attribute on one of its weight-gradient ops,
    on a forward linalg op reading its input or on the op defining its input
    (checked in that order), or else by that attribute on the function
    result its weight gradient is returned as (through transposes, casts
    and reshapes), e.g. `-> (tensor<...> {sparse_train.layer = "fc2"})`.
    Remarks name the layer after its index. A ReLU's backward often reads the same input (torch's
    `threshold_backward` compares the ReLU output with zero, JAX's select
    the ReLU input): with `relu-mask` (default on), when such comparisons
    are the only other backward readers, each is computed in the forward
    as an i1 tensor (marked `sparse_train.saved_form`, so the analysis
    counts it as forward) and the backward reads that instead, so the
    dense input is not saved. Every candidate gets a remark: rewritten (and
    whether the dense input stays alive because the backward reads it
    elsewhere), or why not.
  }];
  let options = [
    Option<"keepRatio", "keep-ratio", "double", "0.1",
           "Fraction of each saved input kept (DropIT's 1 - gamma)">,
    Option<"encoding", "encoding", "std::string", "\"bitmask\"",
           "Where the kept elements are: bitmask or indices">,
    Option<"reluMask", "relu-mask", "bool", "true",
           "When a ReLU's backward is the only other backward reader of a "
           "rewritten layer's input, save its comparison as an i1 tensor in "
           "the forward so that the dense input is freed">,
    ListOption<"layerIndices", "layers", "unsigned",
               "Layers to rewrite by index (default, with no layer-names: "
               "all but the first and the last)">,
    ListOption<"layerNames", "layer-names", "std::string",
               "Layers to rewrite by the `sparse_train.layer` name of their "
               "weight gradient, forward op, input or gradient result">,
    Option<"funcName", "func", "std::string", "\"\"",
           "Only this function (default: every joint step)">,
    Option<"forwardResults", "forward-results", "unsigned", "1",
           "Leading results that are forward outputs; the rest are gradients">,
    ListOption<"tangents", "tangents", "unsigned",
               "Arguments that are tangents (output gradients)">,
    ListOption<"params", "params", "unsigned",
               "Arguments that are parameters">
  ];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect",
    "::mlir::sparse_train::SparseTrainDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def SparseTrainApplyBlockPrunePass
    : Pass<"sparse-train-apply-block-prune", "::mlir::func::FuncOp"> {
  let summary = "Weight gradients of linear layers from block-pruned (BSR) inputs";
  let description = [{
    The BSR variant of `sparse-train-apply-min-k` (same layers, same
    defaults, same `forward-results`, `tangents` and `params`): the saved
    input X of a chosen linear layer is block-pruned right after it is
    defined (`sparse_train.block_prune`, `block-rows` x `block-cols` blocks,
    `score`, global top-k with `keep-ratio`), and its weight gradient
    `X^T G` becomes `sparse_train.bsr_matmul` with `transpose_a` (transposed
    back for torch-mlir's `[out, in]` layout). X's forward uses stay dense.

    Declined, with a remark: layers not chosen, inputs whose shape the block
    does not divide, non-static shapes, accumulating gradients. A remark
    also says when the dense input stays alive because the backward reads
    it elsewhere.
  }];
  let options = [
    Option<"blockRows", "block-rows", "int64_t", "32", "Rows of a block">,
    Option<"blockCols", "block-cols", "int64_t", "32", "Columns of a block">,
    Option<"keepRatio", "keep-ratio", "double", "0.5",
           "Fraction of the blocks kept (global top-k)">,
    Option<"score", "score", "std::string", "\"l1\"",
           "Block score: l1, l2 or max_abs">,
    Option<"reluMask", "relu-mask", "bool", "true",
           "As in sparse-train-apply-min-k: save a ReLU backward's "
           "comparison as an i1 tensor so that the dense input is freed">,
    ListOption<"layerIndices", "layers", "unsigned",
               "Layers to rewrite by index (default, with no layer-names: "
               "all but the first and the last)">,
    ListOption<"layerNames", "layer-names", "std::string",
               "Layers to rewrite by the `sparse_train.layer` name of their "
               "weight gradient, forward op, input or gradient result">,
    Option<"funcName", "func", "std::string", "\"\"",
           "Only this function (default: every joint step)">,
    Option<"forwardResults", "forward-results", "unsigned", "1",
           "Leading results that are forward outputs; the rest are gradients">,
    ListOption<"tangents", "tangents", "unsigned",
               "Arguments that are tangents (output gradients)">,
    ListOption<"params", "params", "unsigned",
               "Arguments that are parameters">
  ];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect",
    "::mlir::sparse_tensor::SparseTensorDialect",
    "::mlir::sparse_train::SparseTrainDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

#endif // SPARSETRAIN_TRANSFORMS_PASSES_TD
