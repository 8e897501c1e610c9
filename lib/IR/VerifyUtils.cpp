//===- VerifyUtils.cpp - shared checks of sparse_train verifiers ----------===//
//
// Implements the helpers declared in VerifyUtils.h.
//
//===----------------------------------------------------------------------===//

#include "VerifyUtils.h"

#include "mlir/IR/AffineExpr.h"
#include "mlir/IR/AffineMap.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::sparse_train;
using namespace mlir::sparse_train::verifier;

std::function<InFlightDiagnostic()>
verifier::makeOptionalEmitter(std::optional<Location> loc, StringRef opName) {
  std::string name = opName.str();
  return [loc, name]() -> InFlightDiagnostic {
    if (!loc)
      return InFlightDiagnostic();
    return mlir::emitError(*loc) << "'" << name << "' op ";
  };
}

LogicalResult verifier::getNumElements(EmitErrorFn emitError,
                                       ArrayRef<int64_t> shape,
                                       int64_t &numElements) {
  numElements = 1;
  bool dynamic = false;
  for (int64_t dim : shape) {
    if (ShapedType::isDynamic(dim)) {
      dynamic = true;
      continue;
    }
    if (llvm::MulOverflow(numElements, dim, numElements))
      return emitError() << "has more than 2^63 - 1 elements";
  }
  if (dynamic)
    numElements = ShapedType::kDynamic;
  return success();
}

bool verifier::isSupportedFloat(Type type) {
  return type.isF16() || type.isBF16() || type.isF32() || type.isF64();
}

bool verifier::isValidAccumulatorType(Type input, Type result) {
  if (input == result)
    return true;
  return (input.isF16() || input.isBF16()) && result.isF32();
}

FailureOr<ConvWindow>
verifier::getConvWindow(EmitErrorFn emitError,
                        std::optional<ArrayRef<int64_t>> strides,
                        std::optional<ArrayRef<int64_t>> dilations,
                        std::optional<ArrayRef<int64_t>> padding) {
  ConvWindow window;
  if (strides) {
    if (strides->size() != 2)
      return emitError() << "expects 2 strides [sh, sw], got "
                         << strides->size();
    if (llvm::any_of(*strides, [](int64_t s) { return s < 1; }))
      return emitError() << "expects strides >= 1";
    window.strides.assign(strides->begin(), strides->end());
  }
  if (dilations) {
    if (dilations->size() != 2)
      return emitError() << "expects 2 dilations [dh, dw], got "
                         << dilations->size();
    if (llvm::any_of(*dilations, [](int64_t d) { return d < 1; }))
      return emitError() << "expects dilations >= 1";
    window.dilations.assign(dilations->begin(), dilations->end());
  }
  if (padding) {
    if (padding->size() != 4)
      return emitError()
             << "expects 4 padding values [top, bottom, left, right], got "
             << padding->size();
    if (llvm::any_of(*padding, [](int64_t p) { return p < 0; }))
      return emitError() << "expects padding >= 0";
    window.padding.assign(padding->begin(), padding->end());
  }
  return window;
}

LogicalResult
verifier::verifyMaxDensity(EmitErrorFn emitError,
                           std::optional<llvm::APFloat> maxDensity) {
  if (!maxDensity)
    return success();
  double value = maxDensity->convertToDouble();
  if (!(value >= 0.0 && value <= 1.0))
    return emitError() << "expects max_density in [0, 1], got " << value;
  return success();
}

int64_t verifier::getConvOutputSize(int64_t in, int64_t k, int64_t stride,
                                    int64_t dilation, int64_t lo, int64_t hi) {
  if (ShapedType::isDynamic(in) || ShapedType::isDynamic(k))
    return ShapedType::kDynamic;
  // Sizes come from verified types and attributes, so they are far from the
  // int64 limits except in adversarial input; clamp through __int128.
  __int128 span = (__int128)in + lo + hi - (__int128)dilation * (k - 1) - 1;
  __int128 size =
      span < 0 ? -((-span + stride - 1) / stride) + 1 : span / stride + 1;
  if (size > INT64_MAX)
    return INT64_MAX;
  if (size < INT64_MIN + 1)
    return INT64_MIN + 1;
  return (int64_t)size;
}

