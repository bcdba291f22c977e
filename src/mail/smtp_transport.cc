#include "mail/smtp_transport.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <cstring>

namespace tfzo {
namespace {

using UrlHandle = std::unique_ptr<CURLU, decltype(&curl_url_cleanup)>;
using CurlHandle = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;
using CurlList = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

// One part of a parsed URL; "" when it has none.
std::string UrlPart(CURLU* url, CURLUPart part) {
  char* value = nullptr;
  if (curl_url_get(url, part, &value, 0) != CURLUE_OK) return "";
  std::string out = value;
  curl_free(value);
  return out;
}

// The message being uploaded, and whether to give up.
struct Upload {
  std::string_view rest;
  std::stop_token stop;
};

size_t ReadMessage(char* buffer, size_t size, size_t count, void* data) {
  auto* upload = static_cast<Upload*>(data);
  const size_t n = std::min(size * count, upload->rest.size());
  std::memcpy(buffer, upload->rest.data(), n);
  upload->rest.remove_prefix(n);
  return n;
}

int Progress(void* data, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<Upload*>(data)->stop.stop_requested() ? 1 : 0;  // 1 aborts
}

}  // namespace

Result<std::unique_ptr<SmtpTransport>> SmtpTransport::Create(Options options) {
  // Thread-safe since libcurl 7.84; needed once before the first transfer.
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return Internal("libcurl did not start");
  UrlHandle url(curl_url(), curl_url_cleanup);
  if (!url || curl_url_set(url.get(), CURLUPART_URL, options.url.c_str(), 0) != CURLUE_OK) {
    return InvalidRequest("--smtp-url: expected smtp://HOST[:PORT] or smtps://HOST[:PORT]");
  }
  const std::string scheme = UrlPart(url.get(), CURLUPART_SCHEME);
  if ((scheme != "smtp" && scheme != "smtps") || UrlPart(url.get(), CURLUPART_HOST).empty()) {
    return InvalidRequest("--smtp-url: expected smtp://HOST[:PORT] or smtps://HOST[:PORT]");
  }
  if (!UrlPart(url.get(), CURLUPART_USER).empty() ||
      !UrlPart(url.get(), CURLUPART_PASSWORD).empty()) {
    return InvalidRequest(
        "--smtp-url: no user or password in the URL; use --smtp-user and TFZO_SMTP_PASSWORD");
  }
  if (!options.user.empty() && options.password.empty()) {
    return InvalidRequest(
        "--smtp-user: set its password in the environment variable "
        "TFZO_SMTP_PASSWORD");
  }
  return std::unique_ptr<SmtpTransport>(new SmtpTransport(std::move(options), scheme == "smtps"));
}

SmtpTransport::SmtpTransport(Options options, bool implicit_tls)
    : options_(std::move(options)), implicit_tls_(implicit_tls) {}

std::string SmtpTransport::Describe() const {
  const char* tls = implicit_tls_           ? "TLS"
                    : options_.user.empty() ? "STARTTLS when the server offers it"
                                            : "STARTTLS required to log in";
  const std::string login = options_.user.empty() ? "" : ", as " + options_.user;
  return fmt::format("the SMTP server {} ({}{})", options_.url, tls, login);
}

Status SmtpTransport::Send(const Envelope& envelope, std::string_view message,
                           std::stop_token stop) {
  CurlHandle curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return Unavailable("libcurl could not start a transfer", 0);
  const std::string to = "<" + envelope.to + ">";
  CurlList recipients(curl_slist_append(nullptr, to.c_str()), curl_slist_free_all);
  const std::string from = "<" + envelope.from + ">";
  Upload upload{message, std::move(stop)};
  char error[CURL_ERROR_SIZE] = "";
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, options_.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  if (!implicit_tls_) {
    curl_easy_setopt(c, CURLOPT_USE_SSL, options_.user.empty() ? CURLUSESSL_TRY : CURLUSESSL_ALL);
  }
  if (!options_.user.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, options_.user.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, options_.password.reveal().c_str());
  }
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
  curl_easy_setopt(c, CURLOPT_READFUNCTION, ReadMessage);
  curl_easy_setopt(c, CURLOPT_READDATA, &upload);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, Progress);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &upload);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(kConnectTimeout.count() * 1000));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(kTimeout.count() * 1000));
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  const CURLcode rc = curl_easy_perform(c);
  if (rc == CURLE_OK) return Status::Ok();
  long reply = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply);
  std::string what = error[0] != '\0' ? error : curl_easy_strerror(rc);
  if (reply != 0) what += fmt::format(" (the server's last reply: {})", reply);
  return Unavailable(std::move(what), 0);
}

}  // namespace tfzo
