// The host's fast paths of core/ttt_math.h against their one-element-at-a-time definitions, bit for
// bit: whole-block draws, Philox blocks and tokens' draws as vector lanes, VecMat's column blocks
// (of one product and of two side by side), Silu a row at a time, MatVec's row lanes and
// side-by-side row chains, a gradient's register tiles, MatVecLanes' and VecMatLanes' transposed
// vectors and LaCT's many-token READ must each compute every element with the same operations in
// the same order as the plain loop (or the one-token READ).
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#include "core/lact_math.h"
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

RC_GTEST_PROP(PhiloxBitsLanes, EqualsPhiloxBitsOfEachLane, ()) {
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  std::uint32_t words[4][kMatVecLanes], counters[4][kMatVecLanes];
  for (auto& word : counters) {
    for (auto& lane : word) lane = *rc::gen::arbitrary<std::uint32_t>();
  }
  std::memcpy(words, counters, sizeof words);
  PhiloxBitsLanes(seed, words);
  std::uint32_t halves[4][kMatVecLanes];  // the out-of-line PhiloxBitsLanes16: two halves of 8
  std::memcpy(halves, counters, sizeof halves);
  PhiloxBitsLanes16(seed, halves);
  for (std::uint32_t l = 0; l < kMatVecLanes; ++l) {
    const PhiloxBlock one =
        PhiloxBits(seed, counters[0][l], counters[1][l], counters[2][l], counters[3][l]);
    for (int w = 0; w < 4; ++w) {
      RC_ASSERT(words[w][l] == one[w]);
      RC_ASSERT(halves[w][l] == one[w]);
    }
  }
}

template <std::uint32_t kLanes>
void CheckDrawCenteredLanes() {
  const auto key = *rc::gen::arbitrary<std::uint64_t>();
  const auto c0 = *rc::gen::arbitrary<std::uint32_t>();  // wraps past 2^32 - kLanes, as c0 + g does
  const auto c3 = *rc::gen::arbitrary<std::uint32_t>();
  const auto layer = *rc::gen::inRange<std::uint32_t>(0, 64);
  const auto domain = *rc::gen::inRange<std::uint32_t>(1, 8);
  const auto d = *rc::gen::inRange<std::uint32_t>(0, 70);  // partial last blocks too
  std::vector<float> lanes(std::size_t{d} * kLanes);
  DrawCenteredLanes<kLanes>(key, c0, layer, domain, c3, d, lanes.data());
  for (std::uint32_t k = 0; k < d; ++k) {
    for (std::uint32_t g = 0; g < kLanes; ++g) {
      RC_ASSERT(FloatBits(lanes[std::size_t{k} * kLanes + g]) ==
                FloatBits(DrawCentered(key, c0 + g, layer, domain, k, c3)));
    }
  }
}

