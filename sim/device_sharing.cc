#include "sim/device_sharing.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "core/check.h"

namespace rwttt {

void DeviceSharing::Start(std::uint32_t lane, Nanos dispatch, Nanos host, Nanos device) {
  RWTTT_CHECK(dispatch >= state_.now && host.value() >= 0 && device.value() >= 0);
  const std::int64_t until =
      host.value() > INT64_MAX - dispatch.value() ? INT64_MAX : dispatch.value() + host.value();
  state_.hosted.push(Hosted{Nanos{until}, next_seq_++, lane, device.value()});
}

Nanos DeviceSharing::State::EndOf(const Active& a) const {
  // Whole nanoseconds, rounded up, counted from `now` in integers (exact at any clock value).
  const double left = std::max(0.0, std::ceil(a.remaining * static_cast<double>(active.size())));
  if (left >= 9.2e18 || static_cast<std::int64_t>(left) > INT64_MAX - now.value()) {
    return Nanos{INT64_MAX};
  }
  return now + Nanos{static_cast<std::int64_t>(left)};
}

Nanos DeviceSharing::State::NextChange() const {
  Nanos next{INT64_MAX};
  if (!hosted.empty()) next = std::max(now, hosted.top().until);
  for (const Active& a : active) next = std::min(next, EndOf(a));
  return next;
}

void DeviceSharing::State::Change(Nanos t, std::vector<Ended>& ended) {
  // Each batch still on the device got 1/n of it since `now`.
  const double progress = static_cast<double>((t - now).value()) /
                          static_cast<double>(std::max<std::size_t>(1, active.size()));
  std::size_t kept = 0;
  for (const Active& a : active) {
    if (EndOf(a) <= t) {
      ended.push_back({a.seq, a.lane});
    } else {
      active[kept++] = Active{a.seq, a.lane, a.remaining - progress};
    }
  }
  active.resize(kept);
  now = t;
  while (!hosted.empty() && hosted.top().until <= t) {
    const Hosted h = hosted.top();
    hosted.pop();
    if (h.device == 0) {
      ended.push_back({h.seq, h.lane});
    } else {
      active.push_back(Active{h.seq, h.lane, static_cast<double>(h.device)});
    }
  }
}

Nanos DeviceSharing::NextEnd() const {
  RWTTT_CHECK(!empty());
  // When no batch joins the device before the first one on it leaves, that leave is the answer;
  // a lone batch still on the host ends its own time after joining. Only otherwise is the sharing
  // run forward on a copy (every instant of a one-lane run takes one of the first two ways).
  Nanos first_leave{INT64_MAX};
  for (const Active& a : state_.active) first_leave = std::min(first_leave, state_.EndOf(a));
  if (state_.hosted.empty() || state_.hosted.top().until >= first_leave) return first_leave;
  if (state_.active.empty() && state_.hosted.size() == 1) {
    const Hosted& h = state_.hosted.top();
    return h.device > INT64_MAX - h.until.value() ? Nanos{INT64_MAX} : h.until + Nanos{h.device};
  }
  State ahead = state_;
  std::vector<Ended> ended;
  while (ended.empty()) {
    const Nanos t = ahead.NextChange();
    if (t.value() == INT64_MAX) return t;
    ahead.Change(t, ended);
  }
  return ahead.now;
}

void DeviceSharing::AdvanceTo(Nanos t, std::vector<std::uint32_t>& ended) {
  RWTTT_CHECK(t >= state_.now);
  std::vector<Ended>& out = ended_scratch_;  // reused: no allocation per instant
  out.clear();
  for (Nanos c = state_.NextChange(); c <= t; c = state_.NextChange()) {
    const std::size_t before = out.size();
    state_.Change(c, out);
    RWTTT_CHECK(out.size() == before || c == t) << "AdvanceTo went past a batch's end";
    if (empty()) break;
  }
  // Nothing else joins or leaves by `t`: the batches on the device advance to it.
  if (state_.now < t) state_.Change(t, out);
  if (out.size() > 1) {
    std::sort(out.begin(), out.end(), [](const Ended& a, const Ended& b) { return a.seq < b.seq; });
  }
  for (const Ended& e : out) ended.push_back(e.lane);
}

}  // namespace rwttt
