//===- VerifyLowering.cpp - reject ops a pipeline left behind -------------===//

#include "SparseTrain/Transforms/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;

namespace mlir {
namespace sparse_train {
#define GEN_PASS_DEF_SPARSETRAINVERIFYLOWERINGPASS
#include "SparseTrain/Transforms/Passes.h.inc"
} // namespace sparse_train
} // namespace mlir

namespace {
struct SparseTrainVerifyLoweringPass
    : public sparse_train::impl::SparseTrainVerifyLoweringPassBase<
          SparseTrainVerifyLoweringPass> {
  using SparseTrainVerifyLoweringPassBase::SparseTrainVerifyLoweringPassBase;

  void runOnOperation() override {
    SmallVector<std::string> names(allowedDialects.begin(),
                                   allowedDialects.end());
    if (names.empty())
      names = {"builtin", "llvm"};
    llvm::StringSet<> allowed;
    for (const std::string &name : names)
      allowed.insert(name);
    std::string expected = llvm::join(names, ", ");
    bool failed = false;
    getOperation()->walk([&](Operation *op) {
      StringRef dialect = op->getName().getDialectNamespace();
      if (allowed.contains(dialect))
        return;
      op->emitError() << "'" << op->getName()
                      << "' was not lowered (allowed dialects: " << expected
                      << ")";
      failed = true;
    });
    if (failed)
      signalPassFailure();
  }
};
} // namespace
