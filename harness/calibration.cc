#include "harness/calibration.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <limits>
#include <utility>
#include <vector>

#include "core/host_memory.h"
#include "core/json_writer.h"
#include "core/units.h"
#include "harness/median.h"
#include "sim/cache_residency.h"

namespace rwttt {
namespace {

constexpr std::uint32_t kMaxRepeats = 1000;
constexpr std::uint32_t kMaxBatch = 4096;
constexpr std::uint32_t kMaxSpan = 1u << 20;

Error OptionError(const char* field, std::string message) {
  return Error{ErrorCode::kUsage, std::move(message), SourceLoc{"", 0, field}};
}

Status Validate(const CalibrationOptions& o) {
  if (o.repeats == 0 || o.repeats > kMaxRepeats) {
    return OptionError("repeats", fmt::format("must be from 1 to {}", kMaxRepeats));
  }
  for (const auto* list :
       {&o.read_batches, &o.write_batches, &o.same_slot_read_batches, &o.same_slot_write_batches}) {
    for (std::uint32_t b : *list) {
      if (b == 0 || b > kMaxBatch) {
        return OptionError("batches", fmt::format("must be from 1 to {}", kMaxBatch));
      }
    }
  }
  for (std::uint32_t s : o.read_spans) {
    if (s == 0 || s > kMaxSpan) return OptionError("spans", "must be from 1 to 1048576");
  }
  if (o.read_batches.empty() || o.read_spans.empty()) {
    return OptionError("batches", "a calibration needs at least one READ shape");
  }
  if (!(o.memory_gib >= kMinMemoryGib && o.memory_gib <= kMaxMemoryGib)) {
    return OptionError("memory_gib",
                       fmt::format("must be from {} to {} GiB", kMinMemoryGib, kMaxMemoryGib));
  }
  return OkStatus();
}

// The median wall time of `repeats` runs of `run`, after one untimed run.
template <typename Run>
double MedianNs(std::uint32_t repeats, Run&& run) {
  run();
  std::vector<double> ns;
  for (std::uint32_t r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    run();
    ns.push_back(
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count());
  }
  return Median(std::move(ns));
}

// States are timed from memory, not from a cache: each run of a shape takes the next slots of a
// pool at least this large, round robin, as a server's many owners do (the last-level caches of
// hosts and GPUs hold tens of MiB).
constexpr std::uint64_t kColdPoolBytes = std::uint64_t{256} << 20;
// READ batches up to this many owners are always timed; larger ones while their states fit the
// pool.
constexpr std::uint32_t kAlwaysTimedBatch = 8;

// The slots timed runs take in turn.
class SlotPool {
 public:
  explicit SlotPool(std::uint32_t slots) : slots_(slots) {}
  std::uint32_t size() const { return slots_; }
  // The first of `count` consecutive slots (mod size) no recent run used.
  std::uint32_t Take(std::uint32_t count) {
    const std::uint32_t first = next_;
    next_ = (next_ + count) % slots_;
    return first;
  }

