#ifndef TFZO_CLI_SETTINGS_H_
#define TFZO_CLI_SETTINGS_H_

#include <optional>
#include <string>
#include <string_view>

#include "cli/config.h"
#include "cli/env.h"
#include "core/secret.h"

namespace tfzo::cli {

// Where a setting's value came from, in precedence order (docs/spec/CLI.md: flag > environment >
// config file > default).
enum class Source { kDefault, kFile, kEnv, kFlag };

// "default", "file", "env", "flag".
std::string_view SourceName(Source source);

// A resolved setting and where it came from; `origin` names it for people ("--host",
// "TFZO_API_HOST", the file's path). Value type.
struct Setting {
  std::string value;
  Source source = Source::kDefault;
  std::string origin;
};

// The key in use. Its value only leaves through Secret::reveal(). Value type.
struct KeySetting {
  Secret key;  // empty: no key configured
  Source source = Source::kDefault;
  std::string origin;
};

// The options every command accepts (docs/spec/CLI.md, "Global options").
struct GlobalOptions {
  std::optional<std::string> profile;
  std::optional<std::string> host;
  std::optional<std::string> cacert;  // --cacert FILE: trust this CA (a private CA's server)
  bool json = false;
  bool verbose = false;
};

// The profile, host and key one run uses, resolved from flags, environment and the config
// file. The config file is read by the caller; Resolve is pure. Value type.
struct Settings {
  Setting profile;
  Setting api_host;
  KeySetting api_key;

  static Settings Resolve(const GlobalOptions& flags, const EnvLookup& env, const Config& config);
};

// "https://x.example/" -> "https://x.example"; nullopt unless http:// or https:// with a host.
// Also nullopt when the URL carries a user name or password (`https://user:pw@host`).
std::optional<std::string> NormalizeApiHost(std::string_view url);

// The URL has a user name or password before its host: refused, since it would sit in the
// config file and in messages next to the key.
bool ApiHostHasUserInfo(std::string_view url);

// A plain http:// URL to a host other than loopback (localhost, 127.0.0.0/8, [::1]): the key
// would cross the network unencrypted, so the CLI warns.
bool IsPlainHttpToRemoteHost(std::string_view url);

}  // namespace tfzo::cli

#endif  // TFZO_CLI_SETTINGS_H_
