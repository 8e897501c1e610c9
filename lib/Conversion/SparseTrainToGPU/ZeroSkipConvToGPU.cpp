//===- ZeroSkipConvToGPU.cpp - GPU lowering of the zero-skip convolutions -===//
//
// conv2d_zero_skip as a warp kernel with vote.ballot zero detection (below);
// its two gradients as one parallel iteration per element of the computed
// tensor (a gather: no atomics, a fixed summation
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

#include "mlir/Dialect/LLVMIR/NVVMDialect.h"

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

/// Lanes of a warp.
static constexpr int64_t kWarpLanes = 32;

/// The forward convolution with warp-level zero detection: each warp owns
/// one output position (n, oh, ow) and 32 output channels (a lane each).
/// For every filter tap inside the image and every 32 input channels, each
/// lane loads one channel of x, `vote.sync.ballot` gives the mask of the
/// non-zero ones (NaN counts as non-zero), and the warp walks the set bits:
/// the value is broadcast with a shuffle and each lane adds its product
/// with its output channel's weight. Zeros cost no multiply-add and no
/// weight load; the summation order (taps, then channels) is the loop
/// nest's and the reference's.
static void emitBallotForward(KernelBuilder &k, Conv2DZeroSkipOp op, Value x,
                              Value w, Value y, ArrayRef<Value> sizes,
                              Type accType) {
  ConvWindowValues win = getConvWindowValues(k, op);
  Type i32 = k.b.getI32Type(), i1 = k.b.getI1Type();
  Type element = cast<MemRefType>(y.getType()).getElementType();
  Value h = k.dim(x, 1), wd = k.dim(x, 2), c = k.dim(x, 3);
  Value kh = k.dim(w, 0), kw = k.dim(w, 1);
  Value f = sizes[3];
  Value chunks = k.divU(k.add(f, k.index(kWarpLanes - 1)),
                        k.index(kWarpLanes));
  Value tasks =
      k.mul(k.mul(k.mul(sizes[0], sizes[1]), sizes[2]), chunks);
  int64_t warps = kBlockThreads / kWarpLanes;
  Value grid = k.divU(k.add(tasks, k.index(warps - 1)), k.index(warps));
  emitLaunch(k, grid, kBlockThreads, {}, [&](LaunchIds ids) {
    Value lane = k.remU(ids.thread, k.index(kWarpLanes));
    Value task = k.add(k.mul(ids.block, k.index(warps)),
                       k.divU(ids.thread, k.index(kWarpLanes)));
    // Whole warps leave together (a warp's lanes share the task).
    k.ifThen(k.cmp(arith::CmpIPredicate::ult, task, tasks), [&] {
      Value rest = task;
      Value chunk = k.remU(rest, chunks);
      rest = k.divU(rest, chunks);
      Value ow = k.remU(rest, sizes[2]);
      rest = k.divU(rest, sizes[2]);
      Value oh = k.remU(rest, sizes[1]);
      Value n = k.divU(rest, sizes[1]);
      Value fo = k.add(k.mul(chunk, k.index(kWarpLanes)), lane);
      Value active = k.cmp(arith::CmpIPredicate::ult, fo, f);
      Value all = k.integer(i32, -1);
      auto sumOver = [&](Value ub, Value init,
                         function_ref<Value(Value, Value)> body) {
        return k.forAccumulate(k.index(0), ub, {init},
                               [&](Value i, ValueRange acc) {
                                 return SmallVector<Value>{body(i, acc[0])};
                               })[0];
      };
      // No branch around the warp ops (ptxas then needs no convergence
      // barriers to save): taps outside the image and channels past the
      // end read a clamped in-bounds element (the image is not empty: see
      // the caller) and vote "zero".
      Value zeroIndex = k.index(0);
      Value foSafe = k.select(active, fo, zeroIndex);
      Value sum = sumOver(kh, k.floating(accType, 0.0), [&](Value a,
                                                            Value acc) {
        auto [ih, insideH] =
            convInputCoordinate(k, oh, a, win.sh, win.dh, win.top, h);
        Value ihSafe = k.select(insideH, ih, zeroIndex);
        return sumOver(kw, acc, [&](Value b, Value acc) {
          auto [iw, insideW] =
              convInputCoordinate(k, ow, b, win.sw, win.dw, win.left, wd);
          Value iwSafe = k.select(insideW, iw, zeroIndex);
          Value inside = k.andI(insideH, insideW);
          Value groups = k.divU(k.add(c, k.index(kWarpLanes - 1)),
                                k.index(kWarpLanes));
          return sumOver(groups, acc, [&](Value g, Value acc) {
            Value c0 = k.mul(g, k.index(kWarpLanes));
            Value ch = k.add(c0, lane);
            Value inRange =
                k.andI(inside, k.cmp(arith::CmpIPredicate::ult, ch, c));
            Value chSafe = k.select(inRange, ch, zeroIndex);
            Value xv = k.castFloat(k.load(x, {n, ihSafe, iwSafe, chSafe}),
                                   accType);
            Value nonZero = k.andI(
                inRange, arith::CmpFOp::create(k.b, arith::CmpFPredicate::UNE,
                                               xv, k.floating(accType, 0.0)));
            Value mask = NVVM::VoteSyncOp::create(
                k.b, i32, all, nonZero,
                NVVM::VoteSyncKindAttr::get(k.b.getContext(),
                                            NVVM::VoteSyncKind::ballot));
            // Walk the set bits, lowest channel first.
            auto loop = scf::WhileOp::create(k.b, TypeRange{i32, accType},
                                             ValueRange{mask, acc});
            {
              OpBuilder::InsertionGuard guard(k.b);
              Block *before =
                  k.b.createBlock(&loop.getBefore(), {}, {i32, accType},
                                  {k.b.getLoc(), k.b.getLoc()});
              Value left = before->getArgument(0);
              scf::ConditionOp::create(
                  k.b, k.cmp(arith::CmpIPredicate::ne, left, k.integer(i32, 0)),
                  before->getArguments());
              Block *after =
                  k.b.createBlock(&loop.getAfter(), {}, {i32, accType},
                                  {k.b.getLoc(), k.b.getLoc()});
              Value bits = after->getArgument(0);
              Value partial = after->getArgument(1);
              Value bit = LLVM::CountTrailingZerosOp::create(
                  k.b, i32, bits, k.b.getBoolAttr(true));
              auto shuffle = gpu::ShuffleOp::create(
                  k.b, accType, i1, xv, bit, k.integer(i32, kWarpLanes),
                  gpu::ShuffleModeAttr::get(k.b.getContext(),
                                            gpu::ShuffleMode::IDX));
              Value value = shuffle.getShuffleResult();
              Value cb = k.add(c0, k.indexCast(k.b.getIndexType(), bit));
              Value wv = k.castFloat(k.load(w, {a, b, cb, foSafe}), accType);
              Value next =
                  k.select(active, k.addF(partial, k.mulF(value, wv)), partial);
              Value cleared = k.andI(bits, k.sub(bits, k.integer(i32, 1)));
              scf::YieldOp::create(k.b, ValueRange{cleared, next});
            }
            return loop.getResult(1);
          });
        });
      });
      k.ifThen(active, [&] {
        k.store(k.castFloat(sum, element), y, {n, oh, ow, fo});
      });
    });
  });
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
    // An empty image (H or W zero, only padding) gives zeros; otherwise the
    // warp kernel, which reads clamped coordinates of a non-empty image.
    Value nonEmpty =
        k.andI(k.cmp(arith::CmpIPredicate::ugt, k.dim(x, 1), k.index(0)),
               k.cmp(arith::CmpIPredicate::ugt, k.dim(x, 2), k.index(0)));
    auto branch = scf::IfOp::create(k.b, nonEmpty, /*withElseRegion=*/true);
    {
      OpBuilder::InsertionGuard guard(k.b);
      k.b.setInsertionPoint(branch.thenBlock()->getTerminator());
      emitBallotForward(k, op, x, w, y, sizes, accType);
      k.b.setInsertionPoint(branch.elseBlock()->getTerminator());
      emitParallelFill(k, flattenBuffer(k, y), k.floating(element, 0.0));
    }
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
