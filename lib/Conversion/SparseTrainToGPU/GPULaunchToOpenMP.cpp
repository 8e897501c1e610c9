//===- GPULaunchToOpenMP.cpp - GPU kernels emulated on the CPU ------------===//
//
// sparse-train-gpu-launch-to-openmp: every gpu.launch becomes a loop over
// its blocks whose body is one omp.parallel region with one OpenMP thread
// per GPU thread. Barriers are OpenMP barriers and workgroup buffers are
// host buffers shared by the region, so kernels that cooperate through
// shared memory run unchanged on the CPU (slowly: this is for tests).
//
//===----------------------------------------------------------------------===//

#include "GPUKernelBuilder.h"
#include "SparseTrain/Conversion/Passes.h"
#include "SparseTrain/Conversion/SparseTrainToGPU.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

using namespace mlir;
using namespace mlir::sparse_train;

namespace mlir {
namespace sparse_train {
#define GEN_PASS_DEF_SPARSETRAINGPULAUNCHTOOPENMPPASS
#include "SparseTrain/Conversion/Passes.h.inc"
} // namespace sparse_train
} // namespace mlir

namespace {
/// omp.barrier orders the memory accesses of a team's threads.
struct OpenMPBarrierMemoryEffects
    : public MemoryEffectOpInterface::ExternalModel<OpenMPBarrierMemoryEffects,
                                                    omp::BarrierOp> {
  void getEffects(
      Operation *op,
      SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
          &effects) const {
    effects.emplace_back(MemoryEffects::Read::get());
    effects.emplace_back(MemoryEffects::Write::get());
  }
};
} // namespace

void mlir::sparse_train::registerOpenMPBarrierMemoryEffects(
    DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, omp::OpenMPDialect *) {
    omp::BarrierOp::attachInterface<OpenMPBarrierMemoryEffects>(*context);
  });
}

/// Declares `name` as `() -> i32` in `module` unless it is there.
static func::FuncOp declareRuntimeFunction(ModuleOp module, StringRef name) {
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  OpBuilder builder = OpBuilder::atBlockBegin(module.getBody());
  auto func = func::FuncOp::create(
      builder, module.getLoc(), name,
      builder.getFunctionType({}, {builder.getI32Type()}));
  func.setPrivate();
  return func;
}

/// Replaces `launch` by its emulation; fails with a diagnostic on launches
/// it does not cover.
static LogicalResult emulateLaunch(gpu::LaunchOp launch, func::FuncOp threadNum,
                                   func::FuncOp numThreads) {
  if (launch.getAsyncToken() || !launch.getAsyncDependencies().empty() ||
      launch.getDynamicSharedMemorySize() || launch.hasClusterSize() ||
      !launch.getPrivateAttributions().empty() ||
      !launch.getBody().hasOneBlock())
    return launch.emitError(
        "sparse-train-gpu-launch-to-openmp: only synchronous launches "
        "without dynamic shared memory, clusters or private buffers and "
        "with a one-block body are emulated");
  OpBuilder builder(launch);
  KernelBuilder k(builder, launch.getLoc());
  gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
  gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
  IRMapping mapping;
  gpu::KernelDim3 gridArgs = launch.getGridSize(),
                  blockArgs = launch.getBlockSize();
  mapping.map(gridArgs.x, grid.x);
  mapping.map(gridArgs.y, grid.y);
  mapping.map(gridArgs.z, grid.z);
  mapping.map(blockArgs.x, block.x);
  mapping.map(blockArgs.y, block.y);
  mapping.map(blockArgs.z, block.z);
  // Workgroup buffers in host memory, shared by the blocks (which run one
  // after another) and by the threads of each.
  for (BlockArgument buffer : launch.getWorkgroupAttributions()) {
    auto type = cast<MemRefType>(buffer.getType());
    auto hostType = MemRefType::get(type.getShape(), type.getElementType());
    mapping.map(buffer, memref::AllocaOp::create(k.b, hostType).getResult());
  }
  Value threads = k.mul(k.mul(block.x, block.y), block.z);
  Value threadsI32 = k.indexCast(k.b.getI32Type(), threads);
  gpu::KernelDim3 blockIds = launch.getBlockIds(),
                  threadIds = launch.getThreadIds();
  Block &body = launch.getBody().front();
  k.forEach(k.index(0), grid.z, [&](Value bz) {
    k.forEach(k.index(0), grid.y, [&](Value by) {
      k.forEach(k.index(0), grid.x, [&](Value bx) {
        mapping.map(blockIds.x, bx);
        mapping.map(blockIds.y, by);
        mapping.map(blockIds.z, bz);
        auto parallel = omp::ParallelOp::create(k.b, k.b.getLoc(),
                                                ArrayRef<NamedAttribute>{});
        parallel.getNumThreadsMutable().assign(threadsI32);
        OpBuilder::InsertionGuard guard(k.b);
        k.b.createBlock(&parallel.getRegion());
        auto terminator = omp::TerminatorOp::create(k.b, k.b.getLoc());
        k.b.setInsertionPoint(terminator);
        // Every GPU thread needs its OpenMP thread.
        Value team = func::CallOp::create(k.b, numThreads).getResult(0);
        cf::AssertOp::create(
            k.b, k.cmp(arith::CmpIPredicate::eq, team, threadsI32),
            "sparse-train-gpu-launch-to-openmp: OpenMP gave fewer threads "
            "than the block has");
        Value t = k.indexCast(k.b.getIndexType(),
                              func::CallOp::create(k.b, threadNum).getResult(0));
        mapping.map(threadIds.x, k.remU(t, block.x));
        mapping.map(threadIds.y, k.remU(k.divU(t, block.x), block.y));
        mapping.map(threadIds.z, k.divU(t, k.mul(block.x, block.y)));
        for (Operation &op : body.without_terminator())
          k.b.clone(op, mapping);
      });
    });
  });
  launch.erase();
  return success();
}

namespace {
struct SparseTrainGPULaunchToOpenMPPass
    : public sparse_train::impl::SparseTrainGPULaunchToOpenMPPassBase<
          SparseTrainGPULaunchToOpenMPPass> {
  using SparseTrainGPULaunchToOpenMPPassBase::
      SparseTrainGPULaunchToOpenMPPassBase;

  void getDependentDialects(DialectRegistry &registry) const override {
    SparseTrainGPULaunchToOpenMPPassBase::getDependentDialects(registry);
    registerOpenMPBarrierMemoryEffects(registry);
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<gpu::LaunchOp> launches;
    module.walk([&](gpu::LaunchOp launch) { launches.push_back(launch); });
    if (launches.empty())
      return;
    func::FuncOp threadNum = declareRuntimeFunction(module, "omp_get_thread_num");
    func::FuncOp numThreads =
        declareRuntimeFunction(module, "omp_get_num_threads");
    for (gpu::LaunchOp launch : launches)
      if (failed(emulateLaunch(launch, threadNum, numThreads)))
        return signalPassFailure();
    // Barriers of the emulated blocks.
    SmallVector<gpu::BarrierOp> barriers;
    module.walk([&](gpu::BarrierOp barrier) {
      if (barrier->getParentOfType<omp::ParallelOp>())
        barriers.push_back(barrier);
    });
    for (gpu::BarrierOp barrier : barriers) {
      OpBuilder builder(barrier);
      omp::BarrierOp::create(builder, barrier.getLoc());
      barrier.erase();
    }
  }
};
} // namespace