 private:
  std::uint32_t slots_;
  std::uint32_t next_ = 0;
};

// One batch of `owners` steps of `effect` over tokens [0, span) (a WRITE closes the first chunk),
// on `slots` consecutive slots from `first` (mod slots).
std::vector<BatchItem> Batch(Effect effect, std::uint32_t owners, std::uint32_t span,
                             std::uint32_t first, std::uint32_t slots) {
  std::vector<BatchItem> items(owners);
  for (std::uint32_t i = 0; i < owners; ++i) {
    items[i] = BatchItem{OwnerId{i}, effect, 0, span, (first + i) % slots, i + 1, 0};
  }
  return items;
}

// The cost model's six parameters, as the fit sees them: x = (launch ns, layer ns, ns per byte,
// ns per READ FLOP, ns per WRITE FLOP, ns per cached byte).
constexpr int kParams = 6;
using Params = std::array<double, kParams>;
constexpr int kReadFlop = 3, kWriteFlop = 4, kCachedByte = 5;

HardwareProfile ProfileOf(const Params& x, const HardwareProfile& base) {
  HardwareProfile hw = base;
  hw.launch_overhead_ns = std::llround(x[0]);
  hw.layer_overhead_ns = std::llround(x[1]);
  hw.memory_bandwidth_gbs = 1.0 / x[2];  // bytes per ns == GB/s
  hw.peak_tflops_bf16 = hw.peak_tflops_fp32 = 1.0 / x[kReadFlop] / 1e3;
  hw.write_peak_tflops = 1.0 / x[kWriteFlop] / 1e3;
  hw.cache_bandwidth_gbs = 1.0 / x[kCachedByte];
  return hw;
}

// The fit's bounds, from the hardware profile's physical ranges.
constexpr double kMinNsPerByte = 1.0 / kMaxBandwidthGbs, kMaxNsPerByte = 1.0 / kMinBandwidthGbs;
constexpr double kMinNsPerFlop = 1.0 / (kMaxTflops * 1e3), kMaxNsPerFlop = 1.0 / (kMinTflops * 1e3);
constexpr double kMaxOverhead = static_cast<double>(kMaxOverheadNs);

// The point's row of the linear model its time is under `x`'s classification of each layer as
// memory- or compute-bound: (1, layers, bytes of memory-bound layers and swaps, FLOPs of
// compute-bound READ layers, FLOPs of compute-bound WRITE layers).
Params RowOf(const ModelProfile& model, const BatchShape& shape, const Params& x) {
  HardwareProfile unit = ProfileOf(x, HardwareProfile{});
  unit.launch_overhead_ns = 1;
  unit.layer_overhead_ns = 1;
  const BatchCost c = CostModel(model, unit).Cost(shape);
  return {c.launch_ns,
          c.overhead_ns,
          (c.memory_ns + c.swap_ns) / x[2],
          c.compute_ns / x[kReadFlop],
          c.write_compute_ns / x[kWriteFlop],
          c.cache_ns / x[kCachedByte]};
}

std::vector<Params> RowsOf(const ModelProfile& model, const std::vector<CalibrationPoint>& points,
                           const Params& x) {
  std::vector<Params> rows;
  for (const CalibrationPoint& p : points) rows.push_back(RowOf(model, p.shape, x));
  return rows;
}

// Solves m · y = rhs (n × n, n = rhs.size()) by Gaussian elimination with partial pivoting.
// False when m is singular.
bool SolveDense(std::vector<std::vector<double>> m, std::vector<double> rhs,
                std::vector<double>& y) {
  const std::size_t n = rhs.size();
  for (std::size_t p = 0; p < n; ++p) {
    std::size_t best = p;
    for (std::size_t r = p + 1; r < n; ++r) {
      if (std::abs(m[r][p]) > std::abs(m[best][p])) best = r;
    }
    std::swap(m[p], m[best]);
    std::swap(rhs[p], rhs[best]);
    if (!(std::abs(m[p][p]) > 1e-300)) return false;
    for (std::size_t r = 0; r < n; ++r) {
      if (r == p) continue;
      const double f = m[r][p] / m[p][p];
      for (std::size_t k = p; k < n; ++k) m[r][k] -= f * m[p][k];
      rhs[r] -= f * rhs[p];
    }
  }
  y.resize(n);
  for (std::size_t j = 0; j < n; ++j) y[j] = rhs[j] / m[j][j];
  return true;
}

// Least squares of sum_i ((row_i . x) / m_i - 1)^2 over the free columns (the others keep their
// value in `x`), by the normal equations of the columns scaled to a largest entry of 1 (bytes and
// FLOPs are 10^6 times the layer counts). False when they are singular.
bool SolveFree(const std::vector<Params>& rows, const std::vector<double>& measured,
               const std::array<bool, kParams>& free, Params& x) {
  std::vector<int> cols;
  for (int j = 0; j < kParams; ++j) {
    if (free[j]) cols.push_back(j);
  }
  Params scale{};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    for (int j = 0; j < kParams; ++j) scale[j] = std::max(scale[j], rows[i][j] / measured[i]);
  }
  const std::size_t n = cols.size();
  std::vector<std::vector<double>> normal(n, std::vector<double>(n, 0.0));
  std::vector<double> rhs(n, 0.0), scaled(n);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const double w = 1.0 / measured[i];
    double target = 1.0;
    for (int j = 0; j < kParams; ++j) {
      if (!free[j]) target -= rows[i][j] * x[j] * w;
    }
    for (std::size_t a = 0; a < n; ++a) scaled[a] = rows[i][cols[a]] * w / scale[cols[a]];
    for (std::size_t a = 0; a < n; ++a) {
      for (std::size_t b = 0; b < n; ++b) normal[a][b] += scaled[a] * scaled[b];
      rhs[a] += scaled[a] * target;
    }
  }
  // A whisker of ridge: when columns cannot be told apart (every shape runs every layer, so the
  // launch and the per-layer overhead enter only as launch + layers * overhead), the smallest
  // solution, not an arbitrary one.
  for (std::size_t a = 0; a < n; ++a) normal[a][a] += 1e-13;
  // That leaves the system as ill-conditioned as 1e13: one elimination can miss by 1e-3, so the
  // solution is refined by solving again for what it still misses (iterative refinement).
  std::vector<double> y, delta;
  if (!SolveDense(normal, rhs, y)) return false;
  for (int round = 0; round < 4; ++round) {
    std::vector<double> residual = rhs;
    for (std::size_t a = 0; a < n; ++a) {
      for (std::size_t b = 0; b < n; ++b) residual[a] -= normal[a][b] * y[b];
    }
    if (!SolveDense(normal, residual, delta)) break;
    for (std::size_t a = 0; a < n; ++a) y[a] += delta[a];
  }
  for (std::size_t a = 0; a < n; ++a) x[cols[a]] = y[a] / scale[cols[a]];
  return true;
}

