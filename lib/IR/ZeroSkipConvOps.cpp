//===- ZeroSkipConvOps.cpp - zero-skipping convolutions -------------------===//
//
// Verifiers and type inference of conv2d_zero_skip and its gradients.
//
//===----------------------------------------------------------------------===//

#include "SparseTrain/IR/SparseTrainOps.h"
#include "VerifyUtils.h"

using namespace mlir;
using namespace mlir::sparse_train;
using namespace mlir::sparse_train::verifier;

/// Checks that the three tensors of a convolution share one element type.
static LogicalResult verifyConvElementTypes(EmitErrorFn emitError,
                                            const ConvRoles &roles, Type input,
                                            Type filter, Type output) {
  if (input != filter || input != output)
    return emitError() << "expects one element type for " << roles.input << ", "
                       << roles.filter << " and " << roles.output << ", got "
                       << input << ", " << filter << " and " << output;
  return success();
}

/// Verifies one convolution op given which of its tensors plays the input,
/// filter and output role.
template <typename OpTy>
static LogicalResult
verifyConvOp(OpTy op, const ConvRoles &roles, RankedTensorType input,
             RankedTensorType filter, RankedTensorType output) {
  auto emitError = [&]() { return op.emitOpError(); };
  FailureOr<ConvWindow> window = getConvWindow(
      emitError, op.getStrides(), op.getDilations(), op.getPadding());
  if (failed(window) ||
      failed(verifyMaxDensity(emitError, op.getMaxDensity())) ||
      failed(verifyConvElementTypes(emitError, roles, input.getElementType(),
                                    filter.getElementType(),
                                    output.getElementType())))
    return failure();
  return verifyConvShapes(emitError, roles, input.getShape(), filter.getShape(),
                          output.getShape(), *window);
}

//===----------------------------------------------------------------------===//
// Conv2DZeroSkipOp
//===----------------------------------------------------------------------===//

LogicalResult Conv2DZeroSkipOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferredReturnTypes) {
  auto emitError = makeOptionalEmitter(location, getOperationName());
  auto input = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
  auto filter = dyn_cast<RankedTensorType>(adaptor.getFilter().getType());
  if (!input || !filter)
    return emitError() << "expects ranked tensor operands";
  FailureOr<ConvWindow> window =
      getConvWindow(emitError, adaptor.getStrides(), adaptor.getDilations(),
                    adaptor.getPadding());
  if (failed(window) ||
      failed(verifyMaxDensity(emitError, adaptor.getMaxDensity())))
    return failure();
  ConvRoles roles = {"the input", "the filter", "the result"};
  if (input.getRank() != 4 || filter.getRank() != 4)
    return verifyConvShapes(emitError, roles, input.getShape(),
                            filter.getShape(), {}, *window);
  SmallVector<int64_t, 4> output = {input.getDimSize(0), 0, 0,
                                    filter.getDimSize(3)};
  for (int i = 0; i < 2; ++i) {
    output[1 + i] =
        getConvOutputSize(input.getDimSize(1 + i), filter.getDimSize(i),
                          window->strides[i], window->dilations[i],
                          window->padding[2 * i], window->padding[2 * i + 1]);
  }
  if (failed(verifyConvElementTypes(emitError, roles, input.getElementType(),
                                    filter.getElementType(),
                                    input.getElementType())) ||
      failed(verifyConvShapes(emitError, roles, input.getShape(),
                              filter.getShape(), output, *window)))
    return failure();
  inferredReturnTypes.push_back(input.clone(output));
  return success();
}

//===----------------------------------------------------------------------===//
// Conv2DZeroSkipBackwardDataOp
//===----------------------------------------------------------------------===//

LogicalResult Conv2DZeroSkipBackwardDataOp::verify() {
  return verifyConvOp(
      *this, {"the result (input gradient)", "the filter", "grad_output"},
      getResult().getType(), getFilter().getType(), getGradOutput().getType());
}

//===----------------------------------------------------------------------===//
// Conv2DZeroSkipBackwardFilterOp
//===----------------------------------------------------------------------===//

LogicalResult Conv2DZeroSkipBackwardFilterOp::verify() {
  return verifyConvOp(
      *this, {"the input", "the result (filter gradient)", "grad_output"},
      getInput().getType(), getResult().getType(), getGradOutput().getType());
}
