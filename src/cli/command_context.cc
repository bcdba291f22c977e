#include "cli/command_context.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <ctime>

#include "cli/key_access.h"
#include "cli/terminal_text.h"
#include "core/api_key.h"

namespace tfzo::cli {
namespace {

constexpr auto kExpiryWarning = std::chrono::days(7);

std::string StringField(const nlohmann::json& j, const char* name) {
  if (!j.is_object()) return "";
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

// The API's codes for a key the server refuses (docs/spec/API.md).
bool IsKeyCode(std::string_view code) {
  return code == "key_malformed" || code == "key_invalid" || code == "key_expired" ||
         code == "key_revoked" || code == "rotation_overdue";
}

std::string Plural(int64_t n, std::string_view unit) {
  return fmt::format("{} {}{}", n, unit, n == 1 ? "" : "s");
}

// "30 seconds" (Retry-After: 30), "until 2026-12-01T04:00:00Z" (an HTTP date), or "a minute"
// when the server did not say.
std::string RetryAfterText(const std::string& retry_after, Time now) {
  if (!retry_after.empty() && retry_after.find_first_not_of("0123456789") == std::string::npos &&
      retry_after.size() < 9) {
    return Plural(std::stoll(retry_after), "second");
  }
  if (!retry_after.empty()) {
    std::tm tm{};
    if (strptime(retry_after.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm) != nullptr) {
      const Time t{std::chrono::seconds(timegm(&tm))};
      if (t <= now) return "a moment";
      return Plural(std::chrono::ceil<std::chrono::seconds>(t - now).count(), "second");
    }
  }
  return "a minute";
}

}  // namespace

std::string RelativeTime(Time t, Time now) {
  using namespace std::chrono;
  const seconds d = t - now;
  const seconds a = abs(d);
  std::string amount;
  if (a < minutes(1)) {
    // "just now" would make a time about to come (an expiry) look already passed.
    return d > seconds(0) ? "in less than a minute" : "just now";
  } else if (a < hours(1)) {
    amount = Plural(floor<minutes>(a).count(), "minute");
  } else if (a < days(1)) {
    amount = Plural(floor<hours>(a).count(), "hour");
  } else {
    amount = Plural(floor<days>(a).count(), "day");
  }
  return d > seconds(0) ? "in " + amount : amount + " ago";
}

CommandContext::CommandContext(Invocation invocation, EnvLookup env, std::istream& in,
                               std::ostream& out, std::ostream& err, const Clock& clock)
    : invocation_(std::move(invocation)),
      env_(std::move(env)),
      in_(in),
      out_(out),
      err_(err),
      clock_(clock) {}

Status CommandContext::LoadConfig() {
  auto config = Config::Load(Config::DefaultPath(env_));
  if (!config.ok()) {
    return Fail(CliError(ExitCode::kError, "config_invalid", config.status().message(),
                         "Fix or remove the file; `2501 set ...` writes a new one."));
  }
  config_ = std::move(config).value();
  settings_ = Settings::Resolve(invocation_.global, env_, *config_);
  std::string from =
      settings_.api_host.source == Source::kFile ? "the config file" : settings_.api_host.origin;
  if (ApiHostHasUserInfo(settings_.api_host.value)) {
    // The URL itself is not repeated: it holds a password.
    return Fail(CliError(ExitCode::kUsage, "usage",
                         fmt::format("the API host (from {}) has a user name or password in it "
                                     "(before @), which the CLI refuses",
                                     from),
                         "Set the host alone with `2501 set api_host URL`; the API key is "
                         "the only credential the CLI sends."));
  }
  if (!NormalizeApiHost(settings_.api_host.value)) {
    return Fail(
        CliError(ExitCode::kUsage, "usage",
                 fmt::format("the API host \"{}\" (from {}) is not an http:// or https:// URL",
                             settings_.api_host.value, from),
                 "Set it with `2501 set api_host URL`, e.g. http://127.0.0.1:8080."));
  }
  return Status::Ok();
}

std::string CommandContext::UsageHint() const {
  return "Usage: " + std::string(command().usage.front());
}

// Everything printed goes through TerminalSafe: messages quote what the server sent (names,
// messages, ids), and a server must not be able to rewrite the user's terminal.
void CommandContext::Warn(std::string_view message) {
  err_ << "2501: warning: " << TerminalSafe(message, true) << "\n";
}

void CommandContext::Note(std::string_view message) {
  err_ << "note: " << TerminalSafe(message, true) << "\n";
}

void CommandContext::PrintBody(std::string_view body) {
  const std::string safe = TerminalSafeJson(body);
  out_ << safe;
  if (safe.empty() || safe.back() != '\n') out_ << "\n";
}

void CommandContext::PrintError(const CliError& error) {
  err_ << "2501: " << TerminalSafe(error.message(), true) << "\n";
  if (!error.hint().empty()) err_ << TerminalSafe(error.hint(), true) << "\n";
  if (json()) out_ << TerminalSafeJson(error.ToJson()) << "\n";
}

Status CommandContext::Fail(CliError error) {
  failure_ = std::move(error);
  return failure_->ToStatus();
}

CliError CommandContext::FailureFor(const Status& status) const {
  return failure_ ? *failure_ : FromStatus(status);
}

std::string CommandContext::KeyHintText() const {
  const std::string& key = settings_.api_key.key.reveal();
  return key.size() >= 4 ? KeyHint(key) : "tfzo_...";
}

Status CommandContext::CheckKey() {
  const KeySetting& k = settings_.api_key;
  const std::string& profile = settings_.profile.value;
  if (settings_.profile.source != Source::kDefault && !config_->HasProfile(profile)) {
    // A mistyped --profile must not read as "no key configured".
    const std::vector<std::string> names = config_->Profiles();
    std::string known = names.empty() ? "none yet" : fmt::format("{}", fmt::join(names, ", "));
    std::string message = fmt::format("there is no profile \"{}\" (from {}) in {}; profiles: {}",
                                      profile, settings_.profile.origin, config_->path(), known);
    if (k.key.empty()) {
      return Fail(CliError(ExitCode::kUsage, "unknown_profile", message,
                           fmt::format("Pick one of them, or create it with `2501 --profile {} "
                                       "set api_key -`.",
                                       profile)));
    }
    Warn(message + "; using the key from TFZO_API_KEY");
  }
  if (k.key.empty()) {
    return Fail(CliError(ExitCode::kAuth, "unauthenticated",
                         fmt::format("no API key is configured for profile \"{}\"", profile),
                         "Run `2501 login` (approve this device in the browser), or create a key "
                         "in the Accounts interface and run `2501 set api_key -` (or set "
                         "TFZO_API_KEY)."));
  }
  if (k.source == Source::kFile && !config_->PermissionsSafe()) {
    return Fail(CliError(ExitCode::kAuth, "config_unsafe",
                         fmt::format("refusing to use the API key in {}: {}, like ssh with a "
                                     "private key",
                                     config_->path(), config_->UnsafeReason()),
                         fmt::format("Run: {}", config_->UnsafeFix())));
  }
  if (k.source == Source::kFile && config_->is_symlink()) {
    Warn(fmt::format("{} is a symbolic link; the key is read from where it points",
                     config_->path()));
  }
  if (!IsWellFormedKey(k.key.reveal())) {
    std::string from = k.source == Source::kEnv ? "TFZO_API_KEY" : config_->path();
    return Fail(CliError(ExitCode::kAuth, "key_malformed",
                         fmt::format("the API key from {} is malformed (key_malformed): it is "
                                     "incomplete or mistyped (checked offline, nothing was sent)",
                                     from),
                         "Copy the whole key again, with no spaces, and store it with `2501 set "
                         "api_key -`."));
  }
  return Status::Ok();
}

std::unique_ptr<ApiClient> CommandContext::MakeClient(Secret key) {
  // Flag > environment, like every setting.
  std::string ca_file = invocation_.global.cacert.value_or(env_("TFZO_CACERT").value_or(""));
  return std::make_unique<ApiClient>(settings_.api_host.value, std::move(key),
                                     invocation_.global.verbose ? &err_ : nullptr,
                                     std::move(ca_file));
}

Result<HttpResponse> CommandContext::Send(std::string_view method, std::string_view path,
                                          std::optional<nlohmann::json> body) {
  RETURN_IF_ERROR(CheckKey());
  if (!client_) {
    if (IsPlainHttpToRemoteHost(settings_.api_host.value)) {
      Warn(
          fmt::format("{} is plain http:// to a host that is not this machine: the key and the "
                      "answers cross the network unencrypted; use https://",
                      settings_.api_host.value));
    }
    client_ = MakeClient(settings_.api_key.key);
  }
  std::optional<std::string> text;
  if (body) text = body->dump();
  auto response = client_->Send(method, path, std::move(text));
  if (!response.ok() && response.status().code() == StatusCode::kUnavailable) {
    return Fail(UnreachableError(response.status()));
  }
  return response;
}

Result<HttpResponse> CommandContext::SendWith(const Secret& key, std::string_view method,
                                              std::string_view path,
                                              std::optional<nlohmann::json> body) {
  std::optional<std::string> text;
  if (body) text = body->dump();
  auto response = MakeClient(key)->Send(method, path, std::move(text));
  if (!response.ok() && response.status().code() == StatusCode::kUnavailable) {
    return Fail(UnreachableError(response.status()));
  }
  return response;
}

void CommandContext::UseStoredKey(Secret key) {
  settings_.api_key = {std::move(key), Source::kFile, config_ ? config_->path() : ""};
  client_.reset();
  me_.reset();
}

CliError CommandContext::UnreachableError(const Status& status) const {
  return CliError(ExitCode::kUnreachable, "unreachable",
                  fmt::format("cannot reach the accounts server at {}: {}",
                              settings_.api_host.value, status.message()),
                  "Check the URL (`2501 config`; change it with `2501 set api_host URL` "
                  "or --host) and that the server is running.");
}

Result<HttpResponse> CommandContext::Call(std::string_view method, std::string_view path,
                                          std::optional<nlohmann::json> body,
                                          std::string_view asked_org) {
  ASSIGN_OR_RETURN(HttpResponse response, Send(method, path, std::move(body)));
  if (response.status >= 200 && response.status < 300) return response;
  return Fail(ErrorFor(response, asked_org));
}

Result<nlohmann::json> CommandContext::ParseBody(const HttpResponse& response) {
  auto j = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Fail(CliError(
        ExitCode::kError, "bad_response",
        fmt::format("the server's answer (HTTP {}) is not a JSON object", response.status)));
  }
  MakeTerminalSafe(j);  // what commands print from it is safe; --json prints the body itself
  return j;
}

CliError CommandContext::ErrorFor(const HttpResponse& response, std::string_view asked_org) const {
  auto parsed = nlohmann::json::parse(response.body, nullptr, false);
  std::string code, message;
  if (!parsed.is_discarded() && parsed.is_object() && parsed.contains("error")) {
    code = TerminalSafe(StringField(parsed["error"], "code"));
    message = TerminalSafe(StringField(parsed["error"], "message"));
  }
  if (code.empty()) {
    return CliError(
        ExitCode::kError, "bad_response",
        fmt::format("the server answered HTTP {} without an error object", response.status));
  }
  std::optional<CliError> error;
  if (IsKeyCode(code) || code == "unauthenticated" || response.status == 401) {
    error = KeyErrorFor(code, message);
  } else if (code == "org_out_of_scope" || code == "forbidden" || response.status == 403) {
    error = OrgErrorFor(code, message, asked_org);
  } else if (response.status == 429) {
    error = CliError(
        ExitCode::kRateLimited, code,
        fmt::format("the server is limiting requests (HTTP 429, {}): {}", code, message),
        fmt::format("Wait {} and try again.", RetryAfterText(response.retry_after, clock_.Now())));
  } else if (response.status >= 500) {
    std::string request_id =
        response.request_id.empty()
            ? ""
            : fmt::format(" (request id {})", TerminalSafe(response.request_id));
    error = CliError(ExitCode::kError, code,
                     fmt::format("the server failed (HTTP {}, {}): {}{}", response.status, code,
                                 message, request_id));
  } else if (code == "not_found") {
    error = CliError(ExitCode::kError, code, fmt::format("not found: {}", message));
  } else {
    error = CliError(ExitCode::kError, code,
                     fmt::format("the server refused the request (HTTP {}, {}): {}",
                                 response.status, code, message));
  }
  error->WithServerBody(response.body);
  return *error;
}

CliError CommandContext::KeyErrorFor(const std::string& code, const std::string& message) const {
  const std::string hint = KeyHintText();
  if (code == "key_malformed") {
    return CliError(ExitCode::kAuth, code,
                    fmt::format("the server refused the key {} as malformed (key_malformed): {}",
                                hint, message),
                    "The key is incomplete or mistyped: copy the whole key again, with no "
                    "spaces, and store it with `2501 set api_key -`.");
  }
  if (code == "key_invalid") {
    return CliError(ExitCode::kAuth, code,
                    fmt::format("the server at {} does not know the key {} (key_invalid): {}",
                                settings_.api_host.value, hint, message),
                    fmt::format("Check the host and profile (`2501 config`; profile \"{}\"), "
                                "or create a new key in the Accounts interface.",
                                settings_.profile.value));
  }
  if (code == "key_expired") {
    return CliError(ExitCode::kAuth, code,
                    fmt::format("the key {} has expired (key_expired): {}", hint, message),
                    "Create a new key, or rotate this one, in the Accounts interface; then "
                    "store it with `2501 set api_key -`.");
  }
  if (code == "rotation_overdue") {
    return CliError(
        ExitCode::kAuth, code,
        fmt::format("the key {} must be rotated first (rotation_overdue): {}", hint, message),
        "Rotate it in the Accounts interface (its organization's key policy says "
        "when), then store the new value with `2501 set api_key -`.");
  }
  if (code == "key_revoked") {
    return CliError(ExitCode::kAuth, code,
                    fmt::format("the key {} was revoked or replaced by a rotation "
                                "(key_revoked): {}",
                                hint, message),
                    "If it was rotated, store the new key with `2501 set api_key -`; otherwise "
                    "create a new key in the Accounts interface.");
  }
  return CliError(ExitCode::kAuth, code,
                  fmt::format("authentication failed ({}): {}", code, message),
                  "Store a key with `2501 set api_key -`.");
}

CliError CommandContext::OrgErrorFor(const std::string& code, const std::string& message,
                                     std::string_view asked_org) const {
  if (code == "permission_denied") {
    const nlohmann::json none;
    return PermissionDeniedError(message, KeyHintText(),
                                 me_ && me_->json.contains("key") ? me_->json["key"] : none);
  }
  if (code == "ip_not_allowed") return IpNotAllowedError(message, KeyHintText());
  if (code == "two_factor_required") {
    std::string asked =
        asked_org.empty() ? "this organization" : fmt::format("organization \"{}\"", asked_org);
    return CliError(ExitCode::kForbidden, code,
                    fmt::format("{} requires two-factor sign-in, which your account has off "
                                "(two_factor_required): {}",
                                asked, message),
                    "Turn on two-factor sign-in in the Accounts console (Two-factor page); the "
                    "key works there again at once.");
  }
  if (code == "org_out_of_scope") {
    std::string key_org = "another organization";
    if (me_ && me_->key_org_id) {
      key_org = fmt::format("organization \"{}\" ({})", me_->key_org_name, *me_->key_org_id);
    }
    std::string asked =
        asked_org.empty() ? "the requested organization" : fmt::format("\"{}\"", asked_org);
    return CliError(
        ExitCode::kForbidden, code,
        fmt::format("the key {} is scoped to {} and cannot be used for {} (org_out_of_scope): {}",
                    KeyHintText(), key_org, asked, message),
        fmt::format("Use an unscoped key or one scoped to {}: create it in the Accounts "
                    "interface and keep it in its own profile (`2501 --profile NAME set api_key "
                    "-`).",
                    asked));
  }
  std::string asked =
      asked_org.empty() ? "this organization" : fmt::format("organization \"{}\"", asked_org);
  return CliError(
      ExitCode::kForbidden, code,
      fmt::format("forbidden: your account is not a member of {} ({}): {}", asked, code, message),
      "`2501 orgs` lists the organizations this key reaches.");
}

Result<const Me*> CommandContext::GetMe() {
  if (me_) return &*me_;
  ASSIGN_OR_RETURN(HttpResponse response, Call("GET", "/api/v1/me"));
  ASSIGN_OR_RETURN(nlohmann::json j, ParseBody(response));
  Me me;
  me.body = response.body;
  const nlohmann::json& key = j.contains("key") ? j["key"] : nlohmann::json::object();
  if (key.is_object() && key.contains("org_id") && key["org_id"].is_string()) {
    me.key_org_id = key["org_id"].get<std::string>();
    me.key_org_name = StringField(key, "org_name");
  }
  if (j.contains("orgs") && j["orgs"].is_array()) {
    for (const auto& o : j["orgs"]) {
      me.orgs.push_back({StringField(o, "id"), StringField(o, "name"), StringField(o, "role"),
                         StringField(o, "handle")});
    }
  }
  me.account_orgs = me.orgs;
  if (j.contains("account_orgs") && j["account_orgs"].is_array()) {
    me.account_orgs.clear();
    for (const auto& o : j["account_orgs"]) {
      me.account_orgs.push_back(
          {StringField(o, "id"), StringField(o, "name"), "", StringField(o, "handle")});
    }
  }
  WarnIfExpiringSoon(key);
  me.json = std::move(j);
  me_ = std::move(me);
  return &*me_;
}

void CommandContext::WarnIfExpiringSoon(const nlohmann::json& key) {
  auto expires = ParseRfc3339(StringField(key, "expires_at"));
  if (!expires.ok()) return;  // never expires (or no date the CLI can read)
  const Time now = clock_.Now();
  if (*expires > now && *expires - now <= kExpiryWarning) {
    Warn(fmt::format(
        "the API key {} (\"{}\") expires on {} ({}); create a new one or rotate it in the "
        "Accounts interface",
        KeyHintText(), StringField(key, "name"), FormatRfc3339(*expires),
        RelativeTime(*expires, now)));
  }
}

Result<OrgRef> CommandContext::ResolveOrg() {
  ASSIGN_OR_RETURN(const Me* me, GetMe());
  if (const std::optional<std::string>& wanted = invocation_.org) {
    // A reachable one as /me describes it (with its role), else the account's entry.
    auto best = [me](const OrgRef& o) {
      for (const OrgRef& r : me->orgs) {
        if (r.id == o.id) return r;
      }
      return o;
    };
    for (const OrgRef& o : me->account_orgs) {
      if (o.id == *wanted || o.handle == *wanted) return best(o);
    }
    if (me->key_org_id && *me->key_org_id == *wanted) {
      return OrgRef{*me->key_org_id, me->key_org_name, "", ""};
    }
    std::vector<OrgRef> named;
    for (const OrgRef& o : me->account_orgs) {
      if (o.name == *wanted) named.push_back(o);
    }
    if (named.size() == 1) return best(named.front());
    // Not a handle (they have no '_'): an id of an organization the account is not in. The
    // server says so (forbidden).
    if (named.empty() && wanted->starts_with("org_")) return OrgRef{*wanted, *wanted, "", ""};
    return Fail(UnresolvedOrgError(*wanted, named, me->account_orgs));
  }
  if (me->key_org_id) {
    for (const OrgRef& o : me->orgs) {
      if (o.id == *me->key_org_id) return o;
    }
    return OrgRef{*me->key_org_id, me->key_org_name, "", ""};
  }
  if (me->orgs.size() == 1) return me->orgs.front();
  if (me->orgs.empty()) {
    return Fail(CliError(ExitCode::kError, "no_organization", "this key reaches no organization",
                         "Create an organization (or ask to be added to one) in the Accounts "
                         "interface."));
  }
  return Fail(CliError(ExitCode::kUsage, "usage",
                       fmt::format("--org is required: this key reaches {} organizations: {}",
                                   me->orgs.size(), OrgList(me->orgs)),
                       UsageHint()));
}

CliError CommandContext::UnresolvedOrgError(const std::string& wanted,
                                            const std::vector<OrgRef>& matches,
                                            const std::vector<OrgRef>& all) const {
  if (!matches.empty()) {
    return CliError(ExitCode::kUsage, "usage",
                    fmt::format("--org \"{}\" is the display name of {} of your organizations; "
                                "name one by its handle or id: {}",
                                wanted, matches.size(), OrgList(matches)),
                    "Use --org HANDLE (`2501 orgs` lists them).");
  }
  return CliError(ExitCode::kUsage, "usage",
                  fmt::format("--org \"{}\" is not the id, handle or name of any of your "
                              "organizations; yours: {}",
                              wanted, all.empty() ? "none" : OrgList(all)),
                  "Use --org HANDLE (`2501 orgs` lists them).");
}

std::string OrgList(const std::vector<OrgRef>& orgs) {
  std::string list;
  for (const OrgRef& o : orgs) {
    list += fmt::format("{}{} (\"{}\", {})", list.empty() ? "" : ", ",
                        o.handle.empty() ? o.id : o.handle, o.name, o.id);
  }
  return list;
}

}  // namespace tfzo::cli
