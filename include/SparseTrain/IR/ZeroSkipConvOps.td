//===- ZeroSkipConvOps.td - SparseTrain convolution ops ----*- tablegen -*-===//
//
// conv2d_zero_skip and its two gradients (SparseTrain, arXiv 1911.10175).
//
//===----------------------------------------------------------------------===//

#ifndef SPARSETRAIN_IR_ZEROSKIPCONVOPS_TD
#define SPARSETRAIN_IR_ZEROSKIPCONVOPS_TD

/// Common shape of the three convolutions: two tensor operands, the window
/// attributes, one tensor result.
/// `defaultMaxDensity`: the density of the scanned operand above which the
/// dense loop is faster, measured per op (docs/Performance.md).
class SparseTrain_ConvOp<string mnemonic, string defaultMaxDensity,
                         list<Trait> traits = []>
    : SparseTrain_Op<mnemonic, !listconcat([Pure], traits)> {
  let results = (outs SparseTrain_FloatTensor:$result);
  let hasVerifier = 1;
  let extraClassDeclaration = SparseTrain_ConvWindowAccessors # [{
    /// The density of the scanned operand above which the CPU kernels run
    /// the dense loop instead of skipping zeros.
    double getMaxDensityOrDefault() {
      return getMaxDensity() ? getMaxDensity()->convertToDouble()
                             : }] # defaultMaxDensity # [{;
    }
  }];
}

defvar ConvMeaning = [{
    All three ops use NHWC activations, HWCF filters and NHWF outputs and
    mean exactly the dense convolution (`linalg.conv_2d_nhwc_hwcf` on the
    input padded with zeros) or one of its gradients; only the work on zeros
    of the scanned operand is skipped. `strides = [sh, sw]` and
    `dilations = [dh, dw]` default to ones, `padding = [top, bottom, left,
    right]` to zeros. The output size per spatial dimension is
    `floor((I + pad_lo + pad_hi - d * (K - 1) - 1) / s) + 1`, which must be
    at least 1. Results differ from dense only by summation order and where a
    zero of the scanned operand (or padding) meets Inf/NaN in the other
    operand (dense gives NaN, skipping gives 0). ±0.0 is skipped; NaN and
    subnormals are not. There is no bias operand.

    `max_density` (in `[0, 1]`) steers the compiled code: when the fraction
    of non-zeros in the scanned operand (estimated from a strided sample of
    at most 4096 vectors) exceeds it, the CPU kernel runs its dense loop,
    which visits the zeros too, so that a zero meeting Inf/NaN gives NaN
    there, as in the dense convolution. With `max_density = 1`
    zeros are always skipped. The default is the break-even density
    measured by the benchmarks (docs/Performance.md): 0.8 for each of the
    three kernels; for pointwise ops (1x1 filter, unit strides, no
    padding), which have kernels of their own, 0.5 for the forward and data
    gradient and 0.35 for the filter gradient; and 0 where skipping was
    slower at every density: any other forward or data-gradient kernel
    whose skipping loop adds at most 4 vectors of FMAs per non-zero (e.g. a
    strided 1x1 filter with at most 64 result channels at 512-bit
    vectors).

    Rules: rank-4 operands and result with one element type, strides and
    dilations `>= 1`, padding `>= 0`, channel and batch sizes that agree,
    spatial sizes consistent with the formula above (checked where static).
}];

def SparseTrain_Conv2DZeroSkipOp : SparseTrain_ConvOp<"conv2d_zero_skip", "0.8",
    [InferTypeOpAdaptor]> {
  let summary = "2-D convolution that skips the zeros of its input";
  let description = !strconcat([{
    Forward convolution `y = conv(x, w)` of `input` (`[N, H, W, C]`) and
    `filter` (`[KH, KW, C, F]`) into `[N, OH, OW, F]`, skipping the zeros of
    `input` (typically produced by a ReLU). The result type is inferred.

  }], ConvMeaning, [{

    Example:

    ```mlir
    %y = sparse_train.conv2d_zero_skip %x, %w strides = [1, 1] padding = [1, 1, 1, 1]
        : tensor<2x8x8x16xf32>, tensor<3x3x16x32xf32>
    // %y : tensor<2x8x8x32xf32>
    ```
  }]);
  let arguments = (ins SparseTrain_FloatTensor:$input,
                       SparseTrain_FloatTensor:$filter,
                       OptionalAttr<DenseI64ArrayAttr>:$strides,
                       OptionalAttr<DenseI64ArrayAttr>:$dilations,
                       OptionalAttr<DenseI64ArrayAttr>:$padding,
                       OptionalAttr<F64Attr>:$max_density);
  // Every rule is checked while inferring the result type.
  let hasVerifier = 0;
  let assemblyFormat = [{
    $input `,` $filter (`strides` `=` $strides^)? (`dilations` `=` $dilations^)?
    (`padding` `=` $padding^)? (`max_density` `=` $max_density^)? attr-dict
    `:` type($input) `,` type($filter)
  }];
}