double RmsRelativeError(const std::vector<CalibrationPoint>& points) {
  double sum = 0;
  std::size_t n = 0;
  for (const CalibrationPoint& p : points) {
    if (!p.in_fit) continue;
    const double e = p.fitted_ns / p.measured_ns - 1;
    sum += e * e;
    ++n;
  }
  return n == 0 ? 0 : std::sqrt(sum / static_cast<double>(n));
}

void FillFitted(const ModelProfile& model, const HardwareProfile& hw,
                std::vector<CalibrationPoint>& points) {
  const CostModel cost(model, hw);
  for (CalibrationPoint& p : points) p.fitted_ns = cost.Cost(p.shape).total_ns();
}

// Whether some point's row uses column `column` (its layers of that kind, under the row's
// classification).
bool ColumnUsed(const std::vector<Params>& rows, int column) {
  return std::any_of(rows.begin(), rows.end(), [&](const Params& r) { return r[column] > 0; });
}

// One least-squares fit under the classification `x` implies, within the bounds: a column whose
// value leaves its range is pinned to the bound and the others solved again.
Params FitOnce(const ModelProfile& model, const std::vector<CalibrationPoint>& points,
               const Params& x) {
  const std::vector<Params> rows = RowsOf(model, points, x);
  std::vector<double> measured;
  for (const CalibrationPoint& p : points) measured.push_back(p.measured_ns);
  const Params lo = {0, 0, kMinNsPerByte, kMinNsPerFlop, kMinNsPerFlop, kMinNsPerByte};
  const Params hi = {kMaxOverhead,  kMaxOverhead,  kMaxNsPerByte,
                     kMaxNsPerFlop, kMaxNsPerFlop, kMaxNsPerByte};
  std::array<bool, kParams> free{};
  Params next = x;
  for (int j = 0; j < kParams; ++j) {
    free[j] = ColumnUsed(rows, j);  // a column no point uses cannot be fitted: it keeps its value
  }
  for (int round = 0; round < 8; ++round) {
    Params trial = next;
    if (!SolveFree(rows, measured, free, trial)) break;
    bool clamped = false;
    for (int j = 0; j < kParams; ++j) {
      if (!free[j] || (trial[j] >= lo[j] && trial[j] <= hi[j])) continue;
      trial[j] = std::clamp(trial[j], lo[j], hi[j]);
      free[j] = false;
      clamped = true;
    }
    next = trial;
    if (!clamped) break;
  }
  return next;
}

// The shared weight bytes of a READ batch of `model` (the cost model's count).
double WeightBytes(const ModelProfile& model) {
  return CostModel(model, HardwareProfile{}).WeightBytes();
}

// The slowest rate (most ns per FLOP, column `column` of x) at which every point's layers of that
// kernel stay memory-bound: the peak no measurement could see, at its least.
double LeastPeakNsPerFlop(const ModelProfile& model, const std::vector<CalibrationPoint>& points,
                          Params x, int column) {
  double lo = kMinNsPerFlop, hi = kMaxNsPerFlop;
  for (int i = 0; i < 100; ++i) {
    const double mid = std::sqrt(lo * hi);
    x[column] = mid;
    (ColumnUsed(RowsOf(model, points, x), column) ? hi : lo) = mid;
  }
  return lo;
}

