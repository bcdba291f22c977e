#ifndef TFZO_SERVICE_EXPOSURE_SERVICE_H_
#define TFZO_SERVICE_EXPOSURE_SERVICE_H_

#include <chrono>
#include <string>
#include <vector>

#include "auth/failure_limiter.h"
#include "service/context.h"

namespace tfzo {

// Reports of exposed keys (docs/spec/API.md "POST /api/v1/credentials/revoke"): anyone who
// finds strings that look like keys (in a public repository, a paste, a log) sends them
// without a credential. Every live key among them is revoked at once and marked exposed
// (Store::RevokeExposedKey: one change, every node), with an audit event `key.exposed` (no
// actor, the reporter's address) and a mail to whoever answers for the key: its owner, or the
// owners of a service account's organization. What the reporter learns never depends on what
// the strings were; only the metrics count the outcomes. Holds references only (the limiter
// may be null: no limit); thread-safe.
class ExposureService {
 public:
  // At most this many strings per report.
  static constexpr size_t kMaxCredentials = 1000;
  // Reports per client address within kReportWindow; then 429 until the window passes.
  static constexpr int kReportsPerAddress = 60;
  static constexpr std::chrono::hours kReportWindow{1};
  // GET /api/session lists the keys reported within kListedFor, at most kMaxListed.
  static constexpr std::chrono::days kListedFor{30};
  static constexpr int kMaxListed = 10;

  // What happened to the strings of one report, each counted once per occurrence.
  struct Tally {
    int revoked = 0;    // a live key, revoked now
    int inactive = 0;   // a key already revoked or expired, or a value rotated away
    int unknown = 0;    // well formed, but no key of this server
    int malformed = 0;  // not a key at all (docs/spec/KEYS.md)
  };

  ExposureService(ServiceDeps deps, FailureLimiter* per_address)
      : deps_(deps), per_address_(per_address) {}

  // Counts one report of `ip` (kRateLimited past kReportsPerAddress) and handles each string.
  // kInvalidRequest past kMaxCredentials strings.
  Result<Tally> Report(const std::vector<std::string>& credentials, const std::string& ip);
  // The keys of the caller (and of the service accounts of the organizations it owns) reported
  // within kListedFor, newest first, at most kMaxListed.
  Result<std::vector<KeyRecord>> ListReported(const Caller& caller);

 private:
  enum class Outcome { kRevoked, kInactive, kUnknown, kMalformed };
  Result<Outcome> Handle(const std::string& credential, const std::string& ip, Time now);
  // The mails telling of `key`'s exposure: to its owner, or to each owner of its service
  // account's organization.
  Result<std::vector<MailMessage>> Mails(const KeyRecord& key, const std::string& ip, Time at);

  ServiceDeps deps_;
  FailureLimiter* per_address_;
};

}  // namespace tfzo

#endif  // TFZO_SERVICE_EXPOSURE_SERVICE_H_
