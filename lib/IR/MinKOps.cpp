//===- MinKOps.cpp - min_k_retain, min_k_restore, min_k_weight_grad -------===//
//
// Verifiers, type inference and folders of the DropIT ops.
//
//===----------------------------------------------------------------------===//

#include "SparseTrain/IR/SparseTrainOps.h"
#include "VerifyUtils.h"

#include "mlir/IR/BuiltinAttributes.h"

#include <cmath>

using namespace mlir;
using namespace mlir::sparse_train;
using namespace mlir::sparse_train::verifier;

//===----------------------------------------------------------------------===//
// MinKRetainOp
//===----------------------------------------------------------------------===//

/// Number of elements among which one selection happens: the whole tensor,
/// or one row (the last dimension). Dynamic when unknown.
static int64_t getSelectionSetSize(RankedTensorType type,
                                   Granularity granularity,
                                   int64_t numElements) {
  return granularity == Granularity::Row ? type.getShape().back() : numElements;
}

/// `K = keep`, or `floor(ratio * n + 0.5)` computed in f64.
static int64_t computeKeep(std::optional<double> ratio,
                           std::optional<int64_t> keep, int64_t setSize) {
  if (keep)
    return *keep;
  if (ShapedType::isDynamic(setSize))
    return ShapedType::kDynamic;
  return static_cast<int64_t>(
      std::floor(*ratio * static_cast<double>(setSize) + 0.5));
}

/// Checks the attributes of a min_k_retain on `type` and computes the number
/// of kept values (ShapedType::kDynamic if it depends on a dynamic size).
static FailureOr<int64_t> verifyRetainAndComputeKept(EmitErrorFn emitError,
                                                     RankedTensorType type,
                                                     FloatAttr keepRatio,
                                                     IntegerAttr keep,
                                                     Granularity granularity) {
  if (type.getRank() < 1)
    return emitError() << "expects an input of rank >= 1";
  if (!isSupportedFloat(type.getElementType()))
    return emitError() << "expects an f16, bf16, f32 or f64 input, got "
                       << type.getElementType();
  if (!keepRatio == !keep)
    return emitError() << "expects exactly one of 'keep_ratio' and 'keep'";
  int64_t numElements;
  if (failed(getNumElements(emitError, type.getShape(), numElements)))
    return failure();
  int64_t setSize = getSelectionSetSize(type, granularity, numElements);
  std::optional<double> ratio;
  std::optional<int64_t> count;
  if (keepRatio) {
    ratio = keepRatio.getValueAsDouble();
    if (!(*ratio >= 0.0 && *ratio <= 1.0))
      return emitError() << "expects keep_ratio in [0, 1], got " << *ratio;
  } else {
    count = keep.getInt();
    if (*count < 0)
      return emitError() << "expects keep >= 0, got " << *count;
    if (!ShapedType::isDynamic(setSize) && *count > setSize)
      return emitError() << "keep " << *count << " exceeds the " << setSize
                         << " elements of each "
                         << (granularity == Granularity::Row ? "row"
                                                             : "tensor");
  }
  int64_t perSet = computeKeep(ratio, count, setSize);
  if (granularity == Granularity::Tensor || ShapedType::isDynamic(perSet))
    return perSet;
  int64_t rows;
  if (failed(getNumElements(emitError, type.getShape().drop_back(), rows)))
    return failure();
  if (ShapedType::isDynamic(rows))
    return ShapedType::kDynamic;
  // perSet <= the row length, so rows * perSet <= numel, which fits.
  return rows * perSet;
}

int64_t MinKRetainOp::getKeepPerSet() {
  RankedTensorType type = getInput().getType();
  int64_t numElements = getResult().getType().getNumElements();
  std::optional<double> ratio;
  if (getKeepRatio())
    ratio = getKeepRatioAttr().getValueAsDouble();
  std::optional<int64_t> count;
  if (getKeep())
    count = getKeepAttr().getInt();
  return computeKeep(ratio, count,
                     getSelectionSetSize(type, getGranularity(), numElements));
}

LogicalResult MinKRetainOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferredReturnTypes) {
  auto emitError = makeOptionalEmitter(location, getOperationName());
  auto type = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
  if (!type)
    return emitError() << "expects a ranked tensor input";
  // Default-valued attributes are still absent while the op is parsed.
  GranularityAttr granularity = adaptor.getGranularityAttr();
  RetainEncodingAttr encoding = adaptor.getEncodingAttr();
  FailureOr<int64_t> kept = verifyRetainAndComputeKept(
      emitError, type, adaptor.getKeepRatioAttr(), adaptor.getKeepAttr(),
      granularity ? granularity.getValue() : Granularity::Tensor);
  if (failed(kept))
    return failure();
  inferredReturnTypes.push_back(RetainedType::get(
      context, type.getShape(), type.getElementType(), *kept,
      encoding ? encoding.getValue() : RetainEncoding::Bitmask));
  return success();
}