// Ratios of ns per FLOP to ns per byte, one for each distinct set of layers of one kernel (column
// `column`: READ or WRITE FLOPs) that they make compute-bound, over the whole range (10^-12 to
// 10^6).
std::vector<double> DistinctRatios(const ModelProfile& model,
                                   const std::vector<CalibrationPoint>& points, int column) {
  std::vector<double> ratios;
  std::vector<std::vector<double>> seen;
  for (int k = 0; k <= 400; ++k) {
    const double ratio = std::pow(10.0, -12 + 0.045 * k);
    Params x = {0, 0, 1.0, 1.0, 1.0, 1.0};
    x[column] = ratio;
    std::vector<double> classified;
    for (const Params& r : RowsOf(model, points, x)) classified.push_back(r[column]);
    if (std::find(seen.begin(), seen.end(), classified) != seen.end()) continue;
    seen.push_back(std::move(classified));
    ratios.push_back(ratio);
  }
  return ratios;
}

// The fit for points whose shapes say what each found cached.
Calibration FitPlaced(const ModelProfile& model, const std::vector<CalibrationPoint>& points,
                      const HardwareProfile& base) {
  // Which layers are memory- or compute-bound depends only on the ratios of ns per FLOP (READ's,
  // WRITE's) to ns per byte, each kernel's layers on its own. Scanning each ratio over its whole
  // range visits every classification; under each pair the fit is linear. Each fit is refined by
  // reclassifying under it until that stops changing, and the fit with the least error (judged by
  // the cost model itself) is kept.
  Calibration best;
  double best_error = std::numeric_limits<double>::infinity();
  std::vector<std::vector<Params>> tried;
  const bool writes = std::any_of(points.begin(), points.end(), [](const CalibrationPoint& p) {
    return p.shape.write_steps > 0;
  });
  for (double read_ratio : DistinctRatios(model, points, kReadFlop)) {
    for (double write_ratio : DistinctRatios(model, points, kWriteFlop)) {
      Params x = {0, 0, 1.0, read_ratio, write_ratio, 1.0};
      std::vector<Params> rows = RowsOf(model, points, x);
      if (std::find(tried.begin(), tried.end(), rows) != tried.end()) continue;
      tried.push_back(std::move(rows));
      for (int iteration = 0; iteration < 20; ++iteration) {
        Params next = FitOnce(model, points, x);
        const std::vector<Params> fitted_rows = RowsOf(model, points, next);
        const bool read_seen = ColumnUsed(fitted_rows, kReadFlop);
        const bool write_seen = ColumnUsed(fitted_rows, kWriteFlop);
        if (!read_seen) next[kReadFlop] = LeastPeakNsPerFlop(model, points, next, kReadFlop);
        if (!write_seen) next[kWriteFlop] = LeastPeakNsPerFlop(model, points, next, kWriteFlop);
        Calibration c;
        c.profile = ProfileOf(next, base);
        // Without a WRITE shape there is nothing to say of WRITEs: they take the READ's peak.
        if (!writes) c.profile.write_peak_tflops = 0;
        // No memory-bound layer found anything cached: no cache term (times judged without it).
        if (!ColumnUsed(fitted_rows, kCachedByte)) c.profile.cache_bandwidth_gbs = 0;
        c.points = points;
        FillFitted(model, c.profile, c.points);
        c.rms_relative_error = RmsRelativeError(c.points);
        c.peak_bound_only = !read_seen;
        c.write_peak_bound_only = writes && !write_seen;
        if (c.rms_relative_error < best_error) {
          best_error = c.rms_relative_error;
          best = std::move(c);
        }
        if (next == x) break;
        x = next;
      }
    }
  }
  return best;
}

// The points' shapes under a cache of `capacity` bytes: the cache rule replayed over every
// point's batches, in order; each point takes what its last batch found.
std::vector<CalibrationPoint> Placed(const ModelProfile& model,
                                     std::vector<CalibrationPoint> points, std::uint64_t capacity) {
  CacheResidency cache(capacity, static_cast<std::uint64_t>(WeightBytes(model)),
                       model.state_bytes());
  for (CalibrationPoint& p : points) {
    const bool reads = p.shape.read_steps > 0;
    for (const std::vector<std::uint32_t>& slots : p.batches) {
      p.shape.cached_weights = p.shape.cached_read_slots = p.shape.cached_write_slots = 0;
      cache.Place(0, reads ? std::span(slots) : std::span<const std::uint32_t>(),
                  reads ? std::span<const std::uint32_t>() : std::span(slots), p.shape);
    }
  }
  return points;
}

