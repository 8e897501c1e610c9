//===- SparseTrainDialect.cpp - sparse_train dialect ----------------------===//
//
// Dialect registration, the generated attribute/op definitions, the
// `!sparse_train.retained` type and constant materialization.
//
//===----------------------------------------------------------------------===//

#include "SparseTrain/IR/SparseTrainDialect.h"
#include "SparseTrain/IR/SparseTrainOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::sparse_train;

#include "SparseTrain/IR/SparseTrainOpsDialect.cpp.inc"

#include "SparseTrain/IR/SparseTrainEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "SparseTrain/IR/SparseTrainAttrs.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "SparseTrain/IR/SparseTrainOpsTypes.cpp.inc"

void SparseTrainDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "SparseTrain/IR/SparseTrainAttrs.cpp.inc"
      >();
  addTypes<
#define GET_TYPEDEF_LIST
#include "SparseTrain/IR/SparseTrainOpsTypes.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "SparseTrain/IR/SparseTrainOps.cpp.inc"
      >();
}

Operation *SparseTrainDialect::materializeConstant(OpBuilder &builder,
                                                   Attribute value, Type type,
                                                   Location loc) {
  return arith::ConstantOp::materialize(builder, value, type, loc);
}

//===----------------------------------------------------------------------===//
// RetainedType
//===----------------------------------------------------------------------===//

/// Syntax: `<` dims `x` element-type `,` `kept` `=` (int | `?`) `,`
/// encoding `>`.
Type RetainedType::parse(AsmParser &parser) {
  SmallVector<int64_t> shape;
  Type elementType;
  int64_t kept = ShapedType::kDynamic;
  StringRef encodingName;
  SMLoc loc = parser.getCurrentLocation();
  if (parser.parseLess() ||
      parser.parseDimensionList(shape, /*allowDynamic=*/true,
                                /*withTrailingX=*/true) ||
      parser.parseType(elementType) || parser.parseComma() ||
      parser.parseKeyword("kept") || parser.parseEqual())
    return {};
  if (failed(parser.parseOptionalQuestion()) && parser.parseInteger(kept))
    return {};
  SMLoc encodingLoc = parser.getCurrentLocation();
  if (parser.parseComma() || parser.parseKeyword(&encodingName) ||
      parser.parseGreater())
    return {};
  std::optional<RetainEncoding> encoding =
      symbolizeRetainEncoding(encodingName);
  if (!encoding) {
    parser.emitError(encodingLoc)
        << "expected retained encoding 'bitmask' or 'indices', got '"
        << encodingName << "'";
    return {};
  }
  return parser.getChecked<RetainedType>(loc, parser.getContext(), shape,
                                         elementType, kept, *encoding);
}

void RetainedType::print(AsmPrinter &printer) const {
  printer << "<";
  for (int64_t dim : getShape()) {
    if (ShapedType::isDynamic(dim))
      printer << "?";
    else
      printer << dim;
    printer << "x";
  }
  printer << getElementType() << ", kept = ";
  if (hasStaticKept())
    printer << getKept();
  else
    printer << "?";
  printer << ", " << stringifyRetainEncoding(getEncoding()) << ">";
}

/// The element count of `shape`, or ShapedType::kDynamic when a dimension is
/// dynamic or the product does not fit in int64.
static int64_t getStaticNumElements(ArrayRef<int64_t> shape) {
  int64_t numElements = 1;
  for (int64_t dim : shape) {
    if (ShapedType::isDynamic(dim) ||
        llvm::MulOverflow(numElements, dim, numElements))
      return ShapedType::kDynamic;
  }
  return numElements;
}

LogicalResult RetainedType::verify(function_ref<InFlightDiagnostic()> emitError,
                                   ArrayRef<int64_t> shape, Type elementType,
                                   int64_t kept, RetainEncoding encoding) {
  if (llvm::any_of(
          shape, [](int64_t d) { return d < 0 && !ShapedType::isDynamic(d); }))
    return emitError() << "retained type has a negative dimension";
  if (!(elementType.isF16() || elementType.isBF16() || elementType.isF32() ||
        elementType.isF64()))
    return emitError() << "retained element type must be f16, bf16, f32 or "
                          "f64, got "
                       << elementType;
  if (kept < 0 && !ShapedType::isDynamic(kept))
    return emitError() << "retained count 'kept' must be >= 0, got " << kept;
  int64_t numElements = getStaticNumElements(shape);
  if (!ShapedType::isDynamic(numElements) && !ShapedType::isDynamic(kept) &&
      kept > numElements)
    return emitError() << "retained count 'kept' = " << kept << " exceeds the "
                       << numElements << " elements of the dense shape";
  return success();
}

RankedTensorType RetainedType::getDenseType() const {
  return RankedTensorType::get(getShape(), getElementType());
}

int64_t RetainedType::getNumElements() const {
  return getStaticNumElements(getShape());
}

IntegerType RetainedType::getPositionType() const {
  int64_t numElements = getNumElements();
  bool narrow = getEncoding() == RetainEncoding::Bitmask ||
                (!ShapedType::isDynamic(numElements) &&
                 numElements <= (int64_t(1) << 31));
  return IntegerType::get(getContext(), narrow ? 32 : 64);
}

int64_t RetainedType::getNumPositions() const {
  if (getEncoding() == RetainEncoding::Indices)
    return getKept();
  int64_t numElements = getNumElements();
  if (ShapedType::isDynamic(numElements))
    return ShapedType::kDynamic;
  return llvm::divideCeil(numElements, 32);
}

std::optional<int64_t> RetainedType::getStorageBytes() const {
  int64_t positions = getNumPositions();
  if (!hasStaticKept() || ShapedType::isDynamic(positions))
    return std::nullopt;
  int64_t valueBytes = getElementType().getIntOrFloatBitWidth() / 8;
  int64_t positionBytes = getPositionType().getWidth() / 8;
  return getKept() * valueBytes + positions * positionBytes;
}

#define GET_OP_CLASSES
#include "SparseTrain/IR/SparseTrainOps.cpp.inc"
