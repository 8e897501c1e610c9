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

int main(int argc, char **argv) {
  mlir::registerAllPasses();

  mlir::DialectRegistry registry;
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  mlir::registerAllToLLVMIRTranslations(registry);
  mlir::sparse_train::registerAllDialects(registry);

  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "sparse_train optimizer driver\n", registry));
}
