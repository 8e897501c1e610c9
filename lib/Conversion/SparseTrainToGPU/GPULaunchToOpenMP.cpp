//===- GPULaunchToOpenMP.cpp - GPU kernels emulated on the CPU ------------===//
//
// sparse-train-gpu-launch-to-openmp: every gpu.launch becomes a loop over
// its blocks whose body is one omp.parallel region with one OpenMP thread
// per GPU thread. Barriers are OpenMP barriers and workgroup buffers are
// host buffers shared by the region, so kernels that cooperate through
// shared memory run unchanged on the CPU (slowly: this is for tests).
// Kernels with warp-level ops (ballot votes, indexed shuffles) and no block
// barrier run one warp at a time instead, its 32 lanes as the team, each
// warp op an exchange through a team-shared buffer between two barriers.
//
//===----------------------------------------------------------------------===//

#include "AnyMemoryEffects.h"
#include "GPUKernelBuilder.h"
#include "SparseTrain/Conversion/Passes.h"
#include "SparseTrain/Conversion/SparseTrainToGPU.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
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

void mlir::sparse_train::registerOpenMPBarrierMemoryEffects(
    DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, omp::OpenMPDialect *) {
    // omp.barrier orders the memory accesses of a team's threads.
    omp::BarrierOp::attachInterface<AnyMemoryEffects<omp::BarrierOp>>(*context);
  });
}

/// Declares `name` as `() -> i32` in `module` unless it is there.
static func::FuncOp declareRuntimeFunction(ModuleOp module, StringRef name) {
  if (auto existing = module.lookupSymbol<func::FuncOp>(name))
    return existing;
  OpBuilder builder = OpBuilder::atBlockBegin(module.getBody());
  auto func =
      func::FuncOp::create(builder, module.getLoc(), name,
                           builder.getFunctionType({}, {builder.getI32Type()}));
  func.setPrivate();
  return func;
}

/// True when `launch`'s body uses warp-level ops (vote, shuffle, MMA).
static bool hasWarpOps(gpu::LaunchOp launch) {
  return launch.getBody()
      .walk([](Operation *op) {
        return isa<NVVM::VoteSyncOp, gpu::ShuffleOp, NVVM::MmaOp>(op)
                   ? WalkResult::interrupt()
                   : WalkResult::advance();
      })
      .wasInterrupted();
}

/// The team-shared buffers through which a warp's lanes exchange values:
/// one of kWarpLanes elements per type (i32 for votes, one per shuffled
/// type), and the f32 A (16 x 16) and B (16 x 8) matrices of an MMA.
struct WarpExchange {
  DenseMap<Type, Value> slots;
  Value mmaA, mmaB;
};

/// The two multiplicands of one MMA register (vector<2xf16>, or a bf16 pair
/// packed in an i32) as f32.
static std::pair<Value, Value> unpackPair(KernelBuilder &k, Value reg) {
  Value pair = reg;
  if (reg.getType().isInteger(32))
    pair = LLVM::BitcastOp::create(k.b, VectorType::get({2}, k.b.getBF16Type()),
                                   reg);
  auto element = [&](int64_t i) {
    return k.castFloat(vector::ExtractOp::create(k.b, pair, i),
                       k.b.getF32Type());
  };
  return {element(0), element(1)};
}

