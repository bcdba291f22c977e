#include "service/key_notices.h"

#include <fmt/format.h>

#include "service/mail_content.h"

namespace tfzo {
namespace {

using std::chrono::days;

std::string KeysUrl(const ServiceDeps& deps) { return deps.console_url + "/#/keys"; }

std::string KeyFact(const KeyRecord& key) { return fmt::format("{} ({})", key.name, key.hint); }

std::string ScopeFact(const std::string& org_name) {
  return org_name.empty() ? "all your organizations" : "the organization " + org_name;
}

std::string ExpiresFact(const KeyRecord& key) {
  return key.expires_at ? FormatRfc3339(*key.expires_at) : "never";
}

// An expiry notice: its name in the store and how long before the expiration it is due.
struct Window {
  const char* notice;
  days before;
};
constexpr Window kWindows[] = {{"expires_1d", days(1)}, {"expires_7d", days(7)}};

}  // namespace

MailMessage KeyCreatedMail(const ServiceDeps& deps, const std::string& email, const KeyRecord& key,
                           const std::string& org_name, const Caller& caller) {
  return ComposeMail(
      email,
      {.subject = fmt::format("A new API key \"{}\" was created on your 2501 account", key.name),
       .paragraphs = {fmt::format("An API key named \"{}\" was created on your 2501 account {}.",
                                  key.name, email),
                      "If you did not create it, revoke it in the console now and change your "
                      "password."},
       .facts = {{"Key", KeyFact(key)},
                 {"Scope", ScopeFact(org_name)},
                 {"Expires", ExpiresFact(key)},
                 {"When", FormatRfc3339(key.created_at)},
                 {"From address", caller.ip}},
       .action = "Review your API keys",
       .url = KeysUrl(deps)});
}

MailMessage KeyRevokedMail(const ServiceDeps& deps, const KeyRecord& key,
                           const std::string& revoked_by, Time at, const Caller& caller) {
  return ComposeMail(
      key.email,
      {.subject = fmt::format("Your API key \"{}\" was revoked", key.name),
       .paragraphs = {fmt::format("Your API key \"{}\" was revoked by {}, an owner of the "
                                  "organization {} it is scoped to. It no longer works.",
                                  key.name, revoked_by, key.org_name),
                      "If you still need access, create a new key in the console, or ask an "
                      "owner of the organization why."},
       .facts = {{"Key", KeyFact(key)},
                 {"Organization", key.org_name},
                 {"Revoked by", revoked_by},
                 {"When", FormatRfc3339(at)},
                 {"From address", caller.ip}},
       .action = "Review your API keys",
       .url = KeysUrl(deps)});
}

MailMessage OrgDeletedMail(const ServiceDeps& deps, const std::vector<KeyRecord>& keys,
                           const std::string& org_name, const std::string& deleted_by, Time at,
                           const Caller& caller) {
  std::vector<std::pair<std::string, std::string>> facts;
  for (const KeyRecord& key : keys) facts.emplace_back("Key", KeyFact(key));
  facts.emplace_back("Deleted by", deleted_by);
  facts.emplace_back("When", FormatRfc3339(at));
  facts.emplace_back("From address", caller.ip);
  return ComposeMail(
      keys.front().email,
      {.subject = fmt::format("The organization {} was deleted: your keys scoped to it were "
                              "revoked",
                              org_name),
       .paragraphs = {fmt::format("{}, an owner of the organization {}, deleted it. Your {} "
                                  "scoped to it {} revoked and no longer work{}.",
                                  deleted_by, org_name, keys.size() == 1 ? "key" : "keys",
                                  keys.size() == 1 ? "was" : "were", keys.size() == 1 ? "s" : "")},
       .facts = std::move(facts),
       .action = "Review your API keys",
       .url = KeysUrl(deps)});
}

MailMessage KeyExpiresMail(const ServiceDeps& deps, const KeyRecord& key, Time now) {
  const auto left = std::chrono::ceil<days>(*key.expires_at - now).count();
  const std::string in = fmt::format("in {} day{}", left, left == 1 ? "" : "s");
  return ComposeMail(
      key.email,
      {.subject = fmt::format("Your API key \"{}\" expires {}", key.name, in),
       .paragraphs = {fmt::format("Your API key \"{}\" expires {}, at {}. After that it stops "
                                  "working.",
                                  key.name, in, FormatRfc3339(*key.expires_at)),
                      "To keep working without a break, rotate it with a new expiration or "
                      "create a new key in the console before then."},
       .facts = {{"Key", KeyFact(key)},
                 {"Scope", ScopeFact(key.org_name)},
                 {"Expires", FormatRfc3339(*key.expires_at)}},
       .action = "Review your API keys",
       .url = KeysUrl(deps)});
}

Result<int> ExpiryNotices::RunOnce() {
  const Time now = deps_.clock.Now();
  int queued = 0;
  Time after = now;  // each window starts where the shorter one ends
  for (const Window& w : kWindows) {
    const Time until = now + w.before;
    ASSIGN_OR_RETURN(std::vector<KeyRecord> keys,
                     deps_.store.ListKeysForNotice(w.notice, after, until));
    for (const KeyRecord& key : keys) {
      if (key.created_at + w.before + kGrace > *key.expires_at) continue;  // set inside it
      ASSIGN_OR_RETURN(bool fresh,
                       deps_.store.QueueKeyNotice(key.id, w.notice, *key.expires_at,
                                                  KeyExpiresMail(deps_, key, now), now));
      queued += fresh ? 1 : 0;
    }
    after = until;
  }
  return queued;
}

}  // namespace tfzo
