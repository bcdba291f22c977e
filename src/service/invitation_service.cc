#include "service/invitation_service.h"

#include <fmt/format.h>

#include "service/key_list.h"
#include "service/mail_content.h"
#include "service/validation.h"

namespace tfzo {
namespace {

Status NotYours() {
  return NotFound("No invitation with this id is waiting for your verified address.");
}

// 409 saying why an invitation can no longer be acted on.
Status NotPending(const InvitationRecord& invitation, Time now) {
  return Conflict(
      fmt::format("This invitation is {}.", InvitationStatusName(invitation.StatusAt(now))));
}

}  // namespace

InvitationService::InvitationService(ServiceDeps deps, Limiters limiters)
    : deps_(deps), limiters_(limiters) {}

Status InvitationService::RequireOwner(const Caller& caller, std::string_view org_id) {
  ASSIGN_OR_RETURN(auto member, deps_.store.FindMembership(org_id, caller.account_id));
  // The same answer whether the organization exists or not, so that ids cannot be probed.
  if (!member) return Forbidden("You are not a member of this organization.");
  if (member->LacksTwoFactor()) return TwoFactorRequired(member->org_name);
  if (member->role != Role::kOwner) {
    return Forbidden("Only an owner of this organization can do that.");
  }
  return Status::Ok();
}

MailMessage InvitationService::InvitationMail(const InvitationRecord& invitation,
                                              const AccountRecord& inviter) {
  const std::string who =
      inviter.name.empty() ? inviter.email : fmt::format("{} ({})", inviter.name, inviter.email);
  // No "From address": the client address is the inviter's, and the mail goes to someone else.
  return ComposeMail(
      invitation.email,
      MailContent{
          .subject = fmt::format("{} invited you to {} on 2501 Accounts", inviter.email,
                                 invitation.org_name),
          .paragraphs =
              {fmt::format("{} invited {} to join the organization {} on 2501 Accounts as {}.", who,
                           invitation.email, invitation.org_name,
                           invitation.role == Role::kOwner ? "an owner" : "a member"),
               "To accept or decline, sign in (or sign up) with this address, verify it, and "
               "open your invitations. If you do not know the sender, ignore this mail."},
          .facts = {{"Organization",
                     fmt::format("{} ({})", invitation.org_name, invitation.org_handle)},
                    {"Invited by", inviter.email},
                    {"When", FormatRfc3339(invitation.created_at)},
                    {"Expires", FormatRfc3339(invitation.expires_at)}},
          .action = "See your invitations",
          .url = deps_.console_url + "/#/invitations"});
}

Result<InvitationRecord> InvitationService::Invite(const Caller& caller, std::string_view org_id,
                                                   std::string_view email, Role role) {
  ASSIGN_OR_RETURN(std::string address, CheckEmail("email", email));
  RETURN_IF_ERROR(RequireOwner(caller, org_id));
  ASSIGN_OR_RETURN(AccountRecord inviter, deps_.store.FindAccount(caller.account_id));
  // The mail names the inviter's address: it must be theirs.
  if (!inviter.email_verified_at) {
    return Forbidden("Verify your own address before you invite people.");
  }
  using Limit = std::pair<FailureLimiter*, const std::string*>;
  for (auto [limiter, subject] :
       {Limit(limiters_.owner, &caller.account_id), Limit(limiters_.address, &address)}) {
    if (limiter == nullptr) continue;
    const auto wait = limiter->RetryAfter(*subject);
    if (wait.count() > 0) {
      return RateLimited(
          fmt::format("Too many invitations: try again in {} minutes.", (wait.count() + 59) / 60),
          static_cast<int>(wait.count()));
    }
  }
  ASSIGN_OR_RETURN(OrgRecord org, deps_.store.FindOrg(org_id));
  const Time now = deps_.clock.Now();
  InvitationRecord invitation{.id = NewId("inv", deps_.random),
                              .org_id = org.id,
                              .email = std::move(address),
                              .role = role,
                              .invited_by = caller.account_id,
                              .created_at = now,
                              .expires_at = now + kLifetime,
                              .org_name = org.name,
                              .org_handle = org.handle,
                              .invited_by_email = inviter.email};
  EventRecord event = deps_.Event("org.invitation_created", caller, invitation.id, org.id);
  event.mails.push_back(InvitationMail(invitation, inviter));
  const Status created = deps_.store.CreateInvitation(invitation, event);
  if (created.code() == StatusCode::kConflict) {
    return Conflict(
        "email: this address is a member's already, or has a pending invitation to this "
        "organization (cancel it to send a new one)");
  }
  RETURN_IF_ERROR(created);
  if (limiters_.owner != nullptr) limiters_.owner->RecordFailure(caller.account_id);
  if (limiters_.address != nullptr) limiters_.address->RecordFailure(invitation.email);
  return invitation;
}

Result<std::vector<InvitationRecord>> InvitationService::ListForOrg(const Caller& caller,
                                                                    std::string_view org_id) {
  RETURN_IF_ERROR(RequireOwner(caller, org_id));
  return deps_.store.ListOrgInvitations(org_id);
}

Status InvitationService::Cancel(const Caller& caller, std::string_view org_id,
                                 std::string_view invitation_id) {
  RETURN_IF_ERROR(RequireOwner(caller, org_id));
  auto invitation = deps_.store.FindInvitation(invitation_id);
  if (!invitation.ok() || invitation->org_id != org_id) {
    return invitation.ok() || invitation.status().code() == StatusCode::kNotFound
               ? NotFound("This organization has no invitation with this id.")
               : invitation.status();
  }
  const Time now = deps_.clock.Now();
  const Status ended = deps_.store.EndInvitation(
      invitation_id, Store::InvitationEnd::kCancel, now,
      deps_.Event("org.invitation_canceled", caller, invitation->id, invitation->org_id));
  if (ended.code() == StatusCode::kNotFound) return NotPending(*invitation, now);
  return ended;
}

Result<std::vector<InvitationRecord>> InvitationService::ListMine(const Caller& caller) {
  ASSIGN_OR_RETURN(AccountRecord account, deps_.store.FindAccount(caller.account_id));
  if (!account.email_verified_at) return std::vector<InvitationRecord>();
  return deps_.store.ListInvitationsTo(account.email, deps_.clock.Now());
}

Result<InvitationRecord> InvitationService::Mine(const Caller& caller,
                                                 std::string_view invitation_id) {
  ASSIGN_OR_RETURN(AccountRecord account, deps_.store.FindAccount(caller.account_id));
  auto invitation = deps_.store.FindInvitation(invitation_id);
  if (!invitation.ok() && invitation.status().code() != StatusCode::kNotFound) {
    return invitation.status();
  }
  // Another address's invitation, or one to this address before it is proven, does not exist
  // for this account: nothing about it leaks to whoever merely typed the address.
  if (!invitation.ok() || !account.email_verified_at || invitation->email != account.email) {
    return NotYours();
  }
  const Time now = deps_.clock.Now();
  if (invitation->StatusAt(now) != InvitationRecord::Status::kPending) {
    return NotPending(*invitation, now);
  }
  return invitation;
}

Result<MembershipRecord> InvitationService::Accept(const Caller& caller,
                                                   std::string_view invitation_id) {
  ASSIGN_OR_RETURN(InvitationRecord invitation, Mine(caller, invitation_id));
  const Time now = deps_.clock.Now();
  const Status accepted = deps_.store.AcceptInvitation(
      invitation.id, caller.account_id, now,
      deps_.Event("org.invitation_accepted", caller, invitation.id, invitation.org_id));
  if (accepted.code() == StatusCode::kConflict) {
    return Conflict("You are a member of this organization already.");
  }
  if (accepted.code() == StatusCode::kQuotaExceeded) {
    return OrgsQuotaExceeded(deps_.store.quotas().max_orgs.value_or(0));
  }
  // Ended (or the address changed) between the read and the write.
  if (accepted.code() == StatusCode::kNotFound) return NotPending(invitation, now);
  RETURN_IF_ERROR(accepted);
  return MembershipRecord{.org_id = invitation.org_id,
                          .org_name = invitation.org_name,
                          .account_id = caller.account_id,
                          .email = invitation.email,
                          .role = invitation.role,
                          .org_handle = invitation.org_handle};
}

Status InvitationService::Decline(const Caller& caller, std::string_view invitation_id) {
  ASSIGN_OR_RETURN(InvitationRecord invitation, Mine(caller, invitation_id));
  const Time now = deps_.clock.Now();
  const Status ended = deps_.store.EndInvitation(
      invitation.id, Store::InvitationEnd::kDecline, now,
      deps_.Event("org.invitation_declined", caller, invitation.id, invitation.org_id));
  if (ended.code() == StatusCode::kNotFound) return NotPending(invitation, now);
  return ended;
}

}  // namespace tfzo
