# -*- Python -*-
# lit configuration of the sparse_train regression tests.

import os

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