// The capacities worth trying: the bytes of the distinct items (the weights, for READs, and the
// states) of each run of up to three consecutive batches, where the rule's judgements change for
// the runs Calibrate lays out (a batch, the one before it, and a round robin's wrap), from 1 KiB
// (the least a profile may say) to the pool's size (no cache worth asking about is larger: the
// runs cannot tell larger ones apart); 0, no cache, first.
std::vector<std::uint64_t> Capacities(const ModelProfile& model,
                                      const std::vector<CalibrationPoint>& points) {
  std::vector<std::vector<std::uint64_t>> items;  // each batch's: slots, and ~0 for the weights
  for (const CalibrationPoint& p : points) {
    for (const std::vector<std::uint32_t>& slots : p.batches) {
      std::vector<std::uint64_t>& batch = items.emplace_back(slots.begin(), slots.end());
      if (p.shape.read_steps > 0) batch.push_back(~std::uint64_t{0});
    }
  }
  const double weights = WeightBytes(model);
  std::vector<std::uint64_t> capacities = {0};
  for (std::size_t first = 0; first < items.size(); ++first) {
    std::vector<std::uint64_t> window;
    for (std::size_t i = first; i < std::min(items.size(), first + 3); ++i) {
      window.insert(window.end(), items[i].begin(), items[i].end());
      std::sort(window.begin(), window.end());
      window.erase(std::unique(window.begin(), window.end()), window.end());
      const bool has_weights = !window.empty() && window.back() == ~std::uint64_t{0};
      capacities.push_back(static_cast<std::uint64_t>(has_weights ? weights : 0) +
                           (window.size() - (has_weights ? 1 : 0)) * model.state_bytes());
    }
  }
  std::erase_if(capacities, [](std::uint64_t c) {
    return c != 0 && (c < kMinCacheMib * kBytesPerMib || c > kColdPoolBytes);
  });
  std::sort(capacities.begin(), capacities.end());
  capacities.erase(std::unique(capacities.begin(), capacities.end()), capacities.end());
  return capacities;
}

// A cache no faster than memory is noise fitted, not a cache.
bool FasterCache(const HardwareProfile& hw) {
  return hw.has_cache() && hw.cache_bandwidth_gbs > hw.memory_bandwidth_gbs;
}

// `c` fitted again without the runs of the same states that its placement judges uncached: they
// measure neither memory (a real cache, no strict LRU, still keeps part of what they just read)
// nor the cache, and left in they pull the bandwidth from memory up. They are shown, not fitted.
Calibration WithoutRunsPastTheCache(const ModelProfile& model, Calibration c,
                                    const HardwareProfile& base) {
  std::vector<CalibrationPoint> in_fit;
  for (CalibrationPoint& p : c.points) {
    const bool reruns = p.batches.size() > 1 &&
                        std::all_of(p.batches.begin(), p.batches.end(),
                                    [&](const auto& slots) { return slots == p.batches.front(); });
    const BatchShape& s = p.shape;
    p.in_fit = !reruns || s.cached_weights + s.cached_read_slots + s.cached_write_slots > 0;
    if (p.in_fit) in_fit.push_back(p);
  }
  if (in_fit.size() == c.points.size()) return c;
  std::vector<CalibrationPoint> shown = std::move(c.points);
  c = FitPlaced(model, in_fit, base);
  c.points = std::move(shown);
  FillFitted(model, c.profile, c.points);
  return c;
}

}  // namespace

