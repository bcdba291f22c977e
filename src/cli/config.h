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
  // Why the key in the file must not be used (ssh's StrictModes): the file is readable or
  // writable by group or others, is not owned by this user, or sits in a directory that group
  // or others can write (they could swap the file). Empty when safe or missing.
  std::string UnsafeReason() const;
  // The command that makes the file safe again ("chmod 600 PATH", ...), for UnsafeReason().
  std::string UnsafeFix() const;
  bool PermissionsSafe() const { return UnsafeReason().empty(); }
  // The path is a symbolic link (allowed, but worth a warning: the file lives elsewhere).
  bool is_symlink() const { return is_symlink_; }

  std::optional<std::string> Get(std::string_view profile, std::string_view key) const;
  void Set(std::string_view profile, std::string_view key, std::string_view value);
  // Removes `key` from the profile; false when it was not there.
  bool Unset(std::string_view profile, std::string_view key);
  std::vector<std::string> Profiles() const;
  bool HasProfile(std::string_view profile) const { return Profile(profile) != nullptr; }

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
  bool owned_by_user_ = true;
  uid_t owner_ = 0;
  mode_t dir_mode_ = 0;
  bool is_symlink_ = false;
  toml::table table_;
};

}  // namespace tfzo::cli

#endif  // TFZO_CLI_CONFIG_H_
