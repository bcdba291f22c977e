#ifndef TFZO_SERVICE_DEVICE_SERVICE_H_
#define TFZO_SERVICE_DEVICE_SERVICE_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "auth/failure_limiter.h"
#include "core/secret.h"
#include "service/context.h"
#include "service/key_service.h"

namespace tfzo {

// Device authorization (RFC 8628; docs/spec/API.md "Device authorization"): a CLI asks for a
// key without a credential and polls; a signed-in person types the user code in the console,
// sees who asks, and approves (minting the key through KeyService, so the organization's
// policy, the quotas, the audit events and the mails apply) or denies. The key's value never
// reaches the browser: it is sealed with a key derived from the device code, which only the
// CLI holds, until the CLI's next poll takes it, once. Every step is one store transaction, so
// a code made on one node is approved on another and answered on a third. Holds references
// only (a limiter may be null: no limit); thread-safe.
class DeviceService {
 public:
  static constexpr std::chrono::seconds kLifetime{900};
  static constexpr std::chrono::seconds kInterval{5};
  static constexpr std::chrono::seconds kSlowDown{5};  // RFC 8628 3.5
  // New codes per client address within kCodeWindow; then 429.
  static constexpr int kCodesPerAddress = 30;
  static constexpr std::chrono::hours kCodeWindow{1};
  // Unknown user codes typed per account, and per client address, within kGuessWindow; then
  // 429 until the window passes (20^8 codes: guessing a live one takes millions of tries).
  static constexpr int kGuessesPerSubject = 10;
  static constexpr std::chrono::minutes kGuessWindow{15};
  // An approved key expires after this many days unless the person chose otherwise (within
  // the server's maximum lifetime).
  static constexpr int kDefaultKeyDays = 90;
  // The user code's alphabet: no vowels (no words), no look-alikes (0/O, 1/I/L, 5/S, 8/B...).
  static constexpr std::string_view kUserCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ";

  struct Limiters {
    FailureLimiter* codes = nullptr;    // codes made per client address
    FailureLimiter* guesses = nullptr;  // unknown user codes per account and per address
  };

  // What POST /api/v1/device/code answers.
  struct Started {
    Secret device_code;
    std::string user_code;  // "XXXX-XXXX"
    std::string verification_uri;
    std::string verification_uri_complete;
    DeviceCodeRecord request;
  };

  // The approval's choices: the key's fields as POST /api/keys takes them; name and
  // expires_at absent take the defaults ("2501 CLI on HOSTNAME", kDefaultKeyDays).
  struct Approval {
    std::optional<std::string> name;
    std::string description;
    std::optional<std::optional<Time>> expires_at;  // an inner nullopt: never
    std::optional<std::string> org_id;
    std::optional<Permissions> permissions;
    std::vector<std::string> allowed_ips;
  };

  DeviceService(ServiceDeps deps, KeyService& keys, Limiters limiters)
      : deps_(deps), keys_(keys), limiters_(limiters) {}

  // A new request from `ip`; `client_name` and `hostname` are checked text (may be empty).
  Result<Started> Start(std::string_view client_name, std::string_view hostname,
                        const std::string& ip);
  // One poll: the key and its value once approved (once only); else kAuthorizationPending,
  // kSlowDown, kAccessDenied or kExpiredToken (also for an unknown or already used code).
  Result<KeyService::Issued> Poll(std::string_view device_code);
  // The pending (or decided, not yet taken) request whose user code this is; kNotFound for an
  // unknown, expired or used one, counted as a guess (kRateLimited past the limit).
  Result<DeviceCodeRecord> Find(const Caller& caller, std::string_view user_code);
  // Mints the caller's key for the pending request; the key (its value stays sealed).
  Result<KeyRecord> Approve(const Caller& caller, std::string_view user_code, Approval approval);
  Status Deny(const Caller& caller, std::string_view user_code);

  // "URL/#/device", the console's page for the code.
  std::string VerificationUri() const;
  // The user code as typed (any case, the dash optional, spaces around) in its one form
  // "XXXX-XXXX", or nullopt when it cannot be one.
  static std::optional<std::string> NormalizeUserCode(std::string_view typed);
  // "pending", "approved", "denied", "used" or "expired" at `now`.
  static std::string_view StatusAt(const DeviceCodeRecord& request, Time now);

 private:
  // The request to decide: pending and unexpired, else kNotFound (counted as a guess).
  Result<DeviceCodeRecord> Pending(const Caller& caller, std::string_view user_code);
  Status CheckGuesses(const Caller& caller);
  void CountGuess(const Caller& caller);

  ServiceDeps deps_;
  KeyService& keys_;
  Limiters limiters_;
};

}  // namespace tfzo

#endif  // TFZO_SERVICE_DEVICE_SERVICE_H_