/// Emulates `mma.sync.m16n8k16.row.col` with f16/bf16 multiplicands and f32
/// accumulators: each lane writes its fragments of A and B (the PTX
/// fragment layouts: lane = 4 * group + t holds A rows group and group + 8
/// at depths 2t, 2t+1, 2t+8, 2t+9, and B's column group at those depths)
/// into the shared matrices; after a barrier each lane computes its four
/// accumulators (rows group and group + 8, columns 2t and 2t+1) in depth
/// order.
static LogicalResult emulateMma(NVVM::MmaOp mma, Value lane,
                                const WarpExchange &exchange) {
  NVVM::MMAShapeAttr shape = mma.getShape();
  Type f32 = Float32Type::get(mma.getContext());
  auto isPair = [](Type t) {
    auto v = dyn_cast<VectorType>(t);
    return t.isInteger(32) ||
           (v && v.getShape() == ArrayRef<int64_t>{2} &&
            (v.getElementType().isF16() || v.getElementType().isBF16()));
  };
  if (shape.getM() != 16 || shape.getN() != 8 || shape.getK() != 16 ||
      mma.getLayoutA() != NVVM::MMALayout::row ||
      mma.getLayoutB() != NVVM::MMALayout::col ||
      mma.getOperandA().size() != 4 || mma.getOperandB().size() != 2 ||
      mma.getOperandC().size() != 4 ||
      !llvm::all_of(mma.getOperandA().getTypes(), isPair) ||
      !llvm::all_of(mma.getOperandB().getTypes(), isPair) ||
      !llvm::all_of(mma.getOperandC().getTypes(),
                    [&](Type t) { return t == f32; }))
    return mma.emitError("sparse-train-gpu-launch-to-openmp: only "
                         "m16n8k16 row/col MMAs of f16/bf16 into f32 are "
                         "emulated");
  OpBuilder builder(mma);
  KernelBuilder k(builder, mma.getLoc());
  Value group = k.divU(lane, k.index(4)), t = k.remU(lane, k.index(4));
  Value twoT = k.mul(t, k.index(2));
  for (auto [reg, value] : llvm::enumerate(mma.getOperandA())) {
    Value row = k.add(group, k.index(8 * (reg & 1)));
    Value col = k.add(twoT, k.index(8 * (reg >> 1)));
    auto [lo, hi] = unpackPair(k, value);
    Value at = k.add(k.mul(row, k.index(16)), col);
    k.store(lo, exchange.mmaA, at);
    k.store(hi, exchange.mmaA, k.add(at, k.index(1)));
  }
  for (auto [reg, value] : llvm::enumerate(mma.getOperandB())) {
    Value depth = k.add(twoT, k.index(8 * reg));
    auto [lo, hi] = unpackPair(k, value);
    Value at = k.add(k.mul(depth, k.index(8)), group);
    k.store(lo, exchange.mmaB, at);
    k.store(hi, exchange.mmaB, k.add(at, k.index(8)));
  }
  omp::BarrierOp::create(k.b, k.b.getLoc());
  Value result = LLVM::PoisonOp::create(k.b, mma.getType());
  for (auto [e, c] : llvm::enumerate(mma.getOperandC())) {
    Value row = k.add(group, k.index(8 * (e >> 1)));
    Value col = k.add(twoT, k.index(e & 1));
    Value d = k.forAccumulate(
        k.index(0), k.index(16), {c}, [&](Value kk, ValueRange acc) {
          Value a = k.load(exchange.mmaA, k.add(k.mul(row, k.index(16)), kk));
          Value b = k.load(exchange.mmaB, k.add(k.mul(kk, k.index(8)), col));
          return SmallVector<Value>{k.addF(acc[0], k.mulF(a, b))};
        })[0];
    result = LLVM::InsertValueOp::create(k.b, result, d, e);
  }
  omp::BarrierOp::create(k.b, k.b.getLoc());
  mma.getResult().replaceAllUsesWith(result);
  mma.erase();
  return success();
}

