#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "cli/api_client.h"
#include "cli/atomic_file.h"
#include "cli/commands.h"
#include "cli/git.h"
#include "cli/prompt.h"
#include "cli/scan.h"

namespace tfzo::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr uintmax_t kMaxFileSize = 64 * 1024 * 1024;
constexpr std::string_view kHookMarker = "installed by `2501 scan --install-hook`";

struct Finding {
  std::string file;
  size_t line;
  std::string hint;
  Secret key{};  // for --revoke; never printed
};

// The server's limit of strings per report (docs/spec/API.md "POST /api/v1/credentials/revoke").
constexpr size_t kMaxPerReport = 1000;

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// The files to scan for one PATH argument, as display paths.
void Collect(CommandContext& context, const std::string& arg, std::vector<std::string>& files,
             bool& failed) {
  std::error_code ec;
  fs::file_status st = fs::status(arg, ec);
  if (ec || !fs::exists(st)) {
    context.err() << fmt::format("2501: {}: no such file or directory\n", arg);
    failed = true;
    return;
  }
  if (!fs::is_directory(st)) {
    files.push_back(arg);  // named explicitly: scanned even if .gitignore'd
    return;
  }
  auto display = [&](const fs::path& rel) {
    return arg == "." ? rel.string() : (fs::path(arg) / rel).string();
  };
  if (Git::IsInsideWorkTree(arg)) {
    auto listed = Git::ListFiles(arg);
    if (listed.ok()) {
      for (const std::string& f : *listed) {
        if (fs::is_regular_file(fs::symlink_status(fs::path(arg) / f, ec))) {
          files.push_back(display(f));
        }
      }
      return;
    }
    context.Warn(listed.status().message() + "; scanning every file instead");
  }
  fs::recursive_directory_iterator it(arg, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::directory_entry& entry = *it;
    if (entry.is_directory(ec) && entry.path().filename() == ".git") {
      it.disable_recursion_pending();
      continue;
    }
    if (entry.is_symlink(ec) || !entry.is_regular_file(ec)) continue;
    files.push_back(display(fs::relative(entry.path(), arg, ec)));
  }
}

// `reported`: with --revoke, how many distinct keys were sent to the server.
void PrintFindings(CommandContext& context, const std::vector<Finding>& findings, size_t scanned,
                   std::string_view what, std::optional<size_t> reported = std::nullopt) {
  if (context.json()) {
    json list = json::array();
    for (const Finding& f : findings) {
      list.push_back({{"file", f.file}, {"line", f.line}, {"hint", f.hint}});
    }
    json body = {{"findings", list}, {"files_scanned", scanned}};
    if (reported) body["reported"] = *reported;
    context.PrintBody(body.dump());
    return;
  }
  for (const Finding& f : findings) {
    context.out() << fmt::format("{}:{}: {}\n", f.file, f.line, f.hint);
  }
  if (findings.empty()) {
    context.err() << fmt::format("No 2501 API key found in {}.\n", what);
  }
}

// `scan --staged`: the keys the next commit adds.
Result<ExitCode> ScanStaged(CommandContext& context) {
  if (!Git::IsInsideWorkTree(".")) {
    return context.Fail(
        CliError(ExitCode::kUsage, "usage", "--staged needs a git work tree", context.UsageHint()));
  }
  ASSIGN_OR_RETURN(std::string diff, Git::StagedDiff("."));
  std::vector<Finding> findings;
  std::set<std::string> files;
  for (DiffMatch& m : FindKeysInDiff(diff)) {
    files.insert(m.file);
    findings.push_back({std::move(m.file), m.line, std::move(m.hint)});
  }
  PrintFindings(context, findings, files.size(), "the staged changes");
  if (findings.empty()) return ExitCode::kOk;
  context.err() << fmt::format(
      "2501: the staged changes add {} 2501 API key{}: the commit is blocked.\n"
      "Remove the key from the file (read it from the environment or `2501 config` "
      "instead), `git add` the file again, and commit. If the key was ever pushed or "
      "shared, revoke it in the Accounts interface.\n",
      findings.size(), findings.size() == 1 ? "" : "s");
  return ExitCode::kError;
}

