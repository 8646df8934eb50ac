#include "sim/timeline.h"

#include <fmt/format.h>

namespace rwttt {
namespace {

constexpr int kDevicePid = 0;
constexpr int kOwnersPid = 1;
constexpr int kHostLinkPid = 2;

}  // namespace

std::string TraceMicros(Nanos t) {
  const std::int64_t ns = t.value();
  return fmt::format("{}{}.{:03}", ns < 0 ? "-" : "", std::abs(ns) / 1000, std::abs(ns) % 1000);
}

Result<std::unique_ptr<TimelineWriter>> TimelineWriter::Create(const std::string& path) {
  RWTTT_ASSIGN_OR_RETURN(auto out, OutputFile::Create(path));
  return std::unique_ptr<TimelineWriter>(new TimelineWriter(std::move(out)));
}

TimelineWriter::TimelineWriter(std::unique_ptr<OutputFile> out) : out_(std::move(out)) {
  out_->Write("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
  Event(fmt::format(R"({{"name":"process_name","ph":"M","pid":{},"args":{{"name":"device"}}}})",
                    kDevicePid));
  Event(fmt::format(R"({{"name":"process_name","ph":"M","pid":{},"args":{{"name":"owners"}}}})",
                    kOwnersPid));
}

void TimelineWriter::Event(const std::string& json) {
  if (!first_) out_->Write(",\n");
  first_ = false;
  out_->Write(json);
}

void TimelineWriter::OnBatch(const BatchRecord& b) {
  if (named_lanes_.insert(b.lane).second) {
    Event(fmt::format(
        R"({{"name":"thread_name","ph":"M","pid":{},"tid":{},"args":{{"name":"lane {}"}}}})",
        kDevicePid, b.lane, b.lane));
  }
  std::size_t reads = 0;
  for (const BatchStep& s : b.steps) reads += s.step.is_read();
  const std::size_t writes = b.steps.size() - reads;
  const std::string name = reads && writes ? fmt::format("MIXED x{}", b.steps.size())
                           : reads         ? fmt::format("READ x{}", reads)
                                           : fmt::format("WRITE x{}", writes);
  const std::string ts = TraceMicros(b.start);
  const std::string dur = TraceMicros(b.end - b.start);
  Event(fmt::format(R"({{"name":"{}","cat":"batch","ph":"X","ts":{},"dur":{},"pid":{},"tid":{},)"
                    R"("args":{{"batch":{},"steps":{},"swap_bytes":{}}}}})",
                    name, ts, dur, kDevicePid, b.lane, b.batch_id, b.steps.size(), b.swap_bytes));
  for (const BatchStep& s : b.steps) {
    const std::uint64_t owner = s.step.tag.owner.value();
    // Owner ids reach 2^64 - 1, which viewers reading JSON numbers as doubles round: the track
    // (tid) is a dense index in order of first appearance, the id is text in its name and args.
    const auto [it, first] = owner_tids_.try_emplace(owner, owner_tids_.size());
    const std::uint64_t tid = it->second;
    if (first) {
      Event(fmt::format(
          R"({{"name":"thread_name","ph":"M","pid":{},"tid":{},"args":{{"name":"owner {}"}}}})",
          kOwnersPid, tid, owner));
    }
    Event(fmt::format(R"J({{"name":"{} v{} [{},{})","cat":"step","ph":"X","ts":{},"dur":{},)J"
                      R"J("pid":{},"tid":{},"args":{{"owner":"{}","step":{},"batch":{},)J"
                      R"J("slot":{}}}}})J",
                      EffectName(s.step.tag.effect), s.step.tag.version.value(), s.step.first_token,
                      s.step.end_token, ts, dur, kOwnersPid, tid, owner, s.step_id, b.batch_id,
                      s.slot));
  }
}

void TimelineWriter::OnMove(const LinkCopy& m) {
  if (!named_link_) {
    named_link_ = true;
    Event(
        fmt::format(R"({{"name":"process_name","ph":"M","pid":{},"args":{{"name":"host link"}}}})",
                    kHostLinkPid));
    for (int tid : {0, 1}) {
      Event(fmt::format(
          R"({{"name":"thread_name","ph":"M","pid":{},"tid":{},"args":{{"name":"{}"}}}})",
          kHostLinkPid, tid, tid == 0 ? "to host" : "to device"));
    }
  }
  Event(fmt::format(R"({{"name":"{} owner {}","cat":"copy","ph":"X","ts":{},"dur":{},"pid":{},)"
                    R"("tid":{},"args":{{"owner":"{}","bytes":{}}}}})",
                    m.to_host ? "offload" : "restore", m.owner.value(), TraceMicros(m.start),
                    TraceMicros(m.end - m.start), kHostLinkPid, m.to_host ? 0 : 1, m.owner.value(),
                    m.bytes));
}

Status TimelineWriter::Commit() {
  out_->Write("\n]}\n");
  return out_->Commit();
}

}  // namespace rwttt
