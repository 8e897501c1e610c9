//===- SparseTrainToGPU.cpp - the GPU lowering pass -----------------------===//
//
// convert-sparse-train-to-gpu: the GPU patterns of every op family with the
// 1:N conversion of !sparse_train.retained, after a check that names every
// op (or form of an op) that has no GPU kernel.
//
//===----------------------------------------------------------------------===//

#include "SparseTrain/Conversion/SparseTrainToGPU.h"
#include "AnyMemoryEffects.h"
#include "SparseTrain/Conversion/Passes.h"
#include "SparseTrain/Conversion/SparseTrainToLoops.h"
#include "SparseTrain/IR/SparseTrainOps.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SparseTensor/IR/SparseTensor.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;
using namespace mlir::sparse_train;

namespace mlir {
namespace sparse_train {
#define GEN_PASS_DEF_CONVERTSPARSETRAINTOGPUPASS
#include "SparseTrain/Conversion/Passes.h.inc"
} // namespace sparse_train
} // namespace mlir

void mlir::sparse_train::populateSparseTrainToGPUPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  populateSliceDropToGPUPatterns(converter, patterns);
  populateMinKToGPUPatterns(converter, patterns);
  populateBlockSparseToGPUPatterns(converter, patterns);
  populateZeroSkipConvToGPUPatterns(converter, patterns);
}

/// The host-side gpu ops that may read and write any memory: gpu.launch_func
/// (the buffers it passes to its kernel must stay alive until a synchronous
/// launch returns), gpu.wait (it orders the device's accesses), host
/// registration and the choice of device.
void mlir::sparse_train::registerGPULaunchMemoryEffects(
    DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, gpu::GPUDialect *) {
    gpu::LaunchFuncOp::attachInterface<AnyMemoryEffects<gpu::LaunchFuncOp>>(
        *context);
    gpu::WaitOp::attachInterface<AnyMemoryEffects<gpu::WaitOp>>(*context);
    gpu::HostRegisterOp::attachInterface<AnyMemoryEffects<gpu::HostRegisterOp>>(
        *context);
    gpu::HostUnregisterOp::attachInterface<
        AnyMemoryEffects<gpu::HostUnregisterOp>>(*context);
    gpu::SetDefaultDeviceOp::attachInterface<
        AnyMemoryEffects<gpu::SetDefaultDeviceOp>>(*context);
  });
}

/// Why `op` has no GPU kernel, or an empty string when it has one.
static std::string getMissingKernelReason(Operation *op) {
  if (auto grad = dyn_cast<MinKWeightGradOp>(op); grad && grad.isConvForm())
    if (grad.getType().isDynamicDim(0) || grad.getType().isDynamicDim(1))
      return "the GPU kernel of the convolution form of min_k_weight_grad "
             "needs a static filter size";
  if (auto conv = dyn_cast<Conv2DZeroSkipBackwardDataOp>(op))
    if (conv.getType().isDynamicDim(1) || conv.getType().isDynamicDim(2))
      return "the GPU kernel needs static spatial sizes of the input "
             "gradient";
  if (auto conv = dyn_cast<Conv2DZeroSkipBackwardFilterOp>(op))
    if (conv.getType().isDynamicDim(0) || conv.getType().isDynamicDim(1))
      return "the GPU kernel needs a static filter size";
  return "";
}

LogicalResult
mlir::sparse_train::checkSparseTrainOpsHaveGPUKernels(ModuleOp module) {
  bool missing = false;
  module.walk([&](Operation *op) {
    if (!isa<SparseTrainDialect>(op->getDialect()))
      return;
    std::string reason = getMissingKernelReason(op);
    if (reason.empty())
      return;
    op->emitError() << "convert-sparse-train-to-gpu: " << reason;
    missing = true;
  });
  return failure(missing);
}

namespace {
struct ConvertSparseTrainToGPUPass
    : public sparse_train::impl::ConvertSparseTrainToGPUPassBase<
          ConvertSparseTrainToGPUPass> {
  using ConvertSparseTrainToGPUPassBase::ConvertSparseTrainToGPUPassBase;

  void getDependentDialects(DialectRegistry &registry) const override {
    ConvertSparseTrainToGPUPassBase::getDependentDialects(registry);
    registerGPULaunchMemoryEffects(registry);
  }

  void runOnOperation() override {
    if (failed(checkSparseTrainOpsHaveGPUKernels(getOperation())) ||
        failed(applySparseTrainConversion(
            getOperation(),
            [&](const TypeConverter &converter, RewritePatternSet &patterns) {
              populateSparseTrainToGPUPatterns(converter, patterns);
            })))
      signalPassFailure();
  }
};
} // namespace
