//===- BlockSparseOps.cpp - block_prune, bsr_matmul -----------------------===//
//
// Verifiers of the block-sparse activation ops.
//
//===----------------------------------------------------------------------===//

#include "SparseTrain/IR/SparseTrainOps.h"
#include "VerifyUtils.h"

#include <cmath>

using namespace mlir;
using namespace mlir::sparse_train;
using namespace mlir::sparse_train::verifier;

//===----------------------------------------------------------------------===//
// BlockPruneOp
//===----------------------------------------------------------------------===//

LogicalResult BlockPruneOp::verify() {
  RankedTensorType input = getInput().getType();
  RankedTensorType result = getResult().getType();
  if (input.getRank() != 2)
    return emitOpError() << "expects a rank-2 input, got rank "
                         << input.getRank();
  if (!input.hasStaticShape())
    return emitOpError() << "expects a static input shape, got " << input;
  if (sparse_tensor::getSparseTensorEncoding(input))
    return emitOpError() << "expects a dense input, got " << input;
  ArrayRef<int64_t> block = getBlock();
  if (block.size() != 2)
    return emitOpError() << "expects block = [R, C] with 2 entries, got "
                         << block.size();
  if (block[0] < 1 || block[1] < 1)
    return emitOpError() << "expects block sizes >= 1, got [" << block[0]
                         << ", " << block[1] << "]";
  int64_t rows = input.getDimSize(0), cols = input.getDimSize(1);
  if (rows % block[0] != 0 || cols % block[1] != 0)
    return emitOpError() << "expects the block [" << block[0] << ", "
                         << block[1] << "] to divide the input shape [" << rows
                         << ", " << cols << "]";

  // The parameter that goes with the selection, and no other.
  BlockSelect select = getSelect();
  auto forbid = [&](Attribute attr, StringRef name) -> LogicalResult {
    if (attr)
      return emitOpError() << "'" << name << "' is not allowed with select = "
                           << stringifyBlockSelect(select);
    return success();
  };
  switch (select) {
  case BlockSelect::GlobalTopK:
    if (!getKeepRatio())
      return emitOpError() << "select = global_top_k requires 'keep_ratio'";
    if (failed(forbid(getKeepPerRowAttr(), "keep_per_row")) ||
        failed(forbid(getThresholdAttr(), "threshold")))
      return failure();
    break;
  case BlockSelect::RowTopK:
    if (!getKeepRatio() == !getKeepPerRow())
      return emitOpError() << "select = row_top_k requires exactly one of "
                              "'keep_per_row' and 'keep_ratio'";
    if (failed(forbid(getThresholdAttr(), "threshold")))
      return failure();
    break;
  case BlockSelect::Threshold:
    if (!getThreshold())
      return emitOpError() << "select = threshold requires 'threshold'";
    if (failed(forbid(getKeepRatioAttr(), "keep_ratio")) ||
        failed(forbid(getKeepPerRowAttr(), "keep_per_row")))
      return failure();
    break;
  }
  if (FloatAttr ratio = getKeepRatioAttr()) {
    double value = ratio.getValueAsDouble();
    if (!(value >= 0.0 && value <= 1.0))
      return emitOpError() << "expects keep_ratio in [0, 1], got " << value;
  }
  if (IntegerAttr perRow = getKeepPerRowAttr()) {
    int64_t blockCols = cols / block[1];
    if (perRow.getInt() < 0 || perRow.getInt() > blockCols)
      return emitOpError() << "expects keep_per_row in [0, " << blockCols
                           << "] (blocks per block row), got "
                           << perRow.getInt();
  }
  if (FloatAttr threshold = getThresholdAttr())
    if (std::isnan(threshold.getValueAsDouble()))
      return emitOpError() << "expects a threshold that is not NaN";

  if (result.getShape() != input.getShape() ||
      result.getElementType() != input.getElementType())
    return emitOpError() << "expects a result with the input's shape and "
                            "element type "
                         << input << ", got " << result;
  auto emitError = [&]() { return emitOpError(); };
  return verifyBsrEncoding(emitError, "the result",
                           sparse_tensor::getSparseTensorEncoding(result),
                           block);
}

//===----------------------------------------------------------------------===//
// BsrMatmulOp
//===----------------------------------------------------------------------===//

bool BsrMatmulOp::isLhsSparse() {
  return sparse_tensor::getSparseTensorEncoding(getLhs().getType()) != nullptr;
}

LogicalResult BsrMatmulOp::verify() {
  RankedTensorType lhs = getLhs().getType(), rhs = getRhs().getType();
  RankedTensorType result = getResult().getType();
  auto lhsEncoding = sparse_tensor::getSparseTensorEncoding(lhs);
  auto rhsEncoding = sparse_tensor::getSparseTensorEncoding(rhs);
  if (!lhsEncoding == !rhsEncoding)
    return emitOpError() << "expects exactly one BSR operand, got "
                         << (lhsEncoding ? "two sparse operands"
                                         : "two dense operands");
  auto emitError = [&]() { return emitOpError(); };
  if (failed(verifyBsrEncoding(
          emitError, lhsEncoding ? "the sparse lhs" : "the sparse rhs",
          lhsEncoding ? lhsEncoding : rhsEncoding)))
    return failure();
  if (lhs.getRank() != 2 || rhs.getRank() != 2 || result.getRank() != 2)
    return emitOpError() << "expects rank-2 operands and result";
  if (sparse_tensor::getSparseTensorEncoding(result))
    return emitOpError() << "expects a dense result, got " << result;
  if (lhs.getElementType() != rhs.getElementType())
    return emitOpError() << "expects operands of one element type, got "
                         << lhs.getElementType() << " and "
                         << rhs.getElementType();
  if (!isValidAccumulatorType(lhs.getElementType(), result.getElementType()))
    return emitOpError() << "expects result element type "
                         << result.getElementType() << " to be "
                         << lhs.getElementType()
                         << (lhs.getElementType().isF32() ||
                                     lhs.getElementType().isF64()
                                 ? ""
                                 : " or f32");
  bool ta = getTransposeA(), tb = getTransposeB();
  int64_t m = lhs.getDimSize(ta ? 1 : 0), kLhs = lhs.getDimSize(ta ? 0 : 1);
  int64_t kRhs = rhs.getDimSize(tb ? 1 : 0), n = rhs.getDimSize(tb ? 0 : 1);
  auto mismatch = [](int64_t a, int64_t b) {
    return !ShapedType::isDynamic(a) && !ShapedType::isDynamic(b) && a != b;
  };
  if (mismatch(kLhs, kRhs))
    return emitOpError() << "contraction sizes differ: " << kLhs << " in lhs"
                         << (ta ? " (transposed)" : "") << " and " << kRhs
                         << " in rhs" << (tb ? " (transposed)" : "");
  if (mismatch(result.getDimSize(0), m) || mismatch(result.getDimSize(1), n))
    return emitOpError() << "expects a result of shape [" << m << ", " << n
                         << "], got " << result;
  return success();
}
