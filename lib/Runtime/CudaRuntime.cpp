//===- CudaRuntime.cpp - mgpu* functions on the CUDA driver API -----------===//
//
// The host runtime that code lowered by MLIR 22's `gpu-to-llvm` calls: module
// loading (cubin/fatbin, or PTX that the driver compiles), kernel launches,
// streams, events, device memory and host registration. Debian's MLIR does
// not ship upstream's libmlir_cuda_runtime.so, so the project provides this
// library, written from the ABI that `mlir-translate --mlir-to-llvmir` shows
// for 22.1.8 (see docs/GPU.md, "Runtime library").
//
// Everything uses the CUDA driver API (`cuda.h`): the library is linked
// against the toolkit's stub libcuda.so and resolves the driver's
// libcuda.so.1 at run time. Every entry point makes the primary context of
// the default device current for its duration (device 0 unless
// mgpuSetDefaultDevice chose another) and restores the caller's context
// afterwards. A failed driver call is reported on stderr with the call, the
// CUresult's name and description, and the source line; the entry point then
// returns (null where it returns a handle). The library never aborts and
// never throws.
//
//===----------------------------------------------------------------------===//

#include <cuda.h>

#include <atomic>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <mutex>

#define MGPU_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

/// The file name without its directories, for error messages.
const char *baseName(const char *path) {
  const char *slash = std::strrchr(path, '/');
  return slash ? slash + 1 : path;
}

/// Reports an error that is not a driver call's result.
void reportError(const char *function, const char *message, const char *file,
                 int line) {
  std::fprintf(stderr, "sparse_train_cuda_runtime: %s: %s [%s:%d]\n", function,
               message, baseName(file), line);
}

/// Reports `result` of the driver call spelled `call` when it is not
/// CUDA_SUCCESS; returns whether it is. With `quietIfDeinitialized`,
/// CUDA_ERROR_DEINITIALIZED (the driver already shut down at process exit)
/// counts as failure but is not printed.
bool checkResult(CUresult result, const char *call, const char *file, int line,
                 bool quietIfDeinitialized = false) {
  if (result == CUDA_SUCCESS)
    return true;
  if (quietIfDeinitialized && result == CUDA_ERROR_DEINITIALIZED)
    return false;
  const char *name = nullptr;
  const char *description = nullptr;
  if (cuGetErrorName(result, &name) != CUDA_SUCCESS || !name)
    name = "unknown CUresult";
  if (cuGetErrorString(result, &description) != CUDA_SUCCESS || !description)
    description = "no description";
  std::fprintf(stderr,
               "sparse_train_cuda_runtime: %s failed with %s (%d): %s "
               "[%s:%d]\n",
               call, name, static_cast<int>(result), description,
               baseName(file), line);
  return false;
}

} // namespace

