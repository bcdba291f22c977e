#include "cli/settings.h"

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

std::optional<std::string> NormalizeApiHost(std::string_view url) {
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
