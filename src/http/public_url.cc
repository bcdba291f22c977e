#include "http/public_url.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <memory>

namespace tfzo::http {

namespace {

struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
struct PartDeleter {
  void operator()(char* part) const { curl_free(part); }
};
using Part = std::unique_ptr<char, PartDeleter>;

// The part of `url`, or null when it has none.
Part GetPart(CURLU* url, CURLUPart which) {
  char* out = nullptr;
  if (curl_url_get(url, which, &out, 0) != CURLUE_OK) return nullptr;
  return Part(out);
}

Status Invalid(std::string_view why) {
  return InvalidRequest(fmt::format("--public-url: {} (expected https://HOST[:PORT][/PATH])", why));
}

}  // namespace

Result<PublicUrl> PublicUrl::Parse(std::string_view text) {
  std::unique_ptr<CURLU, UrlDeleter> url(curl_url());
  if (url == nullptr) return Internal("curl_url: out of memory");
  const std::string copy(text);
  // No default scheme: "accounts.example.com" is refused rather than guessed to be http.
  if (curl_url_set(url.get(), CURLUPART_URL, copy.c_str(), 0) != CURLUE_OK) {
    return Invalid("not a URL");
  }
  const Part scheme = GetPart(url.get(), CURLUPART_SCHEME);
  const std::string_view s = scheme ? scheme.get() : "";
  if (s != "http" && s != "https") return Invalid("the scheme must be http or https");
  if (GetPart(url.get(), CURLUPART_USER) || GetPart(url.get(), CURLUPART_QUERY) ||
      GetPart(url.get(), CURLUPART_FRAGMENT)) {
    return Invalid("no user, query or fragment");
  }
  const Part host = GetPart(url.get(), CURLUPART_HOST);
  if (!host || *host.get() == '\0') return Invalid("no host");
  PublicUrl out;
  out.https = s == "https";
  std::string lower_host(host.get());
  for (char& c : lower_host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  out.origin = fmt::format("{}://{}", s, lower_host);
  // CURLUPART_PORT is set only when the URL names one; the scheme's default is left out, as
  // browsers leave it out of Origin.
  if (const Part port = GetPart(url.get(), CURLUPART_PORT)) {
    const std::string_view p = port.get();
    if (!((out.https && p == "443") || (!out.https && p == "80"))) {
      out.origin += fmt::format(":{}", p);
    }
  }
  const Part path = GetPart(url.get(), CURLUPART_PATH);
  std::string_view rest = path ? path.get() : "";
  while (rest.ends_with('/')) rest.remove_suffix(1);
  out.base = out.origin + std::string(rest);
  return out;
}

}  // namespace tfzo::http
