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

CliStatus SaveConfig(CommandContext& context) {
  Status st = context.config().Save();
  if (!st.ok()) {
    return CliError(ExitCode::kError, "config_write_failed",
                    "cannot write the config file: " + st.message(),
                    "Nothing was changed: the previous file, if any, is intact.");
  }
  return std::nullopt;
}

}  // namespace

CliStatus SetApiKey(CommandContext& context, std::istream& in) {
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
        fmt::format("Paste the API key for profile \"{}\" (input hidden): ", profile), in,
        context.err());
  } else {
    std::string line;
    if (std::getline(in, line)) raw = std::move(line);
  }
  if (!raw) {
    return CliError(ExitCode::kUsage, "usage", "no key was given: standard input was empty",
                    "Usage: " + UsageOf(Command::kSetApiKey));
  }
  Secret key(std::string(Trim(*raw)));
  if (key.reveal().size() != raw->size()) {
    context.Note("removed surrounding whitespace and newlines from the key");
  }
  if (key.empty()) {
    return CliError(ExitCode::kUsage, "usage", "no key was given: the line was empty",
                    "Usage: " + UsageOf(Command::kSetApiKey));
  }
  if (!IsWellFormedKey(key.reveal())) {
    return CliError(ExitCode::kAuth, "key_malformed",
                    fmt::format("this is not a valid 2501 API key (key_malformed): {}; nothing "
                                "was written",
                                WhyMalformed(key.reveal())),
                    "Copy the whole key again (tfzo_ and 36 letters or digits, no spaces).");
  }
  context.config().Set(profile, "api_key", key.reveal());
  CLI_RETURN_IF_ERROR(SaveConfig(context));
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
  return std::nullopt;
}

CliStatus SetApiHost(CommandContext& context) {
  const std::string& profile = context.settings().profile.value;
  auto url = NormalizeApiHost(context.invocation().url);
  if (!url) {
    return CliError(
        ExitCode::kUsage, "usage",
        fmt::format("\"{}\" is not an http:// or https:// URL", context.invocation().url),
        "Usage: " + UsageOf(Command::kSetApiHost));
  }
  context.config().Set(profile, "api_host", *url);
  CLI_RETURN_IF_ERROR(SaveConfig(context));
  if (context.json()) {
    nlohmann::json j = {
        {"profile", profile}, {"api_host", *url}, {"path", context.config().path()}};
    context.PrintBody(j.dump());
  } else {
    context.out() << fmt::format("Set the API host for profile \"{}\" to {} in {}\n", profile, *url,
                                 context.config().path());
  }
  if (context.env()("TFZO_API_HOST")) {
    context.Warn("TFZO_API_HOST is set in the environment and overrides the stored host");
  }
  return std::nullopt;
}

CliStatus ShowConfig(CommandContext& context) {
  const Settings& s = context.settings();
  Config& config = context.config();
  const std::string& key = s.api_key.key.reveal();
  const bool has_key = !key.empty();
  const bool well_formed = has_key && IsWellFormedKey(key);
  const bool safe = config.PermissionsSafe();
  const bool key_refused = has_key && s.api_key.source == Source::kFile && !safe;
  std::string cwd;
  std::error_code ec;
  cwd = std::filesystem::current_path(ec).string();
  auto workspace = config.GetWorkspace(s.profile.value, cwd);

  if (context.json()) {
    nlohmann::json j;
    j["profile"] = {{"value", s.profile.value}, {"source", SourceName(s.profile.source)}};
    j["api_host"] = {{"value", s.api_host.value}, {"source", SourceName(s.api_host.source)}};
    if (has_key) {
      j["api_key"] = {{"hint", KeyHint(key)},
                      {"source", SourceName(s.api_key.source)},
                      {"well_formed", well_formed},
                      {"usable", well_formed && !key_refused}};
    } else {
      j["api_key"] = nullptr;
    }
    j["file"] = {{"path", config.path()},
                 {"exists", config.exists()},
                 {"mode", config.exists() ? fmt::format("{:04o}", config.mode()) : ""},
                 {"safe", safe}};
    j["profiles"] = config.Profiles();
    if (workspace) {
      j["workspace"] = {{"dir", cwd},
                        {"agent_id", workspace->agent_id},
                        {"agent_name", workspace->agent_name},
                        {"org_id", workspace->org_id}};
    } else {
      j["workspace"] = nullptr;
    }
    context.PrintBody(j.dump());
  } else {
    std::ostream& out = context.out();
    auto row = [&](std::string_view name, const std::string& value, const std::string& from) {
      out << fmt::format("{:<10} {:<40} ({})\n", name, value, from);
    };
    row("profile", s.profile.value, SourceText(s.profile.source, s.profile.origin));
    row("api_host", s.api_host.value, SourceText(s.api_host.source, s.api_host.origin));
    if (has_key) {
      std::string hint = KeyHint(key);
      if (!well_formed) hint += "  MALFORMED";
      if (key_refused) hint += "  NOT USED: unsafe file";
      row("api_key", hint, SourceText(s.api_key.source, s.api_key.origin));
    } else {
      row("api_key", "(not set)", "run `2501 set api_key -`");
    }
    if (!config.exists()) {
      out << fmt::format("{:<10} {} (does not exist yet)\n", "file", config.path());
    } else if (safe) {
      out << fmt::format("{:<10} {} (mode {:04o}: safe)\n", "file", config.path(), config.mode());
    } else {
      out << fmt::format("{:<10} {} (mode {:04o}: UNSAFE, accessible by group or others)\n", "file",
                         config.path(), config.mode());
    }
    auto profiles = config.Profiles();
    if (!profiles.empty()) {
      out << fmt::format("{:<10} {}\n", "profiles", fmt::join(profiles, ", "));
    }
    if (workspace) {
      out << fmt::format("{:<10} agent {} ({}) in organization {}\n", "workspace",
                         workspace->agent_name, workspace->agent_id, workspace->org_id);
    }
  }
  if (!safe) {
    context.Warn(
        fmt::format("{} is accessible by group or others; the key in it will not be "
                    "used. Run: chmod 600 {}",
                    config.path(), config.path()));
  }
  if (has_key && !well_formed) {
    context.Warn("the API key in use is malformed (key_malformed): copy the whole key again");
  }
  return std::nullopt;
}

}  // namespace tfzo::cli