// `scan --revoke` without --yes asks on the terminal; without one it is a usage error, checked
// before anything is scanned.
Status CheckCanAsk(CommandContext& context) {
  const Invocation& inv = context.invocation();
  if (inv.yes && !inv.revoke) {
    return context.Fail(
        CliError(ExitCode::kUsage, "usage", "--yes goes with --revoke", context.UsageHint()));
  }
  if (inv.revoke && !inv.yes && !StdinIsTerminal()) {
    return context.Fail(
        CliError(ExitCode::kUsage, "usage",
                 "--revoke asks before it reports keys, and stdin is not a terminal: pass --yes to "
                 "report without asking",
                 "Usage: 2501 scan [PATH...] --revoke [--yes]"));
  }
  return Status::Ok();
}

// The distinct keys among `findings`, in the order found.
std::vector<const Secret*> DistinctKeys(const std::vector<Finding>& findings) {
  std::set<std::string_view> seen;
  std::vector<const Secret*> keys;
  for (const Finding& f : findings) {
    if (seen.insert(f.key.reveal()).second) keys.push_back(&f.key);
  }
  return keys;
}

// Reports `keys` to the server as exposed (POST /api/v1/credentials/revoke, without the profile's
// key: the route needs none), in requests of at most kMaxPerReport. How many were sent, or
// nullopt when the user said no.
Result<std::optional<size_t>> Report(CommandContext& context,
                                     const std::vector<const Secret*>& keys) {
  RETURN_IF_ERROR(context.LoadConfig());
  const std::string& host = context.settings().api_host.value;
  if (!context.invocation().yes) {
    context.err() << fmt::format(
        "Report {} key{} to {} as exposed? Every live one is revoked at once and stops working "
        "everywhere. [y/N] ",
        keys.size(), keys.size() == 1 ? "" : "s", host);
    std::string answer;
    std::getline(context.in(), answer);
    if (answer != "y" && answer != "Y" && answer != "yes") {
      context.Note("nothing was reported");
      return std::optional<size_t>();
    }
  }
  const std::string ca_file =
      context.invocation().global.cacert.value_or(context.env()("TFZO_CACERT").value_or(""));
  ApiClient client(host, Secret(), context.invocation().global.verbose ? &context.err() : nullptr,
                   ca_file);
  size_t sent = 0;
  while (sent < keys.size()) {
    const size_t n = std::min(kMaxPerReport, keys.size() - sent);
    json list = json::array();
    for (size_t i = sent; i < sent + n; ++i) list.push_back(keys[i]->reveal());
    auto response = client.Send("POST", "/api/v1/credentials/revoke",
                                json({{"credentials", std::move(list)}}).dump());
    if (!response.ok()) {
      if (response.status().code() != StatusCode::kUnavailable) return response.status();
      return context.Fail(CliError(ExitCode::kUnreachable, "unreachable",
                                   fmt::format("cannot reach the accounts server at {}: {}", host,
                                               response.status().message()),
                                   "Check the URL (`2501 config`; change it with `2501 set "
                                   "api_host URL` or --host) and that the server is running."));
    }
    if (response->status != 202) return context.Fail(context.ErrorFor(*response, ""));
    sent += n;
  }
  return std::optional<size_t>(sent);
}

