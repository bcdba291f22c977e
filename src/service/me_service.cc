#include "service/me_service.h"

#include <algorithm>

#include "core/prefetch.h"
#include "model/key_flags.h"
#include "service/key_service.h"

namespace tfzo {
namespace {

std::vector<MembershipRecord> Reachable(const KeyState& key,
                                        const std::vector<MembershipRecord>& memberships) {
  std::vector<MembershipRecord> orgs;
  for (const MembershipRecord& m : memberships) {
    if (!key.org_id || *key.org_id == m.org_id) orgs.push_back(m);
  }
  return orgs;
}

}  // namespace

MeService::MeService(KeyVerifier& verifier, const Clock& clock, Render render)
    : verifier_(verifier), clock_(clock), render_(std::move(render)) {}

Result<std::vector<MembershipRecord>> MeService::ReachableOrgs(const KeyState& key) {
  ASSIGN_OR_RETURN(auto memberships, verifier_.Memberships(key.account_id));
  return Reachable(key, *memberships);
}

Result<std::string> MeService::Answer(const KeyState& key) {
  // Every lookup before any effect: in cache-only mode a miss ends the attempt cleanly.
  ASSIGN_OR_RETURN(auto account, verifier_.Account(key.account_id));
  ASSIGN_OR_RETURN(auto cached, verifier_.Key(key));
  std::shared_ptr<const KeyVerifier::KeptAnswer> kept = cached->kept.load();
  // Its lines load while the checks below run (a cold key's answer is the most it reads).
  if (kept) PrefetchRange(kept->body.data(), kept->body.size());
  ASSIGN_OR_RETURN(auto memberships, verifier_.Memberships(key.account_id));
  const KeyRecord& record = cached->record;
  const Time now = clock_.Now();
  // This request is the latest use (another node's may be later: shown once written).
  const Time last_used = record.last_used_at ? std::max(*record.last_used_at, now) : now;
  // The use before this one: this node's memory, or the store's (written by any node) when
  // it is older than this second.
  std::optional<Time> previous = verifier_.UseBefore(key, now);
  if (record.last_used_at && *record.last_used_at < now &&
      (!previous || *previous < *record.last_used_at)) {
    previous = record.last_used_at;
  }
  const std::string_view status = KeyStatusName(record, now);
  if (kept && kept->account == account && kept->memberships == memberships &&
      kept->status == status && (!kept->until || now < *kept->until)) {
    return Splice(*kept, last_used, previous);
  }
  const std::vector<MembershipRecord> orgs = Reachable(key, *memberships);
  // The scope's name as the memberships say it: renaming an org drops its members' cached
  // memberships, not every cached key scoped to it. The same for owner_left_org: a member's
  // departure drops the account's cached memberships, not the cached key.
  KeyRecord shown = record;
  shown.owner_left_org = record.org_id && !record.service_account_name;
  for (const MembershipRecord& m : *memberships) {
    if (shown.org_id == m.org_id) shown.owner_left_org = false;
  }
  for (const MembershipRecord& m : orgs) {
    if (shown.org_id == m.org_id) shown.org_name = m.org_name;
  }
  // This request is a use: its flags are never unused_90_days.
  shown.last_used_at = last_used;
  Parts parts = render_.answer(Me{*account, shown, orgs, *memberships, now});
  kept = std::make_shared<const KeyVerifier::KeptAnswer>(KeyVerifier::KeptAnswer{
      .account = std::move(account),
      .memberships = std::move(memberships),
      .status = status,
      .until = KeyFlagsChangeAt(shown, now),
      .body = std::move(parts.body),
      .gap = parts.gap,
  });
  cached->kept.store(kept);
  return Splice(*kept, last_used, previous);
}

std::string MeService::Splice(const KeyVerifier::KeptAnswer& kept, std::optional<Time> last_used,
                              std::optional<Time> previous_use) const {
  std::string body;
  const std::string_view kept_body = kept.body;
  body.reserve(kept_body.size() + 80);
  body += kept_body.substr(0, kept.gap);
  render_.last_used(last_used, body);
  if (render_.previous_use) render_.previous_use(previous_use, body);
  body += kept_body.substr(kept.gap);
  return body;
}

}  // namespace tfzo
