// Storage types of weights, states and activations.
//
//   static_assert(DTypeBytes(DType::kBf16) == 2);
//   std::optional<DType> t = ParseDType("fp32");  // DType::kFp32; nullopt for an unknown name
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace rwttt {

enum class DType : std::uint8_t { kBf16, kFp32 };

constexpr std::uint32_t DTypeBytes(DType t) { return t == DType::kBf16 ? 2 : 4; }
constexpr std::string_view DTypeName(DType t) { return t == DType::kBf16 ? "bf16" : "fp32"; }
constexpr std::optional<DType> ParseDType(std::string_view s) {
  if (s == "bf16") return DType::kBf16;
  if (s == "fp32") return DType::kFp32;
  return std::nullopt;
}

}  // namespace rwttt
