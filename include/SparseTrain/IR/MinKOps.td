//===- MinKOps.td - DropIT min-k retention ops -------------*- tablegen -*-===//
//
// min_k_retain, min_k_restore, min_k_weight_grad (DropIT, arXiv 2202.13808).
//
//===----------------------------------------------------------------------===//

#ifndef SPARSETRAIN_IR_MINKOPS_TD
#define SPARSETRAIN_IR_MINKOPS_TD

def SparseTrain_MinKRetainOp : SparseTrain_Op<"min_k_retain",
    [Pure, InferTypeOpAdaptor]> {
  let summary = "keeps the K largest-magnitude elements of a tensor";
  let description = [{
    Produces the retained form of `input`: its K largest-magnitude elements,
    in ascending flat-index order, and where they were (DropIT). Only the
    copy saved for the weight gradient is sparsified; the forward result never
    changes.

    - `keep = K` gives the count; `keep_ratio = ρ` gives
      `K = floor(ρ * n + 0.5)` with the product taken in f64 (round half up),
      computed at compile time for static shapes. Exactly one of them is
      given; `0 <= ρ <= 1` and `0 <= K <= n`.
    - `granularity = tensor` (default) selects over all `n = numel`
      elements; `granularity = row` keeps K per row of the 2-D view
      `[numel / d, d]` with `d` the last dimension, `n = d`. Positions stay
      flat positions into the whole tensor.
    - `encoding = bitmask` (default) or `indices`: see
      `!sparse_train.retained`.

    Selection is exact and deterministic: elements are ordered by `|x|`
    (subnormals by their true size); every NaN ranks equal to the others and
    above +Inf, so NaNs are kept; -0.0 equals 0.0; among equal magnitudes
    (and among NaNs) the lowest flat index wins.

    The result type is inferred: `kept` is `K` (times the number of rows for
    `granularity = row`), `?` when it depends on a dynamic dimension.

    Example:

    ```mlir
    %r = sparse_train.min_k_retain %x keep_ratio = 1.000000e-01 : tensor<64x128xf32>
    // %r : !sparse_train.retained<64x128xf32, kept = 819, bitmask>
    ```
  }];
  let arguments = (ins SparseTrain_FloatTensor:$input,
                       OptionalAttr<F64Attr>:$keep_ratio,
                       OptionalAttr<I64Attr>:$keep,
                       DefaultValuedAttr<SparseTrain_GranularityAttr,
                           "::mlir::sparse_train::Granularity::Tensor">:$granularity,
                       DefaultValuedAttr<SparseTrain_RetainEncodingAttr,
                           "::mlir::sparse_train::RetainEncoding::Bitmask">:$encoding);
  let results = (outs SparseTrain_RetainedType:$result);
  let assemblyFormat = [{
    $input (`keep_ratio` `=` $keep_ratio^)? (`keep` `=` $keep^)?
    (`granularity` `=` `` $granularity^)? (`encoding` `=` `` $encoding^)?
    attr-dict `:` type($input)
  }];
  let extraClassDeclaration = [{
    /// The number of elements kept per selection set (the whole tensor, or
    /// one row), or ShapedType::kDynamic when it depends on a dynamic size.
    int64_t getKeepPerSet();
  }];
}

def SparseTrain_MinKRestoreOp : SparseTrain_Op<"min_k_restore",
    [Pure, InferTypeOpAdaptor]> {
  let summary = "rebuilds the dense tensor from a retained form";
  let description = [{
    Returns the dense tensor that `retained` stands for: the kept values at
    their places and +0.0 everywhere else. The result type is the dense type
    of the retained type.

    `min_k_restore(min_k_retain(x))` folds to `x` when every element is kept.

    Example:

    ```mlir
    %xhat = sparse_train.min_k_restore %r : !sparse_train.retained<64x128xf32, kept = 819, bitmask>
    // %xhat : tensor<64x128xf32>
    ```
  }];
  let arguments = (ins SparseTrain_RetainedType:$retained);
  let results = (outs SparseTrain_FloatTensor:$result);
  let assemblyFormat = "$retained attr-dict `:` qualified(type($retained))";
  let hasFolder = 1;
}

def SparseTrain_MinKWeightGradOp : SparseTrain_Op<"min_k_weight_grad",
    [Pure]> {
  let summary = "weight gradient computed from a retained layer input";
  let description = [{
    Computes the weight gradient of a layer whose input `x` was saved in
    retained form, without materialising the dense `x̂`: only kept entries
    contribute, so a dropped entry facing Inf/NaN in `grad_output` adds
    nothing. Two forms, chosen by the rank of the result:

    - **linear** (rank-2 result `[in, out]`): `dW = x̂ᵀ · dy`, with the leading
      dimensions of `x` (shape `[..., in]`) flattened into rows and
      `grad_output` of shape `[..., out]` with the same number of rows.
      `strides`, `dilations` and `padding` are not allowed.
    - **convolution filter** (rank-4 result `[KH, KW, C, F]`, HWCF): the
      filter gradient of the NHWC convolution of `x` (`[N, H, W, C]`) whose
      output gradient is `grad_output` (`[N, OH, OW, F]`), with `strides`
      (default `[1, 1]`), `dilations` (default `[1, 1]`) and `padding`
      `[top, bottom, left, right]` (default zeros). The filter's spatial size
      is the result's `KH, KW`; `OH = floor((H + top + bottom - dh·(KH-1) - 1) / sh) + 1`
      and likewise for `OW`.

    f16 and bf16 inputs may accumulate into an f32 result; otherwise the
    result element type is the input's. With every element kept the result
    equals the dense gradient.

    Example:

    ```mlir
    %dw = sparse_train.min_k_weight_grad %r, %dy
        : !sparse_train.retained<64x128xf32, kept = 819, bitmask>, tensor<64x32xf32>
        -> tensor<128x32xf32>
    ```
  }];
  let arguments = (ins SparseTrain_RetainedType:$retained,
                       SparseTrain_FloatTensor:$grad_output,
                       OptionalAttr<DenseI64ArrayAttr>:$strides,
                       OptionalAttr<DenseI64ArrayAttr>:$dilations,
                       OptionalAttr<DenseI64ArrayAttr>:$padding);
  let results = (outs SparseTrain_FloatTensor:$result);
  let assemblyFormat = [{
    $retained `,` $grad_output (`strides` `=` $strides^)?
    (`dilations` `=` $dilations^)? (`padding` `=` $padding^)? attr-dict
    `:` qualified(type($retained)) `,` type($grad_output) `->` type($result)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = SparseTrain_ConvWindowAccessors # [{
    /// True for the convolution-filter form (rank-4 result).
    bool isConvForm() { return getResult().getType().getRank() == 4; }
  }];
}

#endif // SPARSETRAIN_IR_MINKOPS_TD
