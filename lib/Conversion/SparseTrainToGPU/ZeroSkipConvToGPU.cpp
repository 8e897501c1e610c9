//===- ZeroSkipConvToGPU.cpp - GPU lowering of the zero-skip convolutions -===//
//
// conv2d_zero_skip and its two gradients as one parallel iteration per
// element of the computed tensor (a gather: no atomics, a fixed summation
// order, so results are deterministic). The innermost dimension of the
// iteration space is the one the scanned operand does not depend on (output
// channels for the forward and the filter gradient, input channels for the
// data gradient), so once the nest is mapped, the lanes of a warp read the
// same scanned element and branch together: a zero (+0.0 or -0.0) skips
// the multiply-add of the whole warp, without divergence. Padding is never
// visited; 0 * Inf and 0 * NaN contribute nothing, as in the reference.
// Sums accumulate in f32 for f16/bf16.
//
//===----------------------------------------------------------------------===//

#include "../SparseTrainToLoops/ZeroSkipConvParts.h"
#include "GPUKernelBuilder.h"
#include "SparseTrain/Conversion/SparseTrainToGPU.h"
#include "SparseTrain/IR/SparseTrainOps.h"

using namespace mlir;
using namespace mlir::sparse_train;

namespace {

/// True when `v` is not ±0.0 (NaN is not zero), compared in f32 for
/// f16/bf16.
static Value isNonZero(KernelBuilder &k, Value v) {
  Value wide = k.castFloat(v, getAccumulatorType(v.getType()));
  return arith::CmpFOp::create(k.b, arith::CmpFPredicate::UNE, wide,
                               k.floating(wide.getType(), 0.0));
}

/// `acc + scanned * other` when `scanned` is not zero, else `acc`; `other`
/// is loaded only when needed.
static Value accumulateIfNonZero(KernelBuilder &k, Value acc, Value scanned,
                                 function_ref<Value()> other) {
  Type accType = acc.getType();
  return k.ifThenElse(
      isNonZero(k, scanned), {accType},
      [&] {
        Value product = k.mulF(k.castFloat(scanned, accType),
                               k.castFloat(other(), accType));
        return SmallVector<Value>{k.addF(acc, product)};
      },
      [&] { return SmallVector<Value>{acc}; })[0];
}

/// `for (i < ub) acc = body(i, acc)` from `init`.
static Value sumOver(KernelBuilder &k, Value ub, Value init,
                     function_ref<Value(Value, Value)> body) {
  return k.forAccumulate(k.index(0), ub, {init}, [&](Value i, ValueRange acc) {
    return SmallVector<Value>{body(i, acc[0])};
  })[0];
}

/// `inside ? body() : acc`.
static Value ifInside(KernelBuilder &k, Value inside, Value acc,
                      function_ref<Value()> body) {
  return k.ifThenElse(
      inside, {acc.getType()}, [&] { return SmallVector<Value>{body()}; },
      [&] { return SmallVector<Value>{acc}; })[0];
}

struct Conv2DZeroSkipToGPU : public OpConversionPattern<Conv2DZeroSkipOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Conv2DZeroSkipOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    KernelBuilder k(rewriter, op.getLoc());
    RankedTensorType resultType = op.getType();
    Type element = resultType.getElementType();
    Type accType = getAccumulatorType(element);
    Value x = k.bufferOf(adaptor.getInput());
    Value w = k.bufferOf(adaptor.getFilter());
    SmallVector<Value, 4> sizes = convForwardSizes(k, op, x, w);
    Value y = k.allocShaped(resultType.getShape(), element, sizes);
    ConvWindowValues win = getConvWindowValues(k, op);
    Value h = k.dim(x, 1), wd = k.dim(x, 2), c = k.dim(x, 3);
    Value kh = k.dim(w, 0), kw = k.dim(w, 1);
    forEachParallelND(k, sizes, [&](ValueRange ivs) {
      Value n = ivs[0], oh = ivs[1], ow = ivs[2], f = ivs[3];
      Value sum = sumOver(k, kh, k.floating(accType, 0.0), [&](Value a,
                                                               Value acc) {
        auto [ih, insideH] =
            convInputCoordinate(k, oh, a, win.sh, win.dh, win.top, h);
        return ifInside(k, insideH, acc, [&] {
          return sumOver(k, kw, acc, [&](Value b, Value acc) {
            auto [iw, insideW] =
                convInputCoordinate(k, ow, b, win.sw, win.dw, win.left, wd);
            return ifInside(k, insideW, acc, [&] {
              return sumOver(k, c, acc, [&](Value ch, Value acc) {
                return accumulateIfNonZero(
                    k, acc, k.load(x, {n, ih, iw, ch}),
                    [&] { return k.load(w, {a, b, ch, f}); });
              });
            });
          });
        });
      });
      k.store(k.castFloat(sum, element), y, {n, oh, ow, f});
    });
    rewriter.replaceOp(op, k.tensorOf(y));
    return success();
  }
};