// `scan [PATH...]`: the keys in the files.
Result<ExitCode> ScanPaths(CommandContext& context) {
  const std::vector<std::string>& args = context.invocation().paths;
  std::vector<std::string> paths = args.empty() ? std::vector<std::string>{"."} : args;
  std::vector<std::string> files;
  bool failed = false;
  for (const std::string& p : paths) Collect(context, p, files, failed);
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());

  std::vector<Finding> findings;
  size_t scanned = 0;
  std::set<std::string> with_keys;
  for (const std::string& file : files) {
    std::error_code ec;
    uintmax_t size = fs::file_size(file, ec);
    if (!ec && size > kMaxFileSize) {
      context.Note(fmt::format("{}: skipped, larger than {} MiB", file, kMaxFileSize >> 20));
      continue;
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      context.Warn(fmt::format("{}: cannot read it", file));
      failed = true;
      continue;
    }
    std::stringstream text;
    text << in.rdbuf();
    ++scanned;
    for (KeyMatch& m : FindKeys(text.str())) {
      with_keys.insert(file);
      findings.push_back({file, m.line, std::move(m.hint), std::move(m.key)});
    }
  }
  const std::string what = fmt::format("{} file{}", scanned, scanned == 1 ? "" : "s");
  // People see what was found before they are asked; JSON says what was reported in one body.
  if (!context.json()) PrintFindings(context, findings, scanned, what);
  std::optional<size_t> reported;
  if (context.invocation().revoke && !findings.empty()) {
    ASSIGN_OR_RETURN(reported, Report(context, DistinctKeys(findings)));
  }
  if (context.json()) PrintFindings(context, findings, scanned, what, reported);
  if (reported && !context.json()) {
    context.err() << fmt::format(
        "2501: sent {} key{} to {}: each one that was live is revoked now, and its owner told.\n",
        *reported, *reported == 1 ? "" : "s", context.settings().api_host.value);
  }
  if (!findings.empty()) {
    context.err() << fmt::format(
        "2501: found {} 2501 API key{} in {} file{}. Remove {} from the files; if one was ever "
        "committed, pushed or shared, revoke it in the Accounts interface.\n",
        findings.size(), findings.size() == 1 ? "" : "s", with_keys.size(),
        with_keys.size() == 1 ? "" : "s", findings.size() == 1 ? "it" : "them");
    return ExitCode::kError;
  }
  if (failed) {
    return context.Fail(CliError(ExitCode::kUsage, "usage", "some paths could not be scanned",
                                 context.UsageHint()));
  }
  return ExitCode::kOk;
}

// `scan --install-hook`.
Result<ExitCode> InstallHook(CommandContext& context) {
  if (!Git::IsInsideWorkTree(".")) {
    return context.Fail(CliError(ExitCode::kError, "not_a_git_repository",
                                 "--install-hook must run inside a git work tree"));
  }
  ASSIGN_OR_RETURN(std::string hooks, Git::HooksDir("."));
  const fs::path hook = fs::path(hooks) / "pre-commit";

  std::error_code ec;
  if (fs::exists(hook, ec)) {
    std::ifstream in(hook);
    std::stringstream current;
    current << in.rdbuf();
    if (current.str().find(kHookMarker) == std::string::npos) {
      return context.Fail(CliError(
          ExitCode::kError, "hook_exists",
          fmt::format("a pre-commit hook that is not ours already exists: {}", hook.string()),
          "Add this line to it yourself: 2501 scan --staged || exit 1"));
    }
  }
  std::string self = fs::read_symlink("/proc/self/exe", ec).string();
  std::string script = fmt::format(
      "#!/bin/sh\n"
      "# 2501 pre-commit hook, {}.\n"
      "# Blocks a commit whose staged changes add a 2501 API key (checked with its checksum).\n"
      "# Bypass once, knowingly: git commit --no-verify\n"
      "if [ -x {} ]; then exec {} scan --staged; fi\n"
      "exec 2501 scan --staged\n",
      kHookMarker, ShellQuote(self), ShellQuote(self));
  fs::create_directories(hook.parent_path(), ec);
  RETURN_IF_ERROR(WriteFileAtomically(hook.string(), script, 0755));
  if (context.json()) {
    context.PrintBody(json({{"hook", hook.string()}}).dump());
  } else {
    context.out() << fmt::format(
        "Installed the pre-commit hook {}: a commit that adds a 2501 API key is now blocked.\n",
        hook.string());
  }
  return ExitCode::kOk;
}

}  // namespace

Result<ExitCode> Scan(CommandContext& context) {
  RETURN_IF_ERROR(CheckCanAsk(context));
  if (context.invocation().install_hook) return InstallHook(context);
  if (context.invocation().staged) return ScanStaged(context);
  return ScanPaths(context);
}

}  // namespace tfzo::cli
