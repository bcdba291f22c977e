#ifndef TFZO_CORE_TIME_H_
#define TFZO_CORE_TIME_H_

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace tfzo {

// Whole seconds since the Unix epoch, UTC: the resolution of every time on the wire.
using Time = std::chrono::sys_seconds;

// "2026-11-27T06:48:27Z".
std::string FormatRfc3339(Time t);

// RFC 3339 with "Z" or a numeric offset; fractional seconds are dropped.
Result<Time> ParseRfc3339(std::string_view text);

inline int64_t ToUnix(Time t) { return t.time_since_epoch().count(); }
inline Time FromUnix(int64_t s) { return Time(std::chrono::seconds(s)); }

// The time source of the service, injected so tests can move time. Thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Time Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Time Now() const override {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  }
};

// A clock that moves only when told. For tests; thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(Time start) : now_(ToUnix(start)) {}
  Time Now() const override { return FromUnix(now_.load()); }
  void Advance(std::chrono::seconds d) { now_ += d.count(); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace tfzo

#endif  // TFZO_CORE_TIME_H_
