#ifndef TFZO_CLI_ENV_H_
#define TFZO_CLI_ENV_H_

#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace tfzo::cli {

// Reads an environment variable; unset and empty both read as nullopt. Injected so tests can
// give the CLI an environment without touching the process's.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

inline EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string(v);
  };
}

inline EnvLookup MapEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end() || it->second.empty()) return std::nullopt;
    return it->second;
  };
}

}  // namespace tfzo::cli

#endif  // TFZO_CLI_ENV_H_
