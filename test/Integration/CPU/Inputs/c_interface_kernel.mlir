// Compiled ahead of time by c_interface.test and called from C.
func.func @drop_and_retain(%x: tensor<2x8xf32>, %s: index)
    -> (tensor<2x4xf32>, !sparse_train.retained<2x8xf32, kept = 3, indices>)
    attributes {llvm.emit_c_interface} {
  %y = sparse_train.slice_drop %x, %s dim = 1, width = 4 : tensor<2x8xf32>
  %r = sparse_train.min_k_retain %x keep = 3 encoding = indices : tensor<2x8xf32>
  return %y, %r : tensor<2x4xf32>, !sparse_train.retained<2x8xf32, kept = 3, indices>
}