//===----------------------------------------------------------------------===//
// MinKRestoreOp
//===----------------------------------------------------------------------===//

LogicalResult
MinKRestoreOp::inferReturnTypes(MLIRContext *, std::optional<Location> location,
                                Adaptor adaptor,
                                SmallVectorImpl<Type> &inferredReturnTypes) {
  auto type = dyn_cast<RetainedType>(adaptor.getRetained().getType());
  if (!type)
    return emitOptionalError(location, "'", getOperationName(),
                             "' op expects a !sparse_train.retained operand");
  inferredReturnTypes.push_back(type.getDenseType());
  return success();
}

OpFoldResult MinKRestoreOp::fold(FoldAdaptor) {
  RetainedType type = getRetained().getType();
  int64_t numElements = type.getNumElements();
  // Nothing kept: a zero tensor.
  if (type.hasStaticKept() && type.getKept() == 0 &&
      !ShapedType::isDynamic(numElements) && numElements > 0)
    return DenseElementsAttr::get(getType(),
                                  FloatAttr::get(type.getElementType(), 0.0));
  // Everything kept: the retained input itself.
  auto retain = getRetained().getDefiningOp<MinKRetainOp>();
  if (retain && type.hasStaticKept() && type.getKept() == numElements)
    return retain.getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// MinKWeightGradOp
//===----------------------------------------------------------------------===//

LogicalResult MinKWeightGradOp::verify() {
  RetainedType retained = getRetained().getType();
  RankedTensorType dy = getGradOutput().getType();
  RankedTensorType result = getResult().getType();
  Type elementType = retained.getElementType();
  if (dy.getElementType() != elementType)
    return emitOpError() << "expects grad_output element type "
                         << dy.getElementType()
                         << " to match the retained element type "
                         << elementType;
  if (!isValidAccumulatorType(elementType, result.getElementType()))
    return emitOpError() << "expects result element type "
                         << result.getElementType() << " to be " << elementType
                         << (elementType.isF16() || elementType.isBF16()
                                 ? " or f32"
                                 : "");
  ArrayRef<int64_t> x = retained.getShape();
  if (result.getRank() == 2) {
    if (getStrides() || getDilations() || getPadding())
      return emitOpError() << "accepts strides, dilations and padding only in "
                              "the convolution-filter form (rank-4 result)";
    if (x.size() < 2 || dy.getRank() < 2)
      return emitOpError() << "linear form expects a retained input and a "
                              "grad_output of rank >= 2";
    auto emitError = [&]() { return emitOpError(); };
    int64_t xRows, dyRows;
    if (failed(getNumElements(emitError, x.drop_back(), xRows)) ||
        failed(getNumElements(emitError, dy.getShape().drop_back(), dyRows)))
      return failure();
    if (!ShapedType::isDynamic(xRows) && !ShapedType::isDynamic(dyRows) &&
        xRows != dyRows)
      return emitOpError() << "linear form expects as many rows in the "
                              "retained input ("
                           << xRows << ") as in grad_output (" << dyRows << ")";
    int64_t in = x.back(), out = dy.getShape().back();
    auto mismatch = [](int64_t a, int64_t b) {
      return !ShapedType::isDynamic(a) && !ShapedType::isDynamic(b) && a != b;
    };
    if (mismatch(result.getDimSize(0), in) ||
        mismatch(result.getDimSize(1), out))
      return emitOpError() << "linear form expects a result of shape [" << in
                           << ", " << out << "] (input features x output "
                           << "features), got " << result;
    return success();
  }
  if (result.getRank() != 4)
    return emitOpError() << "expects a rank-2 result (linear form) or a "
                            "rank-4 HWCF result (convolution-filter form), "
                            "got rank "
                         << result.getRank();
  auto emitError = [&]() { return emitOpError(); };
  FailureOr<ConvWindow> window =
      getConvWindow(emitError, getStrides(), getDilations(), getPadding());
  if (failed(window))
    return failure();
  return verifyConvShapes(emitError,
                          {"the retained input", "the result", "grad_output"},
                          x, result.getShape(), dy.getShape(), *window);
}
