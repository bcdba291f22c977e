#ifndef TFZO_CORE_SECRET_H_
#define TFZO_CORE_SECRET_H_

#include <fmt/format.h>

#include <ostream>
#include <string>
#include <string_view>

namespace tfzo {

// A secret value (API key, password, session token) that must never reach a log line or an
// error. Streaming or formatting it prints "[redacted]"; only reveal() gives the value, at
// the one place that must hand it over. Value type.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}

  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }

  friend std::ostream& operator<<(std::ostream& os, const Secret&) { return os << "[redacted]"; }

 private:
  std::string value_;
};

}  // namespace tfzo

template <>
struct fmt::formatter<tfzo::Secret> : fmt::formatter<std::string_view> {
  template <typename Ctx>
  auto format(const tfzo::Secret&, Ctx& ctx) const {
    return fmt::formatter<std::string_view>::format("[redacted]", ctx);
  }
};

#endif  // TFZO_CORE_SECRET_H_
