// block_prune produces a real upstream BSR tensor: the sparse_tensor ops read
// its buffers and convert it, and bsr_matmul accepts BSR tensors built by
// sparse_tensor.assemble with 64-bit positions and coordinates (torch-mlir's
// widths).
// RUN: sparse-train-opt %s | sparse-train-opt | FileCheck %s

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>
#BSR64 = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense), posWidth = 64, crdWidth = 64}>

// CHECK-LABEL: func.func @read_buffers
//       CHECK: %[[P:.*]] = sparse_train.block_prune
//       CHECK: sparse_tensor.positions %[[P]] {level = 1 : index}
//       CHECK: sparse_tensor.coordinates %[[P]] {level = 1 : index}
//       CHECK: sparse_tensor.values %[[P]]
//       CHECK: sparse_tensor.convert %[[P]]
func.func @read_buffers(%x: tensor<4x4xf32>) -> (memref<?xindex>, memref<?xindex>, memref<?xf32>, tensor<4x4xf32>) {
  %p = sparse_train.block_prune %x block = [2, 2] score = l1 select = row_top_k keep_per_row = 1
      : tensor<4x4xf32> -> tensor<4x4xf32, #BSR>
  %pos = sparse_tensor.positions %p {level = 1 : index} : tensor<4x4xf32, #BSR> to memref<?xindex>
  %crd = sparse_tensor.coordinates %p {level = 1 : index} : tensor<4x4xf32, #BSR> to memref<?xindex>
  %val = sparse_tensor.values %p : tensor<4x4xf32, #BSR> to memref<?xf32>
  %d = sparse_tensor.convert %p : tensor<4x4xf32, #BSR> to tensor<4x4xf32>
  return %pos, %crd, %val, %d : memref<?xindex>, memref<?xindex>, memref<?xf32>, tensor<4x4xf32>
}

// CHECK-LABEL: func.func @assembled_operand
//       CHECK: %[[A:.*]] = sparse_tensor.assemble
//       CHECK: sparse_train.bsr_matmul %[[A]], %{{.*}} : tensor<4x4xf32, #{{.*}}>, tensor<4x3xf32> -> tensor<4x3xf32>
func.func @assembled_operand(%pos: tensor<3xi64>, %crd: tensor<2xi64>, %val: tensor<8xf32>,
                             %w: tensor<4x3xf32>) -> tensor<4x3xf32> {
  %a = sparse_tensor.assemble (%pos, %crd), %val
      : (tensor<3xi64>, tensor<2xi64>), tensor<8xf32> to tensor<4x4xf32, #BSR64>
  %y = sparse_train.bsr_matmul %a, %w : tensor<4x4xf32, #BSR64>, tensor<4x3xf32> -> tensor<4x3xf32>
  return %y : tensor<4x3xf32>
}
