#include "harness/run_sinks.h"

#include <utility>

#include "core/check.h"

namespace rwttt {

CheckOptions InMemoryCheck(const std::vector<Request>& trace, const std::string& trace_note,
                           const ModelProfile& model, std::uint64_t max_per_type) {
  CheckOptions options;
  options.max_per_type = max_per_type;
  options.inputs.trace = trace;
  options.inputs.trace_note = trace_note;
  options.inputs.model = model;
  return options;
}

RunSinks::RunSinks() = default;
RunSinks::~RunSinks() = default;

Status RunSinks::WriteTo(const std::string& path, const HistoryHeader& header) {
  RWTTT_CHECK(writer_ == nullptr) << "one history file a run";
  RWTTT_ASSIGN_OR_RETURN(writer_, HistoryWriter::Create(path, header));
  writer_sink_ = std::make_unique<HistoryWriterSink>(*writer_);
  tee_.Add(writer_sink_.get());
  return OkStatus();
}

void RunSinks::Check(const HistoryHeader& header, CheckOptions options) {
  RWTTT_CHECK(checker_ == nullptr) << "one checker a run";
  checker_ = std::make_unique<HistoryChecker>(header, std::move(options));
  checker_sink_ = std::make_unique<HistoryCheckerSink>(*checker_);
  tee_.Add(checker_sink_.get());
}

HistorySink* RunSinks::sink() { return tee_.empty() ? nullptr : &tee_; }

Result<std::optional<CheckReport>> RunSinks::Finish() {
  if (writer_) RWTTT_TRY(writer_->Commit());
  std::optional<CheckReport> report;
  if (checker_) report = checker_->Finish();
  return report;
}

}  // namespace rwttt
