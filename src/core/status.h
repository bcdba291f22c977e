#ifndef TFZO_CORE_STATUS_H_
#define TFZO_CORE_STATUS_H_

#include <string>
#include <string_view>
#include <utility>

namespace tfzo {

// The outcome of an operation. Each code is one error code of docs/spec/API.md, so the HTTP
// layer maps a Status to its answer without knowing where it came from.
enum class StatusCode {
  kOk,
  kInvalidRequest,   // 400 invalid_request
  kWeakPassword,     // 400 weak_password
  kInvalidToken,     // 400 invalid_token (a mailed link's token: unknown, used or expired)
  kPolicyViolation,  // 400 policy_violation (a key its organization's key policy refuses)
  // 400 authorization_pending (nobody decided yet), slow_down (polled sooner than the interval),
  // access_denied (denied in the console), expired_token (expired, unknown or already taken):
  // POST /api/v1/device/token's answers before, or instead of, the key (RFC 8628 3.5).
  kAuthorizationPending,
  kSlowDown,
  kAccessDenied,
  kExpiredToken,
  kUnauthenticated,     // 401 unauthenticated
  kInvalidCredentials,  // 401 invalid_credentials
  kKeyMalformed,        // 401 key_malformed
  kKeyInvalid,          // 401 key_invalid
  kKeyRevoked,          // 401 key_revoked
  kKeyExpired,          // 401 key_expired
  kRotationOverdue,     // 401 rotation_overdue (the organization's policy wants it rotated first)
  kCsrfFailed,          // 403 csrf_failed
  kCrossSiteRequest,    // 403 cross_site_request
  kSessionRequired,     // 403 session_required
  kOrgOutOfScope,       // 403 org_out_of_scope
  kTwoFactorRequired,   // 403 two_factor_required (the org requires it; the account has it off)
  kPermissionDenied,    // 403 permission_denied (the key lacks the route's permission)
  kIpNotAllowed,        // 403 ip_not_allowed (the client's address is not in the key's list)
  kForbidden,           // 403 forbidden
  kNotFound,            // 404 not_found
  kMethodNotAllowed,    // 405 method_not_allowed
  kEmailTaken,          // 409 email_taken
  kConflict,            // 409 conflict
  kHandleTaken,         // 409 handle_taken
  kQuotaExceeded,       // 409 quota_exceeded (a per-account limit: active keys, organizations)
  kPayloadTooLarge,     // 413 payload_too_large
  kUnsupportedMedia,    // 415 unsupported_media_type
  kHeadersTooLarge,     // 431 headers_too_large (transport only)
  kExpectationFailed,   // 417 expectation_failed (transport only)
  kRateLimited,         // 429 rate_limited
  kInternal,            // 500 internal
  kUnavailable,         // 503 unavailable (the store does not answer, or the server is busy)
};

// The wire name of a code ("key_expired") and its HTTP status.
std::string_view CodeName(StatusCode code);
int HttpStatusOf(StatusCode code);

// A code and a message a person can act on. Messages never carry secrets. Value type.
class Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // For kRateLimited, and a kUnavailable that passes by itself (the server is busy): seconds
  // until trying again can succeed (the Retry-After header); 0 when unknown.
  int retry_after() const { return retry_after_; }

 private:
  friend Status RateLimited(std::string message, int retry_after_seconds);
  friend Status Unavailable(std::string message, int retry_after_seconds);

  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  int retry_after_ = 0;
};

inline Status RateLimited(std::string message, int retry_after_seconds) {
  Status s(StatusCode::kRateLimited, std::move(message));
  s.retry_after_ = retry_after_seconds;
  return s;
}

// A 503 worth retrying soon (a bounded queue is full), with Retry-After.
inline Status Unavailable(std::string message, int retry_after_seconds) {
  Status s(StatusCode::kUnavailable, std::move(message));
  s.retry_after_ = retry_after_seconds;
  return s;
}

inline Status InvalidRequest(std::string message) {
  return Status(StatusCode::kInvalidRequest, std::move(message));
}
inline Status NotFound(std::string message) {
  return Status(StatusCode::kNotFound, std::move(message));
}
inline Status Conflict(std::string message) {
  return Status(StatusCode::kConflict, std::move(message));
}
inline Status Forbidden(std::string message) {
  return Status(StatusCode::kForbidden, std::move(message));
}
// 403 two_factor_required: the organization requires two-factor sign-in and the account has
// it off.
Status TwoFactorRequired(std::string_view org_name);
inline Status Internal(std::string message) {
  return Status(StatusCode::kInternal, std::move(message));
}

}  // namespace tfzo

#endif  // TFZO_CORE_STATUS_H_
