//===- SinkFills.cpp - a linalg.fill in front of each op it initializes ---===//
//
// sparse-train-sink-fills: a linalg.fill on tensors whose result initializes
// destination-style ops is cloned (with its tensor.empty) right before each
// of them, so that bufferization gives every product its own buffer instead
// of copying a shared one, and later passes see each fill next to its
// product.
//
//===----------------------------------------------------------------------===//

#include "SparseTrain/Transforms/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

using namespace mlir;

namespace mlir {
namespace sparse_train {
#define GEN_PASS_DEF_SPARSETRAINSINKFILLSPASS
#include "SparseTrain/Transforms/Passes.h.inc"
} // namespace sparse_train
} // namespace mlir

namespace {

/// Clones `fill`, and its tensor.empty destination, right before each
/// destination-style op that takes its result as an init operand; erases
/// `fill` (and the empty) when nothing else uses them.
static void sinkFill(RewriterBase &rewriter, linalg::FillOp fill) {
  SmallVector<OpOperand *> inits;
  for (OpOperand &use : fill.getResult(0).getUses()) {
    auto dps = dyn_cast<DestinationStyleOpInterface>(use.getOwner());
    if (dps && dps.isDpsInit(&use))
      inits.push_back(&use);
  }
  // Already right before its one user.
  if (inits.size() == 1 && fill->hasOneUse() &&
      fill->getNextNode() == inits.front()->getOwner())
    return;
  Value destination = fill.getOutputs()[0];
  auto empty = destination.getDefiningOp<tensor::EmptyOp>();
  for (OpOperand *use : inits) {
    Operation *user = use->getOwner();
    rewriter.setInsertionPoint(user);
    IRMapping mapping;
    if (empty)
      mapping.map(destination, rewriter.clone(*empty)->getResult(0));
    Operation *copy = rewriter.clone(*fill, mapping);
    rewriter.modifyOpInPlace(user, [&] { use->set(copy->getResult(0)); });
  }
  if (!fill->use_empty())
    return;
  rewriter.eraseOp(fill);
  if (empty && empty->use_empty())
    rewriter.eraseOp(empty);
}

struct SparseTrainSinkFillsPass
    : public sparse_train::impl::SparseTrainSinkFillsPassBase<
          SparseTrainSinkFillsPass> {
  void runOnOperation() override {
    SmallVector<linalg::FillOp> fills;
    getOperation()->walk([&](linalg::FillOp fill) {
      if (fill.hasPureTensorSemantics())
        fills.push_back(fill);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::FillOp fill : fills)
      sinkFill(rewriter, fill);
  }
};

} // namespace
