//===- StripTraining.cpp - evaluation form of a slice-drop program --------===//
//
// sparse-train-strip-training: every slice_drop becomes its full-size
// input (the inverted-dropout scale makes evaluation need no rescale), and
// the wider shapes are propagated through the ops that consume them:
// element-wise ops, linalg ops (their inits rebuilt at the new sizes),
// slice_expand (now the identity) and the function's results.
//
//===----------------------------------------------------------------------===//

#include "SparseTrain/IR/SparseTrainOps.h"
#include "SparseTrain/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"

using namespace mlir;
using namespace mlir::sparse_train;

namespace mlir {
namespace sparse_train {
#define GEN_PASS_DEF_SPARSETRAINSTRIPTRAININGPASS
#include "SparseTrain/Transforms/Passes.h.inc"
} // namespace sparse_train
} // namespace mlir

namespace {

/// A copy of `init` (a tensor.empty, a linalg.fill of one, or a splat
/// constant) with static shape `shape`; failure for other inits and for a
/// dynamic shape.
static FailureOr<Value> resizeInit(OpBuilder &b, Value init,
                                   ArrayRef<int64_t> shape) {
  if (ShapedType::isDynamicShape(shape))
    return failure();
  auto type = cast<RankedTensorType>(init.getType());
  auto resized = type.clone(shape);
  Location loc = init.getLoc();
  if (init.getDefiningOp<tensor::EmptyOp>())
    return tensor::EmptyOp::create(b, loc, shape, type.getElementType())
        .getResult();
  if (auto fill = init.getDefiningOp<linalg::FillOp>()) {
    FailureOr<Value> empty = resizeInit(b, fill.getOutputs()[0], shape);
    if (failed(empty))
      return failure();
    return linalg::FillOp::create(b, loc, fill.value(), *empty).getResult(0);
  }
  DenseElementsAttr splat;
  if (matchPattern(init, m_Constant(&splat)) && splat.isSplat())
    return arith::ConstantOp::create(b, loc, resized,
                                     splat.resizeSplat(resized))
        .getResult();
  return failure();
}

struct StripTrainingPass
    : public sparse_train::impl::SparseTrainStripTrainingPassBase<
          StripTrainingPass> {
  using SparseTrainStripTrainingPassBase::SparseTrainStripTrainingPassBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    bool hasSlices = false;
    func.walk([&](SliceDropOp) { hasSlices = true; });
    if (!hasSlices)
      return;
    if (!func.getBody().hasOneBlock()) {
      func.emitError() << "sparse-train-strip-training: expects a function "
                          "with one block";
      return signalPassFailure();
    }
    // Values of the program and what they become at full size.
    IRMapping widened;
    SmallVector<Operation *> replaced;
    WalkResult result = func.walk([&](Operation *op) {
      if (auto drop = dyn_cast<SliceDropOp>(op)) {
        widened.map(drop.getResult(), widened.lookupOrDefault(drop.getInput()));
        replaced.push_back(op);
        return WalkResult::advance();
      }
      if (llvm::none_of(op->getOperands(),
                        [&](Value v) { return widened.contains(v); }))
        return WalkResult::advance();
      if (failed(widen(op, widened)))
        return WalkResult::interrupt();
      if (!isa<func::ReturnOp>(op))
        replaced.push_back(op);
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      return signalPassFailure();
    for (Operation *op : llvm::reverse(replaced)) {
      for (Value v : op->getResults())
        v.replaceAllUsesWith(widened.lookupOrDefault(v));
      op->erase();
    }
    // The starts that only fed slices.
    func.walk([](SliceStartOp start) {
      if (start->use_empty())
        start->erase();
    });
    auto returnOp =
        cast<func::ReturnOp>(func.getBody().front().getTerminator());
    func.setType(FunctionType::get(func.getContext(), func.getArgumentTypes(),
                                   returnOp.getOperandTypes()));
  }

  /// Rebuilds `op`, one of whose operands is widened, at the new sizes and
  /// maps its results; or reports why it cannot be.
  LogicalResult widen(Operation *op, IRMapping &widened) {
    SmallVector<Value> operands = llvm::map_to_vector(
        op->getOperands(), [&](Value v) { return widened.lookupOrDefault(v); });
    auto fail = [&](const Twine &why) {
      return op->emitError()
             << "sparse-train-strip-training: cannot widen this op: " << why;
    };
    // A slice_expand of a full-size value is that value.
    if (auto expand = dyn_cast<SliceExpandOp>(op)) {
      if (operands[0].getType() != expand.getType())
        return fail("its input does not have the expanded size");
      widened.map(expand.getResult(), operands[0]);
      return success();
    }
    if (isa<func::ReturnOp>(op)) {
      // Callers would see other result types.
      auto func = op->getParentOfType<func::FuncOp>();
      if (auto module = func->getParentOfType<ModuleOp>())
        if (!SymbolTable::symbolKnownUseEmpty(func, module))
          return fail("the function is called, and widening its results "
                      "would change its signature");
      op->setOperands(operands);
      return success();
    }
    OpBuilder b(op);
    if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
      if (!linalgOp.hasPureTensorSemantics())
        return fail("it is not on tensors");
      // Loop sizes from the (widened) inputs, then the inits they imply.
      SmallVector<AffineMap> maps = linalgOp.getIndexingMapsArray();
      SmallVector<int64_t> ranges(linalgOp.getNumLoops(), ShapedType::kDynamic);
      for (OpOperand &use : op->getOpOperands()) {
        auto type = dyn_cast<RankedTensorType>(
            operands[use.getOperandNumber()].getType());
        if (!type || linalgOp.isDpsInit(&use))
          continue;
        AffineMap map = maps[use.getOperandNumber()];
        for (auto [i, expr] : llvm::enumerate(map.getResults()))
          if (auto d = dyn_cast<AffineDimExpr>(expr)) {
            int64_t &range = ranges[d.getPosition()];
            int64_t size = type.getDimSize(i);
            if (ShapedType::isDynamic(size))
              continue;
            if (range != ShapedType::kDynamic && range != size)
              return fail("its inputs disagree on a loop size");
            range = size;
          }
      }
      for (OpOperand &init : linalgOp.getDpsInitsMutable()) {
        if (widened.contains(init.get()))
          return fail("a slice is its init (accumulator)");
        auto type = cast<RankedTensorType>(init.get().getType());
        SmallVector<int64_t> shape(type.getShape());
        AffineMap map = maps[init.getOperandNumber()];
        for (auto [i, expr] : llvm::enumerate(map.getResults()))
          if (auto d = dyn_cast<AffineDimExpr>(expr))
            if (ranges[d.getPosition()] != ShapedType::kDynamic)
              shape[i] = ranges[d.getPosition()];
        if (ArrayRef<int64_t>(shape) == type.getShape())
          continue;
        FailureOr<Value> resized =
            resizeInit(b, operands[init.getOperandNumber()], shape);
        if (failed(resized))
          return fail("its init is not an empty, filled or constant tensor");
        operands[init.getOperandNumber()] = *resized;
      }
      Operation *clone = b.clone(*op);
      clone->setOperands(operands);
      ArrayRef<Value> inits =
          ArrayRef<Value>(operands).take_back(linalgOp.getNumDpsInits());
      for (auto [res, init] : llvm::zip(clone->getResults(), inits))
        res.setType(init.getType());
      widened.map(op->getResults(), clone->getResults());
      return success();
    }
    // Element-wise ops on tensors take the shape of their widened operand;
    // their other operands must be rebuildable at it (e.g. a splat).
    if (op->hasTrait<OpTrait::Elementwise>() &&
        (op->hasTrait<OpTrait::SameOperandsAndResultShape>() ||
         op->hasTrait<OpTrait::SameOperandsAndResultType>())) {
      unsigned wide = llvm::find_if(op->getOpOperands(), [&](OpOperand &use) {
                        return widened.contains(use.get());
                      })->getOperandNumber();
      auto shaped = cast<RankedTensorType>(operands[wide].getType());
      for (Value &operand : operands) {
        auto type = cast<RankedTensorType>(operand.getType());
        if (type.getShape() == shaped.getShape())
          continue;
        FailureOr<Value> resized = resizeInit(b, operand, shaped.getShape());
        if (failed(resized))
          return fail("an operand of another shape is not an empty, filled or "
                      "constant tensor");
        operand = *resized;
      }
      Operation *clone = b.clone(*op);
      clone->setOperands(operands);
      for (Value res : clone->getResults())
        res.setType(shaped.clone(getElementTypeOrSelf(res.getType())));
      widened.map(op->getResults(), clone->getResults());
      return success();
    }
    return fail("it is neither element-wise, a linalg op on tensors, a "
                "slice_expand nor the return");
  }
};

} // namespace
