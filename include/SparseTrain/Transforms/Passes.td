//===- Passes.td - sparse_train transform passes -----------*- tablegen -*-===//

#ifndef SPARSETRAIN_TRANSFORMS_PASSES_TD
#define SPARSETRAIN_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def SparseTrainVerifyLoweringPass
    : Pass<"sparse-train-verify-lowering", "::mlir::ModuleOp"> {
  let summary = "Fail on any op a lowering pipeline left outside the target dialects";
  let description = [{
    Upstream lowering passes leave ops they do not handle in place, and a
    pipeline that ends with them produces IR that only fails later, when it
    is translated or run. This pass ends the sparse_train pipelines: every op
    must belong to one of `allowed-dialects` (by default `builtin` and
    `llvm`), otherwise it emits an error naming the op and the pass fails.

    ```
    error: 'bufferization.to_tensor' was not lowered (allowed dialects: builtin, llvm)
    ```
  }];
  let options = [
    ListOption<"allowedDialects", "allowed-dialects", "std::string",
               "Dialects that may remain (default: builtin, llvm)">
  ];
}

#endif // SPARSETRAIN_TRANSFORMS_PASSES_TD
