//===- ZeroSkipConvParts.h - pieces shared by the convolution lowerings ---===//
//
// Window geometry of conv2d_zero_skip and its gradients, shared by the
// reference loops and the vector kernels.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSETRAIN_LIB_CONVERSION_ZEROSKIPCONVPARTS_H
#define SPARSETRAIN_LIB_CONVERSION_ZEROSKIPCONVPARTS_H

#include "KernelBuilder.h"
#include "SparseTrain/IR/SparseTrainOps.h"

namespace mlir {
namespace sparse_train {

/// Window geometry of a convolution op as index constants.
struct ConvWindowValues {
  Value sh, sw, dh, dw, top, left;
};

template <typename OpTy>
ConvWindowValues getConvWindowValues(KernelBuilder &k, OpTy op) {
  SmallVector<int64_t, 2> s = op.getStridesOrDefault(),
                          d = op.getDilationsOrDefault();
  SmallVector<int64_t, 4> p = op.getPaddingOrDefault();
  return {k.index(s[0]), k.index(s[1]), k.index(d[0]),
          k.index(d[1]), k.index(p[0]), k.index(p[2])};
}

/// `(size + lo + hi - dilation * (k - 1) - 1) floordiv stride + 1`, at
/// least 0.
inline Value convOutputSize(KernelBuilder &k, Value size, int64_t lo,
                            int64_t hi, Value kernel, int64_t stride,
                            int64_t dilation) {
  Value span = k.sub(
      k.add(size, k.index(lo + hi)),
      k.add(k.mul(k.sub(kernel, k.index(1)), k.index(dilation)), k.index(1)));
  Value q = arith::FloorDivSIOp::create(k.b, span, k.index(stride));
  return arith::MaxSIOp::create(k.b, k.add(q, k.index(1)), k.index(0));
}

/// The sizes of each convolution's result, from its operand buffers: the
/// forward output [N, OH, OW, F] of x and the filter, the input gradient
/// [N, H, W, C] of dy and the filter (H, W static in the result type), the
/// filter gradient [KH, KW, C, F] of x and dy (KH, KW static).
inline SmallVector<Value, 4>
convForwardSizes(KernelBuilder &k, Conv2DZeroSkipOp op, Value x, Value filter) {
  SmallVector<int64_t, 4> p = op.getPaddingOrDefault();
  SmallVector<int64_t, 2> s = op.getStridesOrDefault(),
                          d = op.getDilationsOrDefault();
  return {
      k.dim(x, 0),
      convOutputSize(k, k.dim(x, 1), p[0], p[1], k.dim(filter, 0), s[0], d[0]),
      convOutputSize(k, k.dim(x, 2), p[2], p[3], k.dim(filter, 1), s[1], d[1]),
      k.dim(filter, 3)};
}
inline SmallVector<Value, 4> convInputGradientSizes(KernelBuilder &k,
                                                    RankedTensorType result,
                                                    Value dy, Value filter) {
  return {k.dim(dy, 0), k.index(result.getDimSize(1)),
          k.index(result.getDimSize(2)), k.dim(filter, 2)};
}
inline SmallVector<Value, 4> convFilterGradientSizes(KernelBuilder &k,
                                                     RankedTensorType result,
                                                     Value x, Value dy) {
  return {k.index(result.getDimSize(0)), k.index(result.getDimSize(1)),
          k.dim(x, 3), k.dim(dy, 3)};
}

/// Input coordinate `out * stride + tap * dilation - pad` of output
/// coordinate `out`, and whether it lies in `[0, size)`.
inline std::pair<Value, Value> convInputCoordinate(KernelBuilder &k, Value out,
                                                   Value tap, Value stride,
                                                   Value dilation, Value pad,
                                                   Value size) {
  Value pos = k.sub(k.add(k.mul(out, stride), k.mul(tap, dilation)), pad);
  Value inside = k.andI(k.cmp(arith::CmpIPredicate::sge, pos, k.index(0)),
                        k.cmp(arith::CmpIPredicate::slt, pos, size));
  return {pos, inside};
}

/// The inverse: the output coordinate `(in + pad - tap * dilation) / stride`
/// that input coordinate `in` feeds through `tap`, and whether there is one
/// (the division is exact and the result lies in `[0, size)`).
inline std::pair<Value, Value> convOutputCoordinate(KernelBuilder &k, Value in,
                                                    Value tap, Value stride,
                                                    Value dilation, Value pad,
                                                    Value size) {
  Value num = k.sub(k.add(in, pad), k.mul(tap, dilation));
  Value nonNegative = k.cmp(arith::CmpIPredicate::sge, num, k.index(0));
  Value clamped = k.select(nonNegative, num, k.index(0));
  Value pos = k.divU(clamped, stride);
  Value exact =
      k.cmp(arith::CmpIPredicate::eq, k.remU(clamped, stride), k.index(0));
  Value inside = k.andI(k.andI(nonNegative, exact),
                        k.cmp(arith::CmpIPredicate::ult, pos, size));
  return {pos, inside};
}

} // namespace sparse_train
} // namespace mlir

#endif // SPARSETRAIN_LIB_CONVERSION_ZEROSKIPCONVPARTS_H
