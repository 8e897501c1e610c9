//===- SparseTrainToLoops.cpp - the reference lowering pass ---------------===//
//
// convert-sparse-train-to-loops: the 1:N conversion of !sparse_train.retained
// and the op patterns of every family, applied as one partial conversion in
// which the sparse_train dialect is illegal.
//
//===----------------------------------------------------------------------===//

#include "SparseTrain/Conversion/SparseTrainToLoops.h"
#include "SparseTrain/Conversion/Passes.h"
#include "SparseTrain/IR/SparseTrainOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Patterns.h"
#include "mlir/Dialect/SparseTensor/IR/SparseTensor.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Dialect/X86Vector/X86VectorDialect.h"

using namespace mlir;
using namespace mlir::sparse_train;

namespace mlir {
namespace sparse_train {
#define GEN_PASS_DEF_CONVERTSPARSETRAINTOLOOPSPASS
#define GEN_PASS_DEF_CONVERTSPARSETRAINTOCPUPASS
#include "SparseTrain/Conversion/Passes.h.inc"
} // namespace sparse_train
} // namespace mlir

void mlir::sparse_train::populateRetainedTypeConversion(
    TypeConverter &converter) {
  converter.addConversion(
      [](RetainedType type,
         SmallVectorImpl<Type> &results) -> std::optional<LogicalResult> {
        results.push_back(
            RankedTensorType::get({type.getKept()}, type.getElementType()));
        results.push_back(RankedTensorType::get({type.getNumPositions()},
                                                type.getPositionType()));
        // The dense shape is needed at run time, so every dynamic dimension
        // travels with the buffers as an index.
        for (int64_t dim : type.getShape())
          if (ShapedType::isDynamic(dim))
            results.push_back(IndexType::get(type.getContext()));
        return success();
      });
}

void mlir::sparse_train::populateSparseTrainToLoopsPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns,
    const LoopsLoweringOptions &options) {
  populateSliceDropToLoopsPatterns(converter, patterns, options);
  populateMinKToLoopsPatterns(converter, patterns);
  populateBlockSparseToLoopsPatterns(converter, patterns);
  populateZeroSkipConvToLoopsPatterns(converter, patterns);
}

LogicalResult mlir::sparse_train::applySparseTrainConversion(
    ModuleOp module,
    function_ref<void(const TypeConverter &, RewritePatternSet &)>
        addPatterns) {
  MLIRContext *context = module.getContext();
  TypeConverter converter;
  converter.addConversion([](Type type) { return type; });
  populateRetainedTypeConversion(converter);

  RewritePatternSet patterns(context);
  addPatterns(converter, patterns);
  // Retained values cross function boundaries and control flow.
  populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                 converter);
  populateCallOpTypeConversionPattern(patterns, converter);
  populateReturnOpTypeConversionPattern(patterns, converter);

  ConversionTarget target(*context);
  target.addIllegalDialect<SparseTrainDialect>();
  target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
  target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp op) {
    return converter.isSignatureLegal(op.getFunctionType()) &&
           converter.isLegal(&op.getBody());
  });
  target.addDynamicallyLegalOp<func::CallOp, func::ReturnOp>(
      [&](Operation *op) { return converter.isLegal(op); });
  scf::populateSCFStructuralTypeConversionsAndLegality(converter, patterns,
                                                       target);
  return applyPartialConversion(module, target, std::move(patterns));
}

namespace {
struct ConvertSparseTrainToLoopsPass
    : public sparse_train::impl::ConvertSparseTrainToLoopsPassBase<
          ConvertSparseTrainToLoopsPass> {
  using ConvertSparseTrainToLoopsPassBase::ConvertSparseTrainToLoopsPassBase;

  void runOnOperation() override {
    LoopsLoweringOptions options;
    options.runtimeChecks = runtimeChecks;
    if (failed(applySparseTrainConversion(
            getOperation(),
            [&](const TypeConverter &converter, RewritePatternSet &patterns) {
              populateSparseTrainToLoopsPatterns(converter, patterns, options);
            })))
      signalPassFailure();
  }
};

struct ConvertSparseTrainToCPUPass
    : public sparse_train::impl::ConvertSparseTrainToCPUPassBase<
          ConvertSparseTrainToCPUPass> {
  using ConvertSparseTrainToCPUPassBase::ConvertSparseTrainToCPUPassBase;

  void runOnOperation() override {
    CPULoweringOptions options;
    options.runtimeChecks = runtimeChecks;
    options.vectorBits = vectorBits;
    options.panelDepth = panelDepth;
    options.panelCacheKiB = panelCacheKiB;
    options.inPlaceUses = inPlaceUses;
    options.x86Compress = x86Compress;
    if (panelDepth == 0) {
      getOperation().emitError()
          << "convert-sparse-train-to-cpu: panel-depth must be positive";
      return signalPassFailure();
    }
    if (options.vectorBits % 32 != 0 || options.vectorBits < 64 ||
        options.vectorBits > 2048) {
      getOperation().emitError()
          << "convert-sparse-train-to-cpu: vector-bits must be a multiple of "
             "32 in [64, 2048], got "
          << static_cast<uint64_t>(options.vectorBits);
      return signalPassFailure();
    }
    if (failed(applySparseTrainConversion(
            getOperation(),
            [&](const TypeConverter &converter, RewritePatternSet &patterns) {
              populateBlockSparseToCPUPatterns(converter, patterns, options);
              populateMinKToCPUPatterns(converter, patterns, options);
              populateBlockPruneToCPUPatterns(converter, patterns, options);
              populateZeroSkipConvToCPUPatterns(converter, patterns, options);
              populateSparseTrainToLoopsPatterns(converter, patterns, options);
            })))
      signalPassFailure();
  }
};
} // namespace
