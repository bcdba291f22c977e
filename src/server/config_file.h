#ifndef TFZO_SERVER_CONFIG_FILE_H_
#define TFZO_SERVER_CONFIG_FILE_H_

// `2501-accounts serve --config FILE` (docs/configuration.md): a TOML file whose keys are the
// long options of a CLI11 command without their dashes. The keys come from the command's
// options themselves, so every option has one and a new option gets its key with no code here.

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace tfzo {

// Looks an environment variable up (std::getenv in the server; a map in tests).
using EnvGetter = std::function<std::optional<std::string>(const std::string& name)>;
EnvGetter ProcessEnv();

// What a config file did besides setting values: the lines to log as warnings.
struct ConfigFileOutcome {
  std::vector<std::string> warnings;
};

// Gives each option of `command` (already parsed from the command line) the value `text` holds
// for it, unless the command line or the option's environment variable gave one: those win.
// `source` names the file in errors ("config.toml:7: unknown key \"listn\""). The option named
// `skip` (the one naming the file) and --help have no key. A value may be written
// `{ env = "NAME" }` to take it from the environment. Unknown keys, values of the wrong TOML
// type and values the option's validator refuses are errors (kInvalidRequest) naming the
// source, the line and the key; options are left partly set then, so the caller must stop.
Result<ConfigFileOutcome> ApplyConfigText(std::string_view text, const std::string& source,
                                          CLI::App& command, std::string_view skip,
                                          const EnvGetter& env);

// ApplyConfigText on the file at `path`, plus a warning when the file holds a password (a URL
// with one) and group or others may read it.
Result<ConfigFileOutcome> ApplyConfigFile(const std::string& path, CLI::App& command,
                                          std::string_view skip, const EnvGetter& env);

// The long name of an option, the key of its value in a config file ("" for an option
// without a long name): "listen" for --listen, "access-log" for --access-log,!--no-access-log.
std::string ConfigKey(const CLI::Option& option);

}  // namespace tfzo

#endif  // TFZO_SERVER_CONFIG_FILE_H_
