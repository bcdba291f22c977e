#include "core/status.h"

namespace tfzo {

std::string_view CodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidRequest:
      return "invalid_request";
    case StatusCode::kWeakPassword:
      return "weak_password";
    case StatusCode::kInvalidToken:
      return "invalid_token";
    case StatusCode::kUnauthenticated:
      return "unauthenticated";
    case StatusCode::kInvalidCredentials:
      return "invalid_credentials";
    case StatusCode::kKeyMalformed:
      return "key_malformed";
    case StatusCode::kKeyInvalid:
      return "key_invalid";
    case StatusCode::kKeyRevoked:
      return "key_revoked";
    case StatusCode::kKeyExpired:
      return "key_expired";
    case StatusCode::kPolicyViolation:
      return "policy_violation";
    case StatusCode::kAuthorizationPending:
      return "authorization_pending";
    case StatusCode::kSlowDown:
      return "slow_down";
    case StatusCode::kAccessDenied:
      return "access_denied";
    case StatusCode::kExpiredToken:
      return "expired_token";
    case StatusCode::kRotationOverdue:
      return "rotation_overdue";
    case StatusCode::kCsrfFailed:
      return "csrf_failed";
    case StatusCode::kCrossSiteRequest:
      return "cross_site_request";
    case StatusCode::kSessionRequired:
      return "session_required";
    case StatusCode::kOrgOutOfScope:
      return "org_out_of_scope";
    case StatusCode::kTwoFactorRequired:
      return "two_factor_required";
    case StatusCode::kPermissionDenied:
      return "permission_denied";
    case StatusCode::kIpNotAllowed:
      return "ip_not_allowed";
    case StatusCode::kForbidden:
      return "forbidden";
    case StatusCode::kNotFound:
      return "not_found";
    case StatusCode::kMethodNotAllowed:
      return "method_not_allowed";
    case StatusCode::kEmailTaken:
      return "email_taken";
    case StatusCode::kConflict:
      return "conflict";
    case StatusCode::kHandleTaken:
      return "handle_taken";
    case StatusCode::kQuotaExceeded:
      return "quota_exceeded";
    case StatusCode::kPayloadTooLarge:
      return "payload_too_large";
    case StatusCode::kUnsupportedMedia:
      return "unsupported_media_type";
    case StatusCode::kHeadersTooLarge:
      return "headers_too_large";
    case StatusCode::kExpectationFailed:
      return "expectation_failed";
    case StatusCode::kRateLimited:
      return "rate_limited";
    case StatusCode::kInternal:
      return "internal";
    case StatusCode::kUnavailable:
      return "unavailable";
  }
  return "internal";
}

Status TwoFactorRequired(std::string_view org_name) {
  return Status(StatusCode::kTwoFactorRequired,
                "Organization \"" + std::string(org_name) +
                    "\" requires two-factor sign-in: turn it on in the Accounts console "
                    "(Two-factor) to use this organization again.");
}

int HttpStatusOf(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidRequest:
    case StatusCode::kWeakPassword:
    case StatusCode::kInvalidToken:
    case StatusCode::kPolicyViolation:
    case StatusCode::kAuthorizationPending:
    case StatusCode::kSlowDown:
    case StatusCode::kAccessDenied:
    case StatusCode::kExpiredToken:
      return 400;
    case StatusCode::kUnauthenticated:
    case StatusCode::kInvalidCredentials:
    case StatusCode::kKeyMalformed:
    case StatusCode::kKeyInvalid:
    case StatusCode::kKeyRevoked:
    case StatusCode::kKeyExpired:
    case StatusCode::kRotationOverdue:
      return 401;
    case StatusCode::kCsrfFailed:
    case StatusCode::kCrossSiteRequest:
    case StatusCode::kSessionRequired:
    case StatusCode::kOrgOutOfScope:
    case StatusCode::kTwoFactorRequired:
    case StatusCode::kPermissionDenied:
    case StatusCode::kIpNotAllowed:
    case StatusCode::kForbidden:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kMethodNotAllowed:
      return 405;
    case StatusCode::kEmailTaken:
    case StatusCode::kConflict:
    case StatusCode::kHandleTaken:
    case StatusCode::kQuotaExceeded:
      return 409;
    case StatusCode::kPayloadTooLarge:
      return 413;
    case StatusCode::kUnsupportedMedia:
      return 415;
    case StatusCode::kExpectationFailed:
      return 417;
    case StatusCode::kRateLimited:
      return 429;
    case StatusCode::kHeadersTooLarge:
      return 431;
    case StatusCode::kInternal:
      return 500;
    case StatusCode::kUnavailable:
      return 503;
  }
  return 500;
}

}  // namespace tfzo
