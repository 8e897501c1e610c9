//===- PropagateSlices.cpp - slice-drop into smaller GEMMs ----------------===//
//
// sparse-train-propagate-slices: the slice of slice-drop moves to where it
// saves work.
//  - Forward: `slice_drop` whose start comes from a `slice_start` of the
//    same extent and width (so it is in range) becomes a
//    `tensor.extract_slice` (then the scale), which moves above the linalg
//    ops that produce the activation (those with permutation maps), down
//    to the weight: a smaller GEMM on a weight view.
//  - Backward: `slice_expand` (zeros outside the slice) sinks below
//    element-wise ops that map zero to zero in its operand (the ReLU
//    gradient), and a `linalg.matmul` with a `slice_expand` operand
//    contracts over the slice only (along the contraction dimension) or
//    computes the slice of its result only (along a parallel one, expanded
//    afterwards).
// Duplicate slices are merged (CSE) between rounds, so that an activation
// used by the forward and the backward step has one sliced use left.
//
// Results are those of the unpropagated program up to the sign of zeros
// outside the slice and except where a dropped zero meets an Inf or NaN
// (0 * Inf is NaN in the dense product, absent from the sliced one).
//
//===----------------------------------------------------------------------===//

#include "SparseTrain/IR/SparseTrainDialect.h"
#include "SparseTrain/IR/SparseTrainOps.h"
#include "SparseTrain/Transforms/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "mlir/Dialect/SparseTensor/IR/SparseTensor.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Dominance.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/CSE.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;
using namespace mlir::sparse_train;

namespace mlir {
namespace sparse_train {
#define GEN_PASS_DEF_SPARSETRAINPROPAGATESLICESPASS
#include "SparseTrain/Transforms/Passes.h.inc"
} // namespace sparse_train
} // namespace mlir

namespace {

/// True when `op` has an operand or result with a sparse encoding (those
/// are the sparsifier's; a dynamic slice of one is not a view).
static bool hasSparseOperand(Operation *op) {
  auto isSparse = [](Type type) {
    return sparse_tensor::getSparseTensorEncoding(type) != nullptr;
  };
  return llvm::any_of(op->getOperandTypes(), isSparse) ||
         llvm::any_of(op->getResultTypes(), isSparse);
}

/// `value` sliced along `dim` to [start, start + width) (a view).
static Value sliceAlong(PatternRewriter &rewriter, Location loc, Value value,
                        int64_t dim, Value start, int64_t width) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<OpFoldResult> offsets(type.getRank(), rewriter.getIndexAttr(0));
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(rewriter, loc, value);
  SmallVector<OpFoldResult> strides(type.getRank(), rewriter.getIndexAttr(1));
  offsets[dim] = start;
  sizes[dim] = rewriter.getIndexAttr(width);
  return tensor::ExtractSliceOp::create(rewriter, loc, value, offsets, sizes,
                                        strides);
}

/// slice_drop with a start drawn for its extent and width (always in range)
/// becomes an extract_slice, then the scale (a slice_drop of the full
/// width, which canonicalizes to a multiplication, or nothing for 1).
struct SliceDropToExtractSlice : public OpRewritePattern<SliceDropOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SliceDropOp op,
                                PatternRewriter &rewriter) const override {
    auto start = op.getStart().getDefiningOp<SliceStartOp>();
    int64_t width = op.getWidth();
    if (!start || hasSparseOperand(op) ||
        start.getExtent() != static_cast<uint64_t>(op.getExtent()) ||
        start.getWidth() != static_cast<uint64_t>(width))
      return rewriter.notifyMatchFailure(op, "start not known in range");
    Value slice = sliceAlong(rewriter, op.getLoc(), op.getInput(), op.getDim(),
                             op.getStart(), width);
    double scale = op.getScaleValue();
    if (scale == 1.0) {
      rewriter.replaceOp(op, slice);
      return success();
    }
    Value zero = arith::ConstantIndexOp::create(rewriter, op.getLoc(), 0);
    rewriter.replaceOpWithNewOp<SliceDropOp>(
        op, slice, zero, op.getDim(), width, rewriter.getF64FloatAttr(scale));
    return success();
  }
};

