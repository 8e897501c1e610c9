//===- MatmulToBlas.cpp - dense matmuls through the runtime's sgemm -------===//
//
// sparse-train-matmul-to-blas: linalg.matmul on f32 memrefs, in its four
// transpose forms, becomes a call of the runtime's sparse_train_sgemm.
// sparse-train-generalize-sparse-linalg: named linalg ops with a sparse
// operand become linalg.generic for the sparsifier; dense ones stay named.
//
//===----------------------------------------------------------------------===//

#include "SparseTrain/Transforms/Passes.h"
#include "SparseTrain/Utils/MatmulMaps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SparseTensor/IR/SparseTensor.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;

namespace mlir {
namespace sparse_train {
#define GEN_PASS_DEF_SPARSETRAINMATMULTOBLASPASS
#define GEN_PASS_DEF_SPARSETRAINGENERALIZESPARSELINALGPASS
#include "SparseTrain/Transforms/Passes.h.inc"
} // namespace sparse_train
} // namespace mlir

namespace {

/// The runtime function: C = op(A) · op(B), plus C when `accumulate`.
constexpr llvm::StringLiteral kSgemm = "sparse_train_sgemm";

/// The transpose flags of a matmul's indexing maps, if they are one of the
/// four forms over (i, j, k) with C indexed [i, j].
static std::optional<std::pair<bool, bool>> getTransposes(linalg::MatmulOp op) {
  return sparse_train::getMatmulTransposes(op.getContext(),
                                           op.getIndexingMapsArray());
}

/// A fully dynamic strided f32 memref type of rank 2.
static MemRefType getStridedMatrixType(MLIRContext *ctx) {
  int64_t d = ShapedType::kDynamic;
  return MemRefType::get({d, d}, Float32Type::get(ctx),
                         StridedLayoutAttr::get(ctx, d, {d, d}));
}

struct MatmulToBlas : public OpRewritePattern<linalg::MatmulOp> {
  MatmulToBlas(MLIRContext *ctx, func::FuncOp callee)
      : OpRewritePattern(ctx), callee(callee) {}

  LogicalResult matchAndRewrite(linalg::MatmulOp op,
                                PatternRewriter &rewriter) const override {
    if (!op.hasPureBufferSemantics())
      return rewriter.notifyMatchFailure(op, "not on buffers");
    // f32 matrices in the default memory space with strided layouts (what
    // the cast to the callee's type accepts).
    for (Value operand : op->getOperands()) {
      auto type = dyn_cast<MemRefType>(operand.getType());
      if (!type || type.getRank() != 2 || !type.getElementType().isF32() ||
          type.getMemorySpace() || !type.isStrided())
        return rewriter.notifyMatchFailure(op, "not an f32 matrix product");
    }
    std::optional<std::pair<bool, bool>> transposes = getTransposes(op);
    if (!transposes)
      return rewriter.notifyMatchFailure(op, "not a transpose form");
    Location loc = op.getLoc();
    // A product into a buffer just filled with +0 overwrites it instead
    // (BLAS beta = 0): the fill goes, and C is not read.
    linalg::FillOp zeroFill = getZeroFillOfInit(op);
    MemRefType strided = getStridedMatrixType(op.getContext());
    SmallVector<Value> args;
    for (Value operand : op->getOperands())
      args.push_back(memref::CastOp::create(rewriter, loc, strided, operand));
    for (bool flag : {transposes->first, transposes->second, !zeroFill})
      args.push_back(arith::ConstantIntOp::create(rewriter, loc, flag, 64));
    func::CallOp::create(rewriter, loc, callee, args);
    rewriter.eraseOp(op);
    if (zeroFill)
      rewriter.eraseOp(zeroFill);
    return success();
  }

  /// The linalg.fill of +0 into `op`'s output buffer that `op` follows
  /// with nothing in between but ops without memory effects; null if none.
  static linalg::FillOp getZeroFillOfInit(linalg::MatmulOp op) {
    Operation *previous = op->getPrevNode();
    while (previous && isMemoryEffectFree(previous))
      previous = previous->getPrevNode();
    auto fill = dyn_cast_or_null<linalg::FillOp>(previous);
    if (!fill || !fill.hasPureBufferSemantics() ||
        fill.getOutputs()[0] != op.getDpsInitOperand(0)->get() ||
        !matchPattern(fill.getInputs()[0], m_PosZeroFloat()))
      return {};
    return fill;
  }

  func::FuncOp callee;
};

struct SparseTrainMatmulToBlasPass
    : public sparse_train::impl::SparseTrainMatmulToBlasPassBase<
          SparseTrainMatmulToBlasPass> {
  using SparseTrainMatmulToBlasPassBase::SparseTrainMatmulToBlasPassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    bool any = false;
    module.walk([&](linalg::MatmulOp) { any = true; });
    if (!any)
      return;
    // The callee's declaration, once per module.
    Operation *existing = module.lookupSymbol(kSgemm);
    auto callee = dyn_cast_or_null<func::FuncOp>(existing);
    if (existing && !callee) {
      existing->emitError()
          << "'" << kSgemm << "' is reserved for the runtime's sgemm";
      return signalPassFailure();
    }
    if (!callee) {
      OpBuilder builder = OpBuilder::atBlockBegin(module.getBody());
      MLIRContext *ctx = &getContext();
      MemRefType strided = getStridedMatrixType(ctx);
      Type i64 = builder.getI64Type();
      callee = func::FuncOp::create(
          builder, module.getLoc(), kSgemm,
          builder.getFunctionType({strided, strided, strided, i64, i64, i64},
                                  {}));
      callee.setPrivate();
      callee->setAttr("llvm.emit_c_interface", builder.getUnitAttr());
    }
    RewritePatternSet patterns(&getContext());
    patterns.add<MatmulToBlas>(&getContext(), callee);
    if (failed(applyPatternsGreedily(module, std::move(patterns))))
      signalPassFailure();
    // No product qualified: drop the unused declaration.
    if (callee.symbolKnownUseEmpty(module))
      callee.erase();
  }
};

struct SparseTrainGeneralizeSparseLinalgPass
    : public sparse_train::impl::SparseTrainGeneralizeSparseLinalgPassBase<
          SparseTrainGeneralizeSparseLinalgPass> {
  using SparseTrainGeneralizeSparseLinalgPassBase::
      SparseTrainGeneralizeSparseLinalgPassBase;

  void runOnOperation() override {
    SmallVector<linalg::LinalgOp> sparseNamed;
    getOperation()->walk([&](linalg::LinalgOp op) {
      if (isa<linalg::GenericOp>(op))
        return;
      if (llvm::any_of(op->getOperandTypes(), [](Type type) {
            return sparse_tensor::getSparseTensorEncoding(type) != nullptr;
          }))
        sparseNamed.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (linalg::LinalgOp op : sparseNamed) {
      rewriter.setInsertionPoint(op);
      if (failed(linalg::generalizeNamedOp(rewriter, op))) {
        op->emitError("cannot generalize this op for the sparsifier");
        return signalPassFailure();
      }
    }
  }
};

} // namespace
