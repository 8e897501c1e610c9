//===- SparseTrainDialect.h - sparse_train dialect ----------------*- C++
//-*-===//
//
// Declares the sparse_train dialect, its enums, attributes and types.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSETRAIN_IR_SPARSETRAINDIALECT_H
#define SPARSETRAIN_IR_SPARSETRAINDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SparseTensor/IR/SparseTensor.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"

#include "SparseTrain/IR/SparseTrainOpsDialect.h.inc"

#include "SparseTrain/IR/SparseTrainEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "SparseTrain/IR/SparseTrainAttrs.h.inc"

#define GET_TYPEDEF_CLASSES
#include "SparseTrain/IR/SparseTrainOpsTypes.h.inc"

#endif // SPARSETRAIN_IR_SPARSETRAINDIALECT_H
