#ifndef TFZO_CORE_TOTP_H_
#define TFZO_CORE_TOTP_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.h"

namespace tfzo {

// Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP), as authenticator apps make
// them: HMAC-SHA-1 (OpenSSL), 30-second steps from the Unix epoch, 6 digits. Pure functions;
// thread-safe.
inline constexpr int64_t kTotpStepSeconds = 30;
inline constexpr int kTotpDigits = 6;
// Steps of clock drift accepted either way (the phone's clock, the time to type the code).
inline constexpr int64_t kTotpDrift = 1;

// The time step `at` falls in.
int64_t TotpStep(Time at);

// HOTP (RFC 4226 section 5.3): the code of `counter` for the raw `secret`, `digits` long,
// zero-padded.
std::string HotpCode(std::string_view secret, uint64_t counter, int digits = kTotpDigits);

// The step, within kTotpDrift of `at`'s, whose code `code` is (compared in constant time), or
// nullopt. The caller refuses a step already used (replay).
std::optional<int64_t> MatchTotp(std::string_view secret, std::string_view code, Time at);

}  // namespace tfzo

#endif  // TFZO_CORE_TOTP_H_
