//===- SliceDropOps.cpp - slice_start, slice_drop, slice_expand -----------===//
//
// Verifiers, type inference, folders and canonicalizations of the SliceOut
// ops.
//
//===----------------------------------------------------------------------===//

#include "SparseTrain/IR/SparseTrainOps.h"
#include "SparseTrain/Utils/Philox.h"
#include "VerifyUtils.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/APFloat.h"

using namespace mlir;
using namespace mlir::sparse_train;
using namespace mlir::sparse_train::verifier;

/// Checks `1 <= width <= extent` for a slice of `extent` units.
static LogicalResult verifyWidth(EmitErrorFn emitError, int64_t width,
                                 int64_t extent) {
  if (width < 1 || width > extent)
    return emitError() << "expects 1 <= width <= extent, got width " << width
                       << " and extent " << extent;
  return success();
}

/// Checks that `dim` indexes `type` and that the dimension is static.
static LogicalResult verifySlicedDim(EmitErrorFn emitError,
                                     RankedTensorType type, int64_t dim,
                                     StringRef what) {
  if (dim < 0 || dim >= type.getRank())
    return emitError() << "dim " << dim << " is out of range for " << what
                       << " of rank " << type.getRank();
  if (type.isDynamicDim(dim))
    return emitError() << "expects dimension " << dim << " of " << what
                       << " to be static";
  return success();
}

/// Result type of a slice op on `inputType`: dimension `dim` becomes
/// `newSize`. slice_drop passes its width as `newSize` (the extent is the
/// input's), slice_expand its extent (the width is the input's). Checks that
/// `dim` indexes a static dimension and `1 <= width <= extent`.
static LogicalResult
inferSliceType(EmitErrorFn emitError, Type inputType, IntegerAttr dimAttr,
               IntegerAttr sizeAttr, bool sizeIsWidth,
               SmallVectorImpl<Type> &inferredReturnTypes) {
  auto type = dyn_cast<RankedTensorType>(inputType);
  if (!type)
    return emitError() << "expects a ranked tensor input";
  // Builders may call inference before any verifier has run.
  if (!dimAttr || !sizeAttr)
    return emitError() << "requires attributes 'dim' and '"
                       << (sizeIsWidth ? "width" : "extent") << "'";
  int64_t dim = dimAttr.getInt(), newSize = sizeAttr.getInt();
  if (failed(verifySlicedDim(emitError, type, dim, "the input")))
    return failure();
  int64_t oldSize = type.getDimSize(dim);
  if (failed(sizeIsWidth ? verifyWidth(emitError, newSize, oldSize)
                         : verifyWidth(emitError, oldSize, newSize)))
    return failure();
  SmallVector<int64_t> shape(type.getShape());
  shape[dim] = newSize;
  inferredReturnTypes.push_back(type.clone(shape));
  return success();
}

/// Checks that a constant `start` lies in `[0, extent - width]`.
static LogicalResult verifyConstantStart(Operation *op, Value start,
                                         int64_t width, int64_t extent) {
  APInt value;
  if (!matchPattern(start, m_ConstantInt(&value)))
    return success();
  int64_t s = value.getSExtValue();
  if (s < 0 || s > extent - width)
    return op->emitOpError()
           << "constant start " << s << " is outside [0, " << extent - width
           << "] for width " << width << " and extent " << extent;
  return success();
}

//===----------------------------------------------------------------------===//
// SliceStartOp
//===----------------------------------------------------------------------===//

int64_t SliceStartOp::getNumStarts() {
  return (static_cast<int64_t>(getExtent()) -
          static_cast<int64_t>(getWidth())) /
             getAlignValue() +
         1;
}

LogicalResult SliceStartOp::verify() {
  int64_t extent = getExtentAttr().getInt(), width = getWidthAttr().getInt();
  if (failed(verifyWidth([&] { return emitOpError(); }, width, extent)))
    return failure();
  if (getAlign() && getAlignAttr().getInt() < 1)
    return emitOpError() << "expects align >= 1, got "
                         << getAlignAttr().getInt();
  return success();
}

OpFoldResult SliceStartOp::fold(FoldAdaptor adaptor) {
  int64_t numStarts = getNumStarts();
  if (numStarts == 1)
    return IntegerAttr::get(IndexType::get(getContext()), 0);
  auto seed = dyn_cast_if_present<IntegerAttr>(adaptor.getSeed());
  auto counter = dyn_cast_if_present<IntegerAttr>(adaptor.getCounter());
  if (!seed || !counter)
    return {};
  uint64_t start =
      sliceStart(seed.getValue().getZExtValue(),
                 counter.getValue().getZExtValue(), numStarts, getAlignValue());
  return IntegerAttr::get(IndexType::get(getContext()), start);
}