/// Runs the driver call `expr`, reports a failure; evaluates to whether it
/// succeeded.
#define CUDA_CHECK(expr) checkResult((expr), #expr, __FILE__, __LINE__)
/// As CUDA_CHECK, but CUDA_ERROR_DEINITIALIZED is not printed.
#define CUDA_CHECK_AT_EXIT(expr)                                               \
  checkResult((expr), #expr, __FILE__, __LINE__, /*quietIfDeinitialized=*/true)
/// Reports a misuse detected by the library itself.
#define REPORT_ERROR(message) reportError(__func__, message, __FILE__, __LINE__)

namespace {

/// The most devices whose primary contexts the library keeps.
constexpr int32_t kMaxDevices = 64;

/// The device whose primary context the entry points use. Process-wide (not
/// per thread): modules are loaded by global constructors on the loading
/// thread, and the code that uses them may run on other threads.
std::atomic<int32_t> defaultDevice{0};

/// Guards the lazy initialization below.
std::mutex contextMutex;
/// Whether cuInit has been called, and its result.
bool driverInitialized = false;
bool driverUsable = false;
/// The retained primary context of each device, null until first used.
CUcontext primaryContexts[kMaxDevices] = {};

/// Initializes the driver once and returns the primary context of `device`,
/// retaining it on first use; null (after reporting why) on failure. The
/// contexts stay retained until the process exits.
CUcontext getPrimaryContext(int32_t device) {
  std::lock_guard<std::mutex> lock(contextMutex);
  if (!driverInitialized) {
    driverInitialized = true;
    driverUsable = CUDA_CHECK(cuInit(0));
  }
  if (!driverUsable)
    return nullptr;
  if (device < 0 || device >= kMaxDevices) {
    REPORT_ERROR("device index out of range");
    return nullptr;
  }
  if (primaryContexts[device])
    return primaryContexts[device];
  CUdevice handle;
  if (!CUDA_CHECK(cuDeviceGet(&handle, device)))
    return nullptr;
  CUcontext context = nullptr;
  if (!CUDA_CHECK(cuDevicePrimaryCtxRetain(&context, handle)))
    return nullptr;
  primaryContexts[device] = context;
  return context;
}

/// Makes the default device's primary context current on this thread for
/// the lifetime of the object, then restores the thread's previous context.
/// Where no context can be had, nothing is pushed: the driver calls that
/// follow then fail and are reported.
class ScopedContext {
public:
  explicit ScopedContext(bool quietAtExit = false) : atExit(quietAtExit) {
    CUcontext context = getPrimaryContext(defaultDevice.load());
    if (!context)
      return;
    pushed = atExit ? CUDA_CHECK_AT_EXIT(cuCtxPushCurrent(context))
                    : CUDA_CHECK(cuCtxPushCurrent(context));
  }
  ~ScopedContext() {
    if (!pushed)
      return;
    CUcontext popped;
    if (atExit)
      CUDA_CHECK_AT_EXIT(cuCtxPopCurrent(&popped));
    else
      CUDA_CHECK(cuCtxPopCurrent(&popped));
  }
  ScopedContext(const ScopedContext &) = delete;
  ScopedContext &operator=(const ScopedContext &) = delete;

private:
  bool atExit;
  bool pushed = false;
};

/// Converts a launch dimension; reports and returns false when it does not
/// fit the driver's unsigned int.
bool toDim(int64_t value, unsigned &dim, const char *function) {
  if (value < 0 || value > static_cast<int64_t>(UINT_MAX)) {
    reportError(function, "launch dimension out of range", __FILE__, __LINE__);
    return false;
  }
  dim = static_cast<unsigned>(value);
  return true;
}

/// Allows `function` more than the default 48 KiB of dynamic shared memory
/// when `bytes` asks for it.
bool allowDynamicSharedMemory(CUfunction function, int32_t bytes) {
  if (bytes <= 48 * 1024)
    return true;
  return CUDA_CHECK(cuFuncSetAttribute(
      function, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, bytes));
}

/// The bytes a ranked memref descriptor of `rank` spans: its first element's
/// address and the extent up to its last element. Empty memrefs span nothing.
struct Span {
  char *begin = nullptr;
  uint64_t bytes = 0;
};

/// Reads {allocated, aligned, offset, sizes[rank], strides[rank]}.
Span memrefSpan(int64_t rank, void *descriptor, int64_t elementBytes) {
  char *const *pointers = static_cast<char *const *>(descriptor);
  const int64_t *integers = reinterpret_cast<const int64_t *>(pointers + 2);
  const int64_t offset = integers[0];
  const int64_t *sizes = integers + 1;
  const int64_t *strides = integers + 1 + rank;
  int64_t low = 0, high = 0;
  for (int64_t dim = 0; dim < rank; ++dim) {
    if (sizes[dim] <= 0)
      return Span();
    const int64_t reach = (sizes[dim] - 1) * strides[dim];
    if (reach > 0)
      high += reach;
    else
      low += reach;
  }
  Span span;
  span.begin = pointers[1] + (offset + low) * elementBytes;
  span.bytes = static_cast<uint64_t>((high - low + 1) * elementBytes);
  return span;
}

/// The device address of a pointer (unified addressing).
CUdeviceptr address(void *pointer) {
  return reinterpret_cast<CUdeviceptr>(pointer);
}

} // namespace

//===----------------------------------------------------------------------===//
// Modules and kernels
//===----------------------------------------------------------------------===//

/// Loads a cubin or fatbin image of `size` bytes (`gpu.binary` with format
/// bin or fatbin). Returns the CUmodule, null on failure.
MGPU_EXPORT void *mgpuModuleLoad(void *data, [[maybe_unused]] uint64_t size) {
  ScopedContext scope;
  CUmodule module = nullptr;
  if (!CUDA_CHECK(cuModuleLoadData(&module, data)))
    return nullptr;
  return module;
}

/// Loads null-terminated PTX text (`gpu.binary` with format isa), which the
/// driver compiles at `optLevel` (0 to 4). Returns the CUmodule, null on
/// failure, after printing the driver's error log.
MGPU_EXPORT void *mgpuModuleLoadJIT(void *ptx, int32_t optLevel) {
  ScopedContext scope;
  char errorLog[8192] = {0};
  const unsigned level =
      optLevel < 0 ? 0u : (optLevel > 4 ? 4u : static_cast<unsigned>(optLevel));
  CUjit_option options[] = {CU_JIT_ERROR_LOG_BUFFER,
                            CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES,
                            CU_JIT_OPTIMIZATION_LEVEL};
  void *values[] = {errorLog,
                    reinterpret_cast<void *>(uintptr_t(sizeof(errorLog))),
                    reinterpret_cast<void *>(uintptr_t(level))};
  CUmodule module = nullptr;
  if (!CUDA_CHECK(cuModuleLoadDataEx(&module, ptx,
                                     sizeof(options) / sizeof(options[0]),
                                     options, values))) {
    if (errorLog[0])
      std::fprintf(stderr, "sparse_train_cuda_runtime: PTX JIT log:\n%s\n",
                   errorLog);
    return nullptr;
  }
  return module;
}

/// Unloads a module. Called by the global destructors of compiled code,
/// possibly after the driver shut down at exit, which is not reported.
MGPU_EXPORT void mgpuModuleUnload(void *module) {
  if (!module)
    return;
  ScopedContext scope(/*quietAtExit=*/true);
  CUDA_CHECK_AT_EXIT(cuModuleUnload(static_cast<CUmodule>(module)));
}

/// Returns the kernel `name` of `module`, null on failure.
MGPU_EXPORT void *mgpuModuleGetFunction(void *module, const char *name) {
  ScopedContext scope;
  CUfunction function = nullptr;
  if (!CUDA_CHECK(cuModuleGetFunction(&function, static_cast<CUmodule>(module),
                                      name))) {
    std::fprintf(stderr, "sparse_train_cuda_runtime: kernel '%s' not found\n",
                 name ? name : "(null)");
    return nullptr;
  }
  return function;
}

/// Launches `function` on a grid of gridX*gridY*gridZ blocks of
/// blockX*blockY*blockZ threads with `smem` bytes of dynamic shared memory on
/// `stream`. `params` holds one pointer to each of the `paramsCount` argument
/// values; `extra` is passed to the driver unchanged.
MGPU_EXPORT void mgpuLaunchKernel(void *function, int64_t gridX, int64_t gridY,
                                  int64_t gridZ, int64_t blockX, int64_t blockY,
                                  int64_t blockZ, int32_t smem, void *stream,
                                  void **params, void **extra,
                                  [[maybe_unused]] uint64_t paramsCount) {
  ScopedContext scope;
  if (!function) {
    REPORT_ERROR("null kernel (see the earlier error)");
    return;
  }
  unsigned gx, gy, gz, bx, by, bz;
  if (!toDim(gridX, gx, __func__) || !toDim(gridY, gy, __func__) ||
      !toDim(gridZ, gz, __func__) || !toDim(blockX, bx, __func__) ||
      !toDim(blockY, by, __func__) || !toDim(blockZ, bz, __func__))
    return;
  auto kernel = static_cast<CUfunction>(function);
  if (!allowDynamicSharedMemory(kernel, smem))
    return;
  CUDA_CHECK(cuLaunchKernel(kernel, gx, gy, gz, bx, by, bz,
                            static_cast<unsigned>(smem),
                            static_cast<CUstream>(stream), params, extra));
}

/// Launches `function` as mgpuLaunchKernel does, grouping the grid's blocks
/// into thread block clusters of clusterX*clusterY*clusterZ blocks (sm_90 and
/// later). The grid is given in blocks, not clusters.
MGPU_EXPORT void mgpuLaunchClusterKernel(
    void *function, int64_t clusterX, int64_t clusterY, int64_t clusterZ,
    int64_t gridX, int64_t gridY, int64_t gridZ, int64_t blockX, int64_t blockY,
    int64_t blockZ, int32_t smem, void *stream, void **params, void **extra) {
#if CUDA_VERSION >= 12000
  ScopedContext scope;
  if (!function) {
    REPORT_ERROR("null kernel (see the earlier error)");
    return;
  }
  CUlaunchAttribute attribute;
  std::memset(&attribute, 0, sizeof(attribute));
  attribute.id = CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION;
  CUlaunchConfig config;
  std::memset(&config, 0, sizeof(config));
  if (!toDim(clusterX, attribute.value.clusterDim.x, __func__) ||
      !toDim(clusterY, attribute.value.clusterDim.y, __func__) ||
      !toDim(clusterZ, attribute.value.clusterDim.z, __func__) ||
      !toDim(gridX, config.gridDimX, __func__) ||
      !toDim(gridY, config.gridDimY, __func__) ||
      !toDim(gridZ, config.gridDimZ, __func__) ||
      !toDim(blockX, config.blockDimX, __func__) ||
      !toDim(blockY, config.blockDimY, __func__) ||
      !toDim(blockZ, config.blockDimZ, __func__))
    return;
  auto kernel = static_cast<CUfunction>(function);
  if (!allowDynamicSharedMemory(kernel, smem))
    return;
  // More than 8 blocks per cluster is not portable and must be allowed.
  if (clusterX * clusterY * clusterZ > 8 &&
      !CUDA_CHECK(cuFuncSetAttribute(
          kernel, CU_FUNC_ATTRIBUTE_NON_PORTABLE_CLUSTER_SIZE_ALLOWED, 1)))
    return;
  config.sharedMemBytes = static_cast<unsigned>(smem);
  config.hStream = static_cast<CUstream>(stream);
  config.attrs = &attribute;
  config.numAttrs = 1;
  CUDA_CHECK(cuLaunchKernelEx(&config, kernel, params, extra));
#else
  REPORT_ERROR("cluster launches need a CUDA 12 or later toolkit");
#endif
}

//===----------------------------------------------------------------------===//
// Streams and events
//===----------------------------------------------------------------------===//

/// Creates a stream that does not synchronize with the legacy default
/// stream. Returns the CUstream, null on failure.
MGPU_EXPORT void *mgpuStreamCreate() {
  ScopedContext scope;
  CUstream stream = nullptr;
  if (!CUDA_CHECK(cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING)))
    return nullptr;
  return stream;
}

