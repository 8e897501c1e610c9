//===- SliceDropToLoops.cpp - reference lowering of the SliceOut ops ------===//
//
// slice_start becomes Philox4x32-10 in arith ops; slice_drop and
// slice_expand become tensor slices with a dynamic offset, the scale a
// linalg.generic.
//
//===----------------------------------------------------------------------===//

#include "KernelBuilder.h"
#include "PhiloxEmitter.h"
#include "SparseTrain/Conversion/SparseTrainToLoops.h"
#include "SparseTrain/IR/SparseTrainOps.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dominance.h"

using namespace mlir;
using namespace mlir::sparse_train;

namespace {

/// slice_start: `align * floor(r * M / 2^32)` computed exactly in i128.
struct SliceStartLowering : public OpConversionPattern<SliceStartOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SliceStartOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    KernelBuilder k(rewriter, op.getLoc());
    rewriter.replaceOp(
        op, emitSliceStart(k, adaptor.getSeed(), adaptor.getCounter(),
                           op.getNumStarts(), op.getAlignValue()));
    return success();
  }
};

/// Emits `cf.assert(0 <= start <= extent - width)` when checks are on.
static void emitStartCheck(KernelBuilder &k, Value start, int64_t width,
                           int64_t extent, StringRef opName) {
  Value inRange =
      k.cmp(arith::CmpIPredicate::ule, start, k.index(extent - width));
  // An index is signed: a negative start is a huge unsigned value.
  cf::AssertOp::create(k.b, inRange,
                       k.b.getStringAttr((opName + ": start outside [0, " +
                                          Twine(extent - width) + "]")
                                             .str()));
}

/// Offsets and strides of the slice `[start, start + width)` of dimension
/// `dim`; `sizes`, those of the sliced tensor, become the slice's.
static void getSliceBounds(KernelBuilder &k, int64_t dim, Value start,
                           int64_t width, SmallVectorImpl<OpFoldResult> &sizes,
                           SmallVectorImpl<OpFoldResult> &offsets,
                           SmallVectorImpl<OpFoldResult> &strides) {
  int64_t rank = sizes.size();
  offsets.assign(rank, k.b.getIndexAttr(0));
  strides.assign(rank, k.b.getIndexAttr(1));
  offsets[dim] = start;
  sizes[dim] = k.b.getIndexAttr(width);
}

/// The tensor.empty that `value` is computed into through destination-style
/// ops on tensors (e.g. a zero fill and a product), when it and every value
/// on the way have one use; null otherwise.
static tensor::EmptyOp getOwnEmptyDestination(Value value) {
  while (auto dps = value.getDefiningOp<DestinationStyleOpInterface>()) {
    if (!dps.hasPureTensorSemantics())
      return {};
    value = dps.getTiedOpOperand(cast<OpResult>(value))->get();
    if (!value.hasOneUse())
      return {};
  }
  auto empty = value.getDefiningOp<tensor::EmptyOp>();
  return empty && empty->hasOneUse() ? empty : tensor::EmptyOp();
}

/// A slice lowering, which may check its start at run time.
template <typename OpTy>
struct SliceLoweringBase : public OpConversionPattern<OpTy> {
  SliceLoweringBase(const TypeConverter &converter, MLIRContext *context,
                    bool runtimeChecks)
      : OpConversionPattern<OpTy>(converter, context),
        runtimeChecks(runtimeChecks) {}

  bool runtimeChecks;
};

/// slice_drop: extract_slice, then `fl(x * fl(scale))` unless fl(scale) = 1.
struct SliceDropLowering : public SliceLoweringBase<SliceDropOp> {
  using SliceLoweringBase::SliceLoweringBase;

