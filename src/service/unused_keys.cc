#include "service/unused_keys.h"

#include <fmt/format.h>

#include <vector>

#include "service/mail_content.h"

namespace tfzo {
namespace {

// Where the mail is sent: the owner, or for a service account's key (no mailbox) the owners of
// its organization.
Result<std::vector<std::string>> Recipients(const ServiceDeps& deps, const KeyRecord& key) {
  if (!key.service_account_name) return std::vector<std::string>{key.email};
  ASSIGN_OR_RETURN(std::vector<MembershipRecord> members, deps.store.ListMembers(*key.org_id));
  std::vector<std::string> owners;
  for (const MembershipRecord& m : members) {
    if (m.role == Role::kOwner) owners.push_back(m.email);
  }
  return owners;
}

}  // namespace

MailMessage KeyRevokedUnusedMail(const ServiceDeps& deps, const std::string& to,
                                 const KeyRecord& key, int days, Time at) {
  const std::string whose =
      key.service_account_name
          ? fmt::format("The service account {}'s API key", *key.service_account_name)
          : std::string("Your API key");
  // What made it count as unused: its last use, or its creation or rotation when later.
  const Time made = key.rotated_at.value_or(key.created_at);
  const bool used = key.last_used_at && *key.last_used_at > made;
  const char* since_label = used             ? "Last used"
                            : key.rotated_at ? "Rotated, not used since"
                                             : "Created, never used";
  return ComposeMail(
      to,
      {.subject = fmt::format("{} \"{}\" was revoked: unused for {} days", whose, key.name, days),
       .paragraphs = {fmt::format("{} \"{}\" was not used for {} days, so it was revoked "
                                  "automatically, as the organization {} requires. It no "
                                  "longer works.",
                                  whose, key.name, days, key.org_name),
                      "If it is still needed, create a new key in the console."},
       .facts = {{"Key", fmt::format("{} ({})", key.name, key.hint)},
                 {"Organization", key.org_name},
                 {since_label, FormatRfc3339(used ? *key.last_used_at : made)},
                 {"Revoked", FormatRfc3339(at)}},
       .action = "Review your API keys",
       .url = deps.console_url + "/#/keys"});
}

Result<int> UnusedKeyRevocation::RunOnce() {
  const Time now = deps_.clock.Now();
  ASSIGN_OR_RETURN(auto keys, deps_.store.ListUnusedKeys(now));
  int revoked = 0;
  for (const auto& [key, days] : keys) {
    EventRecord event =
        deps_.Event("key.revoked_unused", Caller{}, key.id, key.org_id.value_or(""));
    ASSIGN_OR_RETURN(std::vector<std::string> recipients, Recipients(deps_, key));
    for (const std::string& to : recipients) {
      event.mails.push_back(KeyRevokedUnusedMail(deps_, to, key, days, now));
    }
    ASSIGN_OR_RETURN(Time at, deps_.store.RevokeKey(key.id, now, event));
    revoked += at == now ? 1 : 0;  // else revoked before, by someone else: no event recorded
  }
  return revoked;
}

}  // namespace tfzo
