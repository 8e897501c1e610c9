//===- SliceDropOps.td - SliceOut slice-drop ops -----------*- tablegen -*-===//
//
// slice_start, slice_drop, slice_expand (SliceOut, arXiv 2007.10909).
//
//===----------------------------------------------------------------------===//

#ifndef SPARSETRAIN_IR_SLICEDROPOPS_TD
#define SPARSETRAIN_IR_SLICEDROPOPS_TD

def SparseTrain_SliceStartOp : SparseTrain_Op<"slice_start", [Pure]> {
  let summary = "draws the start of a kept slice with Philox4x32-10";
  let description = [{
    Draws the first index of the contiguous slice of `width` units (out of
    `extent`) that SliceOut keeps in this step. The draw is counter based and
    therefore the same on CPU, GPU and every data-parallel replica:

    - Philox4x32-10 (Random123) with key `(lo(seed), hi(seed))`, key word 0
      being the low 32 bits of the i64 seed's bit pattern, and counter
      `(lo(counter), hi(counter), 0, 0)`;
    - with `r` the first output word and `M = floor((extent - width) / align) + 1`
      eligible starts, the result is `align * floor(r * M / 2^32)` (exact).

    `align` (default 1) makes every start a multiple of it. Rules:
    `1 <= width <= extent`, `align >= 1`. When only one start is eligible
    (`M == 1`, e.g. `width == extent`) the op folds to the constant 0, and it
    folds to its value when `seed` and `counter` are constants.

    Units near the edges are kept less often than those in the middle: unit
    `u` is kept by the starts in `[u - width + 1, u]`, which are fewer near
    0 and near `extent`.

    Example:

    ```mlir
    %s = sparse_train.slice_start %seed, %step extent = 512, width = 256, align = 8
    ```
  }];
  let arguments = (ins I64:$seed, I64:$counter, I64Attr:$extent,
                       I64Attr:$width, OptionalAttr<I64Attr>:$align);
  let results = (outs Index:$result);
  let assemblyFormat = [{
    $seed `,` $counter `extent` `=` $extent `,` `width` `=` $width
    (`,` `align` `=` $align^)? attr-dict
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
  let extraClassDeclaration = [{
    /// The alignment of eligible starts (1 when absent).
    int64_t getAlignValue() { return getAlign().value_or(1); }
    /// Number of eligible starts, `floor((extent - width) / align) + 1`.
    int64_t getNumStarts();
  }];
}

def SparseTrain_SliceDropOp : SparseTrain_Op<"slice_drop",
    [Pure, InferTypeOpAdaptor]> {
  let summary = "keeps a contiguous slice of one dimension, scaled";
  let description = [{
    Returns `input` with dimension `dim` cut to the contiguous range
    `[start, start + width)` (no wrap-around), times `scale`. The scale
    defaults to `extent / width` (the inverted-dropout convention, so that
    evaluation needs no rescale). It is rounded to the element type and the
    multiplication happens in that type: each result is `fl(x * fl(scale))`.

    Rules: `0 <= dim < rank`, the sliced dimension is static,
    `1 <= width <= extent`, `scale` finite, and a constant `start` lies in
    `[0, extent - width]` (a dynamic one is checked at run time when the
    pipeline's runtime checks are on). `width == extent` folds to `input`
    when the scale is 1 and canonicalizes to a multiplication otherwise.

    Example:

    ```mlir
    %y = sparse_train.slice_drop %h, %s dim = 1, width = 256 : tensor<32x512xf32>
    // %y : tensor<32x256xf32>, scaled by 2.0
    ```
  }];
  let arguments = (ins SparseTrain_FloatTensor:$input, Index:$start,
                       I64Attr:$dim, I64Attr:$width,
                       OptionalAttr<F64Attr>:$scale);
  let results = (outs SparseTrain_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $start `dim` `=` $dim `,` `width` `=` $width
    (`,` `scale` `=` $scale^)? attr-dict `:` type($input)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
  let extraClassDeclaration = [{
    /// Extent of the sliced dimension of the input.
    int64_t getExtent() { return getInput().getType().getDimSize(getDim()); }
    /// The scale, defaulting to `extent / width`.
    double getScaleValue();
  }];
}

def SparseTrain_SliceExpandOp : SparseTrain_Op<"slice_expand",
    [Pure, InferTypeOpAdaptor]> {
  let summary = "places a slice back into a zero tensor of full extent";
  let description = [{
    The dense meaning of a slice, and the gradient of `slice_drop`: a tensor
    whose dimension `dim` has `extent` entries, equal to `input` on
    `[start, start + width)` and `+0.0` elsewhere, where `width` is the size
    of `dim` in `input`. No scale is applied.

    Rules: `0 <= dim < rank`, the expanded dimension of `input` is static and
    `1 <= width <= extent`; a constant `start` lies in `[0, extent - width]`.
    `width == extent` folds to `input`.

    Example:

    ```mlir
    %g = sparse_train.slice_expand %dy, %s dim = 1, extent = 512 : tensor<32x256xf32>
    // %g : tensor<32x512xf32>
    ```
  }];
  let arguments = (ins SparseTrain_FloatTensor:$input, Index:$start,
                       I64Attr:$dim, I64Attr:$extent);
  let results = (outs SparseTrain_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $start `dim` `=` $dim `,` `extent` `=` $extent attr-dict
    `:` type($input)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
  let extraClassDeclaration = [{
    /// Width of the slice: the size of `dim` in the input.
    int64_t getWidth() { return getInput().getType().getDimSize(getDim()); }
  }];
}

#endif // SPARSETRAIN_IR_SLICEDROPOPS_TD
