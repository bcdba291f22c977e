#ifndef TFZO_AUTH_KEY_VERIFIER_H_
#define TFZO_AUTH_KEY_VERIFIER_H_

#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/compact_key_state.h"
#include "auth/flat_table.h"
#include "auth/inline_id.h"
#include "auth/sharded_cache.h"
#include "auth/usage_recorder.h"
#include "core/digest.h"
#include "core/ip_networks.h"
#include "core/result.h"
#include "core/time.h"
#include "model/store.h"

namespace tfzo {

// Decides whether an API key may be used, in the order of docs/spec/KEYS.md (malformed, unknown,
// revoked, expired), and whether it reaches an organization (docs/spec/API.md's scope rules).
//
// The hot path: parse and checksum (no allocation), SHA-256, then a sharded in-memory table
// from digest to key state. A miss reads through to the store and fills the table; unknown
// digests are never cached, so a new key works on the very next request. Beside each state the
// table keeps the key's UsageRecorder handle and, once read, its record (for /api/v1/me and
// allowed addresses): a request reaches all three by the one lookup of its digest, never by
// the key's id, since on a machine where every system call empties the TLB each further table
// costs a page walk of its own (bench/RESULTS.md). Memberships (for scope checks) and accounts
// (for /api/v1/me) are cached by account, read through the same way. Cached
// entries stay until a change says otherwise: the store's change log (OnChange) drops what a
// rotation, revocation, edit, membership change or change of an account's address affects,
// on this node at commit and on other nodes in log order, so a cached key never costs a store
// read.
//
// Through a database outage: while the store is not current (Store::freshness), cached keys
// are still judged from their last known state, for `stale_for` counted from the last moment
// the store was known current; after that, or for any key not cached, a check answers
// kUnavailable.
//
// Cache-only mode (CacheOnlyScope) lets the I/O threads answer from memory: a lookup that
// would need the store records a miss instead of blocking, and the caller retries the whole
// request on the worker pool. Holds references to the store, clock and recorder, which
// outlive it. Thread-safe.
class KeyVerifier {
 public:
  struct Options {
    // --stale-for: how long cached keys keep answering while the store is not current; 0
    // fails closed at once.
    std::chrono::seconds stale_for{300};
  };

  // While alive on a thread, lookups on that thread never touch the store: a miss sets
  // missed() and the lookup answers kUnavailable.
  class CacheOnlyScope {
   public:
    CacheOnlyScope();
    ~CacheOnlyScope();
    CacheOnlyScope(const CacheOnlyScope&) = delete;
    CacheOnlyScope& operator=(const CacheOnlyScope&) = delete;
    bool missed() const;
  };

  struct Stats {
    uint64_t hits = 0;
    uint64_t misses = 0;
    uint64_t stale = 0;  // hits answered while the store was not current
    size_t cached_keys = 0;
    size_t cached_accounts = 0;
    int64_t applied_seq = 0;  // the newest change applied
  };

  // What a node can serve now (for /healthz): everything (the store is current), cached keys
  // only (not current, within stale_for; `since` is when it was last current), or nothing.
  struct Serving {
    enum class Level { kAll, kCachedOnly, kNothing };
    Level level = Level::kAll;
    Time since{};
  };

  KeyVerifier(Store& store, const Clock& clock, UsageRecorder* usage, Options options);
  KeyVerifier(Store& store, const Clock& clock, UsageRecorder* usage)
      : KeyVerifier(store, clock, usage, Options{}) {}

  // The key's state when it is valid now; otherwise kKeyMalformed, kKeyInvalid, kKeyRevoked,
  // kKeyExpired or (its organization's key policy) kRotationOverdue, with a message a person
  // can act on. A valid use is recorded.
  Result<KeyState> Verify(std::string_view key);

  // kPermissionDenied, naming the permission, when the key lacks `needed` or its organization's
  // key policy does not allow it (KeyState::granted).
  static Status CheckPermission(const KeyState& key, Permission needed);

  // kIpNotAllowed, naming `address`, when the key has allowed addresses and `address` (the
  // client's, after the trusted-proxy rule) is not among them. From the cached key record.
  Status CheckAddress(const KeyState& key, std::string_view address);