struct Conv2DZeroSkipBackwardDataToGPU
    : public OpConversionPattern<Conv2DZeroSkipBackwardDataOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Conv2DZeroSkipBackwardDataOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType resultType = op.getType();
    if (resultType.isDynamicDim(1) || resultType.isDynamicDim(2))
      return rewriter.notifyMatchFailure(
          op, "the input gradient needs static spatial sizes");
    KernelBuilder k(rewriter, op.getLoc());
    Type element = resultType.getElementType();
    Type accType = getAccumulatorType(element);
    Value dy = k.bufferOf(adaptor.getGradOutput());
    Value w = k.bufferOf(adaptor.getFilter());
    SmallVector<Value, 4> sizes =
        convInputGradientSizes(k, resultType, dy, w);
    Value dx = k.allocShaped(resultType.getShape(), element, sizes);
    ConvWindowValues win = getConvWindowValues(k, op);
    Value oh = k.dim(dy, 1), ow = k.dim(dy, 2), f = k.dim(dy, 3);
    Value kh = k.dim(w, 0), kw = k.dim(w, 1);
    forEachParallelND(k, sizes, [&](ValueRange ivs) {
      Value n = ivs[0], ih = ivs[1], iw = ivs[2], ch = ivs[3];
      Value sum = sumOver(k, kh, k.floating(accType, 0.0), [&](Value a,
                                                               Value acc) {
        auto [y, insideH] =
            convOutputCoordinate(k, ih, a, win.sh, win.dh, win.top, oh);
        return ifInside(k, insideH, acc, [&] {
          return sumOver(k, kw, acc, [&](Value b, Value acc) {
            auto [xo, insideW] =
                convOutputCoordinate(k, iw, b, win.sw, win.dw, win.left, ow);
            return ifInside(k, insideW, acc, [&] {
              return sumOver(k, f, acc, [&](Value g, Value acc) {
                return accumulateIfNonZero(
                    k, acc, k.load(dy, {n, y, xo, g}),
                    [&] { return k.load(w, {a, b, ch, g}); });
              });
            });
          });
        });
      });
      k.store(k.castFloat(sum, element), dx, {n, ih, iw, ch});
    });
    rewriter.replaceOp(op, k.tensorOf(dx));
    return success();
  }
};

struct Conv2DZeroSkipBackwardFilterToGPU
    : public OpConversionPattern<Conv2DZeroSkipBackwardFilterOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Conv2DZeroSkipBackwardFilterOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType resultType = op.getType();
    if (resultType.isDynamicDim(0) || resultType.isDynamicDim(1))
      return rewriter.notifyMatchFailure(
          op, "the filter gradient needs a static filter size");
    KernelBuilder k(rewriter, op.getLoc());
    Type element = resultType.getElementType();
    Type accType = getAccumulatorType(element);
    Value x = k.bufferOf(adaptor.getInput());
    Value dy = k.bufferOf(adaptor.getGradOutput());
    SmallVector<Value, 4> sizes =
        convFilterGradientSizes(k, resultType, x, dy);
    Value dw = k.allocShaped(resultType.getShape(), element, sizes);
    ConvWindowValues win = getConvWindowValues(k, op);
    Value h = k.dim(x, 1), wd = k.dim(x, 2);
    Value batch = k.dim(dy, 0), oh = k.dim(dy, 1), ow = k.dim(dy, 2);
    forEachParallelND(k, sizes, [&](ValueRange ivs) {
      Value a = ivs[0], b = ivs[1], ch = ivs[2], f = ivs[3];
      Value sum = sumOver(k, batch, k.floating(accType, 0.0), [&](Value n,
                                                                  Value acc) {
        return sumOver(k, oh, acc, [&](Value y, Value acc) {
          auto [ih, insideH] =
              convInputCoordinate(k, y, a, win.sh, win.dh, win.top, h);
          return ifInside(k, insideH, acc, [&] {
            return sumOver(k, ow, acc, [&](Value xo, Value acc) {
              auto [iw, insideW] =
                  convInputCoordinate(k, xo, b, win.sw, win.dw, win.left, wd);
              return ifInside(k, insideW, acc, [&] {
                return accumulateIfNonZero(
                    k, acc, k.load(x, {n, ih, iw, ch}),
                    [&] { return k.load(dy, {n, y, xo, f}); });
              });
            });
          });
        });
      });
      k.store(k.castFloat(sum, element), dw, {a, b, ch, f});
    });
    rewriter.replaceOp(op, k.tensorOf(dw));
    return success();
  }
};

} // namespace

void mlir::sparse_train::populateZeroSkipConvToGPUPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<Conv2DZeroSkipToGPU, Conv2DZeroSkipBackwardDataToGPU,
               Conv2DZeroSkipBackwardFilterToGPU>(converter,
                                                  patterns.getContext());
}
