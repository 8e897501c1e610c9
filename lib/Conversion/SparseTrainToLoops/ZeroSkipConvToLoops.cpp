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

using namespace mlir;
using namespace mlir::sparse_train;

namespace {

using Index = SmallVector<Value, 4>;

/// Window geometry as index constants.
struct Window {
  Value sh, sw, dh, dw, top, left;
};

template <typename OpTy> static Window getWindow(KernelBuilder &k, OpTy op) {
  SmallVector<int64_t, 2> s = op.getStridesOrDefault(),
                          d = op.getDilationsOrDefault();
  SmallVector<int64_t, 4> p = op.getPaddingOrDefault();
  return {k.index(s[0]), k.index(s[1]), k.index(d[0]),
          k.index(d[1]), k.index(p[0]), k.index(p[2])};
}

/// True when `v` is not ±0.0 (NaN is not zero). Compared in the
/// accumulator type: f16/bf16 comparisons need not exist on the target.
static Value isNonZero(KernelBuilder &k, Value v) {
  Value wide = k.castFloat(v, getAccumulatorType(v.getType()));
  return arith::CmpFOp::create(k.b, arith::CmpFPredicate::UNE, wide,
                               k.floating(wide.getType(), 0.0));
}

/// Input coordinate `out * stride + tap * dilation - pad`, and whether it
/// lies in `[0, size)`.
static std::pair<Value, Value> inputCoordinate(KernelBuilder &k, Value out,
                                               Value tap, Value stride,
                                               Value dilation, Value pad,
                                               Value size) {
  Value pos = k.sub(k.add(k.mul(out, stride), k.mul(tap, dilation)), pad);
  Value inside = k.andI(k.cmp(arith::CmpIPredicate::sge, pos, k.index(0)),
                        k.cmp(arith::CmpIPredicate::slt, pos, size));
  return {pos, inside};
}

/// Calls `body(n, oh, ow, kh, kw, ih, iw)` for every output position and
/// filter tap whose input position is inside the (unpadded) input.
template <typename Body>
static void forEachTap(KernelBuilder &k, const Window &win, Value n, Value oh,
                       Value ow, Value kh, Value kw, Value h, Value w,
                       Body body) {
  k.forEach(k.index(0), n, [&](Value in) {
    k.forEach(k.index(0), oh, [&](Value y) {
      k.forEach(k.index(0), ow, [&](Value x) {
        k.forEach(k.index(0), kh, [&](Value a) {
          auto [ih, insideH] =
              inputCoordinate(k, y, a, win.sh, win.dh, win.top, h);
          k.ifThen(insideH, [&] {
            k.forEach(k.index(0), kw, [&](Value b) {
              auto [iw, insideW] =
                  inputCoordinate(k, x, b, win.sw, win.dw, win.left, w);
              k.ifThen(insideW, [&] { body(in, y, x, a, b, ih, iw); });
            });
          });
        });
      });
    });
  });
}

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
        SmallVector<Value, 4> at = accIndex(s, t);
        k.store(k.addF(k.load(acc, at), k.mulF(va, o)), acc, at);
      });
    });
  });
}

/// `(size + lo + hi - dilation * (k - 1) - 1) floordiv stride + 1`, at
/// least 0.
static Value outputSize(KernelBuilder &k, Value size, int64_t lo, int64_t hi,
                        Value kernel, int64_t stride, int64_t dilation) {
  Value span = k.sub(
      k.add(size, k.index(lo + hi)),
      k.add(k.mul(k.sub(kernel, k.index(1)), k.index(dilation)), k.index(1)));
  Value q = arith::FloorDivSIOp::create(k.b, span, k.index(stride));
  return arith::MaxSIOp::create(k.b, k.add(q, k.index(1)), k.index(0));
}

