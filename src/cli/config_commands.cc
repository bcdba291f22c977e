#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/prompt.h"
#include "core/api_key.h"

namespace tfzo::cli {
namespace {

constexpr std::string_view kWhitespace = " \t\r\n\v\f";

std::string_view Trim(std::string_view s) {
  size_t b = s.find_first_not_of(kWhitespace);
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(kWhitespace);
  return s.substr(b, e - b + 1);
}

// Why a key is malformed, for people; never quotes the key itself.
std::string WhyMalformed(std::string_view key) {
  if (!key.starts_with(kKeyPrefix)) return "it does not start with tfzo_";
  if (key.size() != kKeyLength) {
    return fmt::format("it has {} characters; a key has {}", key.size(), kKeyLength);
  }
  for (char c : key.substr(kKeyPrefix.size())) {
    if (kBase62Alphabet.find(c) == std::string_view::npos) {
      return "it contains a character that is not a letter or a digit";
    }
  }
  return "its checksum does not match: a character is mistyped";
}

std::string SourceText(Source source, const std::string& origin) {
  switch (source) {
    case Source::kFlag:
      return "flag " + origin;
    case Source::kEnv:
      return "env " + origin;
    case Source::kFile:
      return "config file";
    case Source::kDefault:
      return "default";
  }
  return "";
}

// What `2501 config` shows.
struct ConfigView {
  const Settings& settings;
  const Config& config;
  bool has_key;
  bool well_formed;
  bool key_refused;  // in a file others can read
  std::string cwd;
  std::optional<Workspace> workspace;
};

nlohmann::json ConfigJson(const ConfigView& v) {
  const Settings& s = v.settings;
  const Config& config = v.config;
  nlohmann::json j;
  j["profile"] = {{"value", s.profile.value}, {"source", SourceName(s.profile.source)}};
  j["api_host"] = {{"value", s.api_host.value}, {"source", SourceName(s.api_host.source)}};
  j["api_key"] = nullptr;
  if (v.has_key) {
    j["api_key"] = {{"hint", KeyHint(s.api_key.key.reveal())},
                    {"source", SourceName(s.api_key.source)},
                    {"well_formed", v.well_formed},
                    {"usable", v.well_formed && !v.key_refused}};
  }
  j["file"] = {{"path", config.path()},
               {"exists", config.exists()},
               {"mode", config.exists() ? fmt::format("{:04o}", config.mode()) : ""},
               {"safe", config.PermissionsSafe()}};
  j["profiles"] = config.Profiles();
  j["workspace"] = nullptr;
  if (v.workspace) {
    j["workspace"] = {{"dir", v.cwd},
                      {"agent_id", v.workspace->agent_id},
                      {"agent_name", v.workspace->agent_name},
                      {"org_id", v.workspace->org_id}};
  }
  return j;
}

void PrintConfig(std::ostream& out, const ConfigView& v) {
  const Settings& s = v.settings;
  const Config& config = v.config;
  auto row = [&](std::string_view name, const std::string& value, const std::string& from) {
    out << fmt::format("{:<10} {:<40} ({})\n", name, value, from);
  };
  row("profile", s.profile.value, SourceText(s.profile.source, s.profile.origin));
  row("api_host", s.api_host.value, SourceText(s.api_host.source, s.api_host.origin));
  if (v.has_key) {
    std::string hint = KeyHint(s.api_key.key.reveal());
    if (!v.well_formed) hint += "  MALFORMED";
    if (v.key_refused) hint += "  NOT USED: unsafe file";
    row("api_key", hint, SourceText(s.api_key.source, s.api_key.origin));
  } else {
    row("api_key", "(not set)", "run `2501 set api_key -`");
  }
  if (!config.exists()) {
    out << fmt::format("{:<10} {} (does not exist yet)\n", "file", config.path());
  } else if (config.PermissionsSafe()) {
    out << fmt::format("{:<10} {} (mode {:04o}: safe)\n", "file", config.path(), config.mode());
  } else {
    out << fmt::format("{:<10} {} (mode {:04o}: UNSAFE, {})\n", "file", config.path(),
                       config.mode(), config.UnsafeReason());
  }
  if (auto profiles = config.Profiles(); !profiles.empty()) {
    out << fmt::format("{:<10} {}\n", "profiles", fmt::join(profiles, ", "));
  }
  if (v.workspace) {
    out << fmt::format("{:<10} agent {} ({}) in organization {}\n", "workspace",
                       v.workspace->agent_name, v.workspace->agent_id, v.workspace->org_id);
  }
}

Status SaveConfig(CommandContext& context) {
  Status st = context.config().Save();
  if (!st.ok()) {
    return context.Fail(CliError(ExitCode::kError, "config_write_failed",
                                 "cannot write the config file: " + st.message(),
                                 "Nothing was changed: the previous file, if any, is intact."));
  }
  return st;
}

}  // namespace

Result<ExitCode> SetApiKey(CommandContext& context) {
  const Invocation& inv = context.invocation();
  const std::string& profile = context.settings().profile.value;
  std::optional<std::string> raw;
  if (inv.key_arg && *inv.key_arg != "-") {
    raw = *inv.key_arg;
    context.Note(
        "a key given as an argument stays in your shell history and is visible to other "
        "processes; prefer `2501 set api_key -` (stdin) or the prompt");
  } else if (StdinIsTerminal()) {  // no KEY, or `-` typed at a terminal: never echo the key
    raw = ReadHiddenLine(
        fmt::format("Paste the API key for profile \"{}\" (input hidden): ", profile), context.in(),
        context.err());
  } else {
    std::string line;
    if (std::getline(context.in(), line)) raw = std::move(line);
  }
  if (!raw) {
    return context.Fail(CliError(ExitCode::kUsage, "usage",
                                 "no key was given: standard input was empty",
                                 context.UsageHint()));
  }
  Secret key(std::string(Trim(*raw)));
  if (key.reveal().size() != raw->size()) {
    context.Note("removed surrounding whitespace and newlines from the key");
  }
  if (key.empty()) {
    return context.Fail(CliError(ExitCode::kUsage, "usage", "no key was given: the line was empty",
                                 context.UsageHint()));
  }
  if (!IsWellFormedKey(key.reveal())) {
    return context.Fail(
        CliError(ExitCode::kAuth, "key_malformed",
                 fmt::format("this is not a valid 2501 API key (key_malformed): {}; nothing "
                             "was written",
                             WhyMalformed(key.reveal())),
                 "Copy the whole key again (tfzo_ and 36 letters or digits, no spaces)."));
  }
  context.config().Set(profile, "api_key", key.reveal());
  RETURN_IF_ERROR(SaveConfig(context));
  const std::string hint = KeyHint(key.reveal());
  if (context.json()) {
    nlohmann::json j = {
        {"profile", profile}, {"api_key", {{"hint", hint}}}, {"path", context.config().path()}};
    context.PrintBody(j.dump());
  } else {
    context.out() << fmt::format("Stored the API key {} for profile \"{}\" in {}\n", hint, profile,
                                 context.config().path());
    context.out() << "Check it with `2501 auth status`.\n";
  }
  if (context.env()("TFZO_API_KEY")) {
    context.Warn("TFZO_API_KEY is set in the environment and overrides the stored key");
  }
  return ExitCode::kOk;
}

Result<ExitCode> SetApiHost(CommandContext& context) {
  const std::string& profile = context.settings().profile.value;
  if (ApiHostHasUserInfo(context.invocation().url)) {
    // Not repeated in the message: it holds a password.
    return context.Fail(CliError(ExitCode::kUsage, "usage",
                                 "the URL has a user name or password in it (before @), which "
                                 "the CLI refuses; nothing was written",
                                 "Give the host alone, e.g. https://accounts.example.com; the "
                                 "API key is the only credential the CLI sends."));
  }
  auto url = NormalizeApiHost(context.invocation().url);
  if (!url) {
    return context.Fail(
        CliError(ExitCode::kUsage, "usage",
                 fmt::format("\"{}\" is not an http:// or https:// URL", context.invocation().url),
                 context.UsageHint()));
  }
  context.config().Set(profile, "api_host", *url);
  RETURN_IF_ERROR(SaveConfig(context));
  if (context.json()) {
    nlohmann::json j = {
        {"profile", profile}, {"api_host", *url}, {"path", context.config().path()}};
    context.PrintBody(j.dump());
  } else {
    context.out() << fmt::format("Set the API host for profile \"{}\" to {} in {}\n", profile, *url,
                                 context.config().path());
  }
  if (IsPlainHttpToRemoteHost(*url)) {
    context.Warn(
        fmt::format("{} is plain http:// to a host that is not this machine: the key "
                    "will cross the network unencrypted; use https://",
                    *url));
  }
  if (context.env()("TFZO_API_HOST")) {
    context.Warn("TFZO_API_HOST is set in the environment and overrides the stored host");
  }
  return ExitCode::kOk;
}

Result<ExitCode> ShowConfig(CommandContext& context) {
  const Settings& s = context.settings();
  const Config& config = context.config();
  const std::string& key = s.api_key.key.reveal();
  std::error_code ec;
  const std::string cwd = std::filesystem::current_path(ec).string();
  ConfigView view{
      .settings = s,
      .config = config,
      .has_key = !key.empty(),
      .well_formed = !key.empty() && IsWellFormedKey(key),
      .key_refused = !key.empty() && s.api_key.source == Source::kFile && !config.PermissionsSafe(),
      .cwd = cwd,
      .workspace = config.GetWorkspace(s.profile.value, cwd)};
  if (context.json()) {
    context.PrintBody(ConfigJson(view).dump());
  } else {
    PrintConfig(context.out(), view);
  }
  if (!config.PermissionsSafe()) {
    context.Warn(fmt::format("{}: {}; the key in it will not be used. Run: {}", config.path(),
                             config.UnsafeReason(), config.UnsafeFix()));
  }
  if (config.is_symlink()) {
    context.Warn(
        fmt::format("{} is a symbolic link; the key is read from where it points", config.path()));
  }
  if (view.has_key && !view.well_formed) {
    context.Warn("the API key in use is malformed (key_malformed): copy the whole key again");
  }
  return ExitCode::kOk;
}

}  // namespace tfzo::cli