  // kForbidden when the account is not a member of the org now (also for an org that does not
  // exist: no existence oracle), kOrgOutOfScope when the key is scoped to another org.
  Status CheckOrgAccess(const KeyState& key, std::string_view org_id);

  // An answer about a key that a service built from its cached parts and keeps (MeService's
  // body of /api/v1/me, around the gap its last use goes in), with the parts it was built
  // from, so the service can tell whether it still holds.
  struct KeptAnswer {
    std::shared_ptr<const AccountRecord> account;
    std::shared_ptr<const std::vector<MembershipRecord>> memberships;
    std::string_view status;
    // The answer holds before this time only (nullopt: for ever): what it shows may change with
    // the time alone, as a key's flags do (model/key_flags.h KeyFlagsChangeAt).
    std::optional<Time> until;
    // One string, not two: one allocation less to reach on a cold path.
    std::string body;  // without the last use, which goes at `gap`
    size_t gap = 0;
  };

  // A key's record as cached, and the answer kept for it: one lookup finds both, and the
  // answer goes when a change replaces the record.
  struct CachedKey {
    explicit CachedKey(KeyRecord r);
    // First: on the cache line a lookup reads anyway.
    mutable std::atomic<std::shared_ptr<const KeptAnswer>> kept{};
    KeyRecord record;
    IpNetworks allowed_ips;  // record.allowed_ips, parsed once
  };

  // Cached reads for /api/v1/me and /api/v1/orgs. Key() is the record of the key of a state
  // this verifier answered, cached beside that state (read from the store each time for a key
  // whose state is not cached).
  Result<std::shared_ptr<const std::vector<MembershipRecord>>> Memberships(
      const std::string& account_id);
  Result<std::shared_ptr<const CachedKey>> Key(const KeyState& key);
  // The key's latest use this node saw before the second `now` (not a request's own use),
  // through the use handle cached beside the state Verify answered.
  std::optional<Time> UseBefore(const KeyState& key, Time now) const;
  Result<std::shared_ptr<const AccountRecord>> Account(const std::string& account_id);

  // Drops what `change` affects. Registered as the store's change listener by the wiring.
  void OnChange(const Change& change);

  Serving serving() const { return ServingAt(clock_.Now()); }
  Stats stats() const;

 private:
  struct DigestHash {
    size_t operator()(const Digest& d) const {
      size_t h;
      std::memcpy(&h, d.data(), sizeof h);  // SHA-256 output is already uniform
      return h;
    }
  };

  template <typename V>
  using SharedCache = ShardedCache<std::string, std::shared_ptr<const V>>;

  // A cached key: its state, its use handle (nullptr without a recorder) and, once a request
  // needed it, its record.
  struct CachedState {
    CompactKeyState state;
    UsageRecorder::Use* use = nullptr;
    std::shared_ptr<const CachedKey> key{};
  };

  // Both at `now`, read once per check. FindState sets `use` to the key's handle when cached.
  Result<KeyState> FindState(const Digest& digest, Time now, UsageRecorder::Use*& use);
  Result<KeyState> Judge(KeyState state, Time now, UsageRecorder::Use* use);
  // The organization's key policy at `now`: kKeyExpired past its lifetime, kRotationOverdue
  // past its rotation or without the expiration it requires.
  static Status JudgePolicy(const KeyState& state, Time now);
  Serving ServingAt(Time now) const;
  // Ok when a cached entry may be used at `now` (counting a stale use), else kUnavailable.
  Status CheckServable(Time now);

  Store& store_;
  const Clock& clock_;
  UsageRecorder* usage_;
  const std::chrono::seconds stale_for_;
  ShardedCache<Digest, CachedState, DigestHash, FlatTable> states_;
  SharedCache<std::vector<MembershipRecord>> memberships_;
  SharedCache<AccountRecord> accounts_;
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
  std::atomic<uint64_t> stale_{0};
  std::atomic<int64_t> applied_seq_{0};
};

}  // namespace tfzo

#endif  // TFZO_AUTH_KEY_VERIFIER_H_
