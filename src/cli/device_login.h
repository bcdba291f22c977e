#ifndef TFZO_CLI_DEVICE_LOGIN_H_
#define TFZO_CLI_DEVICE_LOGIN_H_

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "cli/api_client.h"
#include "core/result.h"

namespace tfzo::cli {

// `2501 login`'s side of the device authorization flow (RFC 8628, in the API's error shape;
// docs/spec/API.md "Device authorization"): reading the server's code, polling the token
// endpoint at its interval, and what each answer means. Free functions and value types; the
// command (login_command.cc) does the printing and the storing.

// POST /api/v1/device/code's answer.
struct DeviceCode {
  std::string device_code;  // secret between this process and the server: never printed
  std::string user_code;    // XXXX-XXXX, shown to the person
  std::string verification_uri;
  std::string verification_uri_complete;
  std::chrono::seconds expires_in{900};
  std::chrono::seconds interval{5};
};

// The answer parsed and checked: the codes present, the URIs http(s) without control characters
// or spaces (they are printed and handed to a browser), the user code letters, digits and '-'.
// kInvalidRequest naming what is wrong otherwise.
Result<DeviceCode> ParseDeviceCode(std::string_view body);

// What one POST /api/v1/device/token answer means.
enum class TokenState {
  kPending,     // 400 authorization_pending: ask again after the interval
  kSlowDown,    // 400 slow_down, or 429: ask again, 5 s more slowly (RFC 8628 3.5)
  kDenied,      // 400 access_denied
  kExpired,     // 400 expired_token
  kApproved,    // 200 {"key", "secret"}
  kUnexpected,  // anything else: the command reports the server's error
};
TokenState ClassifyTokenAnswer(const HttpResponse& response);

// How the polling ended: the state that ended it (kApproved, kDenied, kExpired or kUnexpected),
// the last answer, or `interrupted` (then `last` is empty). Value type.
struct PollOutcome {
  TokenState state = TokenState::kUnexpected;
  std::optional<HttpResponse> last;
  bool interrupted = false;
  bool expired_locally = false;  // the code's lifetime passed without the server saying so
};

// The polling loop of RFC 8628 3.4-3.5 with its side effects injected: `ask` sends one token
// request; `sleep` waits for the given time and returns false when interrupted (Ctrl-C);
// `interrupted` says whether Ctrl-C came during a request. Waits `interval` before each request,
// adds 5 s to it at each slow_down, and gives up once `expires_in` has passed in waits (the
// server's expired_token normally comes first). A request that cannot reach the server
// (kUnavailable) is waited out like authorization_pending, up to 3 in a row; the third, or any
// other failure of `ask`, ends the loop with that Status.
struct PollHooks {
  std::function<Result<HttpResponse>()> ask;
  std::function<bool(std::chrono::milliseconds)> sleep;
  std::function<bool()> interrupted;
};
Result<PollOutcome> PollForToken(const DeviceCode& code, const PollHooks& hooks);

// `url` with `name=value` added to its query (after a '#' fragment's '?' too: the console's
// routes are fragments, `/#/device?code=...`); value percent-encoded.
std::string AddQueryParameter(std::string_view url, std::string_view name, std::string_view value);

}  // namespace tfzo::cli

#endif  // TFZO_CLI_DEVICE_LOGIN_H_