  LogicalResult
  matchAndRewrite(SliceDropOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    KernelBuilder k(rewriter, op.getLoc());
    int64_t dim = op.getDim(), width = op.getWidth();
    if (runtimeChecks)
      emitStartCheck(k, adaptor.getStart(), width, op.getExtent(),
                     op->getName().getStringRef());
    SmallVector<OpFoldResult> offsets, strides;
    SmallVector<OpFoldResult> sizes =
        tensor::getMixedSizes(k.b, k.b.getLoc(), adaptor.getInput());
    getSliceBounds(k, dim, adaptor.getStart(), width, sizes, offsets, strides);
    Value slice = tensor::ExtractSliceOp::create(
        k.b, op.getType(), adaptor.getInput(), offsets, sizes, strides);

    auto elementType = cast<FloatType>(op.getType().getElementType());
    APFloat scale(op.getScaleValue());
    bool losesInfo = false;
    scale.convert(elementType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                  &losesInfo);
    if (scale.isExactlyValue(1.0)) {
      rewriter.replaceOp(op, slice);
      return success();
    }
    // The product is computed in f32 for f16/bf16 (exact before the one
    // rounding to the element type, so it equals the product in the type).
    Type accType = getAccumulatorType(elementType);
    Value init = tensor::EmptyOp::create(k.b, sizes, elementType);
    int64_t rank = op.getType().getRank();
    AffineMap identity = k.b.getMultiDimIdentityMap(rank);
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    auto scaled = linalg::GenericOp::create(
        k.b, op.getType(), ValueRange{slice}, ValueRange{init},
        ArrayRef<AffineMap>{identity, identity}, iterators, "", "",
        [&](OpBuilder &nested, Location loc, ValueRange args) {
          KernelBuilder body(nested, loc);
          Value s = body.castFloat(
              body.floating(elementType, scale.convertToDouble()), accType);
          Value product = body.mulF(body.castFloat(args[0], accType), s);
          linalg::YieldOp::create(body.b, body.castFloat(product, elementType));
        });
    rewriter.replaceOp(op, scaled.getResult(0));
    return success();
  }
};

/// slice_expand: a zero tensor of full extent with the slice inserted.
/// When the input is computed into a tensor.empty of its own (a product
/// into a zero fill, say), that empty becomes the slice of the zero tensor,
/// created in its place: bufferization then writes the input in place and
/// the insertion copies nothing.
struct SliceExpandLowering : public SliceLoweringBase<SliceExpandOp> {
  using SliceLoweringBase::SliceLoweringBase;

  LogicalResult
  matchAndRewrite(SliceExpandOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    int64_t dim = op.getDim(), width = op.getWidth(), extent = op.getExtent();
    Value input = adaptor.getInput(), start = adaptor.getStart();
    tensor::EmptyOp destination = getOwnEmptyDestination(input);
    if (destination && !DominanceInfo().properlyDominates(start, destination))
      destination = {};
    if (destination)
      rewriter.setInsertionPoint(destination);
    KernelBuilder k(rewriter, op.getLoc());
    if (runtimeChecks)
      emitStartCheck(k, start, width, extent, op->getName().getStringRef());
    SmallVector<OpFoldResult> sizes =
        destination ? destination.getMixedSizes()
                    : tensor::getMixedSizes(k.b, k.b.getLoc(), input);
    SmallVector<OpFoldResult> fullSizes = sizes;
    fullSizes[dim] = k.b.getIndexAttr(extent);
    Type elementType = op.getType().getElementType();
    Value empty = tensor::EmptyOp::create(k.b, fullSizes, elementType);
    Value zeros =
        linalg::FillOp::create(k.b, ValueRange{k.floating(elementType, 0.0)},
                               ValueRange{empty})
            .getResult(0);
    SmallVector<OpFoldResult> offsets, strides;
    getSliceBounds(k, dim, start, width, sizes, offsets, strides);
    if (destination)
      rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
          destination, zeros, offsets, sizes, strides);
    rewriter.setInsertionPoint(op);
    rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(op, input, zeros,
                                                       offsets, sizes, strides);
    return success();
  }
};

} // namespace

void mlir::sparse_train::populateSliceDropToLoopsPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns,
    const LoopsLoweringOptions &options) {
  MLIRContext *context = patterns.getContext();
  patterns.add<SliceStartLowering>(converter, context);
  patterns.add<SliceDropLowering, SliceExpandLowering>(converter, context,
                                                       options.runtimeChecks);
}
