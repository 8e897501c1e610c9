//===- sparse-train-plugin.cpp - sparse_train plugin for mlir-opt ---------===//
//
// Entry points that `mlir-opt --load-dialect-plugin` looks up. Loading the
// plugin adds the sparse_train dialect to mlir-opt's registry.
//
//===----------------------------------------------------------------------===//

#include "SparseTrain/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "llvm/Config/llvm-config.h"

using namespace mlir;

/// The dialect plugin entry point (`--load-dialect-plugin`).
extern "C" LLVM_ATTRIBUTE_WEAK DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "SparseTrain", LLVM_VERSION_STRING,
          [](DialectRegistry *registry) {
            sparse_train::registerAllDialects(*registry);
          }};
}
