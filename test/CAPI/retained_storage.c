/*===- retained_storage.c - bytes of the retained form ------------*- C -*-===*\
|*                                                                            *|
|* The storage a !sparse_train.retained value takes, through the C API: the   *|
|* numbers the memory report will rely on (DESIGN.md §2.2: fp32, keep 0.1:    *|
|* indices 20 %, bitmask 13.1 % of dense).                                    *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

// RUN: sparse-train-capi-storage-test | FileCheck %s

#include "mlir-c/IR.h"
#include "sparse-train-c/Dialects.h"

#include <stdio.h>

static MlirContext ctx;

static void show(const char *type) {
  MlirType t = mlirTypeParseGet(ctx, mlirStringRefCreateFromCString(type));
  if (mlirTypeIsNull(t)) {
    printf("%s: parse error\n", type);
    return;
  }
  printf("%s: %lld\n", type,
         (long long)mlirSparseTrainRetainedTypeGetStorageBytes(t));
}

int main(void) {
  ctx = mlirContextCreate();
  mlirDialectHandleLoadDialect(mlirGetDialectHandle__sparse_train__(), ctx);
  /* 1000 f32 = 4000 dense bytes, K = 100. */
  show("!sparse_train.retained<1000xf32, kept = 100, indices>");
  show("!sparse_train.retained<1000xf32, kept = 100, bitmask>");
  /* Bitmask words round up: 33 elements need 2 words. */
  show("!sparse_train.retained<33xf16, kept = 1, bitmask>");
  /* bf16 values with i32 indices. */
  show("!sparse_train.retained<4x8xbf16, kept = 3, indices>");
  /* More than 2^31 elements: i64 indices. */
  show("!sparse_train.retained<65536x65537xf32, kept = 2, indices>");
  /* Dynamic count or dynamic bitmask size: unknown (-1). */
  show("!sparse_train.retained<?x8xf32, kept = ?, indices>");
  show("!sparse_train.retained<?x8xf32, kept = 5, bitmask>");
  /* Dynamic shape with a static count: indices are i64, size is known. */
  show("!sparse_train.retained<?x8xf32, kept = 5, indices>");
  /* Nothing kept. */
  show("!sparse_train.retained<64xf64, kept = 0, bitmask>");
  mlirContextDestroy(ctx);
  return 0;
}

// 100 * 4 + 100 * 4 = 800 = 20 % of 4000.
// CHECK: !sparse_train.retained<1000xf32, kept = 100, indices>: 800
// 100 * 4 + 32 words * 4 = 528 = 13.2 % of 4000 (13.1 % in the limit).
// CHECK: !sparse_train.retained<1000xf32, kept = 100, bitmask>: 528
// CHECK: !sparse_train.retained<33xf16, kept = 1, bitmask>: 10
// CHECK: !sparse_train.retained<4x8xbf16, kept = 3, indices>: 18
// CHECK: !sparse_train.retained<65536x65537xf32, kept = 2, indices>: 24
// CHECK: !sparse_train.retained<?x8xf32, kept = ?, indices>: -1
// CHECK: !sparse_train.retained<?x8xf32, kept = 5, bitmask>: -1
// CHECK: !sparse_train.retained<?x8xf32, kept = 5, indices>: 60
// CHECK: !sparse_train.retained<64xf64, kept = 0, bitmask>: 8