/// True when `value`, computed in a linalg body, is zero whenever the block
/// argument `arg` is zero: `arg` itself, a product with it, the negation of
/// one, or a select between one and the constant zero.
static bool isZeroWhenZero(Value value, BlockArgument arg) {
  if (value == arg)
    return true;
  Operation *def = value.getDefiningOp();
  if (!def)
    return false;
  if (matchPattern(value, m_AnyZeroFloat()))
    return true;
  if (auto mul = dyn_cast<arith::MulFOp>(def))
    return isZeroWhenZero(mul.getLhs(), arg) ||
           isZeroWhenZero(mul.getRhs(), arg);
  if (auto neg = dyn_cast<arith::NegFOp>(def))
    return isZeroWhenZero(neg.getOperand(), arg);
  if (auto select = dyn_cast<arith::SelectOp>(def))
    return isZeroWhenZero(select.getTrueValue(), arg) &&
           isZeroWhenZero(select.getFalseValue(), arg);
  return false;
}

/// An element-wise linalg.generic (parallel loops, identity output map, one
/// result) with a slice_expand input whose zeros it maps to zeros computes
/// on the slice, then expands: the other inputs are sliced along the
/// matching dimension (those that do not depend on it are kept).
struct SinkSliceExpandThroughElementwise
    : public OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp op,
                                PatternRewriter &rewriter) const override {
    // linalg.index in the body would see the sliced iteration space.
    if (op.getNumDpsInits() != 1 || op.getNumResults() != 1 ||
        hasSparseOperand(op) || op.getNumParallelLoops() != op.getNumLoops() ||
        op.hasIndexSemantics() ||
        !op.getMatchingIndexingMap(op.getDpsInitOperand(0)).isIdentity())
      return rewriter.notifyMatchFailure(op, "not element-wise");
    auto yield = cast<linalg::YieldOp>(op.getBody()->getTerminator());
    for (OpOperand *input : op.getDpsInputOperands()) {
      auto expand = input->get().getDefiningOp<SliceExpandOp>();
      AffineMap map = op.getMatchingIndexingMap(input);
      if (!expand || !map.isIdentity())
        continue;
      BlockArgument arg = op.getMatchingBlockArgument(input);
      if (!isZeroWhenZero(yield.getOperand(0), arg))
        continue;
      int64_t dim = expand.getDim();
      Value start = expand.getStart();
      int64_t width = expand.getInput().getType().getDimSize(dim);
      Location loc = op.getLoc();
      // Where each other input meets the sliced loop (nullopt: it does
      // not, a scalar or a broadcast), checked before anything is built.
      SmallVector<std::optional<unsigned>> positions;
      bool sliceable = true;
      for (OpOperand *other : op.getDpsInputOperands()) {
        AffineMap otherMap = op.getMatchingIndexingMap(other);
        std::optional<unsigned> position =
            otherMap.getResultPosition(getAffineDimExpr(dim, op.getContext()));
        bool isTensor = isa<RankedTensorType>(other->get().getType());
        if (isTensor && !position &&
            llvm::any_of(otherMap.getResults(),
                         [&](AffineExpr e) { return e.isFunctionOfDim(dim); }))
          sliceable = false;
        positions.push_back(isTensor ? position : std::nullopt);
      }
      if (!sliceable)
        continue;
      SmallVector<Value> inputs;
      for (auto [other, position] :
           llvm::zip(op.getDpsInputOperands(), positions)) {
        if (other == input)
          inputs.push_back(expand.getInput());
        else if (!position)
          inputs.push_back(other->get());
        else
          inputs.push_back(
              sliceAlong(rewriter, loc, other->get(), *position, start, width));
      }
      Value init =
          sliceAlong(rewriter, loc, op.getDpsInits()[0], dim, start, width);
      auto sliced = linalg::GenericOp::create(
          rewriter, loc, TypeRange{init.getType()}, inputs, ValueRange{init},
          op.getIndexingMapsArray(), op.getIteratorTypesArray());
      rewriter.inlineRegionBefore(op.getRegion(), sliced.getRegion(),
                                  sliced.getRegion().begin());
      rewriter.replaceOpWithNewOp<SliceExpandOp>(
          op, sliced.getResult(0), start, dim,
          cast<RankedTensorType>(op.getResult(0).getType()).getDimSize(dim));
      return success();
    }
    return rewriter.notifyMatchFailure(op, "no zero-preserving slice_expand");
  }
};

