#include "http/message.h"

#include <algorithm>
#include <boost/beast/core/buffers_range.hpp>
#include <nlohmann/json.hpp>

#include "auth/bearer_authenticator.h"

namespace tfzo::http {
namespace {

constexpr std::string_view kJsonType = "application/json; charset=utf-8";

}  // namespace

HttpResponse JsonResponse(beast_http::status status, std::string body) {
  HttpResponse res{status, 11};
  res.set(beast_http::field::content_type, kJsonType);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

HttpResponse ErrorResponse(const Status& status, bool bearer_path) {
  const std::string message =
      status.code() == StatusCode::kInternal
          ? "Something went wrong on the server; try again, and report it if it persists."
          : status.message();
  nlohmann::json body = {{"error", {{"code", CodeName(status.code())}, {"message", message}}}};
  HttpResponse res =
      JsonResponse(static_cast<beast_http::status>(HttpStatusOf(status.code())),
                   body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  if (status.code() == StatusCode::kRateLimited) {
    res.set(beast_http::field::retry_after, std::to_string(std::max(1, status.retry_after())));
  }
  if (bearer_path && HttpStatusOf(status.code()) == 401) {
    res.set(beast_http::field::www_authenticate, BearerAuthenticator::kChallenge);
  }
  return res;
}

void AppendWireForm(const HttpResponse& res, std::string& out) {
  beast_http::response_serializer<beast_http::string_body> serializer(res);
  boost::beast::error_code ec;
  while (!ec && !serializer.is_done()) {
    serializer.next(ec, [&](boost::beast::error_code&, const auto& buffers) {
      const size_t before = out.size();
      for (const auto buffer : boost::beast::buffers_range_ref(buffers)) {
        out.append(static_cast<const char*>(buffer.data()), buffer.size());
      }
      serializer.consume(out.size() - before);
    });
  }
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
