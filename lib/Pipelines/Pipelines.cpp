//===- Pipelines.cpp - sparse_train pass pipelines ------------------------===//

#include "SparseTrain/Pipelines/Pipelines.h"
#include "SparseTrain/Conversion/Passes.h"
#include "SparseTrain/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"

#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/SparseTensor/Pipelines/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

using namespace mlir;
using namespace mlir::sparse_train;

void mlir::sparse_train::buildSparseTrainToCPUPipeline(
    OpPassManager &pm, const SparseTrainToCPUOptions &options) {
  // Element-wise arith/math on tensors becomes linalg, which bufferizes.
  pm.addNestedPass<func::FuncOp>(createConvertElementwiseToLinalgPass());
  ConvertSparseTrainToLoopsPassOptions loops;
  loops.runtimeChecks = options.runtimeChecks;
  pm.addPass(createConvertSparseTrainToLoopsPass(loops));
  // bf16 conversions have no native lowering on every CPU: expand them into
  // integer arithmetic.
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expand));
  sparse_tensor::SparsifierOptions sparsifier;
  sparsifier.enableRuntimeLibrary = false;
  sparse_tensor::buildSparsifier(pm, sparsifier);
  // Anything the passes above did not lower is an error, not a leftover.
  pm.addPass(createSparseTrainVerifyLoweringPass());
}

void mlir::sparse_train::registerSparseTrainPipelines() {
  PassPipelineRegistration<SparseTrainToCPUOptions>(
      "sparse-train-to-cpu",
      "Lower a program with sparse_train ops and linalg on tensors to the "
      "LLVM dialect for the CPU (reference kernels)",
      buildSparseTrainToCPUPipeline);
}
