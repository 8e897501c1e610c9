// sparse-train-to-cpu frees what it allocates: the temporaries of the
// reference kernels (keys and marks of min_k_retain) and the intermediate
// retained buffers are released, only the returned tensor is not.
// RUN: sparse-train-opt %s --sparse-train-to-cpu | FileCheck %s
// CHECK-LABEL: llvm.func @restore_of_retain
// CHECK-COUNT-4: llvm.call @free
// CHECK: llvm.return

func.func @restore_of_retain(%x: tensor<64x64xf32>) -> tensor<64x64xf32> {
  %r = sparse_train.min_k_retain %x keep_ratio = 0.1 : tensor<64x64xf32>
  %d = sparse_train.min_k_restore %r : !sparse_train.retained<64x64xf32, kept = 410, bitmask>
  return %d : tensor<64x64xf32>
}
