//===- ZeroSkipConvToGPU.cpp - GPU lowering of the zero-skip convolutions -===//
//
// The three zero-skip convolutions as warp kernels with vote.ballot zero
// detection: each warp owns one position of the computed tensor and 32
// channels of it (a lane each); the lanes load 32 elements of the scanned
// operand, a ballot gives the mask of the non-zero ones and the warp walks
// its set bits, broadcasting each value with a shuffle, so a zero costs no
// multiply-add and no load of the other operand. Each result element is
// owned by one lane and summed in the reference's order: no atomics,
// deterministic. Padding is never visited; 0 * Inf and 0 * NaN contribute
// nothing, as in the reference. Sums accumulate in f32 for f16/bf16.
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

/// `for (i < ub) acc = body(i, acc)` from `init`.
static Value sumOver(KernelBuilder &k, Value ub, Value init,
                     function_ref<Value(Value, Value)> body) {
  return k.forAccumulate(k.index(0), ub, {init}, [&](Value i, ValueRange acc) {
    return SmallVector<Value>{body(i, acc[0])};
  })[0];
}

/// `ceil(size / 32)`: the groups of 32 lanes that cover `size`.
static Value warpGroups(KernelBuilder &k, Value size) {
  return k.divU(k.add(size, k.index(kWarpLanes - 1)), k.index(kWarpLanes));
}

/// The warp-level zero skip shared by the three convolutions. Each lane
/// holds one scanned element (`scanned`, already in the accumulator type;
/// `valid` false for lanes past the end or outside the image, which vote
/// "zero"); `vote.sync.ballot` gives the mask of the non-zero ones (NaN
/// counts as non-zero), and the warp walks its set bits, lowest first: the
/// value is broadcast with a shuffle and each `active` lane adds its
/// product with `other(bit)` (the operand element it pairs with for the
/// scanned element of lane `bit`). Zeros cost no multiply-add and no load
/// of the other operand. No branch surrounds the warp ops, so ptxas needs
/// no convergence barriers.
static Value warpBallotSum(KernelBuilder &k, Value acc, Value scanned,
                           Value valid, Value active,
                           function_ref<Value(Value)> other) {
  Type accType = acc.getType();
  Type i32 = k.b.getI32Type(), i1 = k.b.getI1Type();
  Value nonZero =
      k.andI(valid, arith::CmpFOp::create(k.b, arith::CmpFPredicate::UNE,
                                          scanned, k.floating(accType, 0.0)));
  Value mask = NVVM::VoteSyncOp::create(
      k.b, i32, k.integer(i32, -1), nonZero,
      NVVM::VoteSyncKindAttr::get(k.b.getContext(),
                                  NVVM::VoteSyncKind::ballot));
  auto loop =
      scf::WhileOp::create(k.b, TypeRange{i32, accType}, ValueRange{mask, acc});
  OpBuilder::InsertionGuard guard(k.b);
  Block *before = k.b.createBlock(&loop.getBefore(), {}, {i32, accType},
                                  {k.b.getLoc(), k.b.getLoc()});
  scf::ConditionOp::create(k.b,
                           k.cmp(arith::CmpIPredicate::ne,
                                 before->getArgument(0), k.integer(i32, 0)),
                           before->getArguments());
  Block *after = k.b.createBlock(&loop.getAfter(), {}, {i32, accType},
                                 {k.b.getLoc(), k.b.getLoc()});
  Value bits = after->getArgument(0);
  Value partial = after->getArgument(1);
  Value bit =
      LLVM::CountTrailingZerosOp::create(k.b, i32, bits, k.b.getBoolAttr(true));
  auto shuffle = gpu::ShuffleOp::create(
      k.b, accType, i1, scanned, bit, k.integer(i32, kWarpLanes),
      gpu::ShuffleModeAttr::get(k.b.getContext(), gpu::ShuffleMode::IDX));
  Value value = shuffle.getShuffleResult();
  Value ov = k.castFloat(other(k.indexCast(k.b.getIndexType(), bit)), accType);
  Value next = k.select(active, k.addF(partial, k.mulF(value, ov)), partial);
  Value cleared = k.andI(bits, k.sub(bits, k.integer(i32, 1)));
  scf::YieldOp::create(k.b, ValueRange{cleared, next});
  return loop.getResult(1);
}

/// `value` where `valid`, else 0 (an in-bounds index for the clamped loads
/// of lanes that vote "zero"; the tensors read are not empty: see
/// emitUnlessEmpty).
static Value clampIndex(KernelBuilder &k, Value valid, Value value) {
  return k.select(valid, value, k.index(0));
}

