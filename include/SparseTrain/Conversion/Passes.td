//===- Passes.td - sparse_train conversion passes ----------*- tablegen -*-===//
//
// Conversions of sparse_train ops into upstream dialects.
//
//===----------------------------------------------------------------------===//

#ifndef SPARSETRAIN_CONVERSION_PASSES_TD
#define SPARSETRAIN_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertSparseTrainToLoopsPass
    : Pass<"convert-sparse-train-to-loops", "::mlir::ModuleOp"> {
  let summary = "Lower sparse_train ops to reference loops (the correctness oracle)";
  let description = [{
    Lowers every sparse_train op into upstream dialects with exactly the
    semantics of its contract, favouring code that is obviously right over
    fast code: every faster lowering is tested against this one.

    The lowering happens on tensors, before bufferization. Slices become
    `tensor.extract_slice`/`tensor.insert_slice` and `linalg.generic`; the
    other ops become `scf.for` loops over memrefs reached through
    `bufferization.to_buffer`, with results handed back through
    `bufferization.to_tensor`. `block_prune` builds its BSR result with
    `sparse_tensor.assemble` and `bsr_matmul` reads the buffers of its BSR
    operand with `sparse_tensor.positions/coordinates/values`, so the upstream
    sparsifier finishes the job.

    The type `!sparse_train.retained` is taken apart 1:N into its values
    (`tensor<K x elt>`) and positions (`tensor<ceil(n/32) x i32>` for
    `bitmask`, `tensor<K x i32|i64>` for `indices`) everywhere, function
    signatures, calls, returns and `scf` control flow included.

    Arithmetic on f16 and bf16 happens in f32 (extended on load, truncated
    once on store). Example:

    ```mlir
    %r = sparse_train.min_k_retain %x keep_ratio = 0.1 : tensor<64xf32>
    ```

    becomes, in outline, a radix selection of the 6 largest magnitudes over
    the bit patterns of `|x|` followed by a compaction loop that fills a
    `memref<6xf32>` of values and a `memref<2xi32>` bitmask.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::cf::ControlFlowDialect",
    "::mlir::func::FuncDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::sparse_tensor::SparseTensorDialect",
    "::mlir::tensor::TensorDialect"
  ];
  let options = [
    Option<"runtimeChecks", "runtime-checks", "bool", /*default=*/"false",
           "Check dynamic slice starts at run time (cf.assert)">
  ];
}

def ConvertSparseTrainToCPUPass
    : Pass<"convert-sparse-train-to-cpu", "::mlir::ModuleOp"> {
  let summary = "Lower sparse_train ops to vectorized CPU kernels where they exist";
  let description = [{
    The CPU lowering: vector-dialect kernels sized to the target's vector
    registers (`vector-bits`) for the ops and forms they cover, and the
    reference lowering of `convert-sparse-train-to-loops` for everything
    else. Every kernel is tested against the reference by the differential
    suite.

    Covered today: `bsr_matmul` with a BSR left operand in its four transpose
    forms, f32. `op(B)` is packed once per call into panels of six vectors of
    columns (with `transpose_b`, square tiles of one vector per side are
    transposed in registers with shuffles, where the vector's lanes are a
    power of two); with `transpose_a` the stored blocks are regrouped by block
    column (a stable counting sort) and copied in that order, each block
    transposed so that the kernel reads its rows (a temporary the size of the
    stored values; blocks whose sides are multiples of a vector are transposed
    the same way). The
    contraction runs in slices that hold about
    `panel-depth` panel rows of stored blocks per output block row (fewer, wider
    slices for sparser operands, so output tiles are not reloaded for one
    block); within a slice, output block rows run in parallel (`scf.parallel`,
    mapped to OpenMP by `sparse-train-to-cpu` unless `num-threads=1`) in parts
    of about equal work (two units per stored block, one per row, so that
    threads given equal numbers of consecutive parts get equal work however the
    blocks fall), and each tile of up to 4 rows x 6 vectors of accumulators is
    updated with `vector.fma` by the row's blocks of the slice, then stored once
    (masked at the right edge; with streaming stores when the contraction runs
    in one slice and the output rows are a multiple of a vector long, so that
    the output lines are not read for ownership). Products whose slice of panels
    exceeds `panel-cache-kib` run over blocks of output columns of equal width:
    each block's panels are packed just before every slice and output block row
    applies them, while they are still in the cache (the stored blocks are read
    once per column block). Without `transpose_b`, when the stored blocks number
    at most `in-place-uses` per contraction block (tested at run time), `B` is
    not packed: the micro-kernel reads its rows in place. Each output row has
    one owner and the summation order is fixed, so results need no atomics and
    do not depend on the number of threads.

    `block_prune` on f32: each block's score accumulates in a vector over
    its rows (the rows of a block row read whole, one after the other) and
    reduces once; the scores and the copy of the kept blocks run in
    parallel over block rows, each row's blocks from its own position; the
    selection (exact top-k of i32 keys) runs on one thread.

    `min_k_retain` on f32: i32 magnitude keys; a strided sample of at most
    65536 keys brackets the K-th largest key (two-level histogram); one
    vector pass counts the keys above the bracket and compress-stores those
    inside it (a second pass takes every key if the bracket missed, so the
    result is exact whatever the data); the histogram of the candidates
    gives the threshold and the number of ties kept; one vector pass
    compress-stores the kept values and indices (or ORs the mask bits into
    the bitmask), ties in index order. A bitmask retain keeping at most a
    fifth reads x once and fixes up what it stored. The passes over x run
    in parallel over chunks of 16384 elements: each chunk has its own
    counts and writes its own scratch slots and bitmask words, from an
    output position computed by a prefix over the chunks, so the result
    does not depend on the number of threads. Rows shorter than 65536 or
    whose bitmask words would straddle two rows, and other element types,
    keep the reference loops.

    `min_k_restore` on f32, in parallel over the same chunks: expanding
    loads from each chunk's first value (a popcount of the bitmask and a
    prefix first), or a zero fill and a scatter (indices).
    `min_k_weight_grad`, linear form on f32: with at most 15 % kept,
    straight from the retained form (entries grouped by column, the rows of
    dW summed in registers, in parallel); above, `min_k_restore` +
    `linalg.matmul` with a transposed left operand, which
    `sparse-train-to-cpu` runs through BLAS.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::cf::ControlFlowDialect",
    "::mlir::func::FuncDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::sparse_tensor::SparseTensorDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect",
    "::mlir::x86vector::X86VectorDialect"
  ];
  let options = [
    Option<"runtimeChecks", "runtime-checks", "bool", /*default=*/"false",
           "Check dynamic slice starts at run time (cf.assert)">,
    Option<"vectorBits", "vector-bits", "unsigned", /*default=*/
           "::mlir::sparse_train::CPULoweringOptions().vectorBits",
           "Width of the target's vector registers in bits (512 for AVX-512, 256 for AVX2)">,
    Option<"panelDepth", "panel-depth", "unsigned", /*default=*/
           "::mlir::sparse_train::CPULoweringOptions().panelDepth",
           "Rows of a packed panel applied to an output tile between two "
           "passes over it (bsr_matmul's contraction blocking: fewer, longer "
           "slices reload output tiles less often; 512 measured best or "
           "within noise of it at N = 1024 and 4096)">,
    Option<"panelCacheKiB", "panel-cache-kib", "unsigned", /*default=*/
           "::mlir::sparse_train::CPULoweringOptions().panelCacheKiB",
           "KiB of a contraction slice's packed panels that bsr_matmul "
           "keeps in cache: wider products run over blocks of output "
           "columns, each packed just before its product (0: no column "
           "blocking; 1024, half a 2 MiB L2, measured best or within noise "
           "of 1536-2048 on an Intel Xeon at N = 1024 and 4096, where 8192 "
           "was up to 25 % slower; on a Zen 4 with a 32 MiB L3, 8192 was "
           "level with 2048-4096)">,
    Option<"inPlaceUses", "in-place-uses", "unsigned", /*default=*/
           "::mlir::sparse_train::CPULoweringOptions().inPlaceUses",
           "Without transpose_b, bsr_matmul reads B in place instead of "
           "packing it into panels when its stored blocks number at most "
           "this many per contraction block (a run-time test; 0, the "
           "default: always pack, and the in-place loops are not emitted; "
           "4 gained 5-17 % at density 0.1 on a Zen 4 but lost up to 4x on "
           "an Intel Xeon, where rows of B a page apart share L1 sets)">,
    Option<"x86Compress", "x86-compress", "bool", /*default=*/
           "::mlir::sparse_train::CPULoweringOptions().x86Compress",
           "With 16-lane vectors, compress-stores as an AVX-512 register "
           "compress and a masked store (the memory form of vpcompressd "
           "is microcode on AMD Zen 4/5); the code then needs an AVX-512 "
           "target">
  ];
}

def ConvertSparseTrainToGPUPass
    : Pass<"convert-sparse-train-to-gpu", "::mlir::ModuleOp"> {
  let summary = "Lower sparse_train ops to GPU kernels (gpu.launch and "
                "scf.parallel nests that sparse-train-gpu-map-parallel-loops "
                "maps to blocks and threads)";
  let description = [{
    The GPU lowering, on tensors before bufferization like the reference
    lowering: operands are reached through `bufferization.to_buffer`, results
    handed back through `bufferization.to_tensor`, and every kernel is one of

    - a `gpu.launch` of 256-thread blocks that cooperate through workgroup
      (shared) memory and barriers: `min_k_retain` (one block per selection
      set: an exact radix select of the K-th largest magnitude key with
      256-bucket shared-memory histograms, then a deterministic compaction
      whose per-thread counts are scanned in shared memory; ties by lowest
      index, values in index order), the top-k of `block_prune`'s blocks
      (the same kernel) and its positions (a shared-memory scan), and the
      bitmask form of `min_k_restore` (per-thread popcounts scanned in
      shared memory), and `bsr_matmul` with a BSR left operand (one block
      per output panel, stored blocks and dense tiles staged in shared
      memory); `slice_start` is a one-thread launch running the reference's
      Philox4x32-10 arith ops (so the same bits);
    - a warp kernel for `conv2d_zero_skip`: each warp owns an output
      position and 32 output channels, votes (`nvvm.vote.sync ballot`) on
      which of 32 input channels are non-zero and walks the set bits,
      broadcasting each value with `gpu.shuffle idx`;
    - an `scf.parallel` nest over the elements a kernel writes, each
      iteration owning its element (no atomics except the OR of bitmask
      bits): `min_k_restore` (indices), `min_k_weight_grad` (both forms),
      `block_prune`'s scores and compaction, `bsr_matmul` with a BSR right
      operand and the two zero-skip convolution gradients. `sparse-train-to-nvvm` maps these nests to
      blocks and threads; the same nests also run on the CPU, which is how
      they are tested without a GPU (the block kernels through
      `sparse-train-gpu-launch-to-openmp`).

    `slice_drop` and `slice_expand` use the reference lowering (tensor slices
    and `linalg.generic`), which bufferizes to strided views and element-wise
    loops that the pipeline maps like any other dense linalg op.

    Forms without a GPU kernel (dynamic spatial sizes of a convolution's data
    gradient, a dynamic filter size of the filter gradients) are reported
    with an error naming the op; nothing falls back to host code.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::func::FuncDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::math::MathDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::NVVM::NVVMDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::sparse_tensor::SparseTensorDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def SparseTrainX86RegisterExpandPass
    : Pass<"sparse-train-x86-register-expand", "::mlir::func::FuncOp"> {
  let summary = "Expand-loads of 16 x 32 bits as a masked load and an AVX-512 register expand";
  let description = [{
    Rewrites each `vector.expandload` of 16 lanes of 32 bits (the
    `min_k_restore` kernel's) into a `vector.maskedload` of the leading
    popcount(mask) elements and a call of `llvm.x86.avx512.mask.expand`,
    the register form of `vexpandps`/`vpexpandd`: AMD's Zen 4 and 5 run the
    memory form, which LLVM selects for `vector.expandload`, as microcode.
    The result needs an AVX-512 target. `sparse-train-to-cpu` runs it with
    `x86-compress=true`, after buffer deallocation (which rejects the
    intrinsic call: its memory effects are unknown to it) and after the
    OpenMP conversion has inlined the loop bodies' `memref.alloca_scope`s
    (an op with unknown effects keeps a scope, which then cannot hold the
    blocks of lowered loops). Other expand-loads are left alone.

    ```mlir
    %v = vector.expandload %m[%i], %mask, %zero
        : memref<?xf32>, vector<16xi1>, vector<16xf32> into vector<16xf32>
    // becomes
    %packed = vector.maskedload %m[%i], %leading, %zero : ...
    %v = llvm.call_intrinsic "llvm.x86.avx512.mask.expand"(%packed, %zero, %mask)
        : (vector<16xf32>, vector<16xf32>, vector<16xi1>) -> vector<16xf32>
    ```
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::math::MathDialect",
    "::mlir::vector::VectorDialect"
  ];
}

def SparseTrainGPUMapParallelLoopsPass
    : Pass<"sparse-train-gpu-map-parallel-loops", "::mlir::func::FuncOp"> {
  let summary = "Prepare host-side scf.parallel nests and copies for "
                "convert-parallel-loops-to-gpu";
  let description = [{
    Every outermost `scf.parallel` of host code (not inside a `gpu.launch`)
    is collapsed to one dimension, tiled by `block-size` and mapped: tiles to
    `block_x`, iterations of a tile to `thread_x`, deeper nests to
    sequential loops. Host `memref.copy` ops become such a loop first, so
    that copies between buffers run on the device. Loops with reductions are
    left alone (and stay on the host).
  }];
  let dependentDialects = [
    "::mlir::affine::AffineDialect",
    "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect"
  ];
  let options = [
    Option<"blockSize", "block-size", "unsigned", /*default=*/"256",
           "Threads per block of the mapped loops (1 to 1024)">
  ];
}

def SparseTrainGPUHostSharedBuffersPass
    : Pass<"sparse-train-gpu-host-shared-buffers", "::mlir::ModuleOp"> {
  let summary = "Allocate host-side buffers as CUDA managed memory";
  let description = [{
    The memory model of `sparse-train-to-nvvm`: every buffer that host code
    allocates (`memref.alloc`) becomes `gpu.alloc host_shared` (managed
    memory, `cuMemAllocManaged`), and `memref.dealloc` becomes a
    `gpu.dealloc` on a stream that is waited for. Kernels are launched
    synchronously, so host code (scalar reads such as a slice start, the
    sparsifier's host loops) and kernels see the same bytes without copies.
    Function arguments must be device-accessible (managed memory, or any
    memory on systems with heterogeneous memory management). A global
    (`memref.get_global`, e.g. a constant) that a kernel reads is copied
    into managed memory at the entry of its function and freed before every
    return; a kernel that reads a stack buffer (`memref.alloca`) is an
    error.
  }];
  let dependentDialects = [
    "::mlir::gpu::GPUDialect",
    "::mlir::memref::MemRefDialect"
  ];
}

def SparseTrainGPUBufferDeallocationPass
    : Pass<"sparse-train-gpu-buffer-deallocation", "::mlir::func::FuncOp"> {
  let summary = "Ownership-based buffer deallocation of host functions that "
                "do not free memory themselves";
  let description = [{
    Runs MLIR's ownership-based buffer deallocation on the function unless it
    already frees memory itself (`memref.dealloc` or `gpu.dealloc`: programs
    written against the gpu dialect's explicit memory ops, which the
    upstream analysis rejects). Kernels must be outlined first: the analysis
    does not understand `gpu.launch` bodies.
  }];
  let dependentDialects = [
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect"
  ];
}

def SparseTrainGPULaunchToOpenMPPass
    : Pass<"sparse-train-gpu-launch-to-openmp", "::mlir::ModuleOp"> {
  let summary = "Run gpu.launch kernels on the CPU: blocks in sequence, the "
                "threads of a block as OpenMP threads (testing without a GPU)";
  let description = [{
    Emulates each `gpu.launch` on the host, so that the block-cooperative
    kernels of `convert-sparse-train-to-gpu` (shared memory, barriers,
    atomics) can run and be compared with the reference lowering where no
    GPU exists. The blocks of the grid run one after another (`scf.for`);
    the threads of a block are the threads of one `omp.parallel` region with
    exactly as many threads (checked at run time), `gpu.barrier` becomes
    `omp.barrier`, and workgroup buffers become host buffers shared by the
    region's threads. Use it before `sparse-train-to-cpu` (with more than
    one thread, so that OpenMP is lowered). Kernels with warp-level ops
    (`nvvm.vote.sync ballot`, `gpu.shuffle idx`, `nvvm.mma.sync` of shape
    m16n8k16 with f16/bf16 multiplicands and f32 accumulators) and no block
    barrier run one warp at a time, its 32 lanes as the team, each warp op
    an exchange through team-shared buffers between two barriers (an MMA:
    the lanes' fragments gathered into the A and B matrices, then each
    lane's accumulators computed in depth order). Launches that are
    asynchronous, use dynamic shared memory, private buffers or several
    blocks in their body, and warp kernels in blocks that are not whole
    one-dimensional warps, are reported as errors.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::cf::ControlFlowDialect",
    "::mlir::func::FuncDialect",
    "::mlir::memref::MemRefDialect",
    "::mlir::LLVM::LLVMDialect",
    "::mlir::omp::OpenMPDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::vector::VectorDialect"
  ];
}

#endif // SPARSETRAIN_CONVERSION_PASSES_TD