RC_GTEST_PROP(DrawCenteredLanes, EqualsDrawCenteredOfEachToken, ()) {
  CheckDrawCenteredLanes<kMatVecLanes>();
}
RC_GTEST_PROP(DrawCenteredLanes, EqualsDrawCenteredOfEachTokenInEightLanes, ()) {
  CheckDrawCenteredLanes<8>();
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

template <typename W>
void CheckVecMatPair() {
  // Two products' column blocks side by side, then the rest: each exactly its own VecMat.
  const auto n = *rc::gen::inRange<std::uint32_t>(0, 40);
  const auto m = *rc::gen::inRange<std::uint32_t>(0, 150);
  const std::vector<float> in0 = Floats(n), in1 = Floats(n);
  const std::vector<float> wf0 = Floats(std::size_t{n} * m), wf1 = Floats(std::size_t{n} * m);
  std::vector<W> w0(wf0.size()), w1(wf1.size());
  for (std::size_t e = 0; e < w0.size(); ++e) {
    Store(&w0[e], wf0[e]);
    Store(&w1[e], wf1[e]);
  }
  std::vector<float> out0(m), out1(m), alone0(m), alone1(m);
  VecMatPair(in0.data(), w0.data(), in1.data(), w1.data(), n, m, out0.data(), out1.data());
  VecMat(in0.data(), w0.data(), n, m, alone0.data());
  VecMat(in1.data(), w1.data(), n, m, alone1.data());
  for (std::uint32_t j = 0; j < m; ++j) {
    RC_ASSERT(FloatBits(out0[j]) == FloatBits(alone0[j]));
    RC_ASSERT(FloatBits(out1[j]) == FloatBits(alone1[j]));
  }
}

RC_GTEST_PROP(VecMatPair, EqualsEachProductsVecMat, ()) { CheckVecMatPair<float>(); }
RC_GTEST_PROP(VecMatPair, EqualsEachProductsVecMatOfBf16Weights, ()) { CheckVecMatPair<Bf16>(); }

RC_GTEST_PROP(SiluRow, EqualsSiluOfEachElement, ()) {
  // Any bits: NaNs, infinities, subnormals and both ends of ExpF's range among them.
  const auto n = *rc::gen::inRange<std::uint32_t>(0, 80);
  std::vector<float> v(n), den(n);
  for (auto& x : v) {
    x = *rc::gen::oneOf(
        rc::gen::map(rc::gen::arbitrary<std::uint32_t>(),
                     [](std::uint32_t b) { return BitsToFloat(b); }),
        rc::gen::map(rc::gen::inRange(-12000, 12001), [](int i) { return i / 100.0f; }));
  }
  const std::vector<float> start = v;
  SiluRow(v.data(), n, den.data());
  for (std::uint32_t i = 0; i < n; ++i) RC_ASSERT(FloatBits(v[i]) == FloatBits(Silu(start[i])));
}

template <typename W>
void CheckMatVec() {
  // Blocks of 16 rows as vector lanes, then of eight rows, then the rest; 16-column blocks
  // transposed in registers, then the rest.
  const auto n = *rc::gen::inRange<std::uint32_t>(0, 60);
  const auto m = *rc::gen::inRange<std::uint32_t>(0, 70);
  const std::vector<float> in = Floats(m), wf = Floats(std::size_t{n} * m);
  std::vector<W> w(wf.size());
  for (std::size_t e = 0; e < w.size(); ++e) Store(&w[e], wf[e]);
  std::vector<float> out(n);
  MatVec(w.data(), in.data(), n, m, out.data());
  for (std::uint32_t i = 0; i < n; ++i) {
    float acc = 0.0f;
    for (std::uint32_t j = 0; j < m; ++j) acc = Mac(acc, Load(w[std::uint64_t{i} * m + j]), in[j]);
    RC_ASSERT(FloatBits(out[i]) == FloatBits(acc));
  }
}

RC_GTEST_PROP(MatVec, EqualsRowByRowSums, ()) { CheckMatVec<float>(); }
RC_GTEST_PROP(MatVec, EqualsRowByRowSumsOfBf16Weights, ()) { CheckMatVec<Bf16>(); }

RC_GTEST_PROP(MacOuterProducts, EqualsTokenByTokenMacs, ()) {
  // Tiles of 128, 64 and 16 columns in registers (the narrow ones several rows at once, then the
  // remaining rows one by one), then single columns; strided scalars and vectors, s's rows
  // either side by side or a token's scalars side by side.
  const auto rows = *rc::gen::inRange<std::uint32_t>(0, 20);
  const auto cols = *rc::gen::inRange<std::uint32_t>(0, 150);
  const auto count = *rc::gen::inRange<std::uint32_t>(0, 20);
  const bool rows_apart = *rc::gen::arbitrary<bool>();
  const std::uint64_t s_stride = rows_apart ? 1 : rows + *rc::gen::inRange<std::uint64_t>(0, 3);
  const std::uint64_t s_row_stride =
      rows_apart ? count + *rc::gen::inRange<std::uint64_t>(0, 3) : 1;
  const std::uint64_t v_stride = cols + *rc::gen::inRange<std::uint64_t>(0, 5);
  const std::vector<float> start = Floats(std::size_t{rows} * cols),
                           s = Floats(count * s_stride + rows * s_row_stride),
                           v = Floats(count * v_stride);
  std::vector<float> g = start;
  MacOuterProducts(g.data(), rows, cols, s.data(), s_stride, v.data(), v_stride, count,
                   s_row_stride);
  for (std::uint32_t r = 0; r < rows; ++r) {
    for (std::uint32_t c = 0; c < cols; ++c) {
      float acc = start[r * cols + c];
      for (std::uint32_t n = 0; n < count; ++n)
        acc = Mac(acc, s[n * s_stride + r * s_row_stride], v[n * v_stride + c]);
      RC_ASSERT(FloatBits(g[r * cols + c]) == FloatBits(acc));
    }
  }
}

template <typename W>
void CheckMatVecLanes() {
  constexpr std::uint32_t kLanes = kMatVecLanes;
  const auto n = *rc::gen::inRange<std::uint32_t>(0, 40);  // tiles of eight rows, then the rest
  const auto m = *rc::gen::inRange<std::uint32_t>(0, 70);
  const std::vector<float> in = Floats(std::size_t{m} * kLanes), wf = Floats(std::size_t{n} * m);
  std::vector<W> w(wf.size());
  for (std::size_t e = 0; e < w.size(); ++e) Store(&w[e], wf[e]);
  std::vector<float> out(std::size_t{n} * kLanes);
  MatVecLanes(w.data(), in.data(), n, m, out.data());
  for (std::uint32_t l = 0; l < kLanes; ++l) {
    std::vector<float> x(m), row(n);
    for (std::uint32_t j = 0; j < m; ++j) x[j] = in[j * kLanes + l];
    MatVec(w.data(), x.data(), n, m, row.data());
    for (std::uint32_t i = 0; i < n; ++i)
      RC_ASSERT(FloatBits(out[i * kLanes + l]) == FloatBits(row[i]));
  }
}

template <typename W, std::uint32_t kLanes = kMatVecLanes>
void CheckVecMatLanes() {
  const auto n = *rc::gen::inRange<std::uint32_t>(0, 40);
  const auto m = *rc::gen::inRange<std::uint32_t>(0, 70);  // tiles of eight columns, then the rest
  const std::vector<float> in = Floats(std::size_t{n} * kLanes), wf = Floats(std::size_t{n} * m);
  std::vector<W> w(wf.size());
  for (std::size_t e = 0; e < w.size(); ++e) Store(&w[e], wf[e]);
  std::vector<float> out(std::size_t{m} * kLanes);
  VecMatLanes<kLanes>(in.data(), w.data(), n, m, out.data());
  for (std::uint32_t l = 0; l < kLanes; ++l) {
    std::vector<float> x(n), col(m);
    for (std::uint32_t i = 0; i < n; ++i) x[i] = in[i * kLanes + l];
    VecMat(x.data(), w.data(), n, m, col.data());
    for (std::uint32_t j = 0; j < m; ++j)
      RC_ASSERT(FloatBits(out[j * kLanes + l]) == FloatBits(col[j]));
  }
}

RC_GTEST_PROP(VecMatLanes, EqualsVecMatOfEachLane, ()) { CheckVecMatLanes<float>(); }
RC_GTEST_PROP(VecMatLanes, EqualsVecMatOfEachLaneOfBf16Weights, ()) { CheckVecMatLanes<Bf16>(); }
RC_GTEST_PROP(VecMatLanes, EqualsVecMatOfEachOfEightLanes, ()) { CheckVecMatLanes<float, 8>(); }

RC_GTEST_PROP(MatVecLanes, EqualsMatVecOfEachLane, ()) { CheckMatVecLanes<float>(); }
RC_GTEST_PROP(MatVecLanes, EqualsMatVecOfEachLaneOfBf16Weights, ()) { CheckMatVecLanes<Bf16>(); }

// LactReadTokens of 1-16 tokens (different owners and positions, as a copy-on-write base's
// readers are) equals LactReadHead of each token, bit for bit, on random head shapes.
template <typename S>
void CheckLactReadTokens() {
  LactShape s;
  s.heads = 1;
  s.head_dim = *rc::gen::inRange<std::uint32_t>(1, 40);
  s.fast_dim = *rc::gen::inRange<std::uint32_t>(1, 40);
  s.act_bf16 = *rc::gen::arbitrary<bool>();
  s.state_bf16 = std::is_same_v<S, Bf16>;
  s.learning_rate = 0.01f;
  const auto count = *rc::gen::inRange<std::uint32_t>(1, kLactReadLanes + 1);
  const std::vector<float> wf = Floats(s.head_elems());
  std::vector<S> w(wf.size());
  for (std::size_t e = 0; e < w.size(); ++e) Store(&w[e], wf[e] / 8.0f);
  std::vector<LactTokenKey> keys(count);
  for (LactTokenKey& k : keys) {
    k = {*rc::gen::arbitrary<std::uint64_t>(), *rc::gen::arbitrary<std::uint32_t>(),
         *rc::gen::inRange<std::uint32_t>(0, 100000), *rc::gen::inRange<std::uint32_t>(0, 64), 0};
  }
  const std::uint64_t stride = s.head_dim + *rc::gen::inRange<std::uint32_t>(0, 3);
  std::vector<float> scratch(s.read_tokens_scratch(count)), out(count * stride, -1.0f);
  LactReadTokens(s, w.data(), keys.data(), count, scratch.data(), out.data(), stride);
  std::vector<float> one(s.head_dim), one_scratch(s.read_scratch());
  for (std::uint32_t g = 0; g < count; ++g) {
    LactReadHead(s, w.data(), keys[g], one_scratch.data(), one.data());
    for (std::uint32_t j = 0; j < s.head_dim; ++j)
      RC_ASSERT(FloatBits(out[g * stride + j]) == FloatBits(one[j]));
  }
}

RC_GTEST_PROP(LactReadTokens, EqualsLactReadHeadOfEachToken, ()) { CheckLactReadTokens<float>(); }
RC_GTEST_PROP(LactReadTokens, EqualsLactReadHeadOfEachTokenOfABf16State, ()) {
  CheckLactReadTokens<Bf16>();
}

}  // namespace
}  // namespace rwttt
