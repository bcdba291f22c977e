#ifndef TFZO_SERVICE_INVITATION_SERVICE_H_
#define TFZO_SERVICE_INVITATION_SERVICE_H_

#include <chrono>
#include <string_view>
#include <vector>

#include "auth/failure_limiter.h"
#include "service/context.h"

namespace tfzo {

// InvitationService's throttles; each may be null (no limit). The wiring builds them with
// InvitationService's constants.
struct InvitationLimiters {
  FailureLimiter* owner = nullptr;    // invitations one account sends
  FailureLimiter* address = nullptr;  // invitations to one address, from every organization
};

// Invitations instead of direct adds (docs/spec/API.md "Console: invitations"). An owner with
// a verified address invites an address, which gets a mail whether or not an account has it
// (the answer is the same either way: nobody learns who has an account); only an account whose
// verified address is the invited one sees the invitation and may accept it (anyone else is
// told it does not exist) or decline it. Accepting makes the account a member in the same
// transaction, with a membership change that every node's key cache hears. Re-inviting an
// address whose invitation is still pending is refused (kConflict): the owner cancels it
// first. Holds references only; thread-safe.
class InvitationService {
 public:
  // docs/spec/API.md: an invitation expires 7 days after it was sent.
  static constexpr std::chrono::days kLifetime{7};
  // Invitations one owner may send, and one address may receive, within kWindow; then 429.
  static constexpr int kPerOwner = 30;
  static constexpr int kPerAddress = 5;
  static constexpr std::chrono::hours kWindow{1};

  using Limiters = InvitationLimiters;

  explicit InvitationService(ServiceDeps deps, Limiters limiters = {});

  // Owners only. kForbidden (for a member, an outsider and an org that does not exist alike,
  // or for an owner whose own address is not verified); kConflict when the address is a
  // member's or has a pending invitation to the org; kRateLimited past the limits.
  Result<InvitationRecord> Invite(const Caller& caller, std::string_view org_id,
                                  std::string_view email, Role role);
  // Owners only: the org's invitations that are pending or expired, newest first.
  Result<std::vector<InvitationRecord>> ListForOrg(const Caller& caller, std::string_view org_id);
  // Owners only. kNotFound when the org has no such invitation; kConflict when it is no longer
  // pending.
  Status Cancel(const Caller& caller, std::string_view org_id, std::string_view invitation_id);

  // The invitations pending to the caller's verified address (none while it is unverified).
  Result<std::vector<InvitationRecord>> ListMine(const Caller& caller);
  // kNotFound unless the invitation is to the caller's verified address; kConflict when it is
  // no longer pending or the caller is a member already. The membership made.
  Result<MembershipRecord> Accept(const Caller& caller, std::string_view invitation_id);
  Status Decline(const Caller& caller, std::string_view invitation_id);

 private:
  Status RequireOwner(const Caller& caller, std::string_view org_id);
  // The invitation, when it is to the caller's verified address; kNotFound otherwise. Then
  // kConflict unless it is pending now.
  Result<InvitationRecord> Mine(const Caller& caller, std::string_view invitation_id);
  MailMessage InvitationMail(const InvitationRecord& invitation, const AccountRecord& inviter);

  ServiceDeps deps_;
  Limiters limiters_;
};

}  // namespace tfzo

#endif  // TFZO_SERVICE_INVITATION_SERVICE_H_
