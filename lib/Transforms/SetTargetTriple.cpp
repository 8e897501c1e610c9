//===- SetTargetTriple.cpp - name the target of a module's LLVM IR --------===//

#include "SparseTrain/Transforms/Passes.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

using namespace mlir;

namespace mlir {
namespace sparse_train {
#define GEN_PASS_DEF_SPARSETRAINSETTARGETTRIPLEPASS
#include "SparseTrain/Transforms/Passes.h.inc"
} // namespace sparse_train
} // namespace mlir

namespace {
struct SparseTrainSetTargetTriplePass
    : public sparse_train::impl::SparseTrainSetTargetTriplePassBase<
          SparseTrainSetTargetTriplePass> {
  using SparseTrainSetTargetTriplePassBase::SparseTrainSetTargetTriplePassBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    StringRef name = LLVM::LLVMDialect::getTargetTripleAttrName();
    std::string value =
        triple == "host" ? llvm::sys::getProcessTriple() : std::string(triple);
    if (llvm::Triple(value).getArch() == llvm::Triple::UnknownArch) {
      module.emitError() << "sparse-train-set-target-triple: '" << value
                         << "' names no architecture LLVM knows";
      return signalPassFailure();
    }
    if (!module->hasAttr(name))
      module->setAttr(name, StringAttr::get(module.getContext(), value));
  }
};
} // namespace