Result<Calibration> FitProfile(const ModelProfile& model, std::vector<CalibrationPoint> points,
                               const HardwareProfile& base) {
  if (points.empty()) return Error::Usage("a calibration needs at least one measured shape");
  for (const CalibrationPoint& p : points) {
    if (!(p.measured_ns > 0 && std::isfinite(p.measured_ns))) {
      return Error::Input(
          fmt::format("{}: measured {} ns, not a positive time", p.label, p.measured_ns));
    }
  }
  // The capacity is not a term of a linear fit: each capacity the batches can tell apart is fitted
  // on its own, smallest first (no cache), and a larger one kept only when it errs less with a
  // cache faster than memory.
  Calibration none;  // the fit without a cache: the first capacity tried
  Calibration best;
  std::uint64_t chosen = 0;
  std::vector<std::vector<BatchShape>> seen;
  for (std::uint64_t capacity : Capacities(model, points)) {
    std::vector<CalibrationPoint> placed = Placed(model, points, capacity);
    std::vector<BatchShape> shapes;
    for (const CalibrationPoint& p : placed) shapes.push_back(p.shape);
    if (std::find(seen.begin(), seen.end(), shapes) != seen.end()) continue;
    seen.push_back(std::move(shapes));
    Calibration c = FitPlaced(model, placed, base);
    if (seen.size() == 1) {
      none = c;
    } else if (!FasterCache(c.profile)) {
      continue;
    }
    if (seen.size() == 1 || c.rms_relative_error < best.rms_relative_error) {
      best = std::move(c);
      chosen = capacity;
    }
  }
  Calibration fitted = WithoutRunsPastTheCache(model, std::move(best), base);
  // The fit without them may find the cache no faster than memory after all: then none.
  if (chosen > 0 && !FasterCache(fitted.profile)) {
    fitted = WithoutRunsPastTheCache(model, std::move(none), base);
    chosen = 0;
  }
  fitted.profile.cache_mib =
      fitted.profile.has_cache() ? static_cast<double>(chosen) / kBytesPerMib : 0.0;
  return fitted;
}

CalibrationOptions DefaultCalibration(const ModelProfile& model, std::string_view backend,
                                      Seed seed, std::uint32_t repeats) {
  CalibrationOptions o;
  o.model = model;
  o.name = fmt::format("calibrated-{}", backend);
  o.seed = seed;
  o.repeats = repeats;
  o.memory_gib = static_cast<double>(AvailableHostMemoryBytes()) / kBytesPerGib;
  return o;
}

Result<Calibration> Calibrate(Backend& backend, const CalibrationOptions& o) {
  RWTTT_TRY(Validate(o));
  const std::uint64_t state = std::max<std::uint64_t>(1, o.model.state_bytes());
  const auto timed = [&](std::uint32_t batch) {
    return batch <= kAlwaysTimedBatch || batch * state <= kColdPoolBytes;
  };
  std::uint32_t largest = 1;
  for (std::uint32_t b : o.read_batches) largest = timed(b) ? std::max(largest, b) : largest;
  for (std::uint32_t b : o.write_batches) largest = std::max(largest, b);
  // The largest batch and a swap's target, and more while the states hold less than
  // kColdPoolBytes (larger states do not fit a cache anyway).
  const auto slots = static_cast<std::uint32_t>(
      std::max<std::uint64_t>(largest + 1, (kColdPoolBytes + state - 1) / state));
  RWTTT_TRY(backend.Reset(o.model, slots, o.seed));
  for (std::uint32_t s = 0; s < slots; ++s) backend.InitSlot(s);
  SlotPool pool(slots);
  std::vector<CalibrationPoint> points;
  std::vector<ItemResult> results;
  // Times `owners` steps of `effect` over [0, span), from the pool's next slots or, `same_slots`,
  // from slot 0 every run; the point's batches record the slots of each run.
  const auto time_batch = [&](CalibrationPoint point, Effect effect, std::uint32_t owners,
                              std::uint32_t span, bool same_slots) {
    results.assign(owners, ItemResult{});
    point.measured_ns = MedianNs(o.repeats, [&] {
      const std::vector<BatchItem> items =
          Batch(effect, owners, span, same_slots ? 0 : pool.Take(owners), slots);
      std::vector<std::uint32_t>& touched = point.batches.emplace_back();
      for (const BatchItem& item : items) touched.push_back(item.slot);
      backend.RunBatch(items, results);
    });
    points.push_back(std::move(point));
  };
  const auto read_shape = [](std::uint32_t b, std::uint32_t span) {
    return BatchShape{.read_steps = b, .read_tokens = b * std::uint64_t{span}, .read_slots = b};
  };
  const auto write_shape = [](std::uint32_t b) {
    return BatchShape{.write_steps = b, .write_slots = b};
  };
  // A READ never spans more than a chunk (core/program.h): longer spans are the chunk's.
  std::vector<std::uint32_t> spans;
  for (std::uint32_t s : o.read_spans) {
    const std::uint32_t span = std::min(s, o.model.chunk);
    if (std::find(spans.begin(), spans.end(), span) == spans.end()) spans.push_back(span);
  }
  for (std::uint32_t b : o.read_batches) {
    if (!timed(b)) continue;
    for (std::uint32_t s : spans) {
      time_batch({fmt::format("READ x{}, {} token{}", b, s, s == 1 ? "" : "s"), read_shape(b, s)},
                 Effect::kRead, b, s, false);
    }
  }
  for (std::uint32_t b : o.write_batches) {
    time_batch({fmt::format("WRITE x{}", b), write_shape(b)}, Effect::kWrite, b, o.model.chunk,
               false);
  }
  points.push_back(
      {"swap", BatchShape{.swap_bytes = o.model.state_bytes()}, MedianNs(o.repeats, [&] {
         const std::uint32_t from = pool.Take(2);
         backend.CopySlot(from, (from + 1) % slots);
       })});
  // The same states run after run, while they and the weights would fit the largest cache worth
  // asking about (the pool's size).
  const auto fits = [&](std::uint32_t b, bool reads) {
    return b <= slots && (reads ? WeightBytes(o.model) : 0.0) + b * static_cast<double>(state) <=
                             static_cast<double>(kColdPoolBytes);
  };
  for (std::uint32_t b : o.same_slot_read_batches) {
    if (!fits(b, true)) continue;
    time_batch({fmt::format("READ x{}, 1 token, again", b), read_shape(b, 1)}, Effect::kRead, b, 1,
               true);
  }
  for (std::uint32_t b : o.same_slot_write_batches) {
    if (!fits(b, false)) continue;
    time_batch({fmt::format("WRITE x{}, again", b), write_shape(b)}, Effect::kWrite, b,
               o.model.chunk, true);
  }
  HardwareProfile base;
  base.name = o.name;
  base.memory_gib = o.memory_gib;
  return FitProfile(o.model, std::move(points), base);
}