/// Compares two sizes that may be dynamic: equal or either dynamic.
static bool compatible(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

LogicalResult
verifier::verifyConvShapes(EmitErrorFn emitError, const ConvRoles &roles,
                           ArrayRef<int64_t> input, ArrayRef<int64_t> filter,
                           ArrayRef<int64_t> output, const ConvWindow &window) {
  if (input.size() != 4)
    return emitError() << "expects " << roles.input
                       << " to be a rank-4 NHWC tensor, got rank "
                       << input.size();
  if (filter.size() != 4)
    return emitError() << "expects " << roles.filter
                       << " to be a rank-4 HWCF tensor, got rank "
                       << filter.size();
  if (output.size() != 4)
    return emitError() << "expects " << roles.output
                       << " to be a rank-4 NHWF tensor, got rank "
                       << output.size();
  if (!compatible(input[0], output[0]))
    return emitError() << "batch size " << input[0] << " of " << roles.input
                       << " does not match batch size " << output[0] << " of "
                       << roles.output;
  if (!compatible(input[3], filter[2]))
    return emitError() << "channel count " << input[3] << " of " << roles.input
                       << " does not match input channels " << filter[2]
                       << " of " << roles.filter;
  if (!compatible(filter[3], output[3]))
    return emitError() << "output channels " << filter[3] << " of "
                       << roles.filter << " do not match channel count "
                       << output[3] << " of " << roles.output;
  static const char *const dimNames[2] = {"height", "width"};
  for (int i = 0; i < 2; ++i) {
    int64_t in = input[1 + i], k = filter[i];
    int64_t expected =
        getConvOutputSize(in, k, window.strides[i], window.dilations[i],
                          window.padding[2 * i], window.padding[2 * i + 1]);
    if (ShapedType::isDynamic(expected))
      continue;
    if (expected < 1)
      return emitError() << "convolution output " << dimNames[i] << " would be "
                         << expected << " < 1 (" << roles.input << " "
                         << dimNames[i] << " " << in << ", padding "
                         << window.padding[2 * i] << " + "
                         << window.padding[2 * i + 1] << ", filter " << k
                         << ", dilation " << window.dilations[i] << ")";
    if (!compatible(output[1 + i], expected))
      return emitError() << roles.output << " " << dimNames[i] << " "
                         << output[1 + i] << " does not match floor((" << in
                         << " + " << window.padding[2 * i] << " + "
                         << window.padding[2 * i + 1] << " - "
                         << window.dilations[i] << " * (" << k
                         << " - 1) - 1) / " << window.strides[i]
                         << ") + 1 = " << expected;
  }
  return success();
}

FailureOr<SmallVector<int64_t, 2>>
verifier::verifyBsrEncoding(EmitErrorFn emitError, StringRef what,
                            sparse_tensor::SparseTensorEncodingAttr encoding,
                            std::optional<ArrayRef<int64_t>> expected) {
  using namespace sparse_tensor;
  auto fail = [&]() {
    return emitError() << "expects " << what
                       << " to have the BSR encoding (i, j) -> (i floordiv R "
                          ": dense, j floordiv C : compressed, i mod R : "
                          "dense, j mod C : dense)";
  };
  if (!encoding)
    return fail();
  ArrayRef<LevelType> lvlTypes = encoding.getLvlTypes();
  LevelType dense = *buildLevelType(LevelFormat::Dense, true, true);
  LevelType compressed = *buildLevelType(LevelFormat::Compressed, true, true);
  if (lvlTypes.size() != 4 || lvlTypes[0] != dense ||
      lvlTypes[1] != compressed || lvlTypes[2] != dense ||
      lvlTypes[3] != dense || encoding.isSlice())
    return fail();
  AffineMap dimToLvl = encoding.getDimToLvl();
  if (!dimToLvl || dimToLvl.getNumDims() != 2 || !isBlockSparsity(dimToLvl))
    return fail();
  SmallVector<unsigned> blockSize = getBlockSize(dimToLvl);
  if (blockSize.size() != 2 || blockSize[0] == 0 || blockSize[1] == 0)
    return fail();
  SmallVector<int64_t, 2> block = {blockSize[0], blockSize[1]};
  // The canonical order of the levels: block rows, block columns, then the
  // row and the column inside a block.
  MLIRContext *ctx = encoding.getContext();
  AffineExpr i = getAffineDimExpr(0, ctx), j = getAffineDimExpr(1, ctx);
  AffineMap canonical = AffineMap::get(
      2, 0,
      {i.floorDiv(block[0]), j.floorDiv(block[1]), i % block[0], j % block[1]},
      ctx);
  if (dimToLvl != canonical)
    return fail();
  for (auto [name, width] :
       {std::pair<const char *, unsigned>{"position", encoding.getPosWidth()},
        {"coordinate", encoding.getCrdWidth()}}) {
    if (width != 0 && width != 32 && width != 64)
      return emitError() << "expects the " << name << " width of " << what
                         << " to be 0, 32 or 64, got " << width;
  }
  if (expected && ArrayRef<int64_t>(block) != *expected)
    return emitError() << "expects the BSR block of " << what << " to be ["
                       << (*expected)[0] << ", " << (*expected)[1] << "], got ["
                       << block[0] << ", " << block[1] << "]";
  return block;
}
