//===- SparseTrainOps.td - sparse_train op definitions -----*- tablegen -*-===//
//
// All ops of the dialect, one included file per op family.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSETRAIN_IR_SPARSETRAINOPS_TD
#define SPARSETRAIN_IR_SPARSETRAINOPS_TD

include "SparseTrain/IR/SparseTrainBase.td"
include "SparseTrain/IR/SparseTrainAttrs.td"
include "SparseTrain/IR/SparseTrainTypes.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

/// Floating-point element types the dialect computes in.
def SparseTrain_Float : AnyTypeOf<[F16, BF16, F32, F64]>;
/// A ranked tensor of one of those element types.
def SparseTrain_FloatTensor : RankedTensorOf<[F16, BF16, F32, F64]>;

include "SparseTrain/IR/SliceDropOps.td"
include "SparseTrain/IR/MinKOps.td"
include "SparseTrain/IR/BlockSparseOps.td"
include "SparseTrain/IR/ZeroSkipConvOps.td"

#endif // SPARSETRAIN_IR_SPARSETRAINOPS_TD
