//===- SparseTrainModule.cpp - pybind11 module _sparse_train --------------===//
//
// The compiled half of the `sparse_train` Python package: parse IR text,
// run a pass pipeline, JIT-compile the result with MLIR's ExecutionEngine,
// and hand Python the function signatures and addresses. Calling, argument
// checks and numpy conversion live in the pure-Python half.
//
// Every failure (parse, verify, pipeline syntax, pass, JIT) raises
// sparse_train.CompileError carrying the MLIR diagnostics; nothing here
// aborts the interpreter.
//
//===----------------------------------------------------------------------===//

#include "SparseTrain/IR/SparseTrainDialect.h"
#include "SparseTrain/InitAll.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <mutex>

namespace py = pybind11;
using namespace mlir;

namespace {

/// Raised for every compilation failure, with the diagnostics as message.
struct CompileError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Registers passes and initializes the native target once per process.
void initializeOnce() {
  static std::once_flag flag;
  std::call_once(flag, [] {
    registerAllPasses();
    sparse_train::registerAllPasses();
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

/// Collects the diagnostics of a context into one string.
class DiagnosticCollector {
public:
  explicit DiagnosticCollector(MLIRContext *context)
      : handler(context, [this](Diagnostic &diag) {
          llvm::raw_string_ostream os(text);
          printLocation(os, diag.getLocation());
          os << ": " << severity(diag) << ": " << diag << "\n";
          for (Diagnostic &note : diag.getNotes()) {
            printLocation(os, note.getLocation());
            os << ": note: " << note << "\n";
          }
          return success();
        }) {}

  /// Raises CompileError with `what` and everything collected.
  [[noreturn]] void raise(const std::string &what) const {
    throw CompileError(what + (text.empty() ? "" : ":\n" + text));
  }

private:
  /// `file:line:col` like mlir-opt, or the location as MLIR prints it.
  static void printLocation(llvm::raw_ostream &os, Location loc) {
    if (auto flc = dyn_cast<FileLineColLoc>(loc)) {
      os << flc.getFilename().getValue() << ":" << flc.getLine() << ":"
         << flc.getColumn();
      return;
    }
    os << loc;
  }

  static const char *severity(Diagnostic &diag) {
    switch (diag.getSeverity()) {
    case DiagnosticSeverity::Error:
      return "error";
    case DiagnosticSeverity::Warning:
      return "warning";
    case DiagnosticSeverity::Remark:
      return "remark";
    case DiagnosticSeverity::Note:
      return "note";
    }
    return "error";
  }

  std::string text;
  ScopedDiagnosticHandler handler;
};

/// Describes one argument or result type for the Python side.
py::dict describeType(Type type) {
  py::dict d;
  auto elementName = [](Type t) {
    std::string s;
    llvm::raw_string_ostream os(s);
    t.print(os);
    return s;
  };
  if (auto retained = dyn_cast<sparse_train::RetainedType>(type)) {
    d["kind"] = "retained";
    d["shape"] = std::vector<int64_t>(retained.getShape());
    d["element"] = elementName(retained.getElementType());
    d["kept"] = retained.getKept();
    d["positions"] = elementName(retained.getPositionType());
    d["num_positions"] = retained.getNumPositions();
    d["encoding"] = std::string(
        sparse_train::stringifyRetainEncoding(retained.getEncoding()));
    return d;
  }
  if (auto shaped = dyn_cast<ShapedType>(type); shaped && shaped.hasRank()) {
    bool sparse = isa<RankedTensorType>(type) &&
                  cast<RankedTensorType>(type).getEncoding() != nullptr;
    d["kind"] = sparse ? "sparse" : "tensor";
    d["shape"] = std::vector<int64_t>(shaped.getShape());
    d["element"] = elementName(shaped.getElementType());
    return d;
  }
  d["kind"] = type.isIntOrIndexOrFloat() ? "scalar" : "unsupported";
  d["element"] = elementName(type);
  return d;
}

/// A compiled module: its context, engine and what Python needs to call it.
class Program {
public:
  Program(const std::string &ir, const std::string &pipeline,
          const std::vector<std::string> &sharedLibs, bool keepIR)
      : libs(sharedLibs) {
    initializeOnce();
    DialectRegistry registry;
    registerAllDialects(registry);
    registerAllExtensions(registry);
    registerAllToLLVMIRTranslations(registry);
    sparse_train::registerAllDialects(registry);
    context = std::make_unique<MLIRContext>(registry);
    if (keepIR)
      context->disableMultithreading();
    DiagnosticCollector diagnostics(context.get());

    module = parseSourceString<ModuleOp>(ir, context.get(), "<input>");
    if (!module)
      diagnostics.raise("failed to parse the input IR");
    if (failed(verify(*module)))
      diagnostics.raise("the input IR does not verify");

    // Every public function with a body becomes callable from Python.
    for (auto func : module->getOps<func::FuncOp>()) {
      if (func.isPrivate() || func.isExternal())
        continue;
      func->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                    UnitAttr::get(context.get()));
      py::list args, results;
      for (Type t : func.getArgumentTypes())
        args.append(describeType(t));
      for (Type t : func.getResultTypes())
        results.append(describeType(t));
      py::dict sig;
      sig["args"] = args;
      sig["results"] = results;
      signatures[py::str(func.getSymName().str())] = sig;
    }
    if (keepIR)
      irBefore = print();

    std::string errors;
    llvm::raw_string_ostream errorStream(errors);
    FailureOr<OpPassManager> parsed = parsePassPipeline(pipeline, errorStream);
    if (failed(parsed))
      throw CompileError("invalid pass pipeline '" + pipeline + "': " + errors);
    PassManager pm(context.get());
    static_cast<OpPassManager &>(pm) = std::move(*parsed);
    if (keepIR)
      pm.addInstrumentation(std::make_unique<Recorder>(*this));
    if (failed(pm.run(*module)))
      diagnostics.raise("the pass pipeline failed");
    if (keepIR)
      irAfterPipeline = print();

    std::vector<StringRef> libRefs(libs.begin(), libs.end());
    ExecutionEngineOptions options;
    options.sharedLibPaths = libRefs;
    options.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
    // Generate code for this machine's CPU and features (AVX-512, bf16
    // conversions), as the ahead-of-time path does with -mcpu=native.
    std::unique_ptr<llvm::TargetMachine> machine;
    if (auto builder = llvm::orc::JITTargetMachineBuilder::detectHost()) {
      builder->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
      if (auto created = builder->createTargetMachine())
        machine = std::move(*created);
      else
        llvm::consumeError(created.takeError());
    } else {
      llvm::consumeError(builder.takeError());
    }
    // Without a transformer the LLVM IR is not optimized before codegen.
    options.transformer = makeOptimizingTransformer(
        /*optLevel=*/3, /*sizeLevel=*/0, machine.get());
    auto created =
        ExecutionEngine::create(*module, options, std::move(machine));
    if (!created) {
      std::string message = llvm::toString(created.takeError());
      diagnostics.raise("JIT compilation failed: " + message);
    }
    engine = std::move(*created);
  }

  /// Address of `_mlir_ciface_<name>`.
  uintptr_t address(const std::string &name) {
    auto symbol = engine->lookup("_mlir_ciface_" + name);
    if (!symbol) {
      llvm::consumeError(symbol.takeError());
      throw py::key_error("no compiled function '" + name + "'");
    }
    return reinterpret_cast<uintptr_t>(*symbol);
  }

  py::dict signatures;
  std::string irBefore, irAfterPipeline;
  std::vector<std::pair<std::string, std::string>> irAfterPass;

private:
  /// Records the module after every pass (the last run of each wins).
  struct Recorder : public PassInstrumentation {
    explicit Recorder(Program &program) : program(program) {}
    void runAfterPass(Pass *pass, Operation *) override {
      program.irAfterPass.emplace_back(pass->getArgument().str(),
                                       program.print());
    }
    Program &program;
  };

  std::string print() {
    std::string text;
    llvm::raw_string_ostream os(text);
    module->print(os);
    return text;
  }

  std::vector<std::string> libs;
  std::unique_ptr<MLIRContext> context;
  OwningOpRef<ModuleOp> module;
  std::unique_ptr<ExecutionEngine> engine;
};

} // namespace

PYBIND11_MODULE(_sparse_train, m) {
  m.doc() = "Compiled half of the sparse_train package (see sparse_train).";
  static py::exception<CompileError> compileError(m, "CompileError",
                                                  PyExc_RuntimeError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p)
        std::rethrow_exception(p);
    } catch (const CompileError &e) {
      compileError(e.what());
    }
  });
  py::class_<Program>(m, "Program")
      .def(py::init<const std::string &, const std::string &,
                    const std::vector<std::string> &, bool>(),
           py::arg("ir"), py::arg("pipeline"), py::arg("shared_libs"),
           py::arg("keep_ir"))
      .def("address", &Program::address)
      .def_readonly("signatures", &Program::signatures)
      .def_readonly("ir_before", &Program::irBefore)
      .def_readonly("ir_after_pipeline", &Program::irAfterPipeline)
      .def_readonly("ir_after_pass", &Program::irAfterPass);
}
