// The LaCT and low-rank math (core/lact_math.h, core/low_rank_math.h) against independent,
// straightforward double-precision implementations written here from the formulas in
// docs/kernels.md, and Muon's orthogonalisation against its documented singular-value bound.
#include <cmath>
#include <vector>

#include "core/lact_math.h"
#include "core/low_rank_math.h"
#include "tests/support/property.h"

namespace rwttt {
namespace {

using Matrix = std::vector<std::vector<double>>;

Matrix Zeros(std::size_t rows, std::size_t cols) {
  return Matrix(rows, std::vector<double>(cols, 0.0));
}

double Sigmoid(double u) { return 1.0 / (1.0 + std::exp(-u)); }
double SiluD(double u) { return u * Sigmoid(u); }

// Eigenvalues of a symmetric matrix by cyclic Jacobi rotations (small matrices only).
std::vector<double> SymmetricEigenvalues(Matrix a) {
  const std::size_t n = a.size();
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0;
    for (std::size_t p = 0; p < n; ++p)
      for (std::size_t q = p + 1; q < n; ++q) off += a[p][q] * a[p][q];
    if (off < 1e-24) break;
    for (std::size_t p = 0; p < n; ++p) {
      for (std::size_t q = p + 1; q < n; ++q) {
        if (std::abs(a[p][q]) < 1e-300) continue;
        const double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const double t = (theta >= 0 ? 1 : -1) / (std::abs(theta) + std::sqrt(theta * theta + 1));
        const double c = 1 / std::sqrt(t * t + 1), s = t * c;
        for (std::size_t k = 0; k < n; ++k) {  // A <- Jᵀ A J
          const double akp = a[k][p], akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (std::size_t k = 0; k < n; ++k) {
          const double apk = a[p][k], aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
      }
    }
  }
  std::vector<double> out;
  for (std::size_t k = 0; k < n; ++k) out.push_back(a[k][k]);
  return out;
}

// Singular values of g [rows][cols] (row-major floats): square roots of the eigenvalues of the
// smaller Gram matrix.
std::vector<double> SingularValues(const std::vector<float>& g, std::size_t rows,
                                   std::size_t cols) {
  const bool wide = rows <= cols;
  const std::size_t p = wide ? rows : cols, q = wide ? cols : rows;
  auto at = [&](std::size_t r, std::size_t c) {
    return wide ? double{g[r * cols + c]} : double{g[c * cols + r]};
  };
  Matrix gram = Zeros(p, p);
  for (std::size_t r = 0; r < p; ++r)
    for (std::size_t s = 0; s < p; ++s)
      for (std::size_t c = 0; c < q; ++c) gram[r][s] += at(r, c) * at(s, c);
  std::vector<double> sv;
  for (const double e : SymmetricEigenvalues(gram)) sv.push_back(std::sqrt(std::max(0.0, e)));
  return sv;
}

// ---- LaCT ---------------------------------------------------------------------------------

LactShape Shape2x2(bool muon, bool weight_norm) {
  return LactShape{.heads = 1,
                   .head_dim = 2,
                   .fast_dim = 2,
                   .muon = muon,
                   .weight_norm = weight_norm,
                   .act_bf16 = false,
                   .state_bf16 = false,
                   .learning_rate = 0.5f};
}

// A fixed head state: W0, W1, W2 (each 2x2), chosen by hand.
std::vector<float> HandState() {
  return {0.5f,  -0.25f, 0.75f,  0.125f,   // W0 [fast][head_dim]
          -0.5f, 0.375f, 0.25f,  0.625f,   // W1 [head_dim][fast]
          0.25f, 0.5f,   -0.75f, 0.375f};  // W2 [fast][head_dim]
}

Matrix MatrixOf(const std::vector<float>& w, std::size_t m) {
  return {{w[4 * m], w[4 * m + 1]}, {w[4 * m + 2], w[4 * m + 3]}};
}

// f(x) = W1 (silu(W0 x) ⊙ (W2 x)), in double.
std::vector<double> ForwardD(const Matrix& w0, const Matrix& w1, const Matrix& w2,
                             const std::vector<double>& x) {
  std::vector<double> g(2), out(2);
  for (int i = 0; i < 2; ++i) {
    double a = 0, b = 0;
    for (int c = 0; c < 2; ++c) {
      a += w0[i][c] * x[c];
      b += w2[i][c] * x[c];
    }
    g[i] = SiluD(a) * b;
  }
  for (int j = 0; j < 2; ++j)
    for (int i = 0; i < 2; ++i) out[j] += w1[j][i] * g[i];
  return out;
}

// Newton–Schulz in double with LaCT's coefficients (square 2x2 here: no transposition).
Matrix NewtonSchulzD(Matrix x) {
  double norm2 = 0;
  for (auto& row : x)
    for (double v : row) norm2 += v * v;
  for (auto& row : x)
    for (double& v : row) v /= std::sqrt(norm2) + 1e-7;
  const double co[5][3] = {{4.0848, -6.8946, 2.9270},
                           {3.9505, -6.3029, 2.6377},
                           {3.7418, -5.5913, 2.3037},
                           {2.8769, -3.1427, 1.2046},
                           {2.8366, -3.0525, 1.2012}};
  for (const auto& k : co) {
    Matrix a = Zeros(2, 2), aa = Zeros(2, 2), next = Zeros(2, 2);
    for (int r = 0; r < 2; ++r)
      for (int s = 0; s < 2; ++s)
        for (int c = 0; c < 2; ++c) a[r][s] += x[r][c] * x[s][c];
    for (int r = 0; r < 2; ++r)
      for (int s = 0; s < 2; ++s)
        for (int m = 0; m < 2; ++m) aa[r][s] += a[r][m] * a[m][s];
    for (int r = 0; r < 2; ++r) {
      for (int c = 0; c < 2; ++c) {
        double acc = 0;
        for (int m = 0; m < 2; ++m) acc += (k[1] * a[r][m] + k[2] * aa[r][m]) * x[m][c];
        next[r][c] = k[0] * x[r][c] + acc;
      }
    }
    x = next;
  }
  return x;
}

// The LaCT WRITE of one 2x2 head over tokens [first, end), in double, from the definition: the
// gradient of Σ_t lr_t ⟨f(k_t), v_t⟩ by the chain rule, Muon, then the weight norm.
std::vector<double> LactWriteD(const LactShape& s, const std::vector<float>& state, LactTokenKey k,
                               std::uint32_t first, std::uint32_t end) {
  const Matrix w[3] = {MatrixOf(state, 0), MatrixOf(state, 1), MatrixOf(state, 2)};
  Matrix grad[3] = {Zeros(2, 2), Zeros(2, 2), Zeros(2, 2)};
  for (std::uint32_t t = first; t < end; ++t) {
    k.token = t;
    float kf[2], vf[2];
    LactVector(s, k, kDomainKey, true, kf);  // the inputs are not under test
    LactVector(s, k, kDomainTarget, false, vf);
    const double lr[3] = {LactLearningRate(s, k, 0), LactLearningRate(s, k, 1),
                          LactLearningRate(s, k, 2)};
    const std::vector<double> key = {kf[0], kf[1]}, v = {vf[0], vf[1]};
    for (int i = 0; i < 2; ++i) {
      const double a = w[0][i][0] * key[0] + w[0][i][1] * key[1];
      const double b = w[2][i][0] * key[0] + w[2][i][1] * key[1];
      const double e = w[1][0][i] * v[0] + w[1][1][i] * v[1];  // (W1ᵀ v)_i
      const double dsilu = Sigmoid(a) * (1 + a * (1 - Sigmoid(a)));
      for (int c = 0; c < 2; ++c) {
        grad[0][i][c] += lr[0] * e * b * dsilu * key[c];
        grad[2][i][c] += lr[2] * e * SiluD(a) * key[c];
      }
      for (int j = 0; j < 2; ++j) grad[1][j][i] += lr[1] * v[j] * SiluD(a) * b;
    }
  }
  std::vector<double> out;
  for (int m = 0; m < 3; ++m) {
    const Matrix g = s.muon ? NewtonSchulzD(grad[m]) : grad[m];
    for (int r = 0; r < 2; ++r) {
      double row[2] = {w[m][r][0] + g[r][0], w[m][r][1] + g[r][1]};
      if (s.weight_norm) {
        const double want = std::hypot(w[m][r][0], w[m][r][1]);
        const double now = std::hypot(row[0], row[1]);
        row[0] *= want / (now + 1e-5);
        row[1] *= want / (now + 1e-5);
      }
      out.push_back(row[0]);
      out.push_back(row[1]);
    }
  }
  return out;
}

class LactWrite2x2 : public ::testing::TestWithParam<std::tuple<bool, bool>> {};

TEST_P(LactWrite2x2, MatchesAStraightforwardDoubleImplementation) {
  const auto [muon, weight_norm] = GetParam();
  const LactShape s = Shape2x2(muon, weight_norm);
  std::vector<float> state = HandState();
  const std::vector<float> base = state;
  const LactTokenKey key{.token_key = 77, .owner_lo = 3, .token = 0, .layer = 1, .head = 0};
  const std::vector<double> want = LactWriteD(s, state, key, 4, 7);
  std::vector<float> scratch(s.write_scratch());
  LactWriteHead(s, state.data(), base.data(), key, 4, 7, scratch.data());
  ASSERT_EQ(state.size(), want.size());
  for (std::size_t n = 0; n < want.size(); ++n) {
    EXPECT_NEAR(state[n], want[n], 2e-5 * (1 + std::abs(want[n]))) << "element " << n;
    EXPECT_NE(state[n], base[n]) << "element " << n << " did not move";
  }
  if (weight_norm) {  // every row keeps its norm, up to the 1e-5 guard in w / (|w| + 1e-5)
    for (std::size_t r = 0; r < 6; ++r) {
      EXPECT_NEAR(std::hypot(state[2 * r], state[2 * r + 1]),
                  std::hypot(base[2 * r], base[2 * r + 1]), 3e-5);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(MuonAndWeightNorm, LactWrite2x2,
                         ::testing::Combine(::testing::Bool(), ::testing::Bool()));

// LactWriteHead gathers the factors of kLactWriteBlock tokens before adding them into the
// gradients; every gradient element must still add the tokens one by one in ascending order, so
// the state after a chunk of two whole blocks and a part is the same, bit for bit, as one token at
// a time (kBlock 1) gives, for every combination of Muon, weight norm and dtypes.
RC_GTEST_PROP(LactWriteBlocks, ChangeNoBitOfTheUpdatedState, ()) {
  const LactShape s{.heads = 1,
                    .head_dim = *rc::gen::inRange<std::uint32_t>(1, 10),
                    .fast_dim = *rc::gen::inRange<std::uint32_t>(1, 14),
                    .muon = *rc::gen::arbitrary<bool>(),
                    .weight_norm = *rc::gen::arbitrary<bool>(),
                    .act_bf16 = *rc::gen::arbitrary<bool>(),
                    .state_bf16 = *rc::gen::arbitrary<bool>(),
                    .learning_rate = 0.01f};
  const auto first = *rc::gen::inRange<std::uint32_t>(0, 40);
  const auto tokens = *rc::gen::inRange<std::uint32_t>(1, 2 * kLactWriteBlock + 8);
  std::vector<float> base(s.head_elems());
  for (std::uint64_t e = 0; e < base.size(); ++e) {
    base[e] = RoundAs(s.state_bf16, LactBaseElement(s, /*run_key=*/9, /*layer=*/2, e));
  }
  const LactTokenKey key{.token_key = 77, .owner_lo = 3, .token = 0, .layer = 2, .head = 0};
  std::vector<float> scratch(s.write_scratch());
  std::vector<float> blocked = base, one_by_one = base;
  LactWriteHead(s, blocked.data(), base.data(), key, first, first + tokens, scratch.data());
  LactWriteHead<1>(s, one_by_one.data(), base.data(), key, first, first + tokens, scratch.data());
  for (std::size_t n = 0; n < base.size(); ++n) {
    RC_ASSERT(FloatBits(blocked[n]) == FloatBits(one_by_one[n]));
  }
}

TEST(LactRead2x2, MatchesAStraightforwardDoubleImplementation) {
  const LactShape s = Shape2x2(false, false);
  const std::vector<float> state = HandState();
  const LactTokenKey key{.token_key = 5, .owner_lo = 9, .token = 3, .layer = 0, .head = 0};
  float q[2];
  LactVector(s, key, kDomainInput, true, q);
  EXPECT_NEAR(std::hypot(q[0], q[1]), 1.0, 1e-4);  // the query is L2-normalised
  const std::vector<double> want =
      ForwardD(MatrixOf(state, 0), MatrixOf(state, 1), MatrixOf(state, 2), {q[0], q[1]});
  std::vector<float> scratch(s.read_scratch());
  float out[2];
  LactReadHead(s, state.data(), key, scratch.data(), out);
  EXPECT_NEAR(out[0], want[0], 1e-6);
  EXPECT_NEAR(out[1], want[1], 1e-6);
}

// Muon (docs/kernels.md#muon): for a matrix whose smallest singular value is at least 0.002 of
// its Frobenius norm, every singular value after the five steps lies in [0.85, 1.15] (the
// coefficients' scalar map, plus fp32 rounding).
RC_GTEST_PROP(NewtonSchulz, SingularValuesEndNearOne, ()) {
  const auto rows = *rc::gen::inRange<std::uint32_t>(1, 13);
  const auto cols = *rc::gen::inRange<std::uint32_t>(1, 13);
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  std::vector<float> g(std::size_t{rows} * cols);
  for (std::uint32_t e = 0; e < g.size(); ++e) g[e] = DrawCentered(seed, e, 0, 9, e, 0) * 3.0f;
  const std::vector<double> before = SingularValues(g, rows, cols);
  double fro = 0;
  for (float v : g) fro += double{v} * v;
  fro = std::sqrt(fro);
  for (double sv : before) RC_PRE(sv >= 0.002 * fro);
  std::vector<float> scratch(NewtonSchulzScratch(rows, cols));
  NewtonSchulz(g.data(), rows, cols, scratch.data());
  for (double sv : SingularValues(g, rows, cols)) {
    RC_ASSERT(sv >= 0.85 - 1e-4);
    RC_ASSERT(sv <= 1.15 + 1e-4);
  }
}

// The host's x xᵀ, 16 rows at a time through MatVecLanes, is MatVec's row by row, bit for bit.
RC_GTEST_PROP(NewtonSchulz, LanesChangeNoBit, ()) {
  const auto rows = *rc::gen::inRange<std::uint32_t>(1, 40);
  const auto cols = *rc::gen::inRange<std::uint32_t>(1, 40);
  std::vector<float> lanes(std::uint64_t{rows} * cols);
  for (float& v : lanes) v = static_cast<float>(*rc::gen::inRange(-1000, 1000)) / 997.0f;
  std::vector<float> rowwise = lanes;
  std::vector<float> scratch(NewtonSchulzScratch(rows, cols));
  NewtonSchulz(lanes.data(), rows, cols, scratch.data());
  NewtonSchulz<false>(rowwise.data(), rows, cols, scratch.data());
  for (std::size_t n = 0; n < lanes.size(); ++n) {
    RC_ASSERT(FloatBits(lanes[n]) == FloatBits(rowwise[n]));
  }
}

TEST(NewtonSchulz, TallAndWideGiveTransposedResults) {
  std::vector<float> wide(3 * 5), tall(5 * 3);
  for (std::uint32_t r = 0; r < 3; ++r) {
    for (std::uint32_t c = 0; c < 5; ++c) {
      wide[r * 5 + c] = tall[c * 3 + r] = DrawCentered(1, r, c, 9, 0, 0);
    }
  }
  std::vector<float> scratch(NewtonSchulzScratch(3, 5));
  NewtonSchulz(wide.data(), 3, 5, scratch.data());
  NewtonSchulz(tall.data(), 5, 3, scratch.data());
  for (std::uint32_t r = 0; r < 3; ++r) {
    for (std::uint32_t c = 0; c < 5; ++c) EXPECT_EQ(wide[r * 5 + c], tall[c * 3 + r]);
  }
}

// ---- Low-rank ---------------------------------------------------------------------------------

TEST(LowRankWrite, MatchesAStraightforwardDoubleImplementation) {
  // d_model 2, d_ff 3, rank 2, both projections; shared weights and state chosen by hand.
  const LowRankShape s{.d_model = 2,
                       .d_ff = 3,
                       .rank = 2,
                       .up = true,
                       .down = true,
                       .act_bf16 = false,
                       .state_bf16 = false,
                       .learning_rate = 0.25f};
  const std::vector<float> up = {0.5f, -0.25f, 0.125f, 0.75f, 0.5f, -0.5f};     // [2][3]
  const std::vector<float> down = {0.25f, -0.5f, 0.5f, 0.125f, -0.75f, 0.25f};  // [3][2]
  std::vector<float> state(s.layer_elems());
  for (std::size_t n = 0; n < state.size(); ++n) state[n] = 0.0625f * ((n * 7) % 11) - 0.3f;
  const std::vector<float> old = state;
  const std::uint64_t key = 99;
  const std::uint32_t owner = 4, layer = 1, first = 8, end = 11;

  // In double: for each token, the forward with the old state, then each projection's gradient
  // of ⟨in A B, v⟩: dA = inᵀ (v Bᵀ), dB = (in A)ᵀ v; finally state += lr * grad.
  auto delta = [&](std::size_t at, std::size_t n, std::size_t m, const std::vector<double>& in,
                   std::vector<double>& out) {
    for (std::size_t j = 0; j < m; ++j) {
      for (std::size_t r = 0; r < 2; ++r) {
        double z = 0;
        for (std::size_t i = 0; i < n; ++i) z += in[i] * old[at + i * 2 + r];
        out[j] += z * old[at + n * 2 + r * m + j];
      }
    }
  };
  std::vector<double> grad(state.size(), 0.0);
  auto accumulate = [&](std::size_t at, std::size_t n, std::size_t m, const std::vector<double>& in,
                        const std::vector<double>& v) {
    for (std::size_t r = 0; r < 2; ++r) {
      double p = 0, q = 0;
      for (std::size_t j = 0; j < m; ++j) p += v[j] * old[at + n * 2 + r * m + j];
      for (std::size_t i = 0; i < n; ++i) q += in[i] * old[at + i * 2 + r];
      for (std::size_t i = 0; i < n; ++i) grad[at + i * 2 + r] += in[i] * p;
      for (std::size_t j = 0; j < m; ++j) grad[at + n * 2 + r * m + j] += q * v[j];
    }
  };
  for (std::uint32_t t = first; t < end; ++t) {
    std::vector<double> x(2), u(3, 0.0), h(3), v(2), v_up(3);
    for (std::uint32_t k = 0; k < 2; ++k) x[k] = InputValue(key, owner, t, layer, k);
    for (std::size_t f = 0; f < 3; ++f)
      for (std::size_t k = 0; k < 2; ++k) u[f] += x[k] * up[k * 3 + f];
    delta(0, 2, 3, x, u);
    for (std::size_t f = 0; f < 3; ++f) h[f] = SiluD(u[f]);
    for (std::uint32_t j = 0; j < 2; ++j) v[j] = TargetValue(key, owner, t, layer, j);
    for (std::uint32_t f = 0; f < 3; ++f)
      v_up[f] = DrawCentered(key, t, layer, kDomainUpTarget, f, owner);
    accumulate(0, 2, 3, x, v_up);
    accumulate(s.up_elems(), 3, 2, h, v);
  }
  std::vector<float> scratch(s.write_scratch());
  LowRankWrite(s, up.data(), down.data(), state.data(), key, owner, first, end, layer,
               scratch.data());
  for (std::size_t n = 0; n < state.size(); ++n) {
    const double want = old[n] + 0.25 * grad[n];
    EXPECT_NEAR(state[n], want, 1e-5 * (1 + std::abs(want))) << "element " << n;
  }
}

TEST(LowRankBase, StartsFromTheSharedWeightsExactly) {
  // B = 0 at version 0, so the delta adds exactly nothing: the READ equals the plain MLP's.
  const LowRankShape s{.d_model = 4, .d_ff = 6, .rank = 2, .up = true, .down = true};
  std::vector<float> state(s.layer_elems());
  bool any_nonzero = false;
  for (std::size_t e = 0; e < state.size(); ++e) {
    state[e] = LowRankBaseElement(s, 7, 0, e);
    any_nonzero |= state[e] != 0.0f;
  }
  EXPECT_TRUE(any_nonzero);  // A is drawn
  std::vector<float> up(24), down(24);
  for (std::uint32_t e = 0; e < 24; ++e) {
    up[e] = UpWeight(7, 0, e / 6, e % 6, 4);
    down[e] = BaseWeight(7, 0, e / 4, e % 4, 6);
  }
  std::vector<float> scratch(s.read_scratch()), y(4);
  LowRankRead(s, up.data(), down.data(), state.data(), 3, 1, 0, 0, scratch.data(), y.data());
  const LowRankShape plain{.d_model = 4, .d_ff = 6, .rank = 2, .up = false, .down = false};
  std::vector<float> y_plain(4);
  LowRankRead(plain, up.data(), down.data(), state.data(), 3, 1, 0, 0, scratch.data(),
              y_plain.data());
  EXPECT_EQ(y, y_plain);
}

}  // namespace
}  // namespace rwttt
