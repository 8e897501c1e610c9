//===- sparse-train-opt.cpp - the sparse_train optimizer driver -----------===//
//
// `mlir-opt` with every upstream dialect, pass, extension and LLVM/GPU
// translation registered, plus everything sparse_train provides.
//
//===----------------------------------------------------------------------===//

#include "SparseTrain/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "llvm/Support/ProgramStack.h"

/// Stack for parsing, passes and destruction. Upstream's parser and verifier
/// recurse once per nesting level; on the default 8 MiB stack a few thousand
/// nested regions overflow it. 512 MiB of (lazily committed) stack takes
/// tens of thousands of levels.
static constexpr unsigned kStackSize = 512u << 20;

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mlir::sparse_train::registerAllPasses();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllToLLVMIRTranslations(registry);
  mlir::sparse_train::registerAllDialects(registry);

  mlir::LogicalResult result = mlir::failure();
  llvm::runOnNewStack(kStackSize, [&] {
    result = mlir::MlirOptMain(argc, argv, "sparse_train optimizer driver\n",
                               registry);
  });
  return mlir::asMainReturnCode(result);
}
