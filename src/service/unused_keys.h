#ifndef TFZO_SERVICE_UNUSED_KEYS_H_
#define TFZO_SERVICE_UNUSED_KEYS_H_

#include <chrono>
#include <string>

#include "service/context.h"
#include "service/periodic_job.h"

namespace tfzo {

// "Your API key was revoked: unused for N days", to `to` (the key's owner, or for a service
// account's key each owner of its organization), at `at`. Names the key by its name and hint.
MailMessage KeyRevokedUnusedMail(const ServiceDeps& deps, const std::string& to,
                                 const KeyRecord& key, int days, Time at);

// The periodic job that revokes the keys unused for their organization's
// revoke_unused_after_days (docs/spec/API.md "Organization key policy"): each key the store
// lists (Store::ListUnusedKeys) is revoked through Store::RevokeKey (one change per key, so
// every node drops it) with the audit event key.revoked_unused (no actor, the key, its org) and
// a mail to its owner, or to its organization's owners for a service account's key. Once per
// interval in the cluster (PeriodicJob). Owned by the server's wiring (App); thread-safe.
class UnusedKeyRevocation : public PeriodicService<UnusedKeyRevocation> {
 public:
  // How often the server runs it (--unused-key-revocation-interval).
  static constexpr std::chrono::seconds kDefaultInterval{3600};

  explicit UnusedKeyRevocation(ServiceDeps deps)
      : PeriodicService(deps, "unused_key_revocation", "unused key revocation", "keys revoked") {}

  // Revokes every key due now; the number revoked (by this call).
  Result<int> RunOnce();
};

}  // namespace tfzo

#endif  // TFZO_SERVICE_UNUSED_KEYS_H_
