/*===- Dialects.h - C API of the sparse_train dialect -------------*- C -*-===*\
|*                                                                            *|
|* Registration hook of the sparse_train dialect for users of the MLIR C API. *|
|* libSparseTrainCAPI.so also exports the upstream MLIR C API (IR, registration
*|
|* of every upstream dialect, passes, execution engine) on top of libMLIR.so. *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef SPARSE_TRAIN_C_DIALECTS_H
#define SPARSE_TRAIN_C_DIALECTS_H

#include "mlir-c/IR.h"

#ifdef __cplusplus
extern "C" {
#endif

/// Declares mlirGetDialectHandle__sparse_train__(), the handle to insert the
/// dialect into a registry or load it into a context.
MLIR_DECLARE_CAPI_DIALECT_REGISTRATION(SparseTrain, sparse_train);

/// Inserts the sparse_train dialect and its interface extensions into
/// `registry`.
MLIR_CAPI_EXPORTED void
mlirSparseTrainRegisterAllDialects(MlirDialectRegistry registry);

/// True when `type` is a !sparse_train.retained type.
MLIR_CAPI_EXPORTED bool mlirSparseTrainTypeIsARetained(MlirType type);

/// Bytes a !sparse_train.retained value stores (values plus positions), or -1
/// when the count depends on a dynamic size.
MLIR_CAPI_EXPORTED int64_t
mlirSparseTrainRetainedTypeGetStorageBytes(MlirType type);

#ifdef __cplusplus
}
#endif

#endif /* SPARSE_TRAIN_C_DIALECTS_H */
