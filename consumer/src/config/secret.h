#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace cdc {

// A credential (Elasticsearch password, API key). It prints as `***` through every path that
// formats it (fmt, spdlog, streams), so a secret can only leak through an explicit Reveal() —
// which is called where the credential is handed to the client library and nowhere else.
// A value type; not synchronised.
class Secret {
 public:
  static constexpr std::string_view kMask = "***";

  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}

  bool empty() const { return value_.empty(); }
  const std::string& Reveal() const { return value_; }
  // What logs, dumps and errors show: `***` when set, empty when not.
  std::string_view Masked() const { return value_.empty() ? std::string_view() : kMask; }

  friend bool operator==(const Secret&, const Secret&) = default;
  friend std::ostream& operator<<(std::ostream& out, const Secret& s) { return out << s.Masked(); }

 private:
  std::string value_;
};

}  // namespace cdc

template <>
struct fmt::formatter<cdc::Secret> : fmt::formatter<std::string_view> {
  template <typename Context>
  auto format(const cdc::Secret& secret, Context& ctx) const {
    return fmt::formatter<std::string_view>::format(secret.Masked(), ctx);
  }
};
