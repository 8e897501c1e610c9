//===- ZeroSkipConvToLoops.cpp - reference lowering of the convolutions ---===//
//
// Plain loops for conv2d_zero_skip and its two gradients. Each skips the
// zeros (+0.0 and -0.0) of its scanned operand exactly as the fast kernels
// do, so that 0 * Inf and 0 * NaN contribute nothing; padding is never
// visited. Sums accumulate in f32 for f16/bf16.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "SparseTrain/Conversion/SparseTrainToLoops.h"
#include "SparseTrain/IR/SparseTrainOps.h"
#include "ZeroSkipConvParts.h"

using namespace mlir;
using namespace mlir::sparse_train;

namespace {

using Index = SmallVector<Value, 4>;

/// True when `v` is not ±0.0 (NaN is not zero). Compared in the
/// accumulator type: f16/bf16 comparisons need not exist on the target.
static Value isNonZero(KernelBuilder &k, Value v) {
  Value wide = k.castFloat(v, getAccumulatorType(v.getType()));
  return arith::CmpFOp::create(k.b, arith::CmpFPredicate::UNE, wide,
                               k.floating(wide.getType(), 0.0));
}

/// The three tensors of a convolution as buffers: x [N, H, W, C], the filter
/// [KH, KW, C, F] and y [N, OH, OW, F]. The one the op computes is the
/// zero-filled accumulator.
struct ConvBuffers {
  Value x, filter, y;
};

/// Which of the three tensors an op computes.
enum class ConvResult { Output, InputGradient, FilterGradient };

/// The inner loops shared by the three convolutions, for one tap and one
/// output position: for every `s < sCount` whose scanned value
/// `scanned[scannedIndex(s)]` is not zero, and every `t < tCount`,
/// `acc[accIndex(s, t)] += scanned value * other[otherIndex(s, t)]`.
template <typename ScannedIndex, typename OtherIndex, typename AccIndex>
static void accumulateSkippingZeros(KernelBuilder &k, Type accType,
                                    Value scanned, ScannedIndex scannedIndex,
                                    Value sCount, Value other,
                                    OtherIndex otherIndex, Value tCount,
                                    Value acc, AccIndex accIndex) {
  k.forEach(k.index(0), sCount, [&](Value s) {
    Value v = k.load(scanned, scannedIndex(s));
    k.ifThen(isNonZero(k, v), [&] {
      Value va = k.castFloat(v, accType);
      k.forEach(k.index(0), tCount, [&](Value t) {
        Value o = k.castFloat(k.load(other, otherIndex(s, t)), accType);
        Index at = accIndex(s, t);
        k.store(k.addF(k.load(acc, at), k.mulF(va, o)), acc, at);
      });
    });
  });
}

/// Emits the loops of one convolution: for every output position (n, oh,
/// ow) and filter tap (kh, kw) whose input position (ih, iw) lies inside the
/// unpadded input (padding is never visited), the products of the non-zero
/// scanned values (x for the output and the filter gradient, y for the input
/// gradient) are added into the accumulator of `result`.
static void emitZeroSkipConvolution(KernelBuilder &k,
                                    const ConvWindowValues &win,
                                    const ConvBuffers &buf, ConvResult result,
                                    Type accType) {
  Value h = k.dim(buf.x, 1), w = k.dim(buf.x, 2), c = k.dim(buf.x, 3);
  Value kh = k.dim(buf.filter, 0), kw = k.dim(buf.filter, 1);
  Value f = k.dim(buf.filter, 3);
  k.forEach(k.index(0), k.dim(buf.y, 0), [&](Value n) {
    k.forEach(k.index(0), k.dim(buf.y, 1), [&](Value oh) {
      k.forEach(k.index(0), k.dim(buf.y, 2), [&](Value ow) {
        k.forEach(k.index(0), kh, [&](Value a) {
          auto [ih, insideH] =
              convInputCoordinate(k, oh, a, win.sh, win.dh, win.top, h);
          k.ifThen(insideH, [&] {
            k.forEach(k.index(0), kw, [&](Value b) {
              auto [iw, insideW] =
                  convInputCoordinate(k, ow, b, win.sw, win.dw, win.left, w);
              k.ifThen(insideW, [&] {
                auto xAt = [&](Value ch) { return Index{n, ih, iw, ch}; };
                auto yAt = [&](Value fi) { return Index{n, oh, ow, fi}; };
                auto wAt = [&](Value ch, Value fi) {
                  return Index{a, b, ch, fi};
                };
                auto swap = [&](Value fi, Value ch) { return wAt(ch, fi); };
                switch (result) {
                case ConvResult::Output:
                  accumulateSkippingZeros(
                      k, accType, buf.x, xAt, c, buf.filter, wAt, f, buf.y,
                      [&](Value, Value fi) { return yAt(fi); });
                  break;
                case ConvResult::InputGradient:
                  accumulateSkippingZeros(
                      k, accType, buf.y, yAt, f, buf.filter, swap, c, buf.x,
                      [&](Value, Value ch) { return xAt(ch); });
                  break;
                case ConvResult::FilterGradient:
                  accumulateSkippingZeros(
                      k, accType, buf.x, xAt, c, buf.y,
                      [&](Value, Value fi) { return yAt(fi); }, f, buf.filter,
                      wAt);
                  break;
                }
              });
            });
          });
        });
      });
    });
  });
}

struct Conv2DZeroSkipLowering : public OpConversionPattern<Conv2DZeroSkipOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Conv2DZeroSkipOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    KernelBuilder k(rewriter, op.getLoc());
    RankedTensorType resultType = op.getType();
    Type accType = getAccumulatorType(resultType.getElementType());
    ConvBuffers buf;
    buf.x = k.bufferOf(adaptor.getInput());
    buf.filter = k.bufferOf(adaptor.getFilter());
    SmallVector<Value, 4> sizes = convForwardSizes(k, op, buf.x, buf.filter);
    buf.y = k.allocZeros(resultType, accType, sizes);
    emitZeroSkipConvolution(k, getConvWindowValues(k, op), buf,
                            ConvResult::Output, accType);
    rewriter.replaceOp(op, k.resultTensor(buf.y, resultType));
    return success();
  }
};

