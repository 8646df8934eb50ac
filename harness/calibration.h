// `rwttt calibrate`: a hardware profile fitted to a backend's real kernels. It times a grid of
// batch shapes (READs of 1 to 32 owners over spans of 1 to 64 tokens, WRITEs of 1 to 4 owners, a
// state swap, each on states from memory; then READs of 1 to 16 owners and WRITEs re-running the
// same states), takes the median of repeated runs of each, and fits the cost model's six
// parameters (bandwidth, READ and WRITE peaks, launch and per-layer overheads, the cache's
// bandwidth) to those medians by least squares on the relative error, and the cache's capacity by
// trying each the runs can tell apart (docs/calibration.md).
//
//   RWTTT_ASSIGN_OR_RETURN(Calibration c, Calibrate(backend, {.model = m, .name = "my-cpu"}));
//   std::puts(CalibrationTable(c).c_str());   // measured against fitted, per shape
//   HardwareProfile mine = c.profile;         // what replay --hardware can use
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/backend.h"
#include "core/hardware_profile.h"
#include "core/model_profile.h"
#include "core/result.h"
#include "core/strong_types.h"
#include "sim/cost_model.h"

namespace rwttt {

struct CalibrationOptions {
  ModelProfile model;  // whose kernels are timed (no attention: the kernels have none)
  std::string name = "calibrated";
  std::uint32_t repeats = 5;  // timed runs of each shape, after one untimed
  double memory_gib = 1;      // the profile's memory (the fit cannot measure it)
  Seed seed{1};               // of the weights and inputs timed
  // Batches of more than 8 owners are timed only while their states fit the pool (256 MiB), so a
  // large model's calibration holds no more than nine states.
  std::vector<std::uint32_t> read_batches = {1, 2, 4, 8, 16, 32};
  std::vector<std::uint32_t> read_spans = {1, 16, 64};  // each at most the model's chunk
  std::vector<std::uint32_t> write_batches = {1, 2, 4};
  // Batches that re-run the same states, run after run, as a lone decoder does: what the cache
  // serves. Timed while the weights and the batch's states hold at most 256 MiB.
  std::vector<std::uint32_t> same_slot_read_batches = {1, 2, 3, 4, 6, 8, 12, 16};
  std::vector<std::uint32_t> same_slot_write_batches = {1, 2, 4};
};

// One timed shape: what the cost model is fitted to.
struct CalibrationPoint {
  std::string label;       // "READ x4, 16 tokens", "WRITE x2", "swap"
  BatchShape shape;        // with what it found cached, once fitted
  double measured_ns = 0;  // the median of the repeats
  // The slots of each batch run for the point (the untimed one first), in the order they ran
  // after the previous point's. The cache rule (sim/cache_residency.h) replayed over every
  // point's batches says what the last one found cached. Empty: not placed (a swap's copy, a
  // hand-made point): `shape` as given.
  std::vector<std::vector<std::uint32_t>> batches = {};
  double fitted_ns = 0;  // the fitted profile's time for the shape
  // False: a run of the same states that the fitted capacity judges uncached, shown and not
  // fitted (it measures neither memory nor the cache: docs/calibration.md#the-cache).
  bool in_fit = true;
};

struct Calibration {
  HardwareProfile profile;
  std::vector<CalibrationPoint> points;
  double rms_relative_error = 0;       // over the points in the fit, of fitted against measured
  bool peak_bound_only = false;        // no READ was compute-bound: the peak is a lower bound
  bool write_peak_bound_only = false;  // likewise the WRITE peak
};

// The options `rwttt calibrate` starts from: `model` on the backend named `backend`, named
// "calibrated-BACKEND", with `repeats` timed runs, the memory this machine has available.
CalibrationOptions DefaultCalibration(const ModelProfile& model, std::string_view backend,
                                      Seed seed, std::uint32_t repeats);

// Times every shape of `options` on `backend` (Reset with enough slots for the largest batch) and
// fits the profile. Errors: a repeat count or grid out of range (Usage, naming the field), the
// backend's own.
Result<Calibration> Calibrate(Backend& backend, const CalibrationOptions& options);

// The fit alone, for measured points of `model`: for each cache capacity the points' batches can
// tell apart (none among them), the six parameters minimising the sum of squared relative errors
// of CostModel's times against `points[i].measured_ns`, each within the hardware profile's
// physical range (a parameter the points cannot see is set to its bound: an overhead to 0, a peak
// no shape was limited by to the least that keeps every shape as it was); the capacity whose fit
// errs least with a cache faster than memory, the smallest of equals, is kept (no cache: no such
// fit errs less than none), and the
// profile fitted again without the runs of the same states that it judges uncached (in_fit).
// `base` gives the name and memory. Fills each point's fitted_ns, cached fields and in_fit.
Result<Calibration> FitProfile(const ModelProfile& model, std::vector<CalibrationPoint> points,
                               const HardwareProfile& base);

// The profile as JSON, readable by ParseHardwareProfile, with a "calibration" field holding
// each point's measured and fitted times and the RMS relative error.
std::string CalibrationJson(const Calibration& calibration);

// A table: one line per point, measured and fitted time and the relative error, then the profile.
std::string CalibrationTable(const Calibration& calibration);

}  // namespace rwttt