/// linalg.matmul (any transpose form) with a slice_expand operand: over the
/// contraction dimension the zeros add nothing, so both operands are
/// sliced there; along a parallel dimension only that slice of the result
/// is non-zero, so a smaller product (into a zero-filled init) is expanded.
struct MatmulWithSliceExpand : public OpRewritePattern<linalg::MatmulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::MatmulOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureTensorSemantics() || hasSparseOperand(op))
      return rewriter.notifyMatchFailure(op, "not on dense tensors");
    SmallVector<AffineMap> maps = op.getIndexingMapsArray();
    // Loop dimensions: i, j parallel, k the contraction.
    const unsigned k = 2;
    Location loc = op.getLoc();
    for (unsigned operand = 0; operand < 2; ++operand) {
      auto expand = op->getOperand(operand).getDefiningOp<SliceExpandOp>();
      if (!expand)
        continue;
      int64_t dim = expand.getDim();
      auto loopExpr = dyn_cast<AffineDimExpr>(maps[operand].getResult(dim));
      if (!loopExpr)
        continue;
      unsigned loop = loopExpr.getPosition();
      Value start = expand.getStart();
      int64_t width = expand.getInput().getType().getDimSize(dim);
      SmallVector<Value> ins = {op->getOperand(0), op->getOperand(1)};
      ins[operand] = expand.getInput();
      Value init = op.getDpsInits()[0];
      if (loop == k) {
        unsigned other = 1 - operand;
        std::optional<unsigned> otherDim =
            maps[other].getResultPosition(getAffineDimExpr(k, op.getContext()));
        if (!otherDim)
          continue;
        ins[other] =
            sliceAlong(rewriter, loc, ins[other], *otherDim, start, width);
        auto sliced = linalg::MatmulOp::create(
            rewriter, loc, TypeRange{init.getType()}, ins, ValueRange{init});
        sliced.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
        rewriter.replaceOp(op, sliced.getResult(0));
        return success();
      }
      // A parallel dimension: the init must be zeros for the expansion to
      // be exact.
      auto fill = init.getDefiningOp<linalg::FillOp>();
      if (!fill || !matchPattern(fill.getInputs()[0], m_AnyZeroFloat()))
        continue;
      std::optional<unsigned> resultDim =
          maps[2].getResultPosition(getAffineDimExpr(loop, op.getContext()));
      if (!resultDim)
        continue;
      Value slicedInit =
          sliceAlong(rewriter, loc, init, *resultDim, start, width);
      auto sliced = linalg::MatmulOp::create(rewriter, loc,
                                             TypeRange{slicedInit.getType()},
                                             ins, ValueRange{slicedInit});
      sliced.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
      rewriter.replaceOpWithNewOp<SliceExpandOp>(
          op, sliced.getResult(0), start, *resultDim,
          cast<RankedTensorType>(op.getResult(0).getType())
              .getDimSize(*resultDim));
      return success();
    }
    return rewriter.notifyMatchFailure(op, "no slice_expand operand");
  }
};

