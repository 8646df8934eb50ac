// Lanes running at once share the device (sim/device_sharing.h): worked by hand, then against a
// nanosecond-by-nanosecond simulation of processor sharing and the bandwidth bound itself.
#include "sim/device_sharing.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "tests/support/property.h"

namespace rwttt {
namespace {

// Runs every batch to its end; the end of each, by lane.
std::vector<std::int64_t> Ends(DeviceSharing& device, std::size_t lanes) {
  std::vector<std::int64_t> end(lanes, -1);
  while (!device.empty()) {
    const Nanos t = device.NextEnd();
    std::vector<std::uint32_t> ended;
    device.AdvanceTo(t, ended);
    EXPECT_FALSE(ended.empty());
    for (std::uint32_t lane : ended) end[lane] = t.value();
  }
  return end;
}

TEST(DeviceSharing, ABatchAloneTakesItsOwnTime) {
  DeviceSharing device;
  device.Start(0, Nanos{7}, Nanos{100}, Nanos{1000});
  EXPECT_EQ(device.NextEnd(), Nanos{1107});
  EXPECT_EQ(Ends(device, 1), (std::vector<std::int64_t>{1107}));
}

TEST(DeviceSharing, BatchesOnTheDeviceAtOnceShareItEquallyAndHostTimeOverlaps) {
  DeviceSharing device;
  // Lanes 0 and 1 join the device at 100 and share it: 1000 ns each at half speed.
  device.Start(0, Nanos{0}, Nanos{100}, Nanos{1000});
  device.Start(1, Nanos{0}, Nanos{100}, Nanos{1000});
  // Lane 2 is on the host until 1100, when lanes 0 and 1 have 500 ns left each; then three share.
  device.Start(2, Nanos{0}, Nanos{1100}, Nanos{300});
  // 1100..2000: three at a third: lane 2 finishes its 300 at 2000 (900 ns / 3 = 300), lanes 0
  // and 1 then have 200 left each, shared by two: 400 ns more, ending at 2400.
  EXPECT_EQ(Ends(device, 3), (std::vector<std::int64_t>{2400, 2400, 2000}));
}

TEST(DeviceSharing, ALaterBatchIsRetimedWhenAnEarlierOneLeaves) {
  DeviceSharing device;
  device.Start(0, Nanos{0}, Nanos{0}, Nanos{100});
  std::vector<std::uint32_t> ended;
  device.AdvanceTo(Nanos{50}, ended);  // 50 done alone
  EXPECT_TRUE(ended.empty());
  device.Start(1, Nanos{50}, Nanos{0}, Nanos{100});
  // From 50 both at half speed: lane 0's 50 left take 100 ns (ends at 150); lane 1 has done 50
  // by then and finishes its last 50 alone at 200.
  EXPECT_EQ(Ends(device, 2), (std::vector<std::int64_t>{150, 200}));
}

TEST(DeviceSharing, NoDeviceTimeEndsWithTheHostPartAndHugeTimesSaturate) {
  DeviceSharing device;
  device.Start(0, Nanos{10}, Nanos{5}, Nanos{0});
  EXPECT_EQ(Ends(device, 1), (std::vector<std::int64_t>{15}));
  device.Start(0, Nanos{20}, Nanos{0}, Nanos{INT64_MAX - 10});
  EXPECT_EQ(device.NextEnd(), Nanos{INT64_MAX});
}

struct Batch {
  std::int64_t dispatch, host, device, end;
};

// Any sequence of batches, each on its own lane, dispatched in time order; ends by DeviceSharing.
std::vector<Batch> AnyBatches() {
  const auto n = *rc::gen::inRange(1, 16);
  std::vector<Batch> out;
  std::int64_t t = 0;
  for (int i = 0; i < n; ++i) {
    t += *rc::gen::weightedOneOf<std::int64_t>(
        {{3, rc::gen::just<std::int64_t>(0)}, {2, rc::gen::inRange<std::int64_t>(1, 3000)}});
    out.push_back(Batch{t, *rc::gen::inRange<std::int64_t>(0, 500),
                        *rc::gen::inRange<std::int64_t>(0, 2000), -1});
  }
  DeviceSharing device;
  std::size_t next = 0;
  while (next < out.size() || !device.empty()) {
    const Nanos t_end = device.empty() ? Nanos{INT64_MAX} : device.NextEnd();
    const Nanos t_start = next < out.size() ? Nanos{out[next].dispatch} : Nanos{INT64_MAX};
    const Nanos now = std::min(t_end, t_start);
    std::vector<std::uint32_t> ended;
    device.AdvanceTo(now, ended);
    for (std::uint32_t lane : ended) out[lane].end = now.value();
    while (next < out.size() && out[next].dispatch == now.value()) {
      device.Start(static_cast<std::uint32_t>(next), now, Nanos{out[next].host},
                   Nanos{out[next].device});
      ++next;
    }
  }
  return out;
}

// The second opinion: processor sharing simulated one nanosecond at a time, in exact fractions of
// a nanosecond's device time (each of n active batches gets 1/n), ends rounded up to the ns.
std::vector<std::int64_t> SharedNanosecondByNanosecond(const std::vector<Batch>& batches) {
  std::vector<double> left(batches.size());
  std::vector<std::int64_t> end(batches.size(), -1);
  for (std::size_t i = 0; i < batches.size(); ++i) left[i] = static_cast<double>(batches[i].device);
  for (std::int64_t t = 0; std::count(end.begin(), end.end(), -1) > 0; ++t) {
    std::vector<std::size_t> active;
    for (std::size_t i = 0; i < batches.size(); ++i) {
      if (end[i] >= 0 || t < batches[i].dispatch + batches[i].host) continue;
      if (left[i] <= 1e-9) {
        end[i] = t;
      } else {
        active.push_back(i);
      }
    }
    for (std::size_t i : active) left[i] -= 1.0 / static_cast<double>(active.size());
  }
  return end;
}

RC_GTEST_PROP(DeviceSharing, AgreesWithSharingSimulatedNanosecondByNanosecond, ()) {
  const std::vector<Batch> batches = AnyBatches();
  const std::vector<std::int64_t> reference = SharedNanosecondByNanosecond(batches);
  for (std::size_t i = 0; i < batches.size(); ++i) {
    // Rounding to whole nanoseconds at each join or leave: at most one ns per batch that could
    // have changed the sharing.
    RC_ASSERT(std::llabs(batches[i].end - reference[i]) <= static_cast<long long>(batches.size()));
  }
}

// At no instant do the batches move more than the device allows: whatever the window [a, b], the
// device time of the batches whose device part lies inside it fits in b - a. And no batch ends
// before its own time; one that shared the device with none ends exactly then.
RC_GTEST_PROP(DeviceSharing, NeverExceedsTheDeviceAndAloneTakesItsOwnTime, ()) {
  const std::vector<Batch> batches = AnyBatches();
  for (const Batch& x : batches) {
    RC_ASSERT(x.end >= x.dispatch + x.host + x.device);
    for (const Batch& y : batches) {
      const std::int64_t a = x.dispatch + x.host;
      const std::int64_t b = y.end;
      if (b < a) continue;
      std::int64_t inside = 0;
      for (const Batch& z : batches) {
        if (z.dispatch + z.host >= a && z.end <= b) inside += z.device;
      }
      RC_ASSERT(inside <= b - a);
    }
    const bool alone = std::none_of(batches.begin(), batches.end(), [&](const Batch& o) {
      return &o != &x && o.device > 0 && o.dispatch + o.host < x.end && o.end > x.dispatch + x.host;
    });
    if (alone) RC_ASSERT(x.end == x.dispatch + x.host + x.device);
  }
}

}  // namespace
}  // namespace rwttt
