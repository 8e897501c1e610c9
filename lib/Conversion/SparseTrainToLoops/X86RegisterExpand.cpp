//===- X86RegisterExpand.cpp - expand-loads in AVX-512 registers ----------===//
//
// sparse-train-x86-register-expand: each vector.expandload of 16 lanes of
// 32 bits becomes a masked load of the leading popcount(mask) elements and
// an AVX-512 register expand (llvm.x86.avx512.mask.expand). AMD's Zen 4 and
// 5 run the memory form of vexpandps/vpexpandd, which LLVM selects for
// vector.expandload, as microcode. The pass runs after buffer deallocation
// (that analysis rejects the intrinsic call, whose memory effects it cannot
// see) and after the OpenMP conversion (the call would keep the loop
// bodies' alloca scopes).
//
//===----------------------------------------------------------------------===//

#include "LeadingLanes.h"
#include "SparseTrain/Conversion/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;
using namespace mlir::sparse_train;

namespace mlir {
namespace sparse_train {
#define GEN_PASS_DEF_SPARSETRAINX86REGISTEREXPANDPASS
#include "SparseTrain/Conversion/Passes.h.inc"
} // namespace sparse_train
} // namespace mlir

namespace {

/// vector.expandload of 16 x 32 bits -> masked load + register expand.
struct ExpandLoadInRegister : public OpRewritePattern<vector::ExpandLoadOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(vector::ExpandLoadOp op,
                                PatternRewriter &rewriter) const override {
    VectorType type = op.getVectorType();
    if (type.getRank() != 1 || type.getNumElements() != 16 ||
        type.getElementType().getIntOrFloatBitWidth() != 32)
      return rewriter.notifyMatchFailure(op, "not 16 lanes of 32 bits");
    Location loc = op.getLoc();
    Value packed = vector::MaskedLoadOp::create(
        rewriter, loc, type, op.getBase(), op.getIndices(),
        getLeadingLanes(rewriter, loc, op.getMask()), op.getPassThru());
    // The lanes outside the mask take the pass-through, as expandload's.
    Value expanded = LLVM::CallIntrinsicOp::create(
                         rewriter, loc, type,
                         rewriter.getStringAttr("llvm.x86.avx512.mask.expand"),
                         ValueRange{packed, op.getPassThru(), op.getMask()})
                         .getResult(0);
    rewriter.replaceOp(op, expanded);
    return success();
  }
};

struct X86RegisterExpandPass
    : public sparse_train::impl::SparseTrainX86RegisterExpandPassBase<
          X86RegisterExpandPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<ExpandLoadInRegister>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