/// Destroys a stream; work already queued on it still completes.
MGPU_EXPORT void mgpuStreamDestroy(void *stream) {
  ScopedContext scope;
  CUDA_CHECK(cuStreamDestroy(static_cast<CUstream>(stream)));
}

/// Waits until all work queued on `stream` has completed.
MGPU_EXPORT void mgpuStreamSynchronize(void *stream) {
  ScopedContext scope;
  CUDA_CHECK(cuStreamSynchronize(static_cast<CUstream>(stream)));
}

/// Makes work queued on `stream` after this call wait for `event`.
MGPU_EXPORT void mgpuStreamWaitEvent(void *stream, void *event) {
  ScopedContext scope;
  CUDA_CHECK(cuStreamWaitEvent(static_cast<CUstream>(stream),
                               static_cast<CUevent>(event), 0));
}

/// Creates an event without timing. Returns the CUevent, null on failure.
MGPU_EXPORT void *mgpuEventCreate() {
  ScopedContext scope;
  CUevent event = nullptr;
  if (!CUDA_CHECK(cuEventCreate(&event, CU_EVENT_DISABLE_TIMING)))
    return nullptr;
  return event;
}

/// Destroys an event.
MGPU_EXPORT void mgpuEventDestroy(void *event) {
  ScopedContext scope;
  CUDA_CHECK(cuEventDestroy(static_cast<CUevent>(event)));
}

