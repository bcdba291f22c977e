#ifndef TFZO_SERVICE_KEY_NOTICES_H_
#define TFZO_SERVICE_KEY_NOTICES_H_

#include <chrono>
#include <string>
#include <vector>

#include "service/context.h"
#include "service/periodic_job.h"

namespace tfzo {

// The mails about an account's keys (issue 12, item 5): each says what happened, when, from
// which address, and links to the console's keys page. They name a key by its name and hint,
// never by its value. Plain functions of their inputs.

// "A key was created on your account", to its owner (`email`).
MailMessage KeyCreatedMail(const ServiceDeps& deps, const std::string& email, const KeyRecord& key,
                           const std::string& org_name, const Caller& caller);
// "One of your keys was revoked", to its owner, when an owner of its organization
// (`revoked_by`) revoked it at `at`.
MailMessage KeyRevokedMail(const ServiceDeps& deps, const KeyRecord& key,
                           const std::string& revoked_by, Time at, const Caller& caller);
// "Your keys were revoked", to the owner of `keys` (all scoped to the organization `org_name`,
// all theirs), when an owner of it (`deleted_by`) deleted it at `at`.
MailMessage OrgDeletedMail(const ServiceDeps& deps, const std::vector<KeyRecord>& keys,
                           const std::string& org_name, const std::string& deleted_by, Time at,
                           const Caller& caller);
// "Your key expires in N days", to its owner, at `now`.
MailMessage KeyExpiresMail(const ServiceDeps& deps, const KeyRecord& key, Time now);

// The periodic job that mails "your key expires in 7 days" and again "in 1 day". It runs once
// per interval in the cluster (PeriodicJob); even so, the store records each notice with its mail
// in one transaction and queues it only once (Store::QueueKeyNotice), so of several nodes one sends
// it. A key whose expiration was set inside a window (created less than kGrace before the window
// opened) gets no notice for that window: whoever set it knows. Owned by the server's wiring (App);
// thread-safe.
class ExpiryNotices : public PeriodicService<ExpiryNotices> {
 public:
  static constexpr std::chrono::hours kGrace{1};
  // How often the server runs it (--expiry-notice-interval).
  static constexpr std::chrono::seconds kDefaultInterval{600};

  explicit ExpiryNotices(ServiceDeps deps)
      : PeriodicService(deps, "expiry_notices", "expiry notices", "queued") {}

  // Queues every notice due now; the number queued (by this call).
  Result<int> RunOnce();
};

}  // namespace tfzo

#endif  // TFZO_SERVICE_KEY_NOTICES_H_
