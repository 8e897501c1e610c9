// sparse-train-memory-report on torch-mlir's MLP joint step (the saved
// values are those of PyTorch's partitioner: x and the ReLU output h as
// activations, W2 as a parameter) and on a step whose saved activations use
// the techniques' stored forms.
// RUN: sparse-train-opt %S/Inputs/mlp_joint_step.mlir --sparse-train-memory-report="tangents=5" -o /dev/null 2>&1 | FileCheck %s --check-prefix=MLP
// RUN: sparse-train-opt %S/Inputs/mlp_joint_step.mlir --sparse-train-memory-report="tangents=5 format=json output=-" -o /dev/null | FileCheck %s --check-prefix=JSON
// RUN: sparse-train-opt %s --sparse-train-memory-report="tangents=2 output=%t.txt" | FileCheck %s --check-prefix=IR
// RUN: FileCheck %s < %t.txt

// MLP: memory report for @train_step: 1 forward result(s)
// MLP-NEXT: saved activations:
// MLP-NEXT:   argument 0 at {{.*}}mlp_joint_step.mlir":7:{{[0-9]+}}): tensor<4x8xf32>: 128 B dense, 128 B stored, read by 1 backward op(s)
// MLP-NEXT:   linalg.generic at {{.*}}: tensor<4x16xf32>: 256 B dense, 256 B stored, read by 2 backward op(s)
// MLP-NEXT: total saved activations: 2 value(s), 384 B dense, 384 B stored (100.0 %)
// MLP-NEXT: peak of live saved activations: 384 B dense, 384 B stored (100.0 %)
// MLP-NEXT: saved parameters: 1 value(s), 192 B

// JSON: "function": "train_step"
// JSON: "total": {
// JSON-NEXT: "complete": true,
// JSON-NEXT: "dense_bytes": 384,
// JSON-NEXT: "stored_bytes": 384

// The IR is unchanged.
// IR: func.func @stored_forms
// IR: sparse_train.min_k_retain

// The marked argument is the only parameter (without the mark, x would be
// one: a gradient result has its type). Saved: x retained (keep 0.25, bitmask: 64 values + 8 words of 32 bits),
// h sliced to 16 of 64 units, and p pruned to a quarter of its 8x8 blocks
// (4 blocks of 64 floats, 3 positions and 4 coordinates of 32 bits).
// CHECK: memory report for @stored_forms: 1 forward result(s)
// CHECK: sparse_train.min_k_retain at {{.*}}: !sparse_train.retained<16x16xf32, kept = 64, bitmask>: 1024 B dense, 288 B stored, read by 1 backward op(s)
// CHECK: sparse_train.slice_drop at {{.*}}: tensor<16x16xf32>: 4096 B dense, 1024 B stored, read by 1 backward op(s)
// CHECK: sparse_train.block_prune at {{.*}}: tensor<16x32xf32, #sparse{{.*}}>: 2048 B dense, 1052 B stored, read by 1 backward op(s)
// CHECK: total saved activations: 3 value(s), 7168 B dense, 2364 B stored (33.0 %)
#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 8 : dense, j floordiv 8 : compressed, i mod 8 : dense, j mod 8 : dense), posWidth = 32, crdWidth = 32}>
func.func @stored_forms(%x: tensor<16x16xf32>, %h: tensor<16x64xf32>, %gy: tensor<16x16xf32>, %q: tensor<16x32xf32>, %seed: i64,
                        %w: tensor<16x16xf32> {sparse_train.param})
    -> (tensor<16x16xf32>, tensor<16x16xf32>, tensor<16x16xf32>, tensor<32x16xf32>) {
  %r = sparse_train.min_k_retain %x keep_ratio = 0.25 encoding = bitmask : tensor<16x16xf32>
  %c0 = arith.constant 0 : i64
  %s = sparse_train.slice_start %seed, %c0 extent = 64, width = 16
  %hs = sparse_train.slice_drop %h, %s dim = 1, width = 16 : tensor<16x64xf32>
  %p = sparse_train.block_prune %q block = [8, 8] score = l1 select = global_top_k keep_ratio = 0.5 : tensor<16x32xf32> -> tensor<16x32xf32, #BSR>
  // Forward result.
  %y = arith.addf %x, %hs : tensor<16x16xf32>
  // Gradients, each reading one saved value.
  %dw = sparse_train.min_k_weight_grad %r, %gy : !sparse_train.retained<16x16xf32, kept = 64, bitmask>, tensor<16x16xf32> -> tensor<16x16xf32>
  %g2 = arith.mulf %hs, %gy : tensor<16x16xf32>
  %g3 = sparse_train.bsr_matmul %p, %gy transpose_a : tensor<16x32xf32, #BSR>, tensor<16x16xf32> -> tensor<32x16xf32>
  return %y, %dw, %g2, %g3 : tensor<16x16xf32>, tensor<16x16xf32>, tensor<16x16xf32>, tensor<32x16xf32>
}
