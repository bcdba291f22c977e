#include "service/me_service.h"

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

MeService::MeService(KeyVerifier& verifier, UsageRecorder* usage, const Clock& clock, Render render)
    : verifier_(verifier), usage_(usage), clock_(clock), render_(std::move(render)) {}

Result<std::vector<MembershipRecord>> MeService::ReachableOrgs(const KeyState& key) {
  ASSIGN_OR_RETURN(auto memberships, verifier_.Memberships(key.account_id));
  return Reachable(key, *memberships);
}

Result<std::string> MeService::Answer(const KeyState& key) {
  // Every lookup before any effect: in cache-only mode a miss ends the attempt cleanly.
  ASSIGN_OR_RETURN(auto account, verifier_.Account(key.account_id));
  ASSIGN_OR_RETURN(auto record, verifier_.Key(key.key_id));
  ASSIGN_OR_RETURN(auto memberships, verifier_.Memberships(key.account_id));
  // This node's uses are in memory before they are written: show the latest.
  std::optional<Time> last_used = record->last_used_at;
  if (auto used = usage_ ? usage_->LastUse(key.key_id) : std::nullopt;
      used && (!last_used || *last_used < *used)) {
    last_used = used;
  }
  const Time now = clock_.Now();
  const std::string_view status = KeyStatusName(*record, now);
  if (auto found = answers_.Find(key.key_id)) {
    const Built& cached = **found;
    if (cached.account == account && cached.record == record && cached.memberships == memberships &&
        cached.last_used == last_used && cached.status == status) {
      return cached.body;
    }
  }
  const std::vector<MembershipRecord> orgs = Reachable(key, *memberships);
  // The scope's name as the memberships say it: renaming an org drops its members' cached
  // memberships, not every cached key scoped to it.
  KeyRecord shown = *record;
  for (const MembershipRecord& m : orgs) {
    if (shown.org_id == m.org_id) shown.org_name = m.org_name;
  }
  auto built = std::make_shared<Built>(Built{
      .account = account,
      .record = record,
      .memberships = memberships,
      .last_used = last_used,
      .status = status,
      .body = render_(Me{*account, shown, orgs, last_used, now}),
  });
  if (answers_.size() >= kMaxAnswers) answers_.Clear();
  answers_.Insert(key.key_id, built, answers_.epoch());
  return built->body;
}

}  // namespace tfzo
