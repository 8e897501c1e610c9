/*===- builders.c - building sparse_train ops through the C API ---*- C -*-===*\
|*                                                                            *|
|* Ops built generically (mlirOperationCreate), with and without result-type  *|
|* inference: good ones verify; bad ones give a diagnostic and a failed       *|
|* verification or a null operation, never a crash.                           *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

// RUN: sparse-train-capi-builders-test 2>&1 | FileCheck %s

#include "mlir-c/BuiltinAttributes.h"
#include "mlir-c/BuiltinTypes.h"
#include "mlir-c/Diagnostics.h"
#include "mlir-c/IR.h"
#include "sparse-train-c/Dialects.h"

#include <stdio.h>

static void printToStdout(MlirStringRef str, void *userData) {
  (void)userData;
  fwrite(str.data, 1, str.length, stdout);
}

static MlirLogicalResult onDiagnostic(MlirDiagnostic d, void *userData) {
  (void)userData;
  printf("diagnostic: ");
  mlirDiagnosticPrint(d, printToStdout, NULL);
  printf("\n");
  return mlirLogicalResultSuccess();
}

static MlirContext ctx;
static MlirLocation loc;
static MlirValue input, start;

static MlirNamedAttribute i64Attr(const char *name, int64_t value) {
  return mlirNamedAttributeGet(
      mlirIdentifierGet(ctx, mlirStringRefCreateFromCString(name)),
      mlirIntegerAttrGet(mlirIntegerTypeGet(ctx, 64), value));
}

/// Builds sparse_train.slice_drop with the given attributes; infers the result
/// type when `infer` is set, otherwise declares `resultType`.
static void build(const char *what, MlirNamedAttribute *attrs, int numAttrs,
                  int infer, const char *resultType) {
  MlirOperationState state = mlirOperationStateGet(
      mlirStringRefCreateFromCString("sparse_train.slice_drop"), loc);
  MlirValue operands[2] = {input, start};
  mlirOperationStateAddOperands(&state, 2, operands);
  mlirOperationStateAddAttributes(&state, numAttrs, attrs);
  if (infer) {
    mlirOperationStateEnableResultTypeInference(&state);
  } else {
    MlirType type =
        mlirTypeParseGet(ctx, mlirStringRefCreateFromCString(resultType));
    mlirOperationStateAddResults(&state, 1, &type);
  }
  MlirOperation op = mlirOperationCreate(&state);
  if (mlirOperationIsNull(op)) {
    printf("%s: not created\n", what);
    return;
  }
  int ok = mlirOperationVerify(op);
  printf("%s: created, verifies: %d, result ", what, ok);
  mlirTypePrint(mlirValueGetType(mlirOperationGetResult(op, 0)), printToStdout,
                NULL);
  printf("\n");
  mlirOperationDestroy(op);
}

int main(void) {
  ctx = mlirContextCreate();
  mlirDialectHandleLoadDialect(mlirGetDialectHandle__sparse_train__(), ctx);
  mlirContextAttachDiagnosticHandler(ctx, onDiagnostic, NULL, NULL);
  loc = mlirLocationFileLineColGet(
      ctx, mlirStringRefCreateFromCString("builders.c"), 1, 1);

  MlirType tensor =
      mlirTypeParseGet(ctx, mlirStringRefCreateFromCString("tensor<4x8xf32>"));
  MlirType index = mlirIndexTypeGet(ctx);
  MlirLocation locs[2] = {loc, loc};
  MlirType types[2] = {tensor, index};
  MlirBlock block = mlirBlockCreate(2, types, locs);
  input = mlirBlockGetArgument(block, 0);
  start = mlirBlockGetArgument(block, 1);

  MlirNamedAttribute good[2] = {i64Attr("dim", 1), i64Attr("width", 4)};
  build("inferred", good, 2, 1, NULL);
  build("declared", good, 2, 0, "tensor<4x4xf32>");
  build("declared wrong", good, 2, 0, "tensor<4x5xf32>");
  MlirNamedAttribute missing[1] = {i64Attr("dim", 1)};
  build("inferred without width", missing, 1, 1, NULL);
  build("declared without width", missing, 1, 0, "tensor<4x4xf32>");
  MlirNamedAttribute badDim[2] = {i64Attr("dim", 7), i64Attr("width", 4)};
  build("inferred bad dim", badDim, 2, 1, NULL);
  build("declared bad dim", badDim, 2, 0, "tensor<4x4xf32>");

  /* Operand types the custom syntax cannot even express reach inference
     first through a builder. */
  MlirType unranked =
      mlirTypeParseGet(ctx, mlirStringRefCreateFromCString("tensor<*xf32>"));
  MlirBlock other = mlirBlockCreate(1, &unranked, locs);
  input = mlirBlockGetArgument(other, 0);
  build("inferred unranked input", good, 2, 1, NULL);
  MlirOperationState state = mlirOperationStateGet(
      mlirStringRefCreateFromCString("sparse_train.min_k_restore"), loc);
  mlirOperationStateAddOperands(&state, 1, &input);
  mlirOperationStateEnableResultTypeInference(&state);
  printf("restore of a tensor: %s\n",
         mlirOperationIsNull(mlirOperationCreate(&state)) ? "not created"
                                                          : "created");
  MlirOperationState conv = mlirOperationStateGet(
      mlirStringRefCreateFromCString("sparse_train.conv2d_zero_skip"), loc);
  MlirValue convOperands[2] = {input, input};
  mlirOperationStateAddOperands(&conv, 2, convOperands);
  mlirOperationStateEnableResultTypeInference(&conv);
  printf("convolution of unranked tensors: %s\n",
         mlirOperationIsNull(mlirOperationCreate(&conv)) ? "not created"
                                                         : "created");
  mlirBlockDestroy(other);

  mlirBlockDestroy(block);
  mlirContextDestroy(ctx);
  return 0;
}

// CHECK: inferred: created, verifies: 1, result tensor<4x4xf32>
// CHECK: declared: created, verifies: 1, result tensor<4x4xf32>
// CHECK: diagnostic: 'sparse_train.slice_drop' op inferred type(s) 'tensor<4x4xf32>' are incompatible with return type(s) of operation 'tensor<4x5xf32>'
// CHECK: declared wrong: created, verifies: 0
// CHECK: diagnostic: 'sparse_train.slice_drop' op requires attributes 'dim' and 'width'
// CHECK: inferred without width: not created
// CHECK: diagnostic: 'sparse_train.slice_drop' op requires attribute 'width'
// CHECK: declared without width: created, verifies: 0
// CHECK: diagnostic: 'sparse_train.slice_drop' op dim 7 is out of range for the input of rank 2
// CHECK: inferred bad dim: not created
// CHECK: diagnostic: 'sparse_train.slice_drop' op dim 7 is out of range for the input of rank 2
// CHECK: declared bad dim: created, verifies: 0
// CHECK: diagnostic: 'sparse_train.slice_drop' op expects a ranked tensor input
// CHECK: inferred unranked input: not created
// CHECK: diagnostic: 'sparse_train.min_k_restore' op expects a !sparse_train.retained operand
// CHECK: restore of a tensor: not created
// CHECK: diagnostic: 'sparse_train.conv2d_zero_skip' op expects ranked tensor operands
// CHECK: convolution of unranked tensors: not created