def SparseTrain_Conv2DZeroSkipBackwardDataOp
    : SparseTrain_ConvOp<"conv2d_zero_skip_backward_data", "0.8"> {
  let summary = "input gradient of a convolution, skipping zeros of dy";
  let description = !strconcat([{
    The gradient `dx` (`[N, H, W, C]`, the result) of the convolution of an
    input of that shape with `filter` (`[KH, KW, C, F]`), given the output
    gradient `grad_output` (`[N, OH, OW, F]`), skipping the zeros of
    `grad_output` (those a ReLU's backward put there). The result type is
    spelled out because `H` and `W` do not follow from `OH` and `OW` when a
    stride exceeds 1.

  }], ConvMeaning, [{

    Example:

    ```mlir
    %dx = sparse_train.conv2d_zero_skip_backward_data %dy, %w padding = [1, 1, 1, 1]
        : tensor<2x8x8x32xf32>, tensor<3x3x16x32xf32> -> tensor<2x8x8x16xf32>
    ```
  }]);
  let arguments = (ins SparseTrain_FloatTensor:$grad_output,
                       SparseTrain_FloatTensor:$filter,
                       OptionalAttr<DenseI64ArrayAttr>:$strides,
                       OptionalAttr<DenseI64ArrayAttr>:$dilations,
                       OptionalAttr<DenseI64ArrayAttr>:$padding,
                       OptionalAttr<F64Attr>:$max_density);
  let assemblyFormat = [{
    $grad_output `,` $filter (`strides` `=` $strides^)?
    (`dilations` `=` $dilations^)? (`padding` `=` $padding^)?
    (`max_density` `=` $max_density^)? attr-dict
    `:` type($grad_output) `,` type($filter) `->` type($result)
  }];
}

def SparseTrain_Conv2DZeroSkipBackwardFilterOp
    : SparseTrain_ConvOp<"conv2d_zero_skip_backward_filter", "0.8"> {
  let summary = "filter gradient of a convolution, skipping zeros of x";
  let description = !strconcat([{
    The filter gradient `dw` (`[KH, KW, C, F]`, the result) of the
    convolution of `input` (`[N, H, W, C]`) whose output gradient is
    `grad_output` (`[N, OH, OW, F]`), skipping the zeros of `input`. The
    result type is spelled out because the filter's spatial size does not
    follow from the operands.

  }], ConvMeaning, [{

    Example:

    ```mlir
    %dw = sparse_train.conv2d_zero_skip_backward_filter %x, %dy padding = [1, 1, 1, 1]
        : tensor<2x8x8x16xf32>, tensor<2x8x8x32xf32> -> tensor<3x3x16x32xf32>
    ```
  }]);
  let arguments = (ins SparseTrain_FloatTensor:$input,
                       SparseTrain_FloatTensor:$grad_output,
                       OptionalAttr<DenseI64ArrayAttr>:$strides,
                       OptionalAttr<DenseI64ArrayAttr>:$dilations,
                       OptionalAttr<DenseI64ArrayAttr>:$padding,
                       OptionalAttr<F64Attr>:$max_density);
  let assemblyFormat = [{
    $input `,` $grad_output (`strides` `=` $strides^)?
    (`dilations` `=` $dilations^)? (`padding` `=` $padding^)?
    (`max_density` `=` $max_density^)? attr-dict
    `:` type($input) `,` type($grad_output) `->` type($result)
  }];
}

#endif // SPARSETRAIN_IR_ZEROSKIPCONVOPS_TD