/// An extract_slice of the only use of a linalg op whose indexing maps are
/// all projected permutations (element-wise ops with broadcasts, matmuls)
/// becomes the same op on slices of its operands. (Upstream's bubble-up
/// pattern also takes ops with other maps, e.g. convolutions, where the
/// operand slices it computes are wrong.)
struct BubbleSliceThroughLinalg
    : public OpRewritePattern<tensor::ExtractSliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(tensor::ExtractSliceOp slice,
                                PatternRewriter &rewriter) const override {
    auto producer = slice.getSource().getDefiningOp<linalg::LinalgOp>();
    if (!producer || !producer->hasOneUse() ||
        !producer.hasPureTensorSemantics() || hasSparseOperand(producer) ||
        producer.getNumDpsInits() != 1 || producer.hasIndexSemantics() ||
        !slice.hasUnitStride() ||
        slice.getType().getRank() != slice.getSourceType().getRank())
      return rewriter.notifyMatchFailure(slice, "not a sliceable producer");
    if (!llvm::all_of(producer.getIndexingMapsArray(), [](AffineMap map) {
          return map.isProjectedPermutation();
        }))
      return rewriter.notifyMatchFailure(slice, "maps are not permutations");
    AffineMap shapesToLoops = producer.getShapesToLoopsMap();
    if (!shapesToLoops)
      return rewriter.notifyMatchFailure(slice, "no loop bounds");
    Location loc = producer.getLoc();
    SmallVector<OpFoldResult> shapeSizes =
        producer.createFlatListOfOperandDims(rewriter, loc);
    SmallVector<OpFoldResult> bounds =
        affine::makeComposedFoldedMultiResultAffineApply(
            rewriter, loc, shapesToLoops, shapeSizes);
    // The loops the result is indexed by take the slice's offsets and
    // sizes; the others (reductions, broadcasts) run whole.
    SmallVector<OpFoldResult> offsets(bounds.size(), rewriter.getIndexAttr(0));
    SmallVector<OpFoldResult> sizes = bounds;
    AffineMap resultMap =
        producer.getMatchingIndexingMap(producer.getDpsInitOperand(0));
    for (auto [i, expr] : llvm::enumerate(resultMap.getResults())) {
      unsigned loop = cast<AffineDimExpr>(expr).getPosition();
      offsets[loop] = slice.getMixedOffsets()[i];
      sizes[loop] = slice.getMixedSizes()[i];
    }
    SmallVector<Value> operands = producer->getOperands();
    SmallVector<Value> sliced =
        linalg::makeTiledShapes(rewriter, loc, producer, operands, offsets,
                                sizes, bounds, /*omitPartialTileCheck=*/true);
    Type resultType =
        sliced[producer.getDpsInitOperand(0)->getOperandNumber()].getType();
    Operation *clone =
        mlir::clone(rewriter, producer, TypeRange{resultType}, sliced);
    rewriter.replaceOp(slice, clone->getResults());
    return success();
  }
};

struct SparseTrainPropagateSlicesPass
    : public sparse_train::impl::SparseTrainPropagateSlicesPassBase<
          SparseTrainPropagateSlicesPass> {
  using SparseTrainPropagateSlicesPassBase::SparseTrainPropagateSlicesPassBase;

  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    patterns.add<SliceDropToExtractSlice, SinkSliceExpandThroughElementwise,
                 MatmulWithSliceExpand>(context);
    patterns.add<BubbleSliceThroughLinalg>(context);
    linalg::populateSwapExtractSliceWithFillPatterns(patterns);
    tensor::ExtractSliceOp::getCanonicalizationPatterns(patterns, context);
    tensor::EmptyOp::getCanonicalizationPatterns(patterns, context);
    SliceDropOp::getCanonicalizationPatterns(patterns, context);
    FrozenRewritePatternSet frozen(std::move(patterns));
    // Rounds of rewriting and CSE: merging the slices that the forward and
    // the backward step take of one activation gives it a single use, which
    // the bubble-up pattern needs.
    IRRewriter rewriter(context);
    for (int round = 0; round < 8; ++round) {
      bool changed = false;
      if (failed(applyPatternsGreedily(getOperation(), frozen,
                                       GreedyRewriteConfig(), &changed)))
        return signalPassFailure();
      bool merged = false;
      DominanceInfo dominance(getOperation());
      eliminateCommonSubExpressions(rewriter, dominance, getOperation(),
                                    &merged);
      if (!changed && !merged)
        break;
    }
  }
};

} // namespace
