#include "cli/config.h"

#include <fmt/format.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/atomic_file.h"

namespace tfzo::cli {
namespace {

constexpr mode_t kFileMode = 0600;
constexpr mode_t kDirMode = 0700;

std::string HomeDir(const EnvLookup& env) {
  if (auto home = env("HOME")) return *home;
  if (const passwd* pw = ::getpwuid(::getuid()); pw != nullptr && pw->pw_dir != nullptr) {
    return pw->pw_dir;
  }
  return ".";
}

}  // namespace

std::string Config::DefaultPath(const EnvLookup& env) {
  std::filesystem::path base;
  auto xdg = env("XDG_CONFIG_HOME");
  if (xdg && std::filesystem::path(*xdg).is_absolute()) {  // the XDG spec: relative is invalid
    base = *xdg;
  } else {
    base = std::filesystem::path(HomeDir(env)) / ".config";
  }
  return (base / "2501" / "config.toml").string();
}

Result<Config> Config::Load(std::string path) {
  Config config(std::move(path));
  struct stat st;
  if (::stat(config.path_.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return config;
    return Internal("cannot read " + config.path_ + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) return Internal("cannot read " + config.path_ + ": not a file");
  std::ifstream in(config.path_, std::ios::binary);
  if (!in) return Internal("cannot read " + config.path_ + ": " + std::strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  config.exists_ = true;
  config.mode_ = st.st_mode & 07777;
  config.owner_ = st.st_uid;
  config.owned_by_user_ = st.st_uid == ::geteuid();
  struct stat link;
  config.is_symlink_ = ::lstat(config.path_.c_str(), &link) == 0 && S_ISLNK(link.st_mode);
  std::filesystem::path dir = std::filesystem::path(config.path_).parent_path();
  struct stat dir_st;
  if (::stat(dir.empty() ? "." : dir.c_str(), &dir_st) == 0) config.dir_mode_ = dir_st.st_mode;
  try {
    config.table_ = toml::parse(text.str(), config.path_);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << config.path_ << ":" << e.source().begin.line << ":" << e.source().begin.column
        << ": not valid TOML: " << e.description();
    return InvalidRequest(msg.str());
  }
  if (auto* profiles = config.table_.get("profiles"); profiles && !profiles->is_table()) {
    return InvalidRequest(config.path_ + ": `profiles` must be a table");
  }
  return config;
}

std::string Config::UnsafeReason() const {
  if (!exists_) return "";
  if ((mode_ & 077) != 0) {
    return fmt::format("the file is accessible by group or others (mode {:04o})", mode_);
  }
  if (!owned_by_user_) {
    return fmt::format("the file is owned by another user (uid {}), not by you (uid {})", owner_,
                       ::geteuid());
  }
  // A sticky directory (like /tmp) still lets others create files; ssh refuses it too.
  if ((dir_mode_ & 022) != 0) {
    return fmt::format("its directory {} can be written by group or others (mode {:04o})",
                       std::filesystem::path(path_).parent_path().string(), dir_mode_ & 07777);
  }
  return "";
}

std::string Config::UnsafeFix() const {
  if (exists_ && (mode_ & 077) != 0) return "chmod 600 " + path_;
  if (!owned_by_user_) return fmt::format("chown {} {}", ::geteuid(), path_);
  return "chmod go-w " + std::filesystem::path(path_).parent_path().string();
}

const toml::table* Config::Profile(std::string_view profile) const {
  const toml::table* profiles = table_["profiles"].as_table();
  if (profiles == nullptr) return nullptr;
  return (*profiles)[profile].as_table();
}

toml::table* Config::Profile(std::string_view profile, bool create) {
  toml::table* profiles = table_["profiles"].as_table();
  if (profiles == nullptr) {
    if (!create) return nullptr;
    profiles = table_.insert_or_assign("profiles", toml::table{}).first->second.as_table();
  }
  toml::table* t = (*profiles)[profile].as_table();
  if (t == nullptr && create) {
    t = profiles->insert_or_assign(profile, toml::table{}).first->second.as_table();
  }
  return t;
}

std::optional<std::string> Config::Get(std::string_view profile, std::string_view key) const {
  const toml::table* t = Profile(profile);
  if (t == nullptr) return std::nullopt;
  return (*t)[key].value<std::string>();
}

void Config::Set(std::string_view profile, std::string_view key, std::string_view value) {
  Profile(profile, true)->insert_or_assign(key, std::string(value));
}

bool Config::Unset(std::string_view profile, std::string_view key) {
  toml::table* t = Profile(profile, false);
  return t != nullptr && t->erase(key) > 0;
}

std::vector<std::string> Config::Profiles() const {
  std::vector<std::string> names;
  if (const toml::table* profiles = table_["profiles"].as_table()) {
    for (const auto& [name, value] : *profiles) {
      if (value.is_table()) names.emplace_back(name.str());
    }
  }
  return names;
}

std::optional<Workspace> Config::GetWorkspace(std::string_view profile,
                                              std::string_view dir) const {
  const toml::table* t = Profile(profile);
  if (t == nullptr) return std::nullopt;
  const toml::table* ws = (*t)["workspaces"][dir].as_table();
  if (ws == nullptr) return std::nullopt;
  auto agent_id = (*ws)["agent_id"].value<std::string>();
  auto org_id = (*ws)["org_id"].value<std::string>();
  if (!agent_id || !org_id) return std::nullopt;
  return Workspace{*agent_id, (*ws)["agent_name"].value_or(std::string()), *org_id};
}

void Config::SetWorkspace(std::string_view profile, std::string_view dir,
                          const Workspace& workspace) {
  toml::table* t = Profile(profile, true);
  toml::table* all = (*t)["workspaces"].as_table();
  if (all == nullptr) {
    all = t->insert_or_assign("workspaces", toml::table{}).first->second.as_table();
  }
  all->insert_or_assign(dir, toml::table{{"agent_id", workspace.agent_id},
                                         {"agent_name", workspace.agent_name},
                                         {"org_id", workspace.org_id}});
}

std::string Config::Serialize() const {
  std::ostringstream out;
  out << "# 2501 CLI configuration (see `2501 config`). Keep this file private: mode 0600.\n";
  // Basic "strings", as in docs/spec/CLI.md, rather than toml++'s default 'literal' ones.
  out << toml::toml_formatter(table_, toml::toml_formatter::default_flags &
                                          ~toml::format_flags::allow_literal_strings)
      << "\n";
  return out.str();
}

Status Config::Save() {
  std::filesystem::path dir = std::filesystem::path(path_).parent_path();
  if (!dir.empty()) {
    std::error_code ec;
    bool created = false;
    if (!std::filesystem::is_directory(dir, ec)) {
      // Parents get the default mode; our own directory gets 0700 (umask can only narrow it).
      std::filesystem::create_directories(dir.parent_path(), ec);
      if (::mkdir(dir.c_str(), kDirMode) != 0) {
        int err = errno;
        if (err != EEXIST || !std::filesystem::is_directory(dir, ec)) {
          return Internal("cannot create the directory " + dir.string() + ": " +
                          std::strerror(err == EEXIST ? ENOTDIR : err));
        }
      }
      created = true;
    }
    if (created || dir.filename() == "2501") {
      ::chmod(dir.c_str(), kDirMode);
    }
  }
  RETURN_IF_ERROR(WriteFileAtomically(path_, Serialize(), kFileMode));
  exists_ = true;
  mode_ = kFileMode;
  owned_by_user_ = true;
  is_symlink_ = false;
  return Status::Ok();
}

}  // namespace tfzo::cli
