// The host's fast paths of core/ttt_math.h against their one-element-at-a-time definitions, bit for
// bit: whole-block draws, VecMat's column blocks and MatVec's side-by-side row chains must each
// compute every element with the same operations in the same order as the plain loop.
#include <cstdint>
#include <vector>

#include "core/ttt_math.h"
#include "tests/support/property.h"

namespace rwttt {
namespace {

std::vector<float> Floats(std::size_t n) {
  return *rc::gen::container<std::vector<float>>(
      n, rc::gen::map(rc::gen::inRange(-1000, 1001), [](int v) { return v / 97.0f; }));
}

RC_GTEST_PROP(DrawCenteredRow, EqualsDrawCenteredElementByElement, ()) {
  const auto key = *rc::gen::arbitrary<std::uint64_t>();
  const auto c0 = *rc::gen::arbitrary<std::uint32_t>();
  const auto c3 = *rc::gen::arbitrary<std::uint32_t>();
  const auto layer = *rc::gen::inRange<std::uint32_t>(0, 64);
  const auto domain = *rc::gen::inRange<std::uint32_t>(1, 8);
  const std::uint32_t first = 4 * *rc::gen::inRange<std::uint32_t>(0, 300);
  const auto n = *rc::gen::inRange<std::uint32_t>(0, 150);
  std::vector<float> row(n);
  DrawCenteredRow(key, c0, layer, domain, c3, first, n, row.data());
  for (std::uint32_t i = 0; i < n; ++i) {
    RC_ASSERT(FloatBits(row[i]) == FloatBits(DrawCentered(key, c0, layer, domain, first + i, c3)));
  }
}

template <typename W>
void CheckVecMat() {
  const auto n = *rc::gen::inRange<std::uint32_t>(0, 40);
  const auto m = *rc::gen::inRange<std::uint32_t>(1, 200);  // 64-, 32- and 16-column blocks
  const bool add = *rc::gen::arbitrary<bool>();
  const std::vector<float> in = Floats(n), start = Floats(m), wf = Floats(std::size_t{n} * m);
  std::vector<W> w(wf.size());
  for (std::size_t e = 0; e < w.size(); ++e) Store(&w[e], wf[e]);
  std::vector<float> out = start;
  VecMat(in.data(), w.data(), n, m, out.data(), add);
  for (std::uint32_t j = 0; j < m; ++j) {
    float acc = 0.0f;
    for (std::uint32_t i = 0; i < n; ++i) acc = Mac(acc, in[i], Load(w[std::uint64_t{i} * m + j]));
    RC_ASSERT(FloatBits(out[j]) == FloatBits(add ? start[j] + acc : acc));
  }
}

RC_GTEST_PROP(VecMat, EqualsColumnByColumnSums, ()) { CheckVecMat<float>(); }
RC_GTEST_PROP(VecMat, EqualsColumnByColumnSumsOfBf16Weights, ()) { CheckVecMat<Bf16>(); }

RC_GTEST_PROP(MatVec, EqualsRowByRowSums, ()) {
  const auto n = *rc::gen::inRange<std::uint32_t>(0, 40);  // blocks of eight rows, then the rest
  const auto m = *rc::gen::inRange<std::uint32_t>(0, 70);
  const std::vector<float> in = Floats(m), w = Floats(std::size_t{n} * m);
  std::vector<float> out(n);
  MatVec(w.data(), in.data(), n, m, out.data());
  for (std::uint32_t i = 0; i < n; ++i) {
    float acc = 0.0f;
    for (std::uint32_t j = 0; j < m; ++j) acc = Mac(acc, w[std::uint64_t{i} * m + j], in[j]);
    RC_ASSERT(FloatBits(out[i]) == FloatBits(acc));
  }
}

}  // namespace
}  // namespace rwttt