/// Waits until the work captured by `event` has completed.
MGPU_EXPORT void mgpuEventSynchronize(void *event) {
  ScopedContext scope;
  CUDA_CHECK(cuEventSynchronize(static_cast<CUevent>(event)));
}

/// Records `event` after the work queued so far on `stream`.
MGPU_EXPORT void mgpuEventRecord(void *event, void *stream) {
  ScopedContext scope;
  CUDA_CHECK(cuEventRecord(static_cast<CUevent>(event),
                           static_cast<CUstream>(stream)));
}

//===----------------------------------------------------------------------===//
// Memory
//===----------------------------------------------------------------------===//

/// Allocates `sizeBytes` of device memory, or of managed memory that host
/// and device share when the low byte of `hostShared` is nonzero. Returns
/// null for zero bytes or on failure. The allocation is not stream-ordered;
/// `stream` is unused.
///
/// `hostShared` is an i8 in the emitted IR, which does not promise that the
/// upper bits of its register are zero; it is read as 32 bits and masked so
/// that no compiler's assumption about the caller's extension matters.
MGPU_EXPORT void *mgpuMemAlloc(uint64_t sizeBytes,
                               [[maybe_unused]] void *stream,
                               uint32_t hostShared) {
  ScopedContext scope;
  if (sizeBytes == 0)
    return nullptr;
  CUdeviceptr pointer = 0;
  if ((hostShared & 0xFFu) != 0) {
    if (!CUDA_CHECK(
            cuMemAllocManaged(&pointer, sizeBytes, CU_MEM_ATTACH_GLOBAL)))
      return nullptr;
  } else if (!CUDA_CHECK(cuMemAlloc(&pointer, sizeBytes))) {
    return nullptr;
  }
  return reinterpret_cast<void *>(pointer);
}

