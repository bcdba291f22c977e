// `2501 login` (the device authorization flow) and `2501 logout` (docs/spec/CLI.md).

#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/browser.h"
#include "cli/commands.h"
#include "cli/device_login.h"
#include "core/api_key.h"

namespace tfzo::cli {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

constexpr std::string_view kClientName = "2501 CLI";
constexpr milliseconds kSleepStep{100};
constexpr char kNotRemoved[] =
    "Nothing was removed. Revoke the key in the Accounts interface, or run `2501 logout "
    "--keep-key` to forget it here only.";

volatile std::sig_atomic_t g_interrupted = 0;

extern "C" void OnInterrupt(int) { g_interrupted = 1; }

// While alive, Ctrl-C (SIGINT) and SIGTERM only set a flag, so `login` stops at a safe point:
// before a key exists nothing is written, and once the server has handed the key out it is
// stored (atomically) before the process ends. Restores the previous handlers when destroyed.
// One per process (the flag is global); not thread-safe.
class InterruptGuard {
 public:
  InterruptGuard() {
    g_interrupted = 0;
    struct sigaction sa {};
    sa.sa_handler = OnInterrupt;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: a wait ends at once
    ::sigaction(SIGINT, &sa, &old_int_);
    ::sigaction(SIGTERM, &sa, &old_term_);
  }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
  ~InterruptGuard() {
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
  }
  static bool interrupted() { return g_interrupted != 0; }

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

bool SleepUnlessInterrupted(milliseconds duration) {
  const auto end = std::chrono::steady_clock::now() + duration;
  while (!InterruptGuard::interrupted()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= end) return true;
    std::this_thread::sleep_for(
        std::min(kSleepStep, std::chrono::duration_cast<milliseconds>(end - now)));
  }
  return false;
}

std::string HostName() {
  char name[256] = {0};
  if (::gethostname(name, sizeof(name) - 1) != 0) return "";
  return name;
}

std::string Str(const json& j, const char* name) {
  if (!j.is_object()) return "";
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

Result<DeviceCode> RequestCode(CommandContext& context) {
  json body = {{"client_name", kClientName}, {"hostname", HostName()}};
  ASSIGN_OR_RETURN(HttpResponse r,
                   context.SendWith(Secret(), "POST", "/api/v1/device/code", std::move(body)));
  if (r.status != 200) return context.Fail(context.ErrorFor(r, ""));
  auto code = ParseDeviceCode(r.body);
  if (!code.ok()) {
    return context.Fail(CliError(ExitCode::kError, "bad_response", code.status().message()));
  }
  return code;
}

// The page, the code and how long it is valid, on stderr (stdout is the result).
void PrintInstructions(CommandContext& context, const DeviceCode& code, const std::string& url) {
  std::ostream& err = context.err();
  err << fmt::format("To sign in to {}, open this page in a browser:\n  {}\n",
                     context.settings().api_host.value, url);
  err << fmt::format("and check that it shows this code:\n  {}\n", code.user_code);
  err << fmt::format("(or open {} and type the code)\n", code.verification_uri);
  if (const auto& org = context.invocation().org) {
    err << fmt::format("The page preselects organization \"{}\" as the key's scope.\n", *org);
  }
  err << fmt::format("Waiting for approval: the code expires in {} minutes; Ctrl-C cancels.\n",
                     (code.expires_in.count() + 59) / 60);
  err.flush();
}

void OpenInBrowser(CommandContext& context, const std::string& url) {
  auto opened = OpenBrowser(url, context.env());
  if (opened.ok()) {
    context.Note(fmt::format("opened the page with {}", *opened));
  } else if (opened.status().code() == StatusCode::kNotFound) {
    context.Note(
        "no browser found (neither xdg-open nor sensible-browser is on PATH): open the "
        "page above yourself");
  } else {
    context.Note(fmt::format("could not open a browser ({}): open the page above yourself",
                             opened.status().message()));
  }
}

// The new key's secret and description from the token answer; the secret is checked, never
// printed.
struct NewKey {
  Secret secret;
  json key;
};

Result<NewKey> TakeKey(CommandContext& context, const HttpResponse& response) {
  auto j = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  NewKey k;
  if (!j.is_discarded() && j.is_object()) {
    k.secret = Secret(Str(j, "secret"));
    if (j.contains("key") && j["key"].is_object()) k.key = j["key"];
  }
  if (!IsWellFormedKey(k.secret.reveal())) {
    return context.Fail(CliError(
        ExitCode::kError, "bad_response",
        "the server approved the login but its answer holds no well-formed key; nothing was stored",
        fmt::format("Revoke the key \"{}\" in the Accounts interface, then try again.",
                    Str(k.key, "name").empty() ? "2501 CLI on ..." : Str(k.key, "name"))));
  }
  return k;
}

CliError EndedError(CommandContext& context, const PollOutcome& outcome) {
  if (outcome.state == TokenState::kDenied) {
    return CliError(ExitCode::kAuth, "access_denied",
                    "the login was denied in the browser (access_denied); nothing was stored",
                    "Run `2501 login` again to start over.");
  }
  if (outcome.state == TokenState::kExpired) {
    return CliError(
        ExitCode::kAuth, "expired_token",
        outcome.expired_locally
            ? "the code expired before it was approved; nothing was stored"
            : "the code expired before it was approved (expired_token); nothing was stored",
        "Run `2501 login` again for a new code, and approve it within its lifetime.");
  }
  return context.ErrorFor(*outcome.last, "");
}

// Stores the key and the host in the profile. The file is read again first: the wait may have
// lasted minutes, and another `2501` may have changed another profile meanwhile.
Status StoreKey(CommandContext& context, const NewKey& k) {
  const std::string& profile = context.settings().profile.value;
  const std::string& host = context.settings().api_host.value;
  auto fresh = Config::Load(context.config().path());
  Status st = fresh.status();
  if (fresh.ok()) {
    Config& config = context.config();
    config = std::move(fresh).value();
    if (auto old = config.Get(profile, "api_key"); old && *old != k.secret.reveal()) {
      context.Note(fmt::format(
          "replaced the key {} of profile \"{}\"; it still works until revoked (`2501 logout` "
          "revokes the stored key)",
          old->size() >= 4 ? KeyHint(*old) : "tfzo_...", profile));
    }
    config.Set(profile, "api_host", host);
    config.Set(profile, "api_key", k.secret.reveal());
    st = config.Save();
  }
  if (st.ok()) return st;
  return context.Fail(
      CliError(ExitCode::kError, "config_write_failed",
               fmt::format("the key {} (\"{}\") was created but cannot be stored: {}",
                           KeyHint(k.secret.reveal()), Str(k.key, "name"), st.message()),
               "The config file is unchanged. Revoke that key in the Accounts interface, fix the "
               "problem, and run `2501 login` again."));
}

// With --org: a warning when the new key does not reach that organization.
void CheckOrg(CommandContext& context) {
  const auto& wanted = context.invocation().org;
  if (!wanted) return;
  auto me = context.GetMe();
  if (!me.ok()) return;
  for (const OrgRef& o : (*me)->orgs) {
    if (o.id == *wanted || o.handle == *wanted) return;
  }
  context.Warn(fmt::format("the new key does not reach organization \"{}\" (--org); it reaches: {}",
                           *wanted,
                           (*me)->orgs.empty() ? std::string("none") : OrgList((*me)->orgs)));
}

}  // namespace

Result<ExitCode> Login(CommandContext& context) {
  std::optional<NewKey> key;
  {
    InterruptGuard guard;
    ASSIGN_OR_RETURN(DeviceCode code, RequestCode(context));
    std::string url = code.verification_uri_complete;
    if (const auto& org = context.invocation().org) url = AddQueryParameter(url, "org", *org);
    PrintInstructions(context, code, url);
    if (context.invocation().web) OpenInBrowser(context, url);

    const json token_body = {{"device_code", code.device_code}};
    PollHooks hooks{
        .ask =
            [&] { return context.SendWith(Secret(), "POST", "/api/v1/device/token", token_body); },
        .sleep = SleepUnlessInterrupted,
        .interrupted = &InterruptGuard::interrupted};
    ASSIGN_OR_RETURN(PollOutcome outcome, PollForToken(code, hooks));
    if (outcome.interrupted) {
      return context.Fail(CliError(ExitCode::kInterrupted, "interrupted",
                                   "login cancelled (Ctrl-C); nothing was stored"));
    }
    if (outcome.state != TokenState::kApproved) return context.Fail(EndedError(context, outcome));
    ASSIGN_OR_RETURN(key, TakeKey(context, *outcome.last));
    RETURN_IF_ERROR(StoreKey(context, *key));
  }  // Ctrl-C works normally again: the key is stored.

  const std::string hint = KeyHint(key->secret.reveal());
  std::string stored =
      fmt::format("Logged in: stored the key {} (\"{}\") for profile \"{}\" in {}", hint,
                  Str(key->key, "name"), context.settings().profile.value, context.config().path());
  if (context.json()) {
    context.err() << stored << "\n";
  } else {
    context.out() << stored << "\n";
  }
  if (context.env()("TFZO_API_KEY")) {
    context.Warn("TFZO_API_KEY is set in the environment and overrides the stored key");
  }
  context.UseStoredKey(std::move(key->secret));
  ASSIGN_OR_RETURN(ExitCode status, AuthStatus(context));
  CheckOrg(context);
  return status;
}

Result<ExitCode> Logout(CommandContext& context) {
  const std::string& profile = context.settings().profile.value;
  const std::optional<std::string> stored = context.config().Get(profile, "api_key");
  if (context.env()("TFZO_API_KEY")) {
    context.Warn("TFZO_API_KEY is set in the environment; logout does not touch it");
  }
  if (!stored) {
    if (context.json()) {
      context.PrintBody(
          json({{"profile", profile}, {"removed", false}, {"revoked", false}}).dump());
    } else {
      context.out() << fmt::format("Profile \"{}\" has no stored key: nothing to do.\n", profile);
    }
    return ExitCode::kOk;
  }
  Secret key(*stored);
  const std::string hint = stored->size() >= 4 ? KeyHint(*stored) : "tfzo_...";
  context.UseStoredKey(key);
  std::string server;  // what the server did: "revoked", "already refused", or not asked
  std::string name;
  if (context.invocation().keep_key) {
    server = "kept";
  } else if (!IsWellFormedKey(*stored)) {
    context.Note(
        fmt::format("the stored key {} is malformed (key_malformed): no server can use it, "
                    "so it is only removed here",
                    hint));
    server = "malformed";
  } else {
    if (!context.config().PermissionsSafe()) {
      context.Warn("the config file is accessible by group or others: revoking its key anyway");
    }
    auto sent = context.SendWith(key, "POST", "/api/v1/me/revoke");
    if (!sent.ok()) {
      CliError error = context.FailureFor(sent.status());
      return context.Fail(CliError(error.exit_code(), error.code(), error.message(), kNotRemoved));
    }
    const HttpResponse& r = *sent;
    if (r.status >= 200 && r.status < 300) {
      server = "revoked";
      auto j = json::parse(r.body, nullptr, false);
      if (!j.is_discarded() && j.is_object() && j.contains("key")) name = Str(j["key"], "name");
    } else {
      CliError error = context.ErrorFor(r, "");
      const std::string& code = error.code();
      if (code != "key_invalid" && code != "key_revoked" && code != "key_expired" &&
          code != "key_malformed") {
        return context.Fail(
            CliError(error.exit_code(), error.code(),
                     fmt::format("could not revoke the key {}: {}", hint, error.message()),
                     kNotRemoved)
                .WithServerBody(r.body));
      }
      context.Note(
          fmt::format("the server at {} already refuses the key {} ({}): removing it "
                      "from the config file",
                      context.settings().api_host.value, hint, code));
      server = "already_refused";
    }
  }
  context.config().Unset(profile, "api_key");
  if (Status st = context.config().Save(); !st.ok()) {
    return context.Fail(CliError(
        ExitCode::kError, "config_write_failed",
        fmt::format("cannot write the config file: {}", st.message()),
        server == "revoked" ? "The key is revoked on the server; the file still holds it."
                            : "Nothing was changed: the previous file, if any, is intact."));
  }
  if (context.json()) {
    context.PrintBody(json({{"profile", profile},
                            {"key", {{"hint", hint}}},
                            {"removed", true},
                            {"revoked", server == "revoked"},
                            {"server", server}})
                          .dump());
    return ExitCode::kOk;
  }
  std::ostream& out = context.out();
  if (server == "revoked") {
    out << fmt::format("Revoked the key {}{} on {}\n", hint,
                       name.empty() ? "" : fmt::format(" (\"{}\")", name),
                       context.settings().api_host.value);
  } else if (server == "kept") {
    out << fmt::format(
        "Kept the key {} valid on the server (--keep-key); revoke it in the "
        "Accounts interface when it is no longer needed\n",
        hint);
  }
  out << fmt::format("Removed the key {} from profile \"{}\" in {}\n", hint, profile,
                     context.config().path());
  return ExitCode::kOk;
}

}  // namespace tfzo::cli
