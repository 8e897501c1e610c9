//===- Dialects.cpp - C API of the sparse_train dialect -------------------===//

#include "sparse-train-c/Dialects.h"

#include "SparseTrain/IR/SparseTrainDialect.h"
#include "SparseTrain/InitAll.h"

#include "mlir/CAPI/IR.h"
#include "mlir/CAPI/Registration.h"

using namespace mlir;

MLIR_DEFINE_CAPI_DIALECT_REGISTRATION(SparseTrain, sparse_train,
                                      sparse_train::SparseTrainDialect)

void mlirSparseTrainRegisterAllDialects(MlirDialectRegistry registry) {
  sparse_train::registerAllDialects(*unwrap(registry));
}

bool mlirSparseTrainTypeIsARetained(MlirType type) {
  return isa<sparse_train::RetainedType>(unwrap(type));
}

int64_t mlirSparseTrainRetainedTypeGetStorageBytes(MlirType type) {
  auto retained = dyn_cast<sparse_train::RetainedType>(unwrap(type));
  if (!retained)
    return -1;
  return retained.getStorageBytes().value_or(-1);
}
