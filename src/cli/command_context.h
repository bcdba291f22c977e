#ifndef TFZO_CLI_COMMAND_CONTEXT_H_
#define TFZO_CLI_COMMAND_CONTEXT_H_

#include <istream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/api_client.h"
#include "cli/cli_error.h"
#include "cli/command_table.h"
#include "cli/config.h"
#include "cli/env.h"
#include "cli/invocation.h"
#include "cli/settings.h"
#include "core/result.h"
#include "core/time.h"

namespace tfzo::cli {

// An organization as the API describes it.
struct OrgRef {
  std::string id;
  std::string name;
  std::string role;
  std::string handle;
};

// GET /api/v1/me: who the key is, and the organizations it reaches now.
struct Me {
  std::string body;  // the answer as received, for --json
  nlohmann::json json;
  std::optional<std::string> key_org_id;  // null: unscoped
  std::string key_org_name;
  std::vector<OrgRef> orgs;
  // Every organization of the key's account, reached or not ("account_orgs"; the reachable
  // ones when the server does not send it): where --org is resolved.
  std::vector<OrgRef> account_orgs;
};

// Everything one command needs while it runs: its invocation, the config file and the profile's
// resolved settings, the standard streams, and the API client (made on first use). It turns the
// server's answers into the CliErrors of docs/spec/CLI.md, checks the key offline before any
// request, prints the expiry warning once, and keeps the CliError a command fails with (Fail)
// for Run to print. One per process; not thread-safe.
class CommandContext {
 public:
  CommandContext(Invocation invocation, EnvLookup env, std::istream& in, std::ostream& out,
                 std::ostream& err, const Clock& clock);

  // Reads the config file and resolves the settings. Run calls it once, before a command that
  // reads the config.
  Status LoadConfig();

  const Invocation& invocation() const { return invocation_; }
  const Command& command() const { return *invocation_.command; }
  const Settings& settings() const { return settings_; }
  Config& config() { return *config_; }
  const EnvLookup& env() const { return env_; }
  const Clock& clock() const { return clock_; }
  bool json() const { return invocation_.global.json; }
  std::istream& in() { return in_; }
  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }

  // "Usage: " and the command's usage line, the hint of its usage errors.
  std::string UsageHint() const;

  // One line on stderr: "2501: warning: ..." / "note: ...".
  void Warn(std::string_view message);
  void Note(std::string_view message);
  // `body` on stdout, unchanged, newline-terminated.
  void PrintBody(std::string_view body);
  // The error on stderr for people; with --json also its JSON object on stdout.
  void PrintError(const CliError& error);

  // Keeps `error` as the reason the command fails and returns it as a Status, for the command to
  // return up to Run, which prints the error. Call it only for a failure that is final.
  Status Fail(CliError error);
  // What to report for the Status a command returned: the CliError given to Fail, else that
  // Status (from a lower module, such as git or the config file) as an exit-1 error.
  CliError FailureFor(const Status& status) const;

  // GET /api/v1/me, once per run; prints the expiry warning when the key expires within 7 days.
  Result<const Me*> GetMe();

  // A request to the API. Fails without a usable key (exit 3, checked offline: not configured,
  // in a file others can read, or malformed) or when the server cannot be reached (exit 5); the
  // answer may have any HTTP status.
  Result<HttpResponse> Send(std::string_view method, std::string_view path,
                            std::optional<nlohmann::json> body = std::nullopt);

  // Send() with `key` instead of the resolved one, and without its offline check: for the
  // commands that choose their key themselves. An empty key sends no Authorization (`login`'s
  // device flow); `logout` sends the profile's stored key, which TFZO_API_KEY does not replace.
  // Fails only when the server cannot be reached (exit 5).
  Result<HttpResponse> SendWith(const Secret& key, std::string_view method, std::string_view path,
                                std::optional<nlohmann::json> body = std::nullopt);

  // From now on the key in use is `key`, stored in the config file (`login` just stored it):
  // later requests send it and GetMe() asks the server again.
  void UseStoredKey(Secret key);

  // Send(), and a non-2xx answer fails with ErrorFor()'s error.
  Result<HttpResponse> Call(std::string_view method, std::string_view path,
                            std::optional<nlohmann::json> body = std::nullopt,
                            std::string_view asked_org = "");

  // The server's error answer as the CliError of docs/spec/CLI.md's table; `asked_org` names the
  // organization a 403 is about.
  CliError ErrorFor(const HttpResponse& response, std::string_view asked_org) const;

  // The organization for `--org`, or the default one: the key's own when it is scoped, else
  // the account's only one. ORG is an id, a handle, or a display name, looked up among all the
  // account's organizations (not only those the key reaches: a scoped key used on another one
  // then gets the server's org_out_of_scope). A name two of them share, or an ORG that is none
  // of these, is refused with the candidates (exit 2), never guessed; an unknown `org_...` id
  // is passed to the server, which answers (forbidden).
  Result<OrgRef> ResolveOrg();

  // The server's body parsed as a JSON object; else fails with "bad_response" (exit 1).
  Result<nlohmann::json> ParseBody(const HttpResponse& response);

 private:
  // Fails unless there is a key to use: not configured, in a file others can read, or malformed
  // (all exit 3; the server is not contacted).
  Status CheckKey();
  std::string KeyHintText() const;
  std::unique_ptr<ApiClient> MakeClient(Secret key);
  CliError UnreachableError(const Status& status) const;
  CliError KeyErrorFor(const std::string& code, const std::string& message) const;
  CliError OrgErrorFor(const std::string& code, const std::string& message,
                       std::string_view asked_org) const;
  // `--org` named no single organization of the account: `matches` share the display name
  // `wanted`, or (empty) nothing has it; `all` are the account's organizations (exit 2).
  CliError UnresolvedOrgError(const std::string& wanted, const std::vector<OrgRef>& matches,
                              const std::vector<OrgRef>& all) const;
  void WarnIfExpiringSoon(const nlohmann::json& key);

  Invocation invocation_;
  EnvLookup env_;
  std::istream& in_;
  std::ostream& out_;
  std::ostream& err_;
  const Clock& clock_;
  std::optional<Config> config_;
  Settings settings_;
  std::unique_ptr<ApiClient> client_;
  std::optional<Me> me_;
  std::optional<CliError> failure_;
};

// "acme (\"Acme\", org_...), ...": organizations as --org takes them, for messages.
std::string OrgList(const std::vector<OrgRef>& orgs);

// "in 3 days", "2 hours ago", "just now": a time relative to now, for people.
std::string RelativeTime(Time t, Time now);

}  // namespace tfzo::cli

#endif  // TFZO_CLI_COMMAND_CONTEXT_H_
