// The median the harnesses report: of a shape's timed repeats (calibration.h), of a metric over
// measured replays (fidelity.h).
//
//   const double odd = Median({3, 1, 2});      // 2
//   const double even = Median({4, 1, 3, 2});  // 2.5: the mean of the middle two
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace rwttt {

// The middle value of `values`, or the mean of the middle two for an even count.
// REQUIRES: !values.empty().
inline double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

}  // namespace rwttt
