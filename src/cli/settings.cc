#include "cli/settings.h"

#include <cctype>
#include <cstdio>

namespace tfzo::cli {
namespace {

constexpr std::string_view kDefaultProfile = "default";
constexpr std::string_view kDefaultApiHost = "http://127.0.0.1:8080";

}  // namespace

std::string_view SourceName(Source source) {
  switch (source) {
    case Source::kDefault:
      return "default";
    case Source::kFile:
      return "file";
    case Source::kEnv:
      return "env";
    case Source::kFlag:
      return "flag";
  }
  return "default";
}

Settings Settings::Resolve(const GlobalOptions& flags, const EnvLookup& env, const Config& config) {
  Settings s;
  if (flags.profile) {
    s.profile = {*flags.profile, Source::kFlag, "--profile"};
  } else if (auto p = env("TFZO_PROFILE")) {
    s.profile = {*p, Source::kEnv, "TFZO_PROFILE"};
  } else {
    s.profile = {std::string(kDefaultProfile), Source::kDefault, ""};
  }

  const std::string& profile = s.profile.value;
  if (flags.host) {
    s.api_host = {*flags.host, Source::kFlag, "--host"};
  } else if (auto h = env("TFZO_API_HOST")) {
    s.api_host = {*h, Source::kEnv, "TFZO_API_HOST"};
  } else if (auto f = config.Get(profile, "api_host")) {
    s.api_host = {*f, Source::kFile, config.path()};
  } else {
    s.api_host = {std::string(kDefaultApiHost), Source::kDefault, ""};
  }
  if (auto normalized = NormalizeApiHost(s.api_host.value)) s.api_host.value = *normalized;

  if (auto k = env("TFZO_API_KEY")) {
    s.api_key = {Secret(*k), Source::kEnv, "TFZO_API_KEY"};
  } else if (auto f = config.Get(profile, "api_key")) {
    s.api_key = {Secret(*f), Source::kFile, config.path()};
  }
  return s;
}

namespace {

// "user@host:8080" of "http://user@host:8080/base".
std::string_view Authority(std::string_view url) {
  size_t start = url.find("://");
  if (start == std::string_view::npos) return "";
  url.remove_prefix(start + 3);
  return url.substr(0, url.find_first_of("/?#"));
}

}  // namespace

bool ApiHostHasUserInfo(std::string_view url) {
  return Authority(url).find('@') != std::string_view::npos;
}

bool IsPlainHttpToRemoteHost(std::string_view url) {
  if (!url.starts_with("http://")) return false;
  std::string_view authority = Authority(url);
  authority = authority.substr(authority.rfind('@') + 1);  // npos + 1 == 0
  std::string host;
  if (authority.starts_with("[")) {
    host = std::string(authority.substr(0, authority.find(']') + 1));
  } else {
    host = std::string(authority.substr(0, authority.find(':')));
  }
  for (char& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (host == "localhost" || host.ends_with(".localhost") || host == "[::1]") return false;
  // 127.0.0.0/8, written as a dotted quad.
  unsigned a, b, c, d;
  char tail;
  if (std::sscanf(host.c_str(), "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) == 4 && a == 127 &&
      b < 256 && c < 256 && d < 256) {
    return false;
  }
  return true;
}

std::optional<std::string> NormalizeApiHost(std::string_view url) {
  if (ApiHostHasUserInfo(url)) return std::nullopt;
  std::string_view rest;
  if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else {
    return std::nullopt;
  }
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.empty() || rest.front() == '/') return std::nullopt;
  for (char c : url) {
    if (c <= ' ' || c == 0x7f) return std::nullopt;
  }
  return std::string(url);
}

}  // namespace tfzo::cli
