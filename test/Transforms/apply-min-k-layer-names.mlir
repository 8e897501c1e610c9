// Layers chosen by name (`layer-names`): a layer is named by a
// `sparse_train.layer` string attribute on its weight-gradient op, on a
// forward op reading its input or on the op defining its input, or by that
// attribute on the function result its weight gradient is returned as.
// Here a JAX-form three-layer step (dW_i = X_i^T G_i, the output gradients
// G_i as tangent arguments 4-6): layer 0 (input %x) is named 'embed' by its
// forward product, layer 1 (%h1) 'fc2' by its gradient op, layer 2 (%h2)
// 'head' by the result attribute of its gradient, returned transposed.
// RUN: sparse-train-opt %s --sparse-train-apply-min-k="forward-results=1 tangents=4,5,6 layer-names=fc2" 2>%t.fc2 | FileCheck %s --check-prefix=FC2
// RUN: FileCheck %s --check-prefix=FC2-REMARK < %t.fc2
// RUN: sparse-train-opt %s --sparse-train-apply-min-k="forward-results=1 tangents=4,5,6 layer-names=head,embed" -o /dev/null 2>&1 | FileCheck %s --check-prefix=ENDS
// RUN: sparse-train-opt %s --sparse-train-apply-min-k="forward-results=1 tangents=4,5,6 layers=0 layer-names=head" -o /dev/null 2>&1 | FileCheck %s --check-prefix=ENDS
// RUN: sparse-train-opt %s --sparse-train-apply="techniques=block-prune block-rows=2 block-cols=2 forward-results=1 tangents=4,5,6 layer-names=fc2" -o /dev/null 2>&1 | FileCheck %s --check-prefix=PRUNE

// FC2-LABEL: func.func @three_layers
// FC2-COUNT-1: sparse_train.min_k_retain
// FC2: sparse_train.min_k_weight_grad %{{.*}}, %arg5 : {{.*}} -> tensor<6x6xf32>
// FC2-NOT: sparse_train.min_k_weight_grad
// FC2-REMARK-DAG: remark: layer 0 'embed': not rewritten to sparse_train.min_k_weight_grad: not among the chosen layers
// FC2-REMARK-DAG: remark: layer 1 'fc2': weight gradient rewritten to sparse_train.min_k_weight_grad
// FC2-REMARK-DAG: remark: layer 2 'head': not rewritten to sparse_train.min_k_weight_grad: not among the chosen layers

// ENDS-DAG: remark: layer 0 'embed': weight gradient rewritten to sparse_train.min_k_weight_grad
// ENDS-DAG: remark: layer 1 'fc2': not rewritten to sparse_train.min_k_weight_grad: not among the chosen layers
// ENDS-DAG: remark: layer 2 'head': weight gradient rewritten to sparse_train.min_k_weight_grad

// PRUNE-DAG: remark: layer 0 'embed': not rewritten to sparse_train.bsr_matmul: not among the chosen layers
// PRUNE-DAG: remark: layer 1 'fc2': weight gradient rewritten to sparse_train.bsr_matmul
// PRUNE-DAG: remark: layer 2 'head': not rewritten to sparse_train.bsr_matmul: not among the chosen layers

#tn = [affine_map<(i, j, k) -> (k, i)>, affine_map<(i, j, k) -> (k, j)>, affine_map<(i, j, k) -> (i, j)>]
func.func @three_layers(%x: tensor<8x4xf32>, %w1: tensor<4x6xf32>, %w2: tensor<6x6xf32>, %w3: tensor<6x2xf32>,
                        %g1: tensor<8x6xf32>, %g2: tensor<8x6xf32>, %g3: tensor<8x2xf32>)
    -> (tensor<8x2xf32>, tensor<4x6xf32>, tensor<6x6xf32>, tensor<2x6xf32> {sparse_train.layer = "head"}) {
  %c0 = arith.constant 0.0 : f32
  %e86 = tensor.empty() : tensor<8x6xf32>
  %z86 = linalg.fill ins(%c0 : f32) outs(%e86 : tensor<8x6xf32>) -> tensor<8x6xf32>
  %h1 = linalg.matmul {sparse_train.layer = "embed"} ins(%x, %w1 : tensor<8x4xf32>, tensor<4x6xf32>) outs(%z86 : tensor<8x6xf32>) -> tensor<8x6xf32>
  %h2 = linalg.matmul ins(%h1, %w2 : tensor<8x6xf32>, tensor<6x6xf32>) outs(%z86 : tensor<8x6xf32>) -> tensor<8x6xf32>
  %e82 = tensor.empty() : tensor<8x2xf32>
  %z82 = linalg.fill ins(%c0 : f32) outs(%e82 : tensor<8x2xf32>) -> tensor<8x2xf32>
  %y = linalg.matmul ins(%h2, %w3 : tensor<8x6xf32>, tensor<6x2xf32>) outs(%z82 : tensor<8x2xf32>) -> tensor<8x2xf32>
  %e46 = tensor.empty() : tensor<4x6xf32>
  %z46 = linalg.fill ins(%c0 : f32) outs(%e46 : tensor<4x6xf32>) -> tensor<4x6xf32>
  %dw1 = linalg.matmul indexing_maps = #tn ins(%x, %g1 : tensor<8x4xf32>, tensor<8x6xf32>) outs(%z46 : tensor<4x6xf32>) -> tensor<4x6xf32>
  %e66 = tensor.empty() : tensor<6x6xf32>
  %z66 = linalg.fill ins(%c0 : f32) outs(%e66 : tensor<6x6xf32>) -> tensor<6x6xf32>
  %dw2 = linalg.matmul indexing_maps = #tn {sparse_train.layer = "fc2"} ins(%h1, %g2 : tensor<8x6xf32>, tensor<8x6xf32>) outs(%z66 : tensor<6x6xf32>) -> tensor<6x6xf32>
  %e62 = tensor.empty() : tensor<6x2xf32>
  %z62 = linalg.fill ins(%c0 : f32) outs(%e62 : tensor<6x2xf32>) -> tensor<6x2xf32>
  %dw3 = linalg.matmul indexing_maps = #tn ins(%h2, %g3 : tensor<8x6xf32>, tensor<8x2xf32>) outs(%z62 : tensor<6x2xf32>) -> tensor<6x2xf32>
  %e26 = tensor.empty() : tensor<2x6xf32>
  %dw3t = linalg.transpose ins(%dw3 : tensor<6x2xf32>) outs(%e26 : tensor<2x6xf32>) permutation = [1, 0]
  return %y, %dw1, %dw2, %dw3t : tensor<8x2xf32>, tensor<4x6xf32>, tensor<6x6xf32>, tensor<2x6xf32>
}
