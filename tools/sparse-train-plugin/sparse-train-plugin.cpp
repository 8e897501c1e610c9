//===- sparse-train-plugin.cpp - sparse_train plugin for mlir-opt ---------===//
//
// Entry points that `mlir-opt --load-dialect-plugin` and `--load-pass-plugin`
// look up. Loading the plugin adds the sparse_train dialect to mlir-opt's
// registry and its passes and pipelines to the pass registry.
//
//===----------------------------------------------------------------------===//

#include "SparseTrain/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "llvm/Config/llvm-config.h"

using namespace mlir;

/// The dialect plugin entry point (`--load-dialect-plugin`).
extern "C" LLVM_ATTRIBUTE_WEAK DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "SparseTrain", LLVM_VERSION_STRING,
          [](DialectRegistry *registry) {
            sparse_train::registerAllDialects(*registry);
            sparse_train::registerAllPasses();
          }};
}

/// The pass plugin entry point (`--load-pass-plugin`). Plugin passes are
/// reached through `--pass-pipeline=...`, since mlir-opt parsed its flags
/// before the plugin was loaded.
extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "SparseTrainPasses", LLVM_VERSION_STRING,
          []() { sparse_train::registerAllPasses(); }};
}
