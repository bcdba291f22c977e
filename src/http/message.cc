#include "http/message.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "auth/bearer_authenticator.h"
#include "http/static_files.h"

namespace tfzo::http {
namespace {

constexpr std::string_view kJsonType = "application/json; charset=utf-8";

// The lines ErrorResponse kept while a DeferredErrorLog is alive on this thread.
struct Deferred {
  bool active = false;
  std::vector<std::pair<spdlog::level::level_enum, std::string>> lines;
};
thread_local Deferred tl_deferred;

void LogError(spdlog::level::level_enum level, std::string line) {
  if (tl_deferred.active) {
    tl_deferred.lines.emplace_back(level, std::move(line));
  } else {
    spdlog::log(level, "{}", line);
  }
}

}  // namespace

DeferredErrorLog::DeferredErrorLog() {
  tl_deferred.active = true;
  tl_deferred.lines.clear();
}

DeferredErrorLog::~DeferredErrorLog() {
  tl_deferred.active = false;
  tl_deferred.lines.clear();
}

void DeferredErrorLog::Emit() {
  for (auto& [level, line] : tl_deferred.lines) spdlog::log(level, "{}", line);
  tl_deferred.lines.clear();
}

HttpResponse JsonResponse(beast_http::status status, std::string body) {
  HttpResponse res{status, 11};
  res.set(beast_http::field::content_type, kJsonType);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

HttpResponse ErrorResponse(const Status& status, bool bearer_path) {
  std::string message;
  switch (status.code()) {
    // What failed inside (a store's host, port or error text) is for the operator's log.
    case StatusCode::kInternal:
      LogError(spdlog::level::err, "answered 500: " + status.message());
      message = "Something went wrong on the server; try again, and report it if it persists.";
      break;
    case StatusCode::kUnavailable:
      // A refusal that passes by itself (a busy server, with its own Retry-After) is expected
      // under load and would flood the log; a store that does not answer is worth a line.
      if (status.retry_after() == 0) {
        LogError(spdlog::level::warn, "answered 503: " + status.message());
      }
      message = "The service is temporarily unavailable; try again shortly.";
      break;
    default:
      message = status.message();
  }
  nlohmann::json body = {{"error", {{"code", CodeName(status.code())}, {"message", message}}}};
  HttpResponse res =
      JsonResponse(static_cast<beast_http::status>(HttpStatusOf(status.code())),
                   body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  if (status.code() == StatusCode::kRateLimited || status.code() == StatusCode::kUnavailable) {
    res.set(beast_http::field::retry_after, std::to_string(std::max(1, status.retry_after())));
  }
  if (bearer_path && HttpStatusOf(status.code()) == 401) {
    res.set(beast_http::field::www_authenticate, BearerAuthenticator::kChallenge);
  }
  return res;
}

void AddSecurityHeaders(HttpResponse& res, bool hsts, bool cacheable) {
  res.set("X-Content-Type-Options", "nosniff");
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "no-referrer");
  res.set("Content-Security-Policy", StaticFiles::kContentSecurityPolicy);
  if (!cacheable) res.set(beast_http::field::cache_control, "no-store");
  if (hsts) res.set(beast_http::field::strict_transport_security, kStrictTransportSecurity);
}

void AppendWireForm(const HttpResponse& res, std::string& out) {
  // Written here rather than drained from beast::http::response_serializer: iterating the
  // serializer's buffer sequence cost 5% of the CPU of a cached GET /api/v1/me and 7% of its
  // throughput (make bench, alternated A/B). message_test holds these bytes equal to Beast's.
  fmt::format_to(std::back_inserter(out), "HTTP/{}.{} {} ", res.version() / 10, res.version() % 10,
                 res.result_int());
  out.append(res.reason());
  out.append("\r\n");
  for (const auto& field : res) {
    out.append(field.name_string());
    out.append(": ");
    out.append(field.value());
    out.append("\r\n");
  }
  out.append("\r\n");
  out.append(res.body());
}

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 &&
               HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> QueryParam(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    const size_t eq = pair.find('=');
    if (PercentDecode(pair.substr(0, eq)) == name) {
      return eq == std::string_view::npos ? std::string() : PercentDecode(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

}  // namespace tfzo::http
