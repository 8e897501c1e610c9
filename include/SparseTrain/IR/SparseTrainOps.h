//===- SparseTrainOps.h - sparse_train ops ------------------------*- C++
//-*-===//
//
// Declares the ops of the sparse_train dialect.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSETRAIN_IR_SPARSETRAINOPS_H
#define SPARSETRAIN_IR_SPARSETRAINOPS_H

#include "SparseTrain/IR/SparseTrainDialect.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "SparseTrain/IR/SparseTrainOps.h.inc"

#endif // SPARSETRAIN_IR_SPARSETRAINOPS_H
