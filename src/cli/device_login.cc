#include "cli/device_login.h"

#include <algorithm>

namespace tfzo::cli {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr seconds kSlowDownStep{5};  // RFC 8628 3.5
constexpr seconds kMinInterval{1};
constexpr seconds kMaxInterval{60};
constexpr seconds kMaxLifetime{3600};
constexpr int kMaxFailuresInARow = 3;

std::string StringField(const nlohmann::json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// Printable ASCII without spaces: safe to print and to give to a browser as one argument.
bool PrintableUrl(std::string_view url) {
  if (!url.starts_with("http://") && !url.starts_with("https://")) return false;
  return std::all_of(url.begin(), url.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

bool PlainCode(std::string_view code) {
  if (code.empty() || code.size() > 64) return false;
  return std::all_of(code.begin(), code.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

seconds SecondsField(const nlohmann::json& j, const char* name, seconds fallback) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_number_integer()) return fallback;
  return seconds(it->get<int64_t>());
}

std::string ErrorCode(const HttpResponse& response) {
  auto j = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return "";
  auto it = j.find("error");
  if (it == j.end() || !it->is_object()) return "";
  return StringField(*it, "code");
}

}  // namespace

Result<DeviceCode> ParseDeviceCode(std::string_view body) {
  auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return InvalidRequest("the answer to POST /api/v1/device/code is not a JSON object");
  }
  DeviceCode code;
  code.device_code = StringField(j, "device_code");
  code.user_code = StringField(j, "user_code");
  code.verification_uri = StringField(j, "verification_uri");
  code.verification_uri_complete = StringField(j, "verification_uri_complete");
  if (code.device_code.empty() || code.device_code.size() > 512) {
    return InvalidRequest("the device code answer has no usable \"device_code\"");
  }
  if (!PlainCode(code.user_code)) {
    return InvalidRequest("the device code answer's \"user_code\" is missing or not plain text");
  }
  if (!PrintableUrl(code.verification_uri)) {
    return InvalidRequest(
        "the device code answer's \"verification_uri\" is missing or not a plain http(s) URL");
  }
  if (code.verification_uri_complete.empty()) {
    code.verification_uri_complete = code.verification_uri;
  } else if (!PrintableUrl(code.verification_uri_complete)) {
    return InvalidRequest(
        "the device code answer's \"verification_uri_complete\" is not a plain http(s) URL");
  }
  code.expires_in =
      std::clamp(SecondsField(j, "expires_in", seconds(900)), seconds(1), kMaxLifetime);
  code.interval = std::clamp(SecondsField(j, "interval", seconds(5)), kMinInterval, kMaxInterval);
  return code;
}

TokenState ClassifyTokenAnswer(const HttpResponse& response) {
  if (response.status == 200) return TokenState::kApproved;
  if (response.status == 429) return TokenState::kSlowDown;
  if (response.status != 400) return TokenState::kUnexpected;
  const std::string code = ErrorCode(response);
  if (code == "authorization_pending") return TokenState::kPending;
  if (code == "slow_down") return TokenState::kSlowDown;
  if (code == "access_denied") return TokenState::kDenied;
  if (code == "expired_token") return TokenState::kExpired;
  return TokenState::kUnexpected;
}

Result<PollOutcome> PollForToken(const DeviceCode& code, const PollHooks& hooks) {
  seconds interval = code.interval;
  milliseconds waited{0};
  int failures_in_a_row = 0;
  PollOutcome outcome;
  for (;;) {
    if (waited >= code.expires_in) {
      outcome.state = TokenState::kExpired;
      outcome.expired_locally = true;
      return outcome;
    }
    if (!hooks.sleep(interval)) {
      outcome.interrupted = true;
      return outcome;
    }
    waited += interval;
    Result<HttpResponse> answer = hooks.ask();
    if (!answer.ok()) {
      // A network blip during a wait of minutes must not lose the login: a few in a row are
      // waited out like authorization_pending.
      if (answer.status().code() != StatusCode::kUnavailable ||
          ++failures_in_a_row >= kMaxFailuresInARow || hooks.interrupted()) {
        return answer.status();
      }
      continue;
    }
    failures_in_a_row = 0;
    HttpResponse response = std::move(answer).value();
    const TokenState state = ClassifyTokenAnswer(response);
    if (state == TokenState::kApproved) {
      // The key exists now and is handed out once: keep it even if Ctrl-C came meanwhile.
      outcome.state = state;
      outcome.last = std::move(response);
      return outcome;
    }
    if (hooks.interrupted()) {
      outcome.interrupted = true;
      return outcome;
    }
    if (state == TokenState::kPending) continue;
    if (state == TokenState::kSlowDown) {
      interval = std::min(interval + kSlowDownStep, kMaxInterval);
      continue;
    }
    outcome.state = state;
    outcome.last = std::move(response);
    return outcome;
  }
}

std::string AddQueryParameter(std::string_view url, std::string_view name, std::string_view value) {
  const size_t hash = url.find('#');
  const std::string_view tail = hash == std::string_view::npos ? url : url.substr(hash);
  const char sep = tail.find('?') == std::string_view::npos ? '?' : '&';
  return std::string(url) + sep + std::string(name) + "=" + EscapePathSegment(value);
}

}  // namespace tfzo::cli