/// Frees memory from mgpuMemAlloc. When `stream` is not null, the work
/// queued on it (which may still use the memory) completes first.
MGPU_EXPORT void mgpuMemFree(void *pointer, void *stream) {
  ScopedContext scope;
  if (!pointer)
    return;
  if (stream && !CUDA_CHECK(cuStreamSynchronize(static_cast<CUstream>(stream))))
    return;
  CUDA_CHECK(cuMemFree(address(pointer)));
}

/// Copies `sizeBytes` from `src` to `dst` (host or device memory, unified
/// addressing) in the order of `stream`.
MGPU_EXPORT void mgpuMemcpy(void *dst, void *src, uint64_t sizeBytes,
                            void *stream) {
  ScopedContext scope;
  if (sizeBytes == 0)
    return;
  CUDA_CHECK(cuMemcpyAsync(address(dst), address(src), sizeBytes,
                           static_cast<CUstream>(stream)));
}

/// Sets `count` 32-bit elements at `dst` to `value` in the order of `stream`.
MGPU_EXPORT void mgpuMemset32(void *dst, uint32_t value, uint64_t count,
                              void *stream) {
  ScopedContext scope;
  if (count == 0)
    return;
  CUDA_CHECK(cuMemsetD32Async(address(dst), value, count,
                              static_cast<CUstream>(stream)));
}

/// Sets `count` 16-bit elements at `dst` to `value` in the order of `stream`.
/// `value` is an i16 in the emitted IR; it is read as 32 bits and masked, as
/// mgpuMemAlloc's `hostShared`.
MGPU_EXPORT void mgpuMemset16(void *dst, uint32_t value, uint64_t count,
                              void *stream) {
  ScopedContext scope;
  if (count == 0)
    return;
  CUDA_CHECK(cuMemsetD16Async(address(dst),
                              static_cast<unsigned short>(value & 0xFFFFu),
                              count, static_cast<CUstream>(stream)));
}

/// Page-locks `sizeBytes` of host memory at `pointer` and maps it for the
/// device.
MGPU_EXPORT void mgpuMemHostRegister(void *pointer, uint64_t sizeBytes) {
  ScopedContext scope;
  if (sizeBytes == 0)
    return;
  CUDA_CHECK(
      cuMemHostRegister(pointer, sizeBytes, CU_MEMHOSTREGISTER_PORTABLE));
}

/// Undoes mgpuMemHostRegister for the range starting at `pointer`.
MGPU_EXPORT void mgpuMemHostUnregister(void *pointer) {
  ScopedContext scope;
  CUDA_CHECK(cuMemHostUnregister(pointer));
}

/// Registers the memory a ranked memref descriptor of `rank` spans
/// (`gpu.host_register` of an unranked memref). Elements are `elementBytes`
/// wide.
MGPU_EXPORT void mgpuMemHostRegisterMemRef(int64_t rank, void *descriptor,
                                           int64_t elementBytes) {
  Span span = memrefSpan(rank, descriptor, elementBytes);
  if (span.bytes)
    mgpuMemHostRegister(span.begin, span.bytes);
}

/// Undoes mgpuMemHostRegisterMemRef for the same descriptor.
MGPU_EXPORT void mgpuMemHostUnregisterMemRef(int64_t rank, void *descriptor,
                                             int64_t elementBytes) {
  Span span = memrefSpan(rank, descriptor, elementBytes);
  if (span.bytes)
    mgpuMemHostUnregister(span.begin);
}

//===----------------------------------------------------------------------===//
// Devices
//===----------------------------------------------------------------------===//

/// Makes `device` the device whose primary context all later calls, on every
/// thread, use. Modules, streams and memory created before stay with the
/// previous device.
MGPU_EXPORT void mgpuSetDefaultDevice(int32_t device) {
  if (!getPrimaryContext(device)) {
    REPORT_ERROR("device not usable; the default device is unchanged");
    return;
  }
  defaultDevice.store(device);
}
