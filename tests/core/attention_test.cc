// A model's attention and KV cache (core/attention.h): the presets' published shapes, the
// profile fields and their errors, and the position counts against a token-by-token count.
#include "core/attention.h"

#include <algorithm>
#include <string>

#include "core/model_profile.h"
#include "tests/support/property.h"

namespace rwttt {
namespace {

TEST(Attention, PresetsCarryTheirPublishedShapes) {
  // Qwen3-4B: 32 query heads, 8 KV heads of 128, bf16; 36 layers: 147,456 bytes a token.
  for (const char* name : {"inplace-ttt-4b", "low-rank-4b"}) {
    const ModelProfile m = LoadModelProfile(name).value();
    ASSERT_TRUE(m.attention.has_value()) << name;
    EXPECT_EQ(*m.attention, (AttentionShape{32, 8, 128, DType::kBf16, 0})) << name;
    EXPECT_EQ(m.kv_bytes(1), 147456u) << name;
    EXPECT_EQ(m.kv_bytes(10000), 1474560000u) << name;  // 1.47 GB at a 10k-token context
  }
  // LaCT's language model: 32 heads of 64 (hidden 2048), shared K and V heads, a 2048-token
  // sliding window: the KV kept stops growing at 2048 tokens.
  for (const char* name : {"lact-1b", "lact-1b-muon"}) {
    const ModelProfile m = LoadModelProfile(name).value();
    ASSERT_TRUE(m.attention.has_value()) << name;
    EXPECT_EQ(*m.attention, (AttentionShape{32, 32, 64, DType::kBf16, 2048})) << name;
    EXPECT_EQ(m.kv_bytes(2048), 24u * 8192 * 2048) << name;
    EXPECT_EQ(m.kv_bytes(100000), m.kv_bytes(2048)) << name;
  }
  // The synthetic profiles have none: no KV in their costs or memory.
  for (const char* name : {"tiny", "small", "medium", "lact-tiny", "low-rank-tiny"}) {
    const ModelProfile m = LoadModelProfile(name).value();
    EXPECT_FALSE(m.attention.has_value()) << name;
    EXPECT_EQ(m.kv_bytes(1000), 0u) << name;
  }
}

TEST(Attention, ProfileFieldsRoundTripAndBadOnesAreNamed) {
  const std::string base =
      R"({"name":"x","d_model":4,"d_ff":8,"layers":2,"ttt_layers":"all","learning_rate":0.1,)"
      R"("chunk":4)";
  const auto parse = [&](const std::string& fields) {
    return ParseModelProfile(base + fields + "}", "m.json");
  };
  const Result<ModelProfile> m = parse(
      R"(,"attention_heads":4,"attention_kv_heads":2,"attention_head_dim":8,"kv_dtype":"fp32",)"
      R"("attention_window":16)");
  ASSERT_TRUE(m.ok()) << m.error().ToString();
  EXPECT_EQ(*m->attention, (AttentionShape{4, 2, 8, DType::kFp32, 16}));
  const Result<ModelProfile> again = ParseModelProfile(ModelProfileToJson(*m), "again");
  ASSERT_TRUE(again.ok()) << again.error().ToString();
  EXPECT_EQ(again->attention, m->attention);
  const auto error_of = [&](const std::string& fields) {
    const Result<ModelProfile> p = parse(fields);
    return p.ok() ? std::string("ok") : p.error().ToString();
  };
  EXPECT_EQ(error_of(R"(,"attention_heads":4,"attention_head_dim":8)"),
            "m.json: attention_kv_heads: missing: the attention needs attention_heads, "
            "attention_kv_heads and attention_head_dim together");
  EXPECT_EQ(error_of(R"(,"attention_heads":4,"attention_kv_heads":3,"attention_head_dim":8)"),
            "m.json: attention_kv_heads: must divide attention_heads (4)");
  EXPECT_EQ(error_of(R"(,"attention_window":16)"),
            "m.json: attention_window: needs attention_heads, attention_kv_heads and "
            "attention_head_dim");
  EXPECT_EQ(error_of(R"(,"attention_heads":0,"attention_kv_heads":1,"attention_head_dim":8)"),
            "m.json: attention_heads: must be in [1, 65536], found 0");
  EXPECT_EQ(error_of(R"(,"attention_heads":1,"attention_kv_heads":1,"attention_head_dim":1,)"
                     R"("kv_dtype":"int8")"),
            "m.json: kv_dtype: unknown dtype 'int8' (expected bf16 or fp32)");
}

TEST(Attention, CountsWorkedByHand) {
  const AttentionShape full{2, 1, 8, DType::kBf16, 0};
  EXPECT_EQ(full.kv_token_layer_bytes(), 32u);  // K and V, one head of 8, 2 bytes each
  EXPECT_EQ(full.flops_per_pair(), 64.0);       // 4 * 2 heads * 8
  EXPECT_EQ(full.AttendedPairs(0, 8), 36.0);    // 1 + 2 + ... + 8
  EXPECT_EQ(full.KvTokensRead(0, 8), 8u);
  EXPECT_EQ(full.AttendedPairs(8, 9), 9.0);  // a decode token at position 8 sees 9
  EXPECT_EQ(full.KvTokensRead(8, 9), 9u);
  const AttentionShape window{2, 1, 8, DType::kBf16, 4};
  EXPECT_EQ(window.AttendedPairs(8, 9), 4.0);  // positions 5..8
  EXPECT_EQ(window.KvTokensRead(8, 9), 4u);
  EXPECT_EQ(window.AttendedPairs(0, 8), 1.0 + 2 + 3 + 4 * 5);
  EXPECT_EQ(window.KvTokensRead(2, 8), 8u);  // token 2 reaches back to 0
  EXPECT_EQ(window.KvTokensRead(6, 8), 5u);  // token 6 reaches back to 3
  EXPECT_EQ(window.KvTokensKept(100), 4u);
  EXPECT_EQ(full.KvTokensRead(5, 5), 0u);
}

// The closed forms against counting each token's attended positions one by one.
RC_GTEST_PROP(Attention, CountsEqualTokenByTokenCounting, ()) {
  AttentionShape a{1, 1, 1, DType::kBf16, *rc::gen::element<std::uint32_t>(0, 1, 2, 7, 64, 300)};
  const auto first = *rc::gen::inRange<std::uint32_t>(0, 3000);
  const auto end = first + *rc::gen::inRange<std::uint32_t>(0, 700);
  double pairs = 0;
  std::uint64_t lowest = end;
  for (std::uint32_t t = first; t < end; ++t) {
    const std::uint64_t from = a.window == 0 || t + 1 <= a.window ? 0 : t + 1 - a.window;
    pairs += static_cast<double>(t + 1 - from);
    lowest = std::min(lowest, from);
  }
  RC_ASSERT(a.AttendedPairs(first, end) == pairs);
  RC_ASSERT(a.KvTokensRead(first, end) == end - lowest);
}

}  // namespace
}  // namespace rwttt
