// Convolutions in the forms sparse-train-apply-zero-skip rewrites (see
// apply-zero-skip.mlir), for apply_zero_skip_exec.py.
#id = affine_map<(n, h, w, c) -> (n, h, w, c)>

func.func @forward_named(%x: tensor<2x8x8x16xf32>, %w: tensor<3x3x16x32xf32>) -> tensor<2x8x8x32xf32> attributes {llvm.emit_c_interface} {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x8x8x16xf32>
  %r = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<2x8x8x16xf32>) outs(%e : tensor<2x8x8x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m = arith.maximumf %a, %zero : f32
    linalg.yield %m : f32
  } -> tensor<2x8x8x16xf32>
  %p = tensor.pad %r low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %zero : f32
  } : tensor<2x8x8x16xf32> to tensor<2x10x10x16xf32>
  %ye = tensor.empty() : tensor<2x8x8x32xf32>
  %z = linalg.fill ins(%zero : f32) outs(%ye : tensor<2x8x8x32xf32>) -> tensor<2x8x8x32xf32>
  %y = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
      ins(%p, %w : tensor<2x10x10x16xf32>, tensor<3x3x16x32xf32>) outs(%z : tensor<2x8x8x32xf32>) -> tensor<2x8x8x32xf32>
  return %y : tensor<2x8x8x32xf32>
}

func.func @forward_generic_strided(%x: tensor<1x9x9x4xf32>, %w: tensor<3x3x4x8xf32>) -> tensor<1x3x4x8xf32> attributes {llvm.emit_c_interface} {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<1x9x9x4xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(n, h, w, c) -> (n, h, w, c)>, affine_map<(n, h, w, c) -> (n, h, w, c)>],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x9x9x4xf32>) outs(%e : tensor<1x9x9x4xf32>) {
  ^bb0(%a: f32, %o: f32):
    %c = arith.cmpf ugt, %a, %zero : f32
    %s = arith.select %c, %a, %zero : f32
    linalg.yield %s : f32
  } -> tensor<1x9x9x4xf32>
  %ye = tensor.empty() : tensor<1x3x4x8xf32>
  %z = linalg.fill ins(%zero : f32) outs(%ye : tensor<1x3x4x8xf32>) -> tensor<1x3x4x8xf32>
  %y = linalg.generic {indexing_maps = [
      affine_map<(n, a, b, f, p, q, c) -> (n, a * 2 + p * 2, b * 2 + q, c)>,
      affine_map<(n, a, b, f, p, q, c) -> (p, q, c, f)>,
      affine_map<(n, a, b, f, p, q, c) -> (n, a, b, f)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%r, %w : tensor<1x9x9x4xf32>, tensor<3x3x4x8xf32>) outs(%z : tensor<1x3x4x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x3x4x8xf32>
  return %y : tensor<1x3x4x8xf32>
}

func.func @backward_filter(%h: tensor<2x6x6x4xf32>, %dy: tensor<2x6x6x8xf32>) -> tensor<3x3x4x8xf32> attributes {llvm.emit_c_interface} {
  %zero = arith.constant 0.0 : f32
  %zeros = arith.constant dense<0.0> : tensor<2x6x6x4xf32>
  %r = arith.maximumf %h, %zeros : tensor<2x6x6x4xf32>
  %p = tensor.pad %r low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %zero : f32
  } : tensor<2x6x6x4xf32> to tensor<2x8x8x4xf32>
  %z = arith.constant dense<0.0> : tensor<3x3x4x8xf32>
  %dw = linalg.generic {indexing_maps = [
      affine_map<(p, q, c, f, n, i, j) -> (n, i + p, j + q, c)>,
      affine_map<(p, q, c, f, n, i, j) -> (n, i, j, f)>,
      affine_map<(p, q, c, f, n, i, j) -> (p, q, c, f)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%p, %dy : tensor<2x8x8x4xf32>, tensor<2x6x6x8xf32>) outs(%z : tensor<3x3x4x8xf32>) {
  ^bb0(%a: f32, %g: f32, %acc: f32):
    %m = arith.mulf %a, %g : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<3x3x4x8xf32>
  return %dw : tensor<3x3x4x8xf32>
}

func.func @backward_data(%g: tensor<2x6x6x8xf32>, %y: tensor<2x6x6x8xf32>, %w: tensor<3x3x4x8xf32>) -> tensor<2x6x6x4xf32> attributes {llvm.emit_c_interface} {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<2x6x6x8xf32>
  // threshold_backward: dy = y <= 0 ? 0 : g.
  %dy = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%g, %y : tensor<2x6x6x8xf32>, tensor<2x6x6x8xf32>) outs(%e : tensor<2x6x6x8xf32>) {
  ^bb0(%a: f32, %m: f32, %o: f32):
    %c = arith.cmpf ule, %m, %zero : f32
    %s = arith.select %c, %zero, %a : f32
    linalg.yield %s : f32
  } -> tensor<2x6x6x8xf32>
  %p = tensor.pad %dy low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %zero : f32
  } : tensor<2x6x6x8xf32> to tensor<2x8x8x8xf32>
  %xe = tensor.empty() : tensor<2x6x6x4xf32>
  %z = linalg.fill ins(%zero : f32) outs(%xe : tensor<2x6x6x4xf32>) -> tensor<2x6x6x4xf32>
  %dx = linalg.generic {indexing_maps = [
      affine_map<(n, i, j, c, p, q, f) -> (n, i + 2 - p, j + 2 - q, f)>,
      affine_map<(n, i, j, c, p, q, f) -> (p, q, c, f)>,
      affine_map<(n, i, j, c, p, q, f) -> (n, i, j, c)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%p, %w : tensor<2x8x8x8xf32>, tensor<3x3x4x8xf32>) outs(%z : tensor<2x6x6x4xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<2x6x6x4xf32>
  return %dx : tensor<2x6x6x4xf32>
}

func.func @forward_offset(%x: tensor<1x6x6x4xf32>, %w: tensor<3x3x4x8xf32>) -> tensor<1x6x6x8xf32> attributes {llvm.emit_c_interface} {
  %zero = arith.constant 0.0 : f32
  %zeros = arith.constant dense<0.0> : tensor<1x6x6x4xf32>
  %r = arith.maximumf %x, %zeros : tensor<1x6x6x4xf32>
  %p = tensor.pad %r low[0, 2, 2, 0] high[0, 2, 2, 0] {
  ^bb0(%i0: index, %i1: index, %i2: index, %i3: index):
    tensor.yield %zero : f32
  } : tensor<1x6x6x4xf32> to tensor<1x10x10x4xf32>
  %z = arith.constant dense<0.0> : tensor<1x6x6x8xf32>
  %y = linalg.generic {indexing_maps = [
      affine_map<(n, a, b, f, p, q, c) -> (n, a + p + 1, b + q + 1, c)>,
      affine_map<(n, a, b, f, p, q, c) -> (p, q, c, f)>,
      affine_map<(n, a, b, f, p, q, c) -> (n, a, b, f)>],
      iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
      ins(%p, %w : tensor<1x10x10x4xf32>, tensor<3x3x4x8xf32>) outs(%z : tensor<1x6x6x8xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } -> tensor<1x6x6x8xf32>
  return %y : tensor<1x6x6x8xf32>
}
