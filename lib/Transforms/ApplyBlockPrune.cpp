//===- ApplyBlockPrune.cpp - BSR saved inputs of linear layers ------------===//
//
// sparse-train-apply-block-prune: in a joint training step, the weight
// gradient of a linear layer (see LinearLayers.h) is computed from a
// block-pruned (BSR) copy of its saved input: block_prune after the input,
// bsr_matmul with transpose_a for the gradient. The input's forward uses
// stay dense, so the forward results do not change.
//
//===----------------------------------------------------------------------===//

#include "LinalgMatchers.h"
#include "LinearLayers.h"
#include "SparseTrain/IR/SparseTrainOps.h"
#include "SparseTrain/Transforms/Passes.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SparseTensor/IR/SparseTensor.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::sparse_train;

namespace mlir {
namespace sparse_train {
#define GEN_PASS_DEF_SPARSETRAINAPPLYBLOCKPRUNEPASS
#include "SparseTrain/Transforms/Passes.h.inc"
} // namespace sparse_train
} // namespace mlir

namespace {

/// The BSR encoding of `[rows, cols]` blocks that block_prune produces.
static Attribute getBsrEncoding(MLIRContext *context, int64_t rows,
                                int64_t cols) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "#sparse_tensor.encoding<{map = (i, j) -> (i floordiv " << rows
     << " : dense, j floordiv " << cols << " : compressed, i mod " << rows
     << " : dense, j mod " << cols << " : dense)}>";
  return parseAttribute(text, context);
}

struct ApplyBlockPrunePass
    : public sparse_train::impl::SparseTrainApplyBlockPrunePassBase<
          ApplyBlockPrunePass> {
  using SparseTrainApplyBlockPrunePassBase::SparseTrainApplyBlockPrunePassBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    auto fail = [&]() {
      signalPassFailure();
      return func.emitError() << "sparse-train-apply-block-prune: ";
    };
    if (!(keepRatio >= 0.0 && keepRatio <= 1.0)) {
      fail() << "keep-ratio must be in [0, 1], got "
             << static_cast<double>(keepRatio);
      return;
    }
    if (blockRows < 1 || blockCols < 1) {
      fail() << "block-rows and block-cols must be at least 1";
      return;
    }
    std::optional<BlockScore> blockScore = symbolizeBlockScore(score);
    if (!blockScore) {
      fail() << "score must be l1, l2 or max_abs, got '" << score << "'";
      return;
    }
    if (!isJointStep(func, forwardResults, funcName))
      return;
    FailureOr<TrainingGraph> graph = TrainingGraph::build(
        func, makeTrainingGraphOptions(forwardResults, tangents, params));
    if (failed(graph))
      return signalPassFailure();
    int64_t rows = blockRows, cols = blockCols;
    double ratio = keepRatio;
    SmallVector<LinearLayer> layers = findLinearLayers(*graph);
    warnAboutMissingLayers(func, getArgument(), layers.size(), layerIndices);
    warnAboutMissingLayerNames(func, getArgument(), layers, layerNames);
    for (LinearLayer &layer : layers) {
      Value x = layer.input;
      bool selected =
          isLayerSelected(layer, layers.size(), layerIndices, layerNames);
      Value pruned;
      for (WeightGradient &grad : layer.gradients) {
        InFlightDiagnostic remark = grad.op->emitRemark();
        remark << layer.getLabel() << ": ";
        if (!selected) {
          remark << "not rewritten to sparse_train.bsr_matmul: "
                 << getNotSelectedReason(layerIndices, layerNames);
          continue;
        }
        if (grad.conv) {
          remark << "not rewritten: a convolution's filter gradient "
                 << "(block pruning applies to linear layers)";
          continue;
        }
        auto xType = dyn_cast<RankedTensorType>(x.getType());
        auto cType = cast<RankedTensorType>(grad.op->getResult(0).getType());
        Value other = grad.p == x ? grad.q : grad.p;
        if (!xType || xType.getRank() != 2 || !xType.hasStaticShape() ||
            !cType.hasStaticShape() ||
            !cast<RankedTensorType>(other.getType()).hasStaticShape() ||
            !xType.getElementType().isFloat()) {
          remark << "not rewritten: the saved input, the output gradient or "
                 << "the weight gradient is not a static 2-D float tensor";
          continue;
        }
        if (xType.getDimSize(0) % rows || xType.getDimSize(1) % cols) {
          remark << "not rewritten: the block " << rows << "x" << cols
                 << " does not divide the saved input's shape "
                 << xType.getDimSize(0) << "x" << xType.getDimSize(1);
          continue;
        }
        if (!isZeroTensor(grad.op.getDpsInits()[0])) {
          remark << "not rewritten: the weight gradient accumulates into a "
                 << "non-zero tensor";
          continue;
        }
        bool hadReaders = !layer.otherReaders.empty();
        if (reluMask)
          saveReluMasks(layer, *graph);
        remark << "weight gradient rewritten to sparse_train.bsr_matmul of "
               << "the saved input pruned to " << rows << "x" << cols
               << " blocks, keep ratio " << ratio;
        if (!layer.otherReaders.empty())
          remark << "; the dense input stays alive: the backward also reads "
                 << "it (" << getOtherReaderName(layer) << ")";
        else if (hadReaders)
          remark << "; the ReLU backward reads an i1 mask saved in the "
                    "forward instead of the input";
        if (!pruned)
          pruned = prune(x, *blockScore, graph->getFunction());
        rewrite(grad, x, pruned, other, cType);
      }
    }
  }

  /// block_prune of x, right after x is defined.
  Value prune(Value x, BlockScore blockScore, func::FuncOp func) {
    OpBuilder b(x.getContext());
    if (Operation *def = x.getDefiningOp())
      b.setInsertionPointAfter(def);
    else
      b.setInsertionPointToStart(&func.getBody().front());
    auto xType = cast<RankedTensorType>(x.getType());
    auto bsrType = RankedTensorType::get(
        xType.getShape(), xType.getElementType(),
        getBsrEncoding(b.getContext(), blockRows, blockCols));
    return BlockPruneOp::create(
        b, x.getLoc(), bsrType, x,
        b.getDenseI64ArrayAttr({int64_t(blockRows), int64_t(blockCols)}),
        BlockScoreAttr::get(b.getContext(), blockScore),
        BlockSelectAttr::get(b.getContext(), BlockSelect::GlobalTopK),
        b.getF64FloatAttr(keepRatio), IntegerAttr(), FloatAttr());
  }

  /// C = P^T Q as pruned^T other (x is P) or its transpose (x is Q).
  void rewrite(WeightGradient &grad, Value x, Value pruned, Value other,
               RankedTensorType cType) {
    OpBuilder b(grad.op);
    Location loc = grad.op.getLoc();
    auto resultType =
        grad.p == x ? cType
                    : cType.clone({cType.getDimSize(1), cType.getDimSize(0)});
    Value result = BsrMatmulOp::create(b, loc, resultType, pruned, other,
                                       b.getUnitAttr(), UnitAttr());
    if (grad.q == x) {
      Value init = tensor::EmptyOp::create(b, loc, cType.getShape(),
                                           cType.getElementType());
      result = linalg::TransposeOp::create(b, loc, result, init,
                                           ArrayRef<int64_t>{1, 0})
                   .getResult()[0];
    }
    grad.op->getResult(0).replaceAllUsesWith(result);
    grad.op->erase();
  }
};

} // namespace