struct Conv2DZeroSkipLowering : public OpConversionPattern<Conv2DZeroSkipOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(Conv2DZeroSkipOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    KernelBuilder k(rewriter, op.getLoc());
    Value x = k.bufferOf(adaptor.getInput());
    Value w = k.bufferOf(adaptor.getFilter());
    RankedTensorType resultType = op.getType();
    Type accType = getAccumulatorType(resultType.getElementType());
    Window win = getWindow(k, op);
    SmallVector<int64_t, 4> p = op.getPaddingOrDefault();
    SmallVector<int64_t, 2> s = op.getStridesOrDefault(),
                            d = op.getDilationsOrDefault();
    Value sizes[4] = {
        k.dim(x, 0),
        outputSize(k, k.dim(x, 1), p[0], p[1], k.dim(w, 0), s[0], d[0]),
        outputSize(k, k.dim(x, 2), p[2], p[3], k.dim(w, 1), s[1], d[1]),
        k.dim(w, 3)};
    Value y = k.allocZeros(resultType, accType, sizes);
    Value channels = k.dim(x, 3), filters = k.dim(w, 3);
    forEachTap(k, win, sizes[0], sizes[1], sizes[2], k.dim(w, 0), k.dim(w, 1),
               k.dim(x, 1), k.dim(x, 2),
               [&](Value n, Value oh, Value ow, Value kh, Value kw, Value ih,
                   Value iw) {
                 accumulateSkippingZeros(
                     k, accType, x,
                     [&](Value c) {
                       return Index{n, ih, iw, c};
                     },
                     channels, w,
                     [&](Value c, Value f) {
                       return Index{kh, kw, c, f};
                     },
                     filters, y,
                     [&](Value, Value f) {
                       return Index{n, oh, ow, f};
                     });
               });
    rewriter.replaceOp(op, k.resultTensor(y, resultType));
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
    Value dy = k.bufferOf(adaptor.getGradOutput());
    Value w = k.bufferOf(adaptor.getFilter());
    Type accType = getAccumulatorType(resultType.getElementType());
    Window win = getWindow(k, op);
    Value sizes[4] = {k.dim(dy, 0), k.index(resultType.getDimSize(1)),
                      k.index(resultType.getDimSize(2)), k.dim(w, 2)};
    Value dx = k.allocZeros(resultType, accType, sizes);
    Value channels = sizes[3], filters = k.dim(w, 3);
    // Scatter each non-zero dy[n, oh, ow, f] through every tap.
    forEachTap(k, win, sizes[0], k.dim(dy, 1), k.dim(dy, 2), k.dim(w, 0),
               k.dim(w, 1), sizes[1], sizes[2],
               [&](Value n, Value oh, Value ow, Value kh, Value kw, Value ih,
                   Value iw) {
                 accumulateSkippingZeros(
                     k, accType, dy,
                     [&](Value f) {
                       return Index{n, oh, ow, f};
                     },
                     filters, w,
                     [&](Value f, Value c) {
                       return Index{kh, kw, c, f};
                     },
                     channels, dx,
                     [&](Value, Value c) {
                       return Index{n, ih, iw, c};
                     });
               });
    rewriter.replaceOp(op, k.resultTensor(dx, resultType));
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
    Value x = k.bufferOf(adaptor.getInput());
    Value dy = k.bufferOf(adaptor.getGradOutput());
    Type accType = getAccumulatorType(resultType.getElementType());
    Window win = getWindow(k, op);
    Value sizes[4] = {k.index(resultType.getDimSize(0)),
                      k.index(resultType.getDimSize(1)), k.dim(x, 3),
                      k.dim(dy, 3)};
    Value dw = k.allocZeros(resultType, accType, sizes);
    Value channels = sizes[2], filters = sizes[3];
    forEachTap(k, win, k.dim(x, 0), k.dim(dy, 1), k.dim(dy, 2), sizes[0],
               sizes[1], k.dim(x, 1), k.dim(x, 2),
               [&](Value n, Value oh, Value ow, Value kh, Value kw, Value ih,
                   Value iw) {
                 accumulateSkippingZeros(
                     k, accType, x,
                     [&](Value c) {
                       return Index{n, ih, iw, c};
                     },
                     channels, dy,
                     [&](Value, Value f) {
                       return Index{n, oh, ow, f};
                     },
                     filters, dw,
                     [&](Value c, Value f) {
                       return Index{kh, kw, c, f};
                     });
               });
    rewriter.replaceOp(op, k.resultTensor(dw, resultType));
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