//===----------------------------------------------------------------------===//
// SliceDropOp
//===----------------------------------------------------------------------===//

double SliceDropOp::getScaleValue() {
  if (FloatAttr scale = getScaleAttr())
    return scale.getValueAsDouble();
  return static_cast<double>(getExtent()) /
         static_cast<double>(getWidthAttr().getInt());
}

LogicalResult
SliceDropOp::inferReturnTypes(MLIRContext *, std::optional<Location> location,
                              Adaptor adaptor,
                              SmallVectorImpl<Type> &inferredReturnTypes) {
  return inferSliceType(makeOptionalEmitter(location, getOperationName()),
                        adaptor.getInput().getType(), adaptor.getDimAttr(),
                        adaptor.getWidthAttr(), /*sizeIsWidth=*/true,
                        inferredReturnTypes);
}

LogicalResult SliceDropOp::verify() {
  // Trait verification (and with it type inference) may run after this
  // verifier, so the shape rules are checked here first.
  SmallVector<Type> inferred;
  if (failed(
          inferReturnTypes(getContext(), getLoc(), Adaptor(*this), inferred)))
    return failure();
  if (FloatAttr scale = getScaleAttr()) {
    double s = scale.getValueAsDouble();
    if (!std::isfinite(s) || s <= 0.0)
      return emitOpError() << "expects a finite scale > 0, got " << s;
  }
  return verifyConstantStart(*this, getStart(), getWidthAttr().getInt(),
                             getExtent());
}

/// Rounds `scale` to the element type `type`, as the op's semantics does.
static APFloat roundScale(double scale, FloatType type) {
  APFloat value(scale);
  bool losesInfo = false;
  value.convert(type.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                &losesInfo);
  return value;
}

OpFoldResult SliceDropOp::fold(FoldAdaptor) {
  if (getWidthAttr().getInt() != getExtent())
    return {};
  auto elementType = cast<FloatType>(getInput().getType().getElementType());
  if (!roundScale(getScaleValue(), elementType).isExactlyValue(1.0))
    return {};
  return getInput();
}

namespace {
/// A full-width slice with a scale other than 1 is a multiplication by the
/// scale rounded to the element type:
///   slice_drop %x, %s dim = d, width = N, scale = s  ->  %x * splat(fl(s))
/// Only for static shapes, where the splat constant can be built.
struct FullWidthSliceToMul : public OpRewritePattern<SliceDropOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SliceDropOp op,
                                PatternRewriter &rewriter) const override {
    RankedTensorType type = op.getInput().getType();
    if (op.getWidthAttr().getInt() != op.getExtent() || !type.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "not a static full-width slice");
    auto elementType = cast<FloatType>(type.getElementType());
    APFloat scale = roundScale(op.getScaleValue(), elementType);
    if (scale.isExactlyValue(1.0))
      return rewriter.notifyMatchFailure(op, "folded instead");
    auto splat = arith::ConstantOp::create(rewriter, op.getLoc(),
                                           DenseElementsAttr::get(type, scale));
    rewriter.replaceOpWithNewOp<arith::MulFOp>(op, op.getInput(), splat);
    return success();
  }
};
} // namespace

void SliceDropOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                              MLIRContext *context) {
  results.add<FullWidthSliceToMul>(context);
}

//===----------------------------------------------------------------------===//
// SliceExpandOp
//===----------------------------------------------------------------------===//

LogicalResult
SliceExpandOp::inferReturnTypes(MLIRContext *, std::optional<Location> location,
                                Adaptor adaptor,
                                SmallVectorImpl<Type> &inferredReturnTypes) {
  return inferSliceType(makeOptionalEmitter(location, getOperationName()),
                        adaptor.getInput().getType(), adaptor.getDimAttr(),
                        adaptor.getExtentAttr(), /*sizeIsWidth=*/false,
                        inferredReturnTypes);
}

LogicalResult SliceExpandOp::verify() {
  SmallVector<Type> inferred;
  if (failed(
          inferReturnTypes(getContext(), getLoc(), Adaptor(*this), inferred)))
    return failure();
  return verifyConstantStart(*this, getStart(), getWidth(),
                             getExtentAttr().getInt());
}

OpFoldResult SliceExpandOp::fold(FoldAdaptor) {
  if (getWidth() == getExtentAttr().getInt())
    return getInput();
  return {};
}
