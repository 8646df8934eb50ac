#include "core/state_kind.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "core/json_fields.h"

namespace rwttt {
namespace {

constexpr std::size_t kNumKinds = std::variant_size_v<StateKind>;

// f(K{}, index) for each kind type K, in registration order.
template <typename F>
void ForEachKind(F&& f) {
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (f(std::variant_alternative_t<I, StateKind>{}, I), ...);
  }
  (std::make_index_sequence<kNumKinds>{});
}

// The index of the kind that lists `key` among its fields, or kNumKinds.
std::size_t KindOfField(std::string_view key) {
  std::size_t found = kNumKinds;
  ForEachKind([&](const auto& kind, std::size_t index) {
    const auto& fields = std::decay_t<decltype(kind)>::kFields;
    if (std::find(fields.begin(), fields.end(), key) != fields.end()) found = index;
  });
  return found;
}

}  // namespace

std::string_view StateKindName(const StateKind& kind) {
  return std::visit([](const auto& k) { return std::decay_t<decltype(k)>::kName; }, kind);
}

StateKindFields::StateKindFields() {
  ForEachKind([&](const auto& kind, std::size_t index) { values_[index] = kind; });
}

bool StateKindFields::IsKindField(std::string_view key) const {
  return KindOfField(key) < kNumKinds;
}

Status StateKindFields::Read(const json::Field& field) {
  return std::visit([&](auto& kind) { return kind.ReadField(field); },
                    values_[KindOfField(field.at.field)]);
}

Result<StateKind> StateKindFields::Take(const StateKind& chosen, MlpDims dims,
                                        const ProfileFieldSet& seen, const std::string& source) {
  Status other = OkStatus();
  ForEachKind([&](const auto& kind, std::size_t index) {
    using K = std::decay_t<decltype(kind)>;
    if (!other.ok() || index == chosen.index()) return;
    for (const std::string_view field : K::kFields) {
      if (seen.contains(field)) {
        other = Error::Input("only for state_kind " + std::string(K::kName),
                             {source, 0, std::string(field)});
        return;
      }
    }
  });
  RWTTT_TRY(other);
  StateKind taken = values_[chosen.index()];
  RWTTT_TRY(std::visit([&](auto& kind) { return kind.Finish(dims, seen, source); }, taken));
  return taken;
}

Result<StateKind> ParseStateKindName(std::string_view name, const SourceLoc& at) {
  std::optional<StateKind> named;
  std::string expected;
  ForEachKind([&](const auto& kind, std::size_t index) {
    using K = std::decay_t<decltype(kind)>;
    if (K::kName == name) named = kind;
    expected += (index == 0 ? "" : index + 1 == kNumKinds ? " or " : ", ");
    expected += K::kName;
  });
  if (named) return *std::move(named);
  return Error::Input("unknown state_kind '" + std::string(name) + "' (expected " + expected + ")",
                      at);
}

}  // namespace rwttt
