# -*- Python -*-
# lit configuration of the sparse_train regression tests.

import os
import shutil
import subprocess

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "SPARSE_TRAIN"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test", ".c", ".cpp"]
config.excludes = ["CMakeLists.txt", "README.md", "lit.cfg.py", "lit.site.cfg.py",
                   "mutate.py", "run_malformed.py",
                   "Inputs", "fake-suite"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.sparse_train_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%shlibext", ".so"))
config.substitutions.append(("%sparse_train_libs", config.sparse_train_libs_dir))
config.substitutions.append(("%sparse_train_src", config.sparse_train_src_root))
config.substitutions.append(("%sparse_train_obj", config.sparse_train_obj_root))
config.substitutions.append(("%python", config.python_executable))

llvm_config.use_default_substitutions()
llvm_config.with_system_environment(["HOME", "TMP", "TEMP"])
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

tool_dirs = [config.sparse_train_tools_dir, config.llvm_tools_dir]
tools = [
    "sparse-train-opt",
    "sparse-train-capi-test",
    "sparse-train-philox-test",
    "sparse-train-capi-storage-test",
    "sparse-train-capi-builders-test",
    ToolSubst("%mlir_opt", os.path.join(config.llvm_tools_dir, "mlir-opt")),
]
llvm_config.add_tool_substitutions(tools, tool_dirs)

# Execution on the CPU: compiled with --sparse-train-to-cpu, run by Debian's
# mlir-runner with the upstream runner-utils libraries and LLVM's OpenMP
# runtime (the parallel kernels).
runner_libs = ",".join(
    os.path.join(config.llvm_tools_dir, "..", "lib", lib + ".so")
    for lib in ["libmlir_runner_utils", "libmlir_c_runner_utils", "libomp"])
# The project's runtime (the dense products' sgemm) comes first.
runner_libs = os.path.join(config.sparse_train_libs_dir,
                           "libsparse_train_runtime.so") + "," + runner_libs
config.substitutions.append(
    ("%run_cpu", "mlir-runner -e main -entry-point-result=void -shared-libs="
     + runner_libs))

# GPU tiers (docs/GPU.md): `nvptx` where LLVM has the NVPTX
# backend (PTX text can be produced and checked), `ptxas` where a CUDA
# toolkit's ptxas is found (cubins can be produced; CUDA_HOME is exported to
# the tests so that gpu-module-to-binary also finds libdevice), `cuda-runtime`
# where CMake built libsparse_train_cuda_runtime.so, and `cuda-gpu` where, in
# addition, a GPU is present, so that GPU programs can run. Tests that need a
# tier say so with REQUIRES and are reported UNSUPPORTED elsewhere.


def _command_output(args):
    try:
        return subprocess.run(args, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, timeout=60,
                              check=True).stdout.decode(errors="replace")
    except (OSError, subprocess.SubprocessError):
        return None


_llc_version = _command_output([os.path.join(config.llvm_tools_dir, "llc"),
                                "--version"])

# `avx512`: the host runs AVX-512F code (the x86-compress kernels, which the
# test harness compiles for the host with -mcpu=native).
try:
    with open("/proc/cpuinfo") as _cpuinfo:
        if " avx512f" in _cpuinfo.read():
            config.available_features.add("avx512")
except OSError:
    pass
if _llc_version and "nvptx64" in _llc_version:
    config.available_features.add("nvptx")


def _find_cuda_home():
    candidates = [os.environ.get("CUDA_HOME"),
                  getattr(config, "cuda_toolkit_root", None),
                  "/usr/local/cuda"]
    for root in candidates:
        if root and os.path.isfile(os.path.join(root, "bin", "ptxas")):
            return root
    ptxas = shutil.which("ptxas")
    if ptxas:
        return os.path.dirname(os.path.dirname(os.path.realpath(ptxas)))
    return None


_cuda_home = _find_cuda_home()
if _cuda_home:
    config.available_features.add("ptxas")
    config.environment["CUDA_HOME"] = _cuda_home

_cuda_runtime = os.path.join(config.sparse_train_libs_dir,
                             "libsparse_train_cuda_runtime.so")
config.substitutions.append(("%cuda_runtime", _cuda_runtime))
if getattr(config, "sparse_train_cuda_runtime", False):
    config.available_features.add("cuda-runtime")
    _have_gpu = (os.path.exists("/dev/nvidia0")
                 or _command_output(["nvidia-smi", "-L"]) is not None)
    if _have_gpu:
        config.available_features.add("cuda-gpu")

# Execution on the GPU: host code and kernels compiled by mlir-opt, run by
# mlir-runner with the project's CUDA runtime and the upstream runner utils.
config.substitutions.append(
    ("%run_gpu", "mlir-runner -e main -entry-point-result=void -shared-libs="
     + ",".join([_cuda_runtime] + [
         os.path.join(config.llvm_tools_dir, "..", "lib", lib + ".so")
         for lib in ["libmlir_runner_utils", "libmlir_c_runner_utils"]])))
