#ifndef TFZO_CLI_CONFIG_H_
#define TFZO_CLI_CONFIG_H_

#include <sys/types.h>
#include <toml++/toml.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/env.h"
#include "core/result.h"

namespace tfzo::cli {

// An agent `2501 init` created for a directory, remembered per profile.
struct Workspace {
  std::string agent_id;
  std::string agent_name;
  std::string org_id;
};

// The config file of docs/spec/CLI.md: one `[profiles.NAME]` table per profile holding `api_host`
// and `api_key`, plus the workspaces `init` remembered. Unknown keys are kept on save. The
// file's permission bits are read at load, so callers can refuse a key that others could read.
// Value type; not thread-safe.
class Config {
 public:
  // Reads `path`. A missing file is an empty config (exists() is false), not an error; a file
  // that is not valid TOML is (kInvalidRequest, naming the line).
  static Result<Config> Load(std::string path);

  // $XDG_CONFIG_HOME/2501/config.toml, else $HOME/.config/2501/config.toml.
  static std::string DefaultPath(const EnvLookup& env);

  const std::string& path() const { return path_; }
  bool exists() const { return exists_; }
  mode_t mode() const { return mode_; }  // permission bits (e.g. 0600) when exists()
  // False when the file is readable or writable by group or others (ssh's rule for keys).
  bool PermissionsSafe() const { return !exists_ || (mode_ & 077) == 0; }

  std::optional<std::string> Get(std::string_view profile, std::string_view key) const;
  void Set(std::string_view profile, std::string_view key, std::string_view value);
  std::vector<std::string> Profiles() const;

  std::optional<Workspace> GetWorkspace(std::string_view profile, std::string_view dir) const;
  void SetWorkspace(std::string_view profile, std::string_view dir, const Workspace& workspace);

  // The file's TOML text.
  std::string Serialize() const;

  // Writes the file atomically with mode 0600, creating its directory with mode 0700 (and
  // tightening that directory to 0700 when it is ours, `.../2501`). Afterwards the file is
  // safe, exists() is true.
  Status Save();

 private:
  explicit Config(std::string path) : path_(std::move(path)) {}
  toml::table* Profile(std::string_view profile, bool create);
  const toml::table* Profile(std::string_view profile) const;

  std::string path_;
  bool exists_ = false;
  mode_t mode_ = 0;
  toml::table table_;
};

}  // namespace tfzo::cli

#endif  // TFZO_CLI_CONFIG_H_
