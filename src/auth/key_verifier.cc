#include "auth/key_verifier.h"

#include <fmt/format.h>

#include "core/api_key.h"
#include "core/prefetch.h"

namespace tfzo {
namespace {

thread_local bool tl_cache_only = false;
thread_local bool tl_missed = false;

// In cache-only mode (CacheOnlyScope), records the miss and answers it: the caller must not
// read the store. Otherwise Ok.
Status RefuseStoreRead() {
  if (!tl_cache_only) return Status::Ok();
  tl_missed = true;
  return Status(StatusCode::kUnavailable, "not in the cache");
}

// Find in `cache`, else (unless cache-only) `load()` from the store and fill with a V made
// from what it read.
template <typename V, typename Cache, typename K, typename Load>
Result<std::shared_ptr<const V>> ReadThrough(Cache& cache, const K& key, Load load) {
  if (auto hit = cache.Find(key)) return *std::move(hit);
  RETURN_IF_ERROR(RefuseStoreRead());
  const uint64_t epoch = cache.epoch();
  auto loaded = load();
  if (!loaded.ok()) return loaded.status();
  auto value = std::make_shared<const V>(std::move(loaded).value());
  cache.Insert(key, value, epoch);
  return value;
}

}  // namespace

KeyVerifier::CachedKey::CachedKey(KeyRecord r) : record(std::move(r)) {
  // The store keeps canonical entries: none is refused.
  for (const std::string& entry : record.allowed_ips) (void)allowed_ips.Add(entry);
}

KeyVerifier::CacheOnlyScope::CacheOnlyScope() {
  tl_cache_only = true;
  tl_missed = false;
}
KeyVerifier::CacheOnlyScope::~CacheOnlyScope() { tl_cache_only = false; }
bool KeyVerifier::CacheOnlyScope::missed() const { return tl_missed; }

KeyVerifier::KeyVerifier(Store& store, const Clock& clock, UsageRecorder* usage, Options options)
    : store_(store),
      clock_(clock),
      usage_(usage),
      stale_for_(options.stale_for),
      states_(clock, decltype(states_)::kForever),
      memberships_(clock, decltype(memberships_)::kForever),
      accounts_(clock, decltype(accounts_)::kForever) {}

Status KeyVerifier::CheckServable(Time now) {
  switch (ServingAt(now).level) {
    case Serving::Level::kAll:
      return Status::Ok();
    case Serving::Level::kCachedOnly:
      stale_.fetch_add(1, std::memory_order_relaxed);
      return Status::Ok();
    case Serving::Level::kNothing:
      break;
  }
  return Status(StatusCode::kUnavailable,
                "the store has been unreachable for longer than --stale-for");
}

KeyVerifier::Serving KeyVerifier::ServingAt(Time now) const {
  const Freshness freshness = store_.freshness();
  if (freshness.current) return Serving{};
  const bool stale_ok = now - freshness.current_at < stale_for_;
  return Serving{.level = stale_ok ? Serving::Level::kCachedOnly : Serving::Level::kNothing,
                 .since = freshness.current_at};
}

Result<KeyState> KeyVerifier::FindState(const Digest& digest, Time now, UsageRecorder::Use*& use) {
  KeyState state;
  if (states_.Visit(digest, now, [&](const CachedState& hit) {
        // What the request reads next: the use Judge writes, and the record /api/v1/me shows.
        if (hit.use != nullptr) __builtin_prefetch(hit.use, /*rw=*/1);
        if (hit.key) PrefetchRange(hit.key.get(), sizeof(CachedKey));
        state = hit.state.Expand();
        use = hit.use;
      })) {
    hits_.fetch_add(1, std::memory_order_relaxed);
    RETURN_IF_ERROR(CheckServable(now));
    state.digest = digest;
    return state;
  }
  RETURN_IF_ERROR(RefuseStoreRead());
  misses_.fetch_add(1, std::memory_order_relaxed);
  const uint64_t epoch = states_.epoch();
  auto found = store_.FindKeyBySecret(digest);
  if (!found.ok()) return found.status();  // unknown digests are never cached
  if (auto compact = CompactKeyState::From(*found)) {
    use = usage_ != nullptr ? &usage_->Track(found->key_id) : nullptr;
    states_.Insert(digest, CachedState{.state = *compact, .use = use}, epoch);
  }
  return found;
}

Result<KeyState> KeyVerifier::Verify(std::string_view key) {
  if (!IsWellFormedKey(key)) {
    return Status(StatusCode::kKeyMalformed,
                  "The API key is malformed (incomplete or mistyped): copy the whole key again; "
                  "it starts with tfzo_ and is 41 characters long.");
  }
  const Time now = clock_.Now();
  UsageRecorder::Use* use = nullptr;
  auto found = FindState(Sha256(key), now, use);
  if (!found.ok()) {
    if (found.status().code() != StatusCode::kNotFound) return found.status();
    return Status(StatusCode::kKeyInvalid,
                  "The API key is not known to this server: check the host and profile, or "
                  "create a new key in the Accounts interface.");
  }
  return Judge(std::move(found).value(), now, use);
}

Result<KeyState> KeyVerifier::Judge(KeyState state, Time now, UsageRecorder::Use* use) {
  if (state.key_revoked_at) {
    return Status(StatusCode::kKeyRevoked,
                  fmt::format("This API key was revoked on {}; create a new key.",
                              FormatRfc3339(*state.key_revoked_at)));
  }
  // A rotation with an overlap revokes the previous value at a time to come.
  if (state.secret_revoked_at && *state.secret_revoked_at <= now) {
    return Status(StatusCode::kKeyRevoked,
                  fmt::format("This API key's value was replaced by a rotation and stopped "
                              "working on {}; use the new value.",
                              FormatRfc3339(*state.secret_revoked_at)));
  }
  if (state.expires_at && *state.expires_at <= now) {
    return Status(StatusCode::kKeyExpired,
                  fmt::format("This API key expired on {}; create a new key or rotate this one "
                              "with a new expiration.",
                              FormatRfc3339(*state.expires_at)));
  }
  RETURN_IF_ERROR(JudgePolicy(state, now));
  if (use != nullptr) {
    usage_->Record(*use, state.key_id, now);
  } else if (usage_ != nullptr) {
    usage_->Record(state.key_id, now);
  }
  return state;
}

Status KeyVerifier::JudgePolicy(const KeyState& state, Time now) {
  const KeyState::Policy& policy = state.policy;
  if (policy.lifetime_ends && *policy.lifetime_ends <= now) {
    return Status(StatusCode::kKeyExpired,
                  fmt::format("This API key expired on {} under its organization's key policy "
                              "(max_lifetime_days); rotate it or create a new key.",
                              FormatRfc3339(*policy.lifetime_ends)));
  }
  if (policy.rotate_by && *policy.rotate_by <= now) {
    return Status(StatusCode::kRotationOverdue,
                  fmt::format("This API key was due for rotation on {} under its organization's "
                              "key policy (rotate_every_days); rotate it and use the new value.",
                              FormatRfc3339(*policy.rotate_by)));
  }
  if (policy.expiration_required && !state.expires_at) {
    return Status(StatusCode::kRotationOverdue,
                  "This API key never expires, and its organization's key policy requires an "
                  "expiration (require_expiration); rotate it with an expiration and use the new "
                  "value.");
  }
  return Status::Ok();
}

Status KeyVerifier::CheckPermission(const KeyState& key, Permission needed) {
  if (key.granted().Has(needed)) return Status::Ok();
  if (key.permissions.Has(needed)) {
    return Status(StatusCode::kPermissionDenied,
                  fmt::format("This key has the permission {}, but its organization's key policy "
                              "does not allow it (allowed_permissions); ask an owner of the "
                              "organization.",
                              PermissionName(needed)));
  }
  return Status(StatusCode::kPermissionDenied,
                fmt::format("This key lacks the permission {}; create a key that has it in the "
                            "Accounts console, or ask an owner of the organization.",
                            PermissionName(needed)));
}

Status KeyVerifier::CheckAddress(const KeyState& key, std::string_view address) {
  if (!key.ip_restricted) return Status::Ok();
  ASSIGN_OR_RETURN(auto cached, Key(key));
  if (cached->allowed_ips.Contains(address)) return Status::Ok();
  return Status(StatusCode::kIpNotAllowed,
                fmt::format("This key may be used only from its allowed addresses; this request "
                            "came from {}. Change the key's allowed addresses in the Accounts "
                            "console.",
                            IpNetworks::ParseAddress(address) ? address : "an unknown address"));
}

Status KeyVerifier::CheckOrgAccess(const KeyState& key, std::string_view org_id) {
  ASSIGN_OR_RETURN(auto memberships, Memberships(key.account_id));
  const MembershipRecord* member = nullptr;
  const MembershipRecord* scope = nullptr;
  for (const MembershipRecord& m : *memberships) {
    if (m.org_id == org_id) member = &m;
    if (key.org_id && m.org_id == *key.org_id) scope = &m;
  }
  if (member == nullptr) {
    return Forbidden("The key's account is not a member of this organization.");
  }
  if (key.org_id && *key.org_id != org_id) {
    return Status(StatusCode::kOrgOutOfScope,
                  fmt::format("This key is scoped to organization \"{}\" ({}); use an unscoped "
                              "key or one scoped to this organization.",
                              scope != nullptr ? scope->org_name : *key.org_id, *key.org_id));
  }
  // Decided from the cached membership: the org's rule and the member's two-factor state are
  // both in it, and a change to either drops it on every node (SqlStore's change log).
  if (member->LacksTwoFactor()) return TwoFactorRequired(member->org_name);
  return Status::Ok();
}

Result<std::shared_ptr<const std::vector<MembershipRecord>>> KeyVerifier::Memberships(
    const std::string& account_id) {
  return ReadThrough<std::vector<MembershipRecord>>(
      memberships_, account_id, [&] { return store_.ListMemberships(account_id); });
}

Result<std::shared_ptr<const KeyVerifier::CachedKey>> KeyVerifier::Key(const KeyState& key) {
  std::shared_ptr<const CachedKey> cached;
  const bool has_state = states_.Visit(key.digest, clock_.Now(), [&](const CachedState& hit) {
    if (hit.state.HasKeyId(key.key_id)) cached = hit.key;  // a state of this key's secret
  });
  if (cached) return cached;
  RETURN_IF_ERROR(RefuseStoreRead());
  const uint64_t epoch = states_.epoch();
  ASSIGN_OR_RETURN(KeyRecord record, store_.FindKey(key.key_id));
  cached = std::make_shared<const CachedKey>(std::move(record));
  if (has_state) {
    states_.Update(key.digest, epoch, [&](CachedState& entry) {
      if (entry.state.HasKeyId(key.key_id)) entry.key = cached;
    });
  }
  return cached;
}

std::optional<Time> KeyVerifier::UseBefore(const KeyState& key, Time now) const {
  if (usage_ == nullptr) return std::nullopt;
  const UsageRecorder::Use* use = nullptr;
  states_.Visit(key.digest, now, [&](const CachedState& hit) {
    if (hit.state.HasKeyId(key.key_id)) use = hit.use;
  });
  return use != nullptr ? usage_->UseBefore(*use, now) : usage_->UseBefore(key.key_id, now);
}

Result<std::shared_ptr<const AccountRecord>> KeyVerifier::Account(const std::string& account_id) {
  return ReadThrough<AccountRecord>(accounts_, account_id,
                                    [&] { return store_.FindAccount(account_id); });
}

void KeyVerifier::OnChange(const Change& change) {
  int64_t seen = applied_seq_.load(std::memory_order_relaxed);
  while (change.seq > seen &&
         !applied_seq_.compare_exchange_weak(seen, change.seq, std::memory_order_relaxed)) {
  }
  switch (change.kind) {
    case Change::Kind::kKey:
      // A scan, not an index: key changes are rare, and an index from key id to digests
      // would cost about 140 bytes per cached key. EraseIf also refuses fills in flight.
      // The record and the answer kept with it go with the state.
      states_.EraseIf([&](const Digest&, const CachedState& entry) {
        return entry.state.HasKeyId(change.key_id);
      });
      break;
    case Change::Kind::kMembership:
      memberships_.Erase(change.account_id);
      break;
    case Change::Kind::kAccount:
      accounts_.Erase(change.account_id);
      break;
    case Change::Kind::kOrg:
      // Its policy: the states of its keys carry it, and /api/v1/me's kept answers show it.
      states_.EraseIf([&](const Digest&, const CachedState& entry) {
        return entry.state.HasOrgId(change.org_id);
      });
      break;
    case Change::Kind::kEverything:
      states_.Clear();
      memberships_.Clear();
      accounts_.Clear();
      break;
  }
}

KeyVerifier::Stats KeyVerifier::stats() const {
  return Stats{.hits = hits_.load(std::memory_order_relaxed),
               .misses = misses_.load(std::memory_order_relaxed),
               .stale = stale_.load(std::memory_order_relaxed),
               .cached_keys = states_.size(),
               .cached_accounts = memberships_.size(),
               .applied_seq = applied_seq_.load(std::memory_order_relaxed)};
}

}  // namespace tfzo