struct Conv2DZeroSkipBackwardDataLowering
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
    Type accType = getAccumulatorType(resultType.getElementType());
    ConvBuffers buf;
    buf.y = k.bufferOf(adaptor.getGradOutput());
    buf.filter = k.bufferOf(adaptor.getFilter());
    buf.x =
        k.allocZeros(resultType, accType,
                     convInputGradientSizes(k, resultType, buf.y, buf.filter));
    emitZeroSkipConvolution(k, getConvWindowValues(k, op), buf,
                            ConvResult::InputGradient, accType);
    rewriter.replaceOp(op, k.resultTensor(buf.x, resultType));
    return success();
  }
};

struct Conv2DZeroSkipBackwardFilterLowering
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
    Type accType = getAccumulatorType(resultType.getElementType());
    ConvBuffers buf;
    buf.x = k.bufferOf(adaptor.getInput());
    buf.y = k.bufferOf(adaptor.getGradOutput());
    buf.filter =
        k.allocZeros(resultType, accType,
                     convFilterGradientSizes(k, resultType, buf.x, buf.y));
    emitZeroSkipConvolution(k, getConvWindowValues(k, op), buf,
                            ConvResult::FilterGradient, accType);
    rewriter.replaceOp(op, k.resultTensor(buf.filter, resultType));
    return success();
  }
};

} // namespace

void mlir::sparse_train::populateZeroSkipConvToLoopsPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<Conv2DZeroSkipLowering, Conv2DZeroSkipBackwardDataLowering,
               Conv2DZeroSkipBackwardFilterLowering>(converter,
                                                     patterns.getContext());
}
