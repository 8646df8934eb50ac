// Where the executor's history records go: the v1 file writer, the in-memory checker, or several.
//
//   HistoryWriterSink file(*writer);  HistoryCheckerSink check(checker);
//   TeeSink both;  both.Add(&file);  both.Add(&check);  config.history = &both;
#pragma once

#include <vector>

#include "checker/history_checker.h"
#include "checker/history_writer.h"
#include "sim/executor.h"

namespace rwttt {

class HistoryWriterSink final : public HistorySink {
 public:
  explicit HistoryWriterSink(HistoryWriter& writer) : writer_(writer) {}
  void Write(const HistoryStep& step) override { writer_.Write(step); }
  Status health() const override { return writer_.health(); }

 private:
  HistoryWriter& writer_;
};

class HistoryCheckerSink final : public HistorySink {
 public:
  explicit HistoryCheckerSink(HistoryChecker& checker) : checker_(checker) {}
  void Write(const HistoryStep& step) override { checker_.Add(step); }

 private:
  HistoryChecker& checker_;
};

// Hands each record to every sink added, in the order added.
class TeeSink final : public HistorySink {
 public:
  void Add(HistorySink* sink) { sinks_.push_back(sink); }
  bool empty() const { return sinks_.empty(); }
  void Write(const HistoryStep& step) override {
    for (HistorySink* sink : sinks_) sink->Write(step);
  }
  Status health() const override {
    for (const HistorySink* sink : sinks_) RWTTT_TRY(sink->health());
    return OkStatus();
  }

 private:
  std::vector<HistorySink*> sinks_;
};

}  // namespace rwttt