/// The warp kernel of the forward convolution and of the data gradient,
/// which share their shape: each warp owns one position (n, i, j) of the
/// 4-D `result` (`sizes`) and 32 of its channels (a lane each). For every
/// filter tap (a, b) whose coordinates in `scanned` exist (`coordinate(i,
/// a, /*vertical=*/true)`, `coordinate(j, b, false)`) and every 32 channels
/// of `scanned`, the lanes scan one channel each (warpBallotSum) and add
/// their products with `other(a, b, scannedChannel, resultChannel)`.
/// Summation order (taps, then channels) is the loop nest's and the
/// reference's.
static void emitBallotTapKernel(
    KernelBuilder &k, Value scanned, Value result, ArrayRef<Value> sizes,
    Value kh, Value kw, Type accType,
    function_ref<std::pair<Value, Value>(Value, Value, bool)> coordinate,
    function_ref<Value(Value, Value, Value, Value)> other) {
  Type element = cast<MemRefType>(result.getType()).getElementType();
  Value channels = k.dim(scanned, 3);
  Value chunks = warpGroups(k, sizes[3]);
  Value tasks = k.mul(k.mul(k.mul(sizes[0], sizes[1]), sizes[2]), chunks);
  emitWarpLaunch(k, tasks, [&](Value lane, Value task) {
    Value chunk = k.remU(task, chunks);
    Value rest = k.divU(task, chunks);
    Value j = k.remU(rest, sizes[2]);
    rest = k.divU(rest, sizes[2]);
    Value i = k.remU(rest, sizes[1]);
    Value n = k.divU(rest, sizes[1]);
    Value out = k.add(k.mul(chunk, k.index(kWarpLanes)), lane);
    Value active = k.cmp(arith::CmpIPredicate::ult, out, sizes[3]);
    Value outSafe = clampIndex(k, active, out);
    Value sum =
        sumOver(k, kh, k.floating(accType, 0.0), [&](Value a, Value acc) {
          auto [si, insideH] = coordinate(i, a, /*vertical=*/true);
          return sumOver(k, kw, acc, [&](Value b, Value acc) {
            auto [sj, insideW] = coordinate(j, b, /*vertical=*/false);
            Value inside = k.andI(insideH, insideW);
            return sumOver(
                k, warpGroups(k, channels), acc, [&](Value g, Value acc) {
                  Value c0 = k.mul(g, k.index(kWarpLanes));
                  Value ch = k.add(c0, lane);
                  Value valid = k.andI(
                      inside, k.cmp(arith::CmpIPredicate::ult, ch, channels));
                  Value v = k.castFloat(
                      k.load(scanned, {n, clampIndex(k, insideH, si),
                                       clampIndex(k, insideW, sj),
                                       clampIndex(k, valid, ch)}),
                      accType);
                  return warpBallotSum(
                      k, acc, v, valid, active, [&](Value bit) {
                        return other(a, b, k.add(c0, bit), outSafe);
                      });
                });
          });
        });
    k.ifThen(active, [&] {
      k.store(k.castFloat(sum, element), result, {n, i, j, out});
    });
  });
}

/// The forward convolution or (`fromOutput`) the data gradient with
/// warp-level zero detection (emitBallotTapKernel): each warp owns one
/// position of the result and 32 of its channels; the lanes scan the
/// channels of the scanned operand (x, or dy) at each tap whose coordinate
/// there exists (inside the image; for the data gradient also stride
/// divisibility) and add their products with the filter `w` ([KH, KW, C,
/// F]) at their result channel.
static void emitBallotGather(KernelBuilder &k, const ConvWindowValues &win,
                             bool fromOutput, Value scanned, Value w,
                             Value result, ArrayRef<Value> sizes,
                             Type accType) {
  Value sh = k.dim(scanned, 1), sw = k.dim(scanned, 2);
  auto source = fromOutput ? convOutputCoordinate : convInputCoordinate;
  emitBallotTapKernel(
      k, scanned, result, sizes, k.dim(w, 0), k.dim(w, 1), accType,
      [&](Value position, Value tap, bool vertical) {
        return vertical
                   ? source(k, position, tap, win.sh, win.dh, win.top, sh)
                   : source(k, position, tap, win.sw, win.dw, win.left, sw);
      },
      [&](Value a, Value b, Value s, Value r) {
        return fromOutput ? k.load(w, {a, b, r, s}) : k.load(w, {a, b, s, r});
      });
}

