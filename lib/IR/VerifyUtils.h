//===- VerifyUtils.h - shared checks of sparse_train verifiers ----*- C++
//-*-===//
//
// Shape and attribute checks shared by several op families: element counts
// without overflow, convolution windows and shapes, BSR encodings.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSETRAIN_LIB_IR_VERIFYUTILS_H
#define SPARSETRAIN_LIB_IR_VERIFYUTILS_H

#include "mlir/Dialect/SparseTensor/IR/SparseTensor.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>

namespace mlir {
namespace sparse_train {
namespace verifier {

/// Produces the diagnostic of the op being checked (inactive when there is
/// no location, as during type inference without one).
using EmitErrorFn = llvm::function_ref<InFlightDiagnostic()>;

/// Returns a function that emits "'<opName>' op " at `loc`, or an inactive
/// diagnostic when `loc` is absent.
std::function<InFlightDiagnostic()>
makeOptionalEmitter(std::optional<Location> loc, llvm::StringRef opName);

/// Sets `numElements` to the product of `shape`, or ShapedType::kDynamic if a
/// dimension is dynamic. Fails (with a diagnostic) when the product
/// overflows int64.
LogicalResult getNumElements(EmitErrorFn emitError, ArrayRef<int64_t> shape,
                             int64_t &numElements);

/// True for f16, bf16, f32 and f64.
bool isSupportedFloat(Type type);

/// True when `result` may hold an accumulation of `input`: the same type, or
/// f32 for f16/bf16.
bool isValidAccumulatorType(Type input, Type result);

/// Strides, dilations and padding of a 2-D convolution window.
struct ConvWindow {
  SmallVector<int64_t, 2> strides{1, 1};
  SmallVector<int64_t, 2> dilations{1, 1};
  SmallVector<int64_t, 4> padding{0, 0, 0, 0};
};

/// Checks the optional window attributes (sizes 2, 2 and 4; strides and
/// dilations >= 1; padding >= 0) and returns the window with defaults.
FailureOr<ConvWindow> getConvWindow(EmitErrorFn emitError,
                                    std::optional<ArrayRef<int64_t>> strides,
                                    std::optional<ArrayRef<int64_t>> dilations,
                                    std::optional<ArrayRef<int64_t>> padding);

/// Checks that the optional `max_density` of a convolution lies in [0, 1].
LogicalResult verifyMaxDensity(EmitErrorFn emitError,
                               std::optional<llvm::APFloat> maxDensity);

/// `floor((in + lo + hi - dilation * (k - 1) - 1) / stride) + 1`, or
/// ShapedType::kDynamic when `in` or `k` is dynamic.
int64_t getConvOutputSize(int64_t in, int64_t k, int64_t stride,
                          int64_t dilation, int64_t lo, int64_t hi);

/// How the three tensors of a convolution are called in an op's diagnostics.
struct ConvRoles {
  const char *input;
  const char *filter;
  const char *output;
};

/// Checks that `input` (NHWC), `filter` (HWCF) and `output` (NHWF) are
/// rank-4 shapes of one convolution with `window`: batch and channel sizes
/// agree and every static output size matches the formula and is >= 1.
LogicalResult verifyConvShapes(EmitErrorFn emitError, const ConvRoles &roles,
                               ArrayRef<int64_t> input,
                               ArrayRef<int64_t> filter,
                               ArrayRef<int64_t> output,
                               const ConvWindow &window);

/// Checks that `encoding` is the BSR form
/// `(i, j) -> (i floordiv R : dense, j floordiv C : compressed,
///             i mod R : dense, j mod C : dense)` with position and
/// coordinate widths of 0, 32 or 64, and returns `[R, C]`. When `expected`
/// is given, `[R, C]` must equal it.
FailureOr<SmallVector<int64_t, 2>>
verifyBsrEncoding(EmitErrorFn emitError, llvm::StringRef what,
                  sparse_tensor::SparseTensorEncodingAttr encoding,
                  std::optional<ArrayRef<int64_t>> expected = std::nullopt);

} // namespace verifier
} // namespace sparse_train
} // namespace mlir

#endif // SPARSETRAIN_LIB_IR_VERIFYUTILS_H
