// block_prune and bsr_matmul compiled and run: the three scores, the three
// selections, the BSR buffers, and every transpose form of the product.
// RUN: sparse-train-opt %s --sparse-train-to-cpu | %run_cpu | FileCheck %s

#BSR = #sparse_tensor.encoding<{map = (i, j) -> (i floordiv 2 : dense, j floordiv 2 : compressed, i mod 2 : dense, j mod 2 : dense)}>

func.func private @printMemrefF32(memref<*xf32>) attributes {llvm.emit_c_interface}

func.func @print(%t: tensor<?x?xf32>) {
  %m = bufferization.to_buffer %t : tensor<?x?xf32> to memref<?x?xf32>
  %u = memref.cast %m : memref<?x?xf32> to memref<*xf32>
  call @printMemrefF32(%u) : (memref<*xf32>) -> ()
  return
}

func.func @print_bsr(%p: tensor<4x4xf32, #BSR>) {
  %d = sparse_tensor.convert %p : tensor<4x4xf32, #BSR> to tensor<4x4xf32>
  %c = tensor.cast %d : tensor<4x4xf32> to tensor<?x?xf32>
  call @print(%c) : (tensor<?x?xf32>) -> ()
  %pos = sparse_tensor.positions %p {level = 1 : index} : tensor<4x4xf32, #BSR> to memref<?xindex>
  %crd = sparse_tensor.coordinates %p {level = 1 : index} : tensor<4x4xf32, #BSR> to memref<?xindex>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %p1 = memref.load %pos[%c1] : memref<?xindex>
  %p2 = memref.load %pos[%c2] : memref<?xindex>
  vector.print %p1 : index
  vector.print %p2 : index
  return
}

func.func @main() {
  // Block scores (2x2 blocks): l1 [4, 20; 9, 8], l2 [2, 10; 9, 4],
  // max_abs [1, 5; 9, 2].
  %x = arith.constant dense<[[1.0, 1.0, 5.0, 5.0], [1.0, 1.0, 5.0, 5.0],
                             [0.0, 0.0, 2.0, 2.0], [9.0, 0.0, 2.0, 2.0]]> : tensor<4x4xf32>
  // global top 2 by l1: blocks (0, 1) and (1, 0).
  // CHECK: {{\[}}[0, 0, 5, 5],
  // CHECK-NEXT: [0, 0, 5, 5],
  // CHECK-NEXT: [0, 0, 0, 0],
  // CHECK-NEXT: [9, 0, 0, 0]]
  // CHECK-NEXT: 1
  // CHECK-NEXT: 2
  %a = sparse_train.block_prune %x block = [2, 2] score = l1 select = global_top_k keep_ratio = 0.5 : tensor<4x4xf32> -> tensor<4x4xf32, #BSR>
  call @print_bsr(%a) : (tensor<4x4xf32, #BSR>) -> ()
  // One block per block row by l2: (0, 1) and (1, 0).
  // CHECK: {{\[}}[0, 0, 5, 5],
  // CHECK: [9, 0, 0, 0]]
  %b = sparse_train.block_prune %x block = [2, 2] score = l2 select = row_top_k keep_per_row = 1 : tensor<4x4xf32> -> tensor<4x4xf32, #BSR>
  call @print_bsr(%b) : (tensor<4x4xf32, #BSR>) -> ()
  // max_abs > 2 (strict): blocks (0, 1) and (1, 0); (1, 1) scores exactly 2.
  // CHECK: {{\[}}[0, 0, 5, 5],
  // CHECK-NEXT: [0, 0, 5, 5],
  // CHECK-NEXT: [0, 0, 0, 0],
  // CHECK-NEXT: [9, 0, 0, 0]]
  %c = sparse_train.block_prune %x block = [2, 2] score = max_abs select = threshold threshold = 2.0 : tensor<4x4xf32> -> tensor<4x4xf32, #BSR>
  call @print_bsr(%c) : (tensor<4x4xf32, #BSR>) -> ()

  // Products with the pruned %a in every transpose form.
  %w = arith.constant dense<[[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 0.0]]> : tensor<4x2xf32>
  // CHECK: {{\[}}[15, 5],
  // CHECK-NEXT: [15, 5],
  // CHECK-NEXT: [0, 0],
  // CHECK-NEXT: [9, 0]]
  %y = sparse_train.bsr_matmul %a, %w : tensor<4x4xf32, #BSR>, tensor<4x2xf32> -> tensor<4x2xf32>
  %py = tensor.cast %y : tensor<4x2xf32> to tensor<?x?xf32>
  call @print(%py) : (tensor<?x?xf32>) -> ()
  // X̂ᵀ X: row 0 of X̂ᵀ is column 0 of X̂ = [0, 0, 0, 9].
  // CHECK: {{\[}}[81, 0, 18, 18],
  // CHECK-NEXT: [0, 0, 0, 0],
  // CHECK-NEXT: [10, 10, 50, 50],
  // CHECK-NEXT: [10, 10, 50, 50]]
  %g = sparse_train.bsr_matmul %a, %x transpose_a : tensor<4x4xf32, #BSR>, tensor<4x4xf32> -> tensor<4x4xf32>
  %pg = tensor.cast %g : tensor<4x4xf32> to tensor<?x?xf32>
  call @print(%pg) : (tensor<?x?xf32>) -> ()
  // Wᵀ X̂ (dense lhs transposed): [1 0 1 2]·X̂ = [18, 0, 5, 5], [0 1 1 0]·X̂ = [0, 0, 5, 5].
  // CHECK: {{\[}}[18, 0, 5, 5],
  // CHECK-NEXT: [0, 0, 5, 5]]
  %h = sparse_train.bsr_matmul %w, %a transpose_a : tensor<4x2xf32>, tensor<4x4xf32, #BSR> -> tensor<2x4xf32>
  %ph = tensor.cast %h : tensor<2x4xf32> to tensor<?x?xf32>
  call @print(%ph) : (tensor<?x?xf32>) -> ()
  // Wᵀ X̂ᵀ (both transposed): entry (i, n) is W[:, i]·X̂[n, :].
  // CHECK: {{\[}}[15, 15, 0, 9],
  // CHECK-NEXT: [5, 5, 0, 0]]
  %t = sparse_train.bsr_matmul %w, %a transpose_a transpose_b : tensor<4x2xf32>, tensor<4x4xf32, #BSR> -> tensor<2x4xf32>
  %pt = tensor.cast %t : tensor<2x4xf32> to tensor<?x?xf32>
  call @print(%pt) : (tensor<?x?xf32>) -> ()
  return
}