/// The filter gradient with warp-level zero detection: each warp owns one
/// filter position and input channel (a, b, ch) and 32 output channels (a
/// lane each); for every image and output row, and every 32 output
/// columns, the lanes scan the input element each column reads and add
/// their products with dy at their output channel. Summation order:
/// images, rows, columns, as in the reference.
static void emitBallotBackwardFilter(KernelBuilder &k,
                                     Conv2DZeroSkipBackwardFilterOp op, Value x,
                                     Value dy, Value dw, ArrayRef<Value> sizes,
                                     Type accType) {
  ConvWindowValues win = getConvWindowValues(k, op);
  Type element = cast<MemRefType>(dw.getType()).getElementType();
  Value h = k.dim(x, 1), wd = k.dim(x, 2);
  Value batch = k.dim(dy, 0), oh = k.dim(dy, 1), ow = k.dim(dy, 2);
  Value f = sizes[3];
  Value chunks = warpGroups(k, f);
  Value tasks = k.mul(k.mul(k.mul(sizes[0], sizes[1]), sizes[2]), chunks);
  emitWarpLaunch(k, tasks, [&](Value lane, Value task) {
    Value chunk = k.remU(task, chunks);
    Value rest = k.divU(task, chunks);
    Value ch = k.remU(rest, sizes[2]);
    rest = k.divU(rest, sizes[2]);
    Value b = k.remU(rest, sizes[1]);
    Value a = k.divU(rest, sizes[1]);
    Value fo = k.add(k.mul(chunk, k.index(kWarpLanes)), lane);
    Value active = k.cmp(arith::CmpIPredicate::ult, fo, f);
    Value foSafe = clampIndex(k, active, fo);
    Value sum =
        sumOver(k, batch, k.floating(accType, 0.0), [&](Value n, Value acc) {
          return sumOver(k, oh, acc, [&](Value oy, Value acc) {
            auto [ih, insideH] =
                convInputCoordinate(k, oy, a, win.sh, win.dh, win.top, h);
            return sumOver(k, warpGroups(k, ow), acc, [&](Value g, Value acc) {
              Value x0 = k.mul(g, k.index(kWarpLanes));
              Value ox = k.add(x0, lane);
              auto [iw, insideW] =
                  convInputCoordinate(k, ox, b, win.sw, win.dw, win.left, wd);
              Value valid = k.andI(k.andI(insideH, insideW),
                                   k.cmp(arith::CmpIPredicate::ult, ox, ow));
              Value xv = k.castFloat(k.load(x, {n, clampIndex(k, insideH, ih),
                                                clampIndex(k, valid, iw), ch}),
                                     accType);
              return warpBallotSum(k, acc, xv, valid, active, [&](Value bit) {
                return k.load(dy, {n, oy, k.add(x0, bit), foSafe});
              });
            });
          });
        });
    k.ifThen(active, [&] {
      k.store(k.castFloat(sum, element), dw, {a, b, ch, fo});
    });
  });
}

/// Runs `kernel` when every dimension in `dims` is non-zero (the warp
/// kernels read clamped coordinates of their scanned tensors), else fills
/// `result` with zeros (only padding, or an empty reduction).
static void emitUnlessEmpty(KernelBuilder &k, ArrayRef<Value> dims,
                            Value result, function_ref<void()> kernel) {
  Value nonEmpty = k.integer(k.b.getI1Type(), 1);
  for (Value d : dims)
    nonEmpty =
        k.andI(nonEmpty, k.cmp(arith::CmpIPredicate::ugt, d, k.index(0)));
  auto branch = scf::IfOp::create(k.b, nonEmpty, /*withElseRegion=*/true);
  OpBuilder::InsertionGuard guard(k.b);
  k.b.setInsertionPoint(branch.thenBlock()->getTerminator());
  kernel();
  k.b.setInsertionPoint(branch.elseBlock()->getTerminator());
  Type element = cast<MemRefType>(result.getType()).getElementType();
  emitParallelFill(k, flattenBuffer(k, result), k.floating(element, 0.0));
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
    emitUnlessEmpty(k, {k.dim(x, 1), k.dim(x, 2)}, y, [&] {
      emitBallotGather(k, getConvWindowValues(k, op),
                       /*fromOutput=*/false, x, w, y, sizes, accType);
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
    SmallVector<Value, 4> sizes = convInputGradientSizes(k, resultType, dy, w);
    Value dx = k.allocShaped(resultType.getShape(), element, sizes);
    emitUnlessEmpty(k, {k.dim(dy, 1), k.dim(dy, 2)}, dx, [&] {
      emitBallotGather(k, getConvWindowValues(k, op), /*fromOutput=*/true, dy,
                       w, dx, sizes, accType);
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
    SmallVector<Value, 4> sizes = convFilterGradientSizes(k, resultType, x, dy);
    Value dw = k.allocShaped(resultType.getShape(), element, sizes);
    emitUnlessEmpty(k, {k.dim(x, 1), k.dim(x, 2)}, dw, [&] {
      emitBallotBackwardFilter(k, op, x, dy, dw, sizes, accType);
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
