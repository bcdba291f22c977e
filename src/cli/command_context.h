#ifndef TFZO_CLI_COMMAND_CONTEXT_H_
#define TFZO_CLI_COMMAND_CONTEXT_H_

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/api_client.h"
#include "cli/cli_error.h"
#include "cli/config.h"
#include "cli/env.h"
#include "cli/invocation.h"
#include "cli/settings.h"
#include "core/time.h"

namespace tfzo::cli {

// An organization as the API describes it.
struct OrgRef {
  std::string id;
  std::string name;
  std::string role;
};

// GET /api/v1/me: who the key is, and the organizations it reaches now.
struct Me {
  std::string body;  // the answer as received, for --json
  nlohmann::json json;
  std::optional<std::string> key_org_id;  // null: unscoped
  std::string key_org_name;
  std::vector<OrgRef> orgs;
};

// Everything one run of a command needs: the parsed invocation, the config file, the resolved
// settings, the output streams, and the API client, made on first use. It turns the server's
// answers into CliErrors with the messages and exit codes of docs/spec/CLI.md, checks the key
// offline before any request, and prints the expiry warning once. One per process; not
// thread-safe.
class CommandContext {
 public:
  CommandContext(Invocation invocation, EnvLookup env, std::ostream& out, std::ostream& err,
                 const Clock& clock);

  // Reads the config file and resolves the settings. Call once, before anything else.
  CliStatus Load();

  const Invocation& invocation() const { return invocation_; }
  const Settings& settings() const { return settings_; }
  Config& config() { return *config_; }
  const EnvLookup& env() const { return env_; }
  const Clock& clock() const { return clock_; }
  bool json() const { return invocation_.global.json; }
  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }

  // One line on stderr: "2501: warning: ..." / "note: ...".
  void Warn(std::string_view message);
  void Note(std::string_view message);
  // `body` on stdout, unchanged, newline-terminated.
  void PrintBody(std::string_view body);
  // The error on stderr for people; with --json also its JSON object on stdout.
  void PrintError(const CliError& error);

  // The key to use, or why there is none: not configured, in a file others can read, or
  // malformed (all exit 3; the server is not contacted).
  CliStatus CheckKey();

  // GET /api/v1/me, once per run; prints the expiry warning when the key expires within 7 days.
  CliResult<const Me*> GetMe();

  // A request to the API. A non-2xx answer becomes the CliError of docs/spec/CLI.md's table;
  // `asked_org` names the organization a 403 is about.
  CliResult<HttpResponse> Call(std::string_view method, std::string_view path,
                               std::optional<nlohmann::json> body = std::nullopt,
                               std::string_view asked_org = "");

  // The organization for `--org` (an id or exact name), or the default one: the key's own when
  // it is scoped, else the account's only one. An ORG not among the reachable ones is passed to
  // the server as an id, which then answers (forbidden / org_out_of_scope).
  CliResult<OrgRef> ResolveOrg();

  // The server's body parsed as JSON, or an exit-1 "bad_response" error.
  static CliResult<nlohmann::json> ParseBody(const HttpResponse& response);

 private:
  CliError ErrorFor(const HttpResponse& response, std::string_view asked_org);
  std::string KeyHintText() const;

  Invocation invocation_;
  EnvLookup env_;
  std::ostream& out_;
  std::ostream& err_;
  const Clock& clock_;
  std::optional<Config> config_;
  Settings settings_;
  std::unique_ptr<ApiClient> client_;
  std::optional<Me> me_;
};

// "in 3 days", "2 hours ago", "just now": a duration relative to now, for people.
std::string RelativeTime(Time t, Time now);

}  // namespace tfzo::cli

#endif  // TFZO_CLI_COMMAND_CONTEXT_H_