/// Replaces the warp-level ops in `region` (one omp.parallel team per warp,
/// `lane` its thread number) by exchanges through the team-shared buffers
/// of `exchange`, each between two team barriers. Every lane of a warp
/// executes them together, as on the GPU.
static LogicalResult emulateWarpOps(Region &region, Value lane,
                                    const WarpExchange &exchange) {
  SmallVector<Operation *> ops;
  region.walk([&](Operation *op) {
    if (isa<NVVM::VoteSyncOp, gpu::ShuffleOp, NVVM::MmaOp>(op))
      ops.push_back(op);
  });
  const DenseMap<Type, Value> &slots = exchange.slots;
  for (Operation *op : ops) {
    if (auto mma = dyn_cast<NVVM::MmaOp>(op)) {
      if (failed(emulateMma(mma, lane, exchange)))
        return failure();
      continue;
    }
    OpBuilder builder(op);
    KernelBuilder k(builder, op->getLoc());
    Type i32 = k.b.getI32Type();
    if (auto vote = dyn_cast<NVVM::VoteSyncOp>(op)) {
      if (vote.getKind() != NVVM::VoteSyncKind::ballot)
        return vote.emitError("sparse-train-gpu-launch-to-openmp: only the "
                              "ballot vote is emulated");
      Value buffer = slots.lookup(i32);
      Value bit =
          arith::ShLIOp::create(k.b, k.integer(i32, 1), k.indexCast(i32, lane));
      k.store(k.select(vote.getPred(), bit, k.integer(i32, 0)), buffer, lane);
      omp::BarrierOp::create(k.b, k.b.getLoc());
      Value mask = k.forAccumulate(
          k.index(0), k.index(kWarpLanes), {k.integer(i32, 0)},
          [&](Value l, ValueRange acc) {
            return SmallVector<Value>{k.orI(acc[0], k.load(buffer, l))};
          })[0];
      omp::BarrierOp::create(k.b, k.b.getLoc());
      // Only the lanes in the vote's member mask take part.
      vote.getResult().replaceAllUsesWith(k.andI(mask, vote.getMask()));
      vote.erase();
      continue;
    }
    auto shuffle = cast<gpu::ShuffleOp>(op);
    if (shuffle.getMode() != gpu::ShuffleMode::IDX)
      return shuffle.emitError("sparse-train-gpu-launch-to-openmp: only "
                               "indexed shuffles are emulated");
    Value buffer = slots.lookup(shuffle.getValue().getType());
    if (!buffer)
      return shuffle.emitError("sparse-train-gpu-launch-to-openmp: no "
                               "exchange buffer for this type");
    k.store(shuffle.getValue(), buffer, lane);
    omp::BarrierOp::create(k.b, k.b.getLoc());
    Value source = k.indexCast(k.b.getIndexType(), shuffle.getOffset());
    Value value = k.load(buffer, source);
    Value valid = k.cmp(arith::CmpIPredicate::ult, shuffle.getOffset(),
                        shuffle.getWidth());
    omp::BarrierOp::create(k.b, k.b.getLoc());
    shuffle.getShuffleResult().replaceAllUsesWith(value);
    shuffle.getValid().replaceAllUsesWith(valid);
    shuffle.erase();
  }
  return success();
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
  // Warp kernels (vote, shuffle; no block barrier) run one warp at a time,
  // its lanes as an OpenMP team.
  bool warpMode = hasWarpOps(launch);
  if (warpMode) {
    std::optional<int64_t> x = getConstantIntValue(block.x),
                           y = getConstantIntValue(block.y),
                           z = getConstantIntValue(block.z);
    bool barriers =
        launch.getBody()
            .walk([](gpu::BarrierOp) { return WalkResult::interrupt(); })
            .wasInterrupted();
    if (!x || !y || !z || *x % kWarpLanes != 0 || *y != 1 || *z != 1 ||
        barriers)
      return launch.emitError(
          "sparse-train-gpu-launch-to-openmp: warp-level ops are emulated "
          "only in one-dimensional blocks of whole warps without block "
          "barriers");
  }
  WarpExchange exchange;
  if (warpMode) {
    DenseMap<Type, Value> &slots = exchange.slots;
    Type i32 = k.b.getI32Type();
    slots[i32] =
        memref::AllocaOp::create(k.b, MemRefType::get({kWarpLanes}, i32))
            .getResult();
    launch.getBody().walk([&](gpu::ShuffleOp shuffle) {
      Type type = shuffle.getValue().getType();
      if (!slots.count(type))
        slots[type] =
            memref::AllocaOp::create(k.b, MemRefType::get({kWarpLanes}, type))
                .getResult();
    });
    bool mma = launch.getBody()
                   .walk([](NVVM::MmaOp) { return WalkResult::interrupt(); })
                   .wasInterrupted();
    if (mma) {
      Type f32 = k.b.getF32Type();
      exchange.mmaA =
          memref::AllocaOp::create(k.b, MemRefType::get({16 * 16}, f32));
      exchange.mmaB =
          memref::AllocaOp::create(k.b, MemRefType::get({16 * 8}, f32));
    }
  }
  IRMapping mapping;
  bool failedWarpOps = false;
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
  Value threads =
      warpMode ? k.index(kWarpLanes) : k.mul(k.mul(block.x, block.y), block.z);
  Value warps = warpMode ? k.divU(block.x, k.index(kWarpLanes)) : k.index(1);
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
        k.forEach(k.index(0), warps, [&](Value warp) {
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
          Value t =
              k.indexCast(k.b.getIndexType(),
                          func::CallOp::create(k.b, threadNum).getResult(0));
          if (warpMode) {
            mapping.map(threadIds.x,
                        k.add(k.mul(warp, k.index(kWarpLanes)), t));
            mapping.map(threadIds.y, k.index(0));
            mapping.map(threadIds.z, k.index(0));
          } else {
            mapping.map(threadIds.x, k.remU(t, block.x));
            mapping.map(threadIds.y, k.remU(k.divU(t, block.x), block.y));
            mapping.map(threadIds.z, k.divU(t, k.mul(block.x, block.y)));
          }
          for (Operation &op : body.without_terminator())
            k.b.clone(op, mapping);
          if (warpMode &&
              failed(emulateWarpOps(parallel.getRegion(), t, exchange)))
            failedWarpOps = true;
        });
      });
    });
  });
  launch.erase();
  return failure(failedWarpOps);
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
    func::FuncOp threadNum =
        declareRuntimeFunction(module, "omp_get_thread_num");
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
