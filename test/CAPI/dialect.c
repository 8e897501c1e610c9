/*===- dialect.c - C API test of the sparse_train dialect --------*- C -*-===*\
|*                                                                            *|
|* Built as sparse-train-capi-test and run by lit.                            *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

// RUN: sparse-train-capi-test 2>&1 | FileCheck %s

#include "mlir-c/BuiltinTypes.h"
#include "mlir-c/Diagnostics.h"
#include "mlir-c/IR.h"
#include "mlir-c/RegisterEverything.h"
#include "sparse-train-c/Dialects.h"

#include <stdio.h>
#include <string.h>

static void printToStdout(MlirStringRef str, void *userData) {
  (void)userData;
  fwrite(str.data, 1, str.length, stdout);
}

static MlirLogicalResult printDiagnostic(MlirDiagnostic diagnostic,
                                         void *userData) {
  (void)userData;
  fprintf(stdout, "diagnostic: ");
  mlirDiagnosticPrint(diagnostic, printToStdout, NULL);
  fprintf(stdout, "\n");
  return mlirLogicalResultSuccess();
}

static MlirContext createContext(void) {
  MlirDialectRegistry registry = mlirDialectRegistryCreate();
  mlirRegisterAllDialects(registry);
  mlirSparseTrainRegisterAllDialects(registry);
  MlirContext ctx = mlirContextCreateWithRegistry(registry, false);
  mlirDialectRegistryDestroy(registry);
  mlirContextAttachDiagnosticHandler(ctx, printDiagnostic, NULL, NULL);
  return ctx;
}

/// The dialect handle loads the dialect into a fresh context.
static void testHandle(void) {
  MlirContext ctx = mlirContextCreate();
  MlirDialectHandle handle = mlirGetDialectHandle__sparse_train__();
  MlirStringRef ns = mlirDialectHandleGetNamespace(handle);
  fprintf(stdout, "namespace: %.*s\n", (int)ns.length, ns.data);
  mlirDialectHandleLoadDialect(handle, ctx);
  MlirDialect dialect = mlirContextGetOrLoadDialect(
      ctx, mlirStringRefCreateFromCString("sparse_train"));
  fprintf(stdout, "loaded: %d\n", !mlirDialectIsNull(dialect));
  mlirContextDestroy(ctx);
}
// CHECK: namespace: sparse_train
// CHECK: loaded: 1

/// A module with our ops parses, verifies and prints; the retained type is
/// visible through the C API.
static void testParseAndQuery(void) {
  MlirContext ctx = createContext();
  const char *ir =
      "func.func @f(%x: tensor<4x64xf32>, %seed: i64, %step: i64) -> "
      "tensor<4x32xf32> {\n"
      "  %s = sparse_train.slice_start %seed, %step extent = 64, width = 32\n"
      "  %y = sparse_train.slice_drop %x, %s dim = 1, width = 32 : "
      "tensor<4x64xf32>\n"
      "  return %y : tensor<4x32xf32>\n"
      "}\n"
      "func.func @g(%x: tensor<4x64xf32>) -> "
      "!sparse_train.retained<4x64xf32, kept = 26, bitmask> {\n"
      "  %r = sparse_train.min_k_retain %x keep_ratio = 0.1 : "
      "tensor<4x64xf32>\n"
      "  return %r : !sparse_train.retained<4x64xf32, kept = 26, bitmask>\n"
      "}\n";
  MlirModule module =
      mlirModuleCreateParse(ctx, mlirStringRefCreateFromCString(ir));
  if (mlirModuleIsNull(module)) {
    fprintf(stdout, "parse failed\n");
    mlirContextDestroy(ctx);
    return;
  }
  MlirOperation op = mlirModuleGetOperation(module);
  fprintf(stdout, "verified: %d\n", mlirOperationVerify(op));
  mlirOperationPrint(op, printToStdout, NULL);
  fprintf(stdout, "\n");

  MlirType retained = mlirTypeParseGet(
      ctx, mlirStringRefCreateFromCString(
               "!sparse_train.retained<4x64xf32, kept = 26, bitmask>"));
  MlirType dense =
      mlirTypeParseGet(ctx, mlirStringRefCreateFromCString("tensor<4x64xf32>"));
  fprintf(stdout, "is retained: %d %d\n",
          mlirSparseTrainTypeIsARetained(retained),
          mlirSparseTrainTypeIsARetained(dense));
  /* 26 f32 values + 8 bitmask words of 4 bytes. */
  fprintf(stdout, "storage bytes: %lld\n",
          (long long)mlirSparseTrainRetainedTypeGetStorageBytes(retained));
  mlirModuleDestroy(module);
  mlirContextDestroy(ctx);
}
// CHECK: verified: 1
// CHECK: sparse_train.slice_start %{{.*}}, %{{.*}} extent = 64, width = 32
// CHECK: sparse_train.slice_drop %{{.*}}, %{{.*}} dim = 1, width = 32 : tensor<4x64xf32>
// CHECK: sparse_train.min_k_retain %{{.*}} keep_ratio = 1.000000e-01 : tensor<4x64xf32>
// CHECK: is retained: 1 0
// CHECK: storage bytes: 136

/// Malformed IR yields a diagnostic and a null module, not a crash.
static void testInvalid(void) {
  MlirContext ctx = createContext();
  const char *ir =
      "func.func @bad(%x: tensor<4x64xf32>, %s: index) -> tensor<4x80xf32> {\n"
      "  %y = sparse_train.slice_drop %x, %s dim = 1, width = 80 : "
      "tensor<4x64xf32>\n"
      "  return %y : tensor<4x80xf32>\n"
      "}\n";
  MlirModule module =
      mlirModuleCreateParse(ctx, mlirStringRefCreateFromCString(ir));
  fprintf(stdout, "invalid module is null: %d\n", mlirModuleIsNull(module));
  mlirContextDestroy(ctx);
}
// CHECK: diagnostic: 'sparse_train.slice_drop' op expects 1 <= width <= extent, got width 80 and extent 64
// CHECK: invalid module is null: 1

int main(void) {
  testHandle();
  testParseAndQuery();
  testInvalid();
  return 0;
}
