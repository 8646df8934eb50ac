// Strong types for the quantities rwttt orders and adds: owners, versions, time, seeds.
//
//   OwnerId owner{3};  Nanos t{1'500};  t += Nanos{10};
//   Version v = Version{0}.Next();
//
// A raw integer never silently becomes an owner or a time; .value() is the explicit way out.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>

namespace rwttt {

template <typename Tag, typename Rep>
class StrongValue {
 public:
  using rep = Rep;
  constexpr StrongValue() = default;
  constexpr explicit StrongValue(Rep value) : value_(value) {}
  constexpr Rep value() const { return value_; }
  friend constexpr auto operator<=>(StrongValue, StrongValue) = default;

 private:
  Rep value_{};
};

// A request, and the one TttState it owns. Owner ids are the trace's request ids.
struct OwnerTag {};
using OwnerId = StrongValue<OwnerTag, std::uint64_t>;

// The number of committed updates of an owner's state: 0 after admission.
class Version : public StrongValue<Version, std::uint64_t> {
 public:
  using StrongValue::StrongValue;
  constexpr Version Next() const { return Version{value() + 1}; }
};

// A seed for the counter-based generator (core/philox.h).
struct SeedTag {};
using Seed = StrongValue<SeedTag, std::uint64_t>;

// Virtual or real time, and durations, in integer nanoseconds.
class Nanos : public StrongValue<Nanos, std::int64_t> {
 public:
  using StrongValue::StrongValue;
  constexpr Nanos& operator+=(Nanos d) { return *this = Nanos{value() + d.value()}; }
  friend constexpr Nanos operator+(Nanos a, Nanos b) { return Nanos{a.value() + b.value()}; }
  friend constexpr Nanos operator-(Nanos a, Nanos b) { return Nanos{a.value() - b.value()}; }
  constexpr double seconds() const { return static_cast<double>(value()) * 1e-9; }
};

}  // namespace rwttt

template <typename Tag, typename Rep>
struct std::hash<rwttt::StrongValue<Tag, Rep>> {
  std::size_t operator()(rwttt::StrongValue<Tag, Rep> v) const noexcept {
    return std::hash<Rep>{}(v.value());
  }
};
