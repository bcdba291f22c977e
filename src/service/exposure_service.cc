#include "service/exposure_service.h"

#include <fmt/format.h>

#include <cctype>
#include <unordered_map>

#include "core/api_key.h"
#include "core/digest.h"
#include "service/mail_content.h"

namespace tfzo {
namespace {

// The mail to `to` about `key`, reported exposed from `ip` and revoked at `at`. `whose` is "your
// API key" or "the API key of the service account N"; the value itself is never in it.
MailMessage ExposedMail(const ServiceDeps& deps, std::string to, const KeyRecord& key,
                        const std::string& whose, const std::string& ip, Time at) {
  std::vector<std::pair<std::string, std::string>> facts = {
      {"Key", fmt::format("{} ({})", key.name, key.hint)}};
  if (key.org_id) facts.emplace_back("Organization", key.org_name);
  facts.emplace_back("Revoked", FormatRfc3339(at));
  facts.emplace_back("Reported from address", ip);
  std::string subject =
      fmt::format("{} \"{}\" was reported as exposed and revoked", whose, key.name);
  subject[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(subject[0])));
  return ComposeMail(
      std::move(to),
      {.subject = std::move(subject),
       .paragraphs = {fmt::format("Someone reported the value of {} \"{}\" as exposed: it was "
                                  "found where others can read it, such as a public repository. "
                                  "It was revoked at once and no longer works.",
                                  whose, key.name),
                      "Create a new key in the console, put it wherever the old one was used, "
                      "and remove the old value from where it was published. Check the audit "
                      "log for uses you do not recognize."},
       .facts = std::move(facts),
       .action = "Review your API keys",
       .url = deps.console_url + "/#/keys"});
}

}  // namespace

Result<ExposureService::Tally> ExposureService::Report(const std::vector<std::string>& credentials,
                                                       const std::string& ip) {
  if (credentials.size() > kMaxCredentials) {
    return InvalidRequest(fmt::format("credentials: at most {} entries", kMaxCredentials));
  }
  if (per_address_ != nullptr) {
    const auto wait = per_address_->RetryAfter(ip);
    if (wait.count() > 0) {
      return RateLimited(fmt::format("Too many reports from this address: try again in {} "
                                     "minutes.",
                                     (wait.count() + 59) / 60),
                         static_cast<int>(wait.count()));
    }
    per_address_->RecordFailure(ip);
  }
  const Time now = deps_.clock.Now();
  Tally tally;
  // A string repeated in one report is looked at once and counted as often as it appears.
  std::unordered_map<std::string_view, Outcome> seen;
  for (const std::string& credential : credentials) {
    auto it = seen.find(credential);
    if (it == seen.end()) {
      ASSIGN_OR_RETURN(Outcome outcome, Handle(credential, ip, now));
      it = seen.emplace(credential, outcome).first;
    }
    switch (it->second) {
      case Outcome::kRevoked:
        ++tally.revoked;
        break;
      case Outcome::kInactive:
        ++tally.inactive;
        break;
      case Outcome::kUnknown:
        ++tally.unknown;
        break;
      case Outcome::kMalformed:
        ++tally.malformed;
        break;
    }
  }
  return tally;
}

Result<ExposureService::Outcome> ExposureService::Handle(const std::string& credential,
                                                         const std::string& ip, Time now) {
  if (!IsWellFormedKey(credential)) return Outcome::kMalformed;
  auto state = deps_.store.FindKeyBySecret(Sha256(credential));
  if (!state.ok()) {
    if (state.status().code() == StatusCode::kNotFound) return Outcome::kUnknown;
    return state.status();
  }
  // Live: the key is not revoked, this is its current value (not one a rotation replaced, even
  // while its overlap runs), and it has not expired.
  if (state->key_revoked_at || state->secret_revoked_at ||
      (state->expires_at && *state->expires_at <= now)) {
    return Outcome::kInactive;
  }
  auto key = deps_.store.FindKey(state->key_id);
  if (!key.ok()) return key.status();
  EventRecord event = deps_.Event("key.exposed", Caller{"", ip}, key->id, key->org_id);
  auto mails = Mails(*key, ip, event.at);
  // A service account deleted since the key was read: its keys are revoked already.
  if (mails.status().code() == StatusCode::kNotFound) return Outcome::kInactive;
  if (!mails.ok()) return mails.status();
  event.mails = std::move(mails).value();
  ASSIGN_OR_RETURN(Time revoked, deps_.store.RevokeExposedKey(key->id, event.at, event));
  // Revoked by someone else since it was read: not this report's doing, no event, no mail.
  return revoked == event.at ? Outcome::kRevoked : Outcome::kInactive;
}

Result<std::vector<MailMessage>> ExposureService::Mails(const KeyRecord& key, const std::string& ip,
                                                        Time at) {
  std::vector<MailMessage> mails;
  if (!key.service_account_name) {
    mails.push_back(ExposedMail(deps_, key.email, key, "your API key", ip, at));
    return mails;
  }
  ASSIGN_OR_RETURN(ServiceAccountRecord account, deps_.store.FindServiceAccount(key.account_id));
  ASSIGN_OR_RETURN(auto members, deps_.store.ListMembers(account.org_id));
  const std::string whose =
      fmt::format("the API key of the service account {}", *key.service_account_name);
  for (const MembershipRecord& m : members) {
    if (m.role == Role::kOwner) mails.push_back(ExposedMail(deps_, m.email, key, whose, ip, at));
  }
  return mails;
}

Result<std::vector<KeyRecord>> ExposureService::ListReported(const Caller& caller) {
  return deps_.store.ListExposedKeys(caller.account_id, deps_.clock.Now() - kListedFor, kMaxListed);
}

}  // namespace tfzo
