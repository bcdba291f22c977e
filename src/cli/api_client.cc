#include "cli/api_client.h"

#include <curl/curl.h>

#include <chrono>
#include <memory>

#include "cli/terminal_text.h"
#include "core/api_key.h"

namespace tfzo::cli {
namespace {

constexpr long kConnectTimeoutSeconds = 10;
constexpr long kTimeoutSeconds = 60;
constexpr size_t kMaxBody = 16 * 1024 * 1024;

struct Received {
  std::string body;
  bool too_large = false;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* r = static_cast<Received*>(user);
  if (r->body.size() + size * n > kMaxBody) {
    r->too_large = true;
    return 0;
  }
  r->body.append(data, size * n);
  return size * n;
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

}  // namespace

ApiClient::ApiClient(std::string base_url, Secret key, std::ostream* verbose_log,
                     std::string ca_file)
    : base_url_(std::move(base_url)),
      key_(std::move(key)),
      verbose_log_(verbose_log),
      ca_file_(std::move(ca_file)) {}

std::string EscapePathSegment(std::string_view segment) {
  // Since libcurl 7.82 the handle is unused; every byte but A-Z a-z 0-9 - . _ ~ is escaped.
  std::unique_ptr<char, decltype(&curl_free)> escaped(
      curl_easy_escape(nullptr, segment.data(), static_cast<int>(segment.size())), &curl_free);
  return escaped ? std::string(escaped.get()) : std::string();
}

Result<HttpResponse> ApiClient::Send(std::string_view method, std::string_view path,
                                     std::optional<std::string> body) {
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return Internal("cannot initialise libcurl");
  const std::string url = base_url_ + std::string(path);
  const std::string method_str(method);

  curl_slist* raw_headers = nullptr;
  raw_headers = curl_slist_append(raw_headers, "Accept: application/json");
  if (body) raw_headers = curl_slist_append(raw_headers, "Content-Type: application/json");
  if (!key_.empty()) {
    // The only place the key leaves the process: this request's Authorization header.
    std::string auth = "Authorization: Bearer " + key_.reveal();
    raw_headers = curl_slist_append(raw_headers, auth.c_str());
    std::fill(auth.begin(), auth.end(), '\0');
  }
  std::unique_ptr<curl_slist, CurlDeleter> headers(raw_headers);

  Received received;
  char error_buffer[CURL_ERROR_SIZE] = {0};
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method_str.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_USERAGENT, "2501-cli/0.1 (libcurl)");
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, kConnectTimeoutSeconds);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, kTimeoutSeconds);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &received);
  // Redirects are not followed: a redirect would carry the key to another place.
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  if (!ca_file_.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, ca_file_.c_str());
  if (body) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body->size()));
  }

  if (verbose_log_ != nullptr) {
    *verbose_log_ << "> " << method << " " << url;
    if (!key_.empty()) *verbose_log_ << " (Authorization: Bearer " << KeyHint(key_.reveal()) << ")";
    *verbose_log_ << "\n";
  }
  const auto start = std::chrono::steady_clock::now();
  CURLcode rc = curl_easy_perform(c);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  if (rc != CURLE_OK) {
    if (received.too_large) return Internal("the answer from " + url + " is too large");
    std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(rc);
    if (verbose_log_ != nullptr)
      *verbose_log_ << "< failed after " << ms << " ms: " << detail << "\n";
    return Status(StatusCode::kUnavailable, detail);
  }
  HttpResponse response;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  response.body = std::move(received.body);
  curl_header* request_id = nullptr;
  if (curl_easy_header(c, "X-Request-Id", 0, CURLH_HEADER, -1, &request_id) == CURLHE_OK) {
    response.request_id = TerminalSafe(request_id->value);  // printed in messages
  }
  curl_header* retry_after = nullptr;
  if (curl_easy_header(c, "Retry-After", 0, CURLH_HEADER, -1, &retry_after) == CURLHE_OK) {
    response.retry_after = TerminalSafe(retry_after->value);
  }
  if (verbose_log_ != nullptr) {
    *verbose_log_ << "< " << response.status << " (" << ms << " ms, " << response.body.size()
                  << " bytes";
    if (!response.request_id.empty()) *verbose_log_ << ", X-Request-Id " << response.request_id;
    *verbose_log_ << ")\n";
  }
  return response;
}

}  // namespace tfzo::cli
