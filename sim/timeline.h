// The timeline of a run in Chrome Trace Event JSON, which Perfetto (ui.perfetto.dev) and
// chrome://tracing open: one track per device lane with each batch, one per owner with each step,
// and, when states move to host memory, one per direction of the host link with each copy.
//
//   RWTTT_ASSIGN_OR_RETURN(auto timeline, TimelineWriter::Create("run.trace.json"));
//   config.observer = timeline.get();  RWTTT_TRY(Simulate(trace, *policy, config));
//   RWTTT_TRY(timeline->Commit());
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "core/output_file.h"
#include "core/result.h"
#include "sim/batch_record.h"

namespace rwttt {

class TimelineWriter final : public BatchObserver {
 public:
  static Result<std::unique_ptr<TimelineWriter>> Create(const std::string& path);
  void OnBatch(const BatchRecord& batch) override;
  void OnMove(const LinkCopy& move) override;
  // Closes the JSON and renames the file into place.
  Status Commit();

 private:
  explicit TimelineWriter(std::unique_ptr<OutputFile> out);
  void Event(const std::string& json);

  std::unique_ptr<OutputFile> out_;
  std::unordered_set<std::uint32_t> named_lanes_;
  bool named_link_ = false;
  std::unordered_map<std::uint64_t, std::uint64_t> owner_tids_;  // owner id -> its track
  bool first_ = true;
  std::string line_;
};

// Nanoseconds as the format's microseconds, exactly: "1234.567".
std::string TraceMicros(Nanos t);

}  // namespace rwttt
