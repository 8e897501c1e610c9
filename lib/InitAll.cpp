//===- InitAll.cpp - register everything sparse_train provides ------------===//

#include "SparseTrain/InitAll.h"
#include "SparseTrain/Conversion/Passes.h"
#include "SparseTrain/Conversion/SparseTrainToGPU.h"
#include "SparseTrain/IR/SparseTrainDialect.h"
#include "SparseTrain/Pipelines/Pipelines.h"
#include "SparseTrain/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"

void mlir::sparse_train::registerAllDialects(DialectRegistry &registry) {
  registry.insert<SparseTrainDialect>();
  registerGPULaunchMemoryEffects(registry);
  registerOpenMPBarrierMemoryEffects(registry);
}

void mlir::sparse_train::registerAllPasses() {
  registerSparseTrainConversionPasses();
  registerSparseTrainPasses();
  registerSparseTrainPipelines();
}
