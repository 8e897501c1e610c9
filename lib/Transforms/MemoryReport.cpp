//===- MemoryReport.cpp - saved-activation bytes of a training step -------===//
//
// sparse-train-memory-report: for each function, the values the backward
// reads from the forward (TrainingGraph), with their producer, type, bytes
// as a dense tensor and bytes as stored (retained forms, BSR, slices), the
// totals and the peak of the live saved bytes over the step. Text or JSON.
//
//===----------------------------------------------------------------------===//

#include "SparseTrain/Analysis/TrainingGraph.h"
#include "SparseTrain/IR/SparseTrainOps.h"
#include "SparseTrain/Transforms/Passes.h"

#include "mlir/Dialect/SparseTensor/IR/SparseTensor.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
using namespace mlir::sparse_train;

namespace mlir {
namespace sparse_train {
#define GEN_PASS_DEF_SPARSETRAINMEMORYREPORTPASS
#include "SparseTrain/Transforms/Passes.h.inc"
} // namespace sparse_train
} // namespace mlir

namespace {

/// Bytes of one element (index counts as 8), if it has a fixed width.
static std::optional<int64_t> getElementBytes(Type type) {
  if (type.isIndex())
    return 8;
  if (!type.isIntOrFloat())
    return std::nullopt;
  return (type.getIntOrFloatBitWidth() + 7) / 8;
}

/// Bytes of a dense tensor of `type`'s shape and element type, if static.
static std::optional<int64_t> getDenseBytes(ShapedType type) {
  std::optional<int64_t> element = getElementBytes(type.getElementType());
  if (!type.hasStaticShape() || !element)
    return std::nullopt;
  return type.getNumElements() * *element;
}

/// Blocks a block_prune keeps, when its selection fixes the count.
static std::optional<int64_t> getKeptBlocks(BlockPruneOp op) {
  RankedTensorType type = op.getInput().getType();
  ArrayRef<int64_t> block = op.getBlock();
  int64_t blockRows = type.getDimSize(0) / block[0];
  int64_t blockCols = type.getDimSize(1) / block[1];
  auto round = [](double ratio, int64_t n) {
    return static_cast<int64_t>(
        std::floor(ratio * static_cast<double>(n) + 0.5));
  };
  switch (op.getSelect()) {
  case BlockSelect::GlobalTopK:
    return round(op.getKeepRatio()->convertToDouble(), blockRows * blockCols);
  case BlockSelect::RowTopK:
    if (op.getKeepPerRow())
      return *op.getKeepPerRow() * blockRows;
    return round(op.getKeepRatio()->convertToDouble(), blockCols) * blockRows;
  default:
    return std::nullopt;
  }
}

/// One saved value as the report shows it.
struct Entry {
  std::string producer, location, type;
  std::optional<int64_t> denseBytes, storedBytes;
  unsigned users = 0;
  /// Positions in the body where it becomes and stops being live.
  int64_t first = -1, last = -1;
};

/// Bytes of `v` as a dense tensor (its full-size form for slices and sparse
/// forms) and as stored.
static void measure(Value v, Entry &entry) {
  Type type = v.getType();
  if (auto retained = dyn_cast<RetainedType>(type)) {
    entry.denseBytes = getDenseBytes(retained.getDenseType());
    entry.storedBytes = retained.getStorageBytes();
    return;
  }
  auto shaped = dyn_cast<RankedTensorType>(type);
  if (!shaped) {
    entry.denseBytes = entry.storedBytes =
        type.isIntOrIndexOrFloat()
            ? std::optional<int64_t>(getElementBytes(type))
            : std::nullopt;
    return;
  }
  entry.denseBytes = entry.storedBytes = getDenseBytes(shaped);
  if (auto drop = v.getDefiningOp<SliceDropOp>()) {
    entry.denseBytes = getDenseBytes(drop.getInput().getType());
    return;
  }
  auto encoding = sparse_tensor::getSparseTensorEncoding(shaped);
  if (!encoding)
    return;
  entry.storedBytes = std::nullopt;
  auto prune = v.getDefiningOp<BlockPruneOp>();
  std::optional<int64_t> kept = prune ? getKeptBlocks(prune) : std::nullopt;
  if (!kept)
    return;
  ArrayRef<int64_t> block = prune.getBlock();
  int64_t posBytes = encoding.getPosWidth() ? encoding.getPosWidth() / 8 : 8;
  int64_t crdBytes = encoding.getCrdWidth() ? encoding.getCrdWidth() / 8 : 8;
  int64_t blockRows = shaped.getDimSize(0) / block[0];
  std::optional<int64_t> element = getElementBytes(shaped.getElementType());
  if (!element)
    return;
  entry.storedBytes = *kept * block[0] * block[1] * *element +
                      (blockRows + 1) * posBytes + *kept * crdBytes;
}

struct Totals {
  int64_t dense = 0, stored = 0;
  bool complete = true;
};

struct MemoryReportPass
    : public sparse_train::impl::SparseTrainMemoryReportPassBase<
          MemoryReportPass> {
  using SparseTrainMemoryReportPassBase::SparseTrainMemoryReportPassBase;

  void runOnOperation() override {
    if (format != "text" && format != "json") {
      getOperation().emitError()
          << "sparse-train-memory-report: format must be text or json, got '"
          << format << "'";
      return signalPassFailure();
    }
    std::string error;
    std::unique_ptr<llvm::ToolOutputFile> file;
    if (!output.empty()) {
      file = mlir::openOutputFile(output, &error);
      if (!file) {
        getOperation().emitError() << "sparse-train-memory-report: " << error;
        return signalPassFailure();
      }
    }
    llvm::raw_ostream &os = file ? file->os() : llvm::errs();
    TrainingGraphOptions options;
    options.numForwardResults = forwardResults;
    options.tangentArgs.assign(tangents.begin(), tangents.end());
    options.parameterArgs.assign(params.begin(), params.end());
    llvm::json::Array reports;
    bool failedAny = false;
    getOperation().walk([&](func::FuncOp func) {
      if (func.isExternal() ||
          (!funcName.empty() && func.getName() != funcName))
        return;
      // Without `func`, only the functions that look like joint steps (one
      // block, gradient results after the forward ones).
      if (funcName.empty() && (!func.getBody().hasOneBlock() ||
                               func.getNumResults() <= forwardResults))
        return;
      FailureOr<TrainingGraph> graph = TrainingGraph::build(func, options);
      if (failed(graph)) {
        failedAny = true;
        return;
      }
      if (format == "json")
        reports.push_back(toJson(*graph));
      else
        printText(*graph, os);
    });
    if (failedAny)
      return signalPassFailure();
    if (format == "json")
      os << llvm::formatv("{0:2}", llvm::json::Value(std::move(reports)))
         << "\n";
    if (file)
      file->keep();
    markAllAnalysesPreserved();
  }

  /// The saved values of `graph` as entries, split into activations and
  /// parameters.
  void collect(const TrainingGraph &graph, SmallVectorImpl<Entry> &activations,
               SmallVectorImpl<Entry> &parameters) {
    Block &body = graph.getFunction().getBody().front();
    DenseMap<Operation *, int64_t> position;
    for (auto [i, op] : llvm::enumerate(body))
      position[&op] = i;
    for (const SavedValue &saved : graph.getSaved()) {
      Entry entry;
      Value v = saved.value;
      if (auto arg = dyn_cast<BlockArgument>(v)) {
        entry.producer = llvm::formatv("argument {0}", arg.getArgNumber());
        entry.first = -1;
      } else {
        Operation *def = v.getDefiningOp();
        entry.producer = def->getName().getStringRef().str();
        entry.first = position[def];
      }
      llvm::raw_string_ostream loc(entry.location), type(entry.type);
      v.getLoc().print(loc);
      v.getType().print(type);
      entry.users = saved.backwardUsers.size();
      for (Operation *user : saved.backwardUsers)
        entry.last = std::max(entry.last, position[user]);
      measure(v, entry);
      (saved.isParameter ? parameters : activations).push_back(entry);
    }
  }

  static Totals total(ArrayRef<Entry> entries) {
    Totals totals;
    for (const Entry &e : entries) {
      totals.complete &= e.denseBytes && e.storedBytes;
      totals.dense += e.denseBytes.value_or(0);
      totals.stored += e.storedBytes.value_or(0);
    }
    return totals;
  }

  /// The largest sum of the saved bytes live at one point of the body: a
  /// value is live from its definition to its last backward reader.
  static Totals peak(ArrayRef<Entry> entries) {
    Totals best;
    SmallVector<int64_t> points;
    for (const Entry &e : entries)
      points.push_back(e.last);
    for (int64_t at : points) {
      Totals live;
      for (const Entry &e : entries)
        if (e.first <= at && at <= e.last) {
          live.dense += e.denseBytes.value_or(0);
          live.stored += e.storedBytes.value_or(0);
          live.complete &= e.denseBytes && e.storedBytes;
        }
      if (live.stored > best.stored ||
          (live.stored == best.stored && live.dense > best.dense))
        best = live;
    }
    best.complete = total(entries).complete;
    return best;
  }

  static std::string bytes(std::optional<int64_t> b) {
    return b ? llvm::formatv("{0} B", *b).str() : "? B (dynamic)";
  }

  void printText(const TrainingGraph &graph, llvm::raw_ostream &os) {
    SmallVector<Entry> activations, parameters;
    collect(graph, activations, parameters);
    os << "memory report for @" << graph.getFunction().getName() << ": "
       << graph.getOptions().numForwardResults << " forward result(s)\n";
    os << "saved activations:\n";
    for (const Entry &e : activations)
      os << "  " << e.producer << " at " << e.location << ": " << e.type << ": "
         << bytes(e.denseBytes) << " dense, " << bytes(e.storedBytes)
         << " stored, read by " << e.users << " backward op(s)\n";
    Totals all = total(activations), top = peak(activations);
    auto ratio = [](const Totals &t) {
      return t.dense ? llvm::formatv(" ({0:f1} %)", 100.0 * t.stored / t.dense)
                           .str()
                     : std::string();
    };
    os << "total saved activations: " << activations.size() << " value(s), "
       << all.dense << " B dense, " << all.stored << " B stored" << ratio(all)
       << (all.complete ? "" : ", dynamic sizes not counted") << "\n";
    os << "peak of live saved activations: " << top.dense << " B dense, "
       << top.stored << " B stored" << ratio(top) << "\n";
    Totals params = total(parameters);
    os << "saved parameters: " << parameters.size() << " value(s), "
       << params.stored << " B\n";
  }

  llvm::json::Value toJson(const TrainingGraph &graph) {
    SmallVector<Entry> activations, parameters;
    collect(graph, activations, parameters);
    auto number = [](std::optional<int64_t> b) -> llvm::json::Value {
      return b ? llvm::json::Value(*b) : llvm::json::Value(nullptr);
    };
    llvm::json::Array list;
    for (const Entry &e : activations)
      list.push_back(llvm::json::Object{{"producer", e.producer},
                                        {"location", e.location},
                                        {"type", e.type},
                                        {"dense_bytes", number(e.denseBytes)},
                                        {"stored_bytes", number(e.storedBytes)},
                                        {"backward_users", e.users}});
    auto totals = [](const Totals &t) {
      return llvm::json::Object{{"dense_bytes", t.dense},
                                {"stored_bytes", t.stored},
                                {"complete", t.complete}};
    };
    Totals params = total(parameters);
    return llvm::json::Object{
        {"function", graph.getFunction().getName()},
        {"forward_results", graph.getOptions().numForwardResults},
        {"activations", std::move(list)},
        {"total", totals(total(activations))},
        {"peak", totals(peak(activations))},
        {"parameters", llvm::json::Object{{"count", parameters.size()},
                                          {"bytes", params.stored}}}};
  }
};

} // namespace