std::string CalibrationJson(const Calibration& c) {
  std::string json = HardwareProfileToJson(c.profile);
  json.pop_back();  // the closing brace: the calibration goes inside
  json += fmt::format(R"(,"calibration":{{"rms_relative_error":{},"peak_bound_only":{},)"
                      R"("write_peak_bound_only":{},"points":[)",
                      c.rms_relative_error, c.peak_bound_only ? "true" : "false",
                      c.write_peak_bound_only ? "true" : "false");
  for (std::size_t i = 0; i < c.points.size(); ++i) {
    const CalibrationPoint& p = c.points[i];
    json += fmt::format(R"({}{{"shape":{},"measured_ns":{:.0f},"fitted_ns":{:.0f}{}}})",
                        i == 0 ? "" : ",", JsonString(p.label), p.measured_ns, p.fitted_ns,
                        p.in_fit ? "" : R"(,"in_fit":false)");
  }
  return json + "]}}";
}

std::string CalibrationTable(const Calibration& c) {
  std::string out =
      fmt::format("{:<26} {:>12} {:>12} {:>8}\n", "shape", "measured ms", "fitted ms", "error");
  for (const CalibrationPoint& p : c.points) {
    out += fmt::format("{:<26} {:>12.4f} {:>12.4f} {:>+7.1f}%{}\n", p.label, p.measured_ns * 1e-6,
                       p.fitted_ns * 1e-6, 100 * (p.fitted_ns / p.measured_ns - 1),
                       p.in_fit ? "" : "  (not fitted: past the cache)");
  }
  const HardwareProfile& hw = c.profile;
  const char* lower_bound = " (a lower bound: no shape was compute-bound)";
  out += fmt::format(
      "profile {}: bandwidth {:.2f} GB/s, peak {:.4g} TFLOP/s{}, {}{}launch {} ns, per layer {} "
      "ns; RMS error {:.1f}% over {} shapes\n",
      hw.name, hw.memory_bandwidth_gbs, hw.peak_tflops_fp32, c.peak_bound_only ? lower_bound : "",
      hw.write_peak_tflops > 0 ? fmt::format("WRITE peak {:.4g} TFLOP/s{}, ", hw.write_peak_tflops,
                                             c.write_peak_bound_only ? lower_bound : "")
                               : std::string(),
      hw.has_cache()
          ? fmt::format("cache {:.1f} MiB at {:.2f} GB/s, ", hw.cache_mib, hw.cache_bandwidth_gbs)
          : std::string("no cache term, "),
      hw.launch_overhead_ns, hw.layer_overhead_ns, 100 * c.rms_relative_error,
      std::count_if(c.points.begin(), c.points.end(),
                    [](const CalibrationPoint& p) { return p.in_fit; }));
  return out;
}

}  // namespace rwttt
