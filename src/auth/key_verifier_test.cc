#include "auth/key_verifier.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "core/api_key.h"
#include "core/digest.h"
#include "core/random.h"
#include "testing/key_world.h"

namespace tfzo {
namespace {

class KeyVerifierTest : public testing::KeyWorld {};

TEST_F(KeyVerifierTest, FollowsTheValidationOrderOfTheSpec) {
  EXPECT_EQ(verifier_.Verify("tfzo_short").status().code(), StatusCode::kKeyMalformed);
  EXPECT_EQ(verifier_.Verify(GenerateKey(random_)).status().code(), StatusCode::kKeyInvalid);
  const std::string secret = AddKey("key_1", clock_.Now() + std::chrono::seconds(60));
  auto state = verifier_.Verify(secret);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->key_id, "key_1");
  clock_.Advance(std::chrono::seconds(60));
  auto expired = verifier_.Verify(secret);
  EXPECT_EQ(expired.status().code(), StatusCode::kKeyExpired);
  EXPECT_NE(expired.status().message().find("2027-01-15T08:01:00Z"), std::string::npos);
}

TEST_F(KeyVerifierTest, ErrorsNeverContainTheKey) {
  const std::string secret = AddKey("key_2", std::nullopt);
  std::string typo = secret;
  typo[8] = typo[8] == 'a' ? 'b' : 'a';
  auto malformed = verifier_.Verify(typo);
  EXPECT_EQ(malformed.status().message().find(typo.substr(5)), std::string::npos);
}

TEST_F(KeyVerifierTest, RecordsUsesInBatches) {
  const std::string secret = AddKey("key_3", std::nullopt);
  ASSERT_TRUE(verifier_.Verify(secret).ok());
  EXPECT_FALSE(store_->FindKey("key_3")->last_used_at.has_value());  // not yet written
  ASSERT_TRUE(usage_.Flush().ok());
  EXPECT_EQ(store_->FindKey("key_3")->last_used_at, clock_.Now());
}

TEST_F(KeyVerifierTest, EachFlushWritesTheLatestUseOfTheKeysUsedSinceTheLastOne) {
  const std::string a = AddKey("key_a", std::nullopt);
  const std::string b = AddKey("key_b", std::nullopt);
  ASSERT_TRUE(verifier_.Verify(a).ok());
  clock_.Advance(std::chrono::seconds(5));
  ASSERT_TRUE(verifier_.Verify(a).ok());
  ASSERT_TRUE(verifier_.Verify(b).ok());
  ASSERT_TRUE(usage_.Flush().ok());
  const Time first = clock_.Now();
  EXPECT_EQ(store_->FindKey("key_a")->last_used_at, first);
  EXPECT_EQ(store_->FindKey("key_b")->last_used_at, first);

  clock_.Advance(std::chrono::seconds(5));
  ASSERT_TRUE(verifier_.Verify(b).ok());
  EXPECT_EQ(usage_.LastUse("key_b"), clock_.Now());  // seen in memory before it is written
  ASSERT_TRUE(usage_.Flush().ok());
  ASSERT_TRUE(usage_.Flush().ok());  // nothing new: writes nothing, changes nothing
  EXPECT_EQ(store_->FindKey("key_a")->last_used_at, first);
  EXPECT_EQ(store_->FindKey("key_b")->last_used_at, clock_.Now());
  EXPECT_EQ(usage_.LastUse("key_a"), first);
}

// A flush sorts its keys and reads their times a thousand at a time: every key of a batch of
// several thousand, recorded out of order, is written with its latest use.
TEST_F(KeyVerifierTest, AFlushOfThousandsOfKeysWritesEachOnesLatestUse) {
  constexpr int kKeys = 2100;  // more than two of the flush's turns under the lock
  const auto id = [](int i) { return fmt::format("key_{:04}", i); };
  for (int i = 0; i < kKeys; ++i) AddKey(id(i), std::nullopt);
  const Time first = clock_.Now();
  for (int i = kKeys - 1; i >= 0; --i) usage_.Record(id(i), first);
  const Time later = first + std::chrono::seconds(3);
  usage_.Record(id(1500), later);
  usage_.Record("key_" + std::string(40, 'x'), later);  // an unknown long id: skipped
  ASSERT_TRUE(usage_.Flush().ok());
  for (int i = 0; i < kKeys; ++i) {
    ASSERT_EQ(store_->FindKey(id(i))->last_used_at, i == 1500 ? later : first) << id(i);
  }
}

// KeyVerifier keeps a key's handle as long as the key is cached, while the recorder's tables
// grow under it.
TEST_F(KeyVerifierTest, AUseHandleStaysValidWhileTheRecorderGrows) {
  UsageRecorder::Use& kept = usage_.Track("key_h");
  for (int i = 0; i < 5000; ++i) usage_.Record(fmt::format("key_{}", i), clock_.Now());
  usage_.Record("key_" + std::string(40, 'x'), clock_.Now());  // the table of long ids too
  EXPECT_EQ(&usage_.Track("key_h"), &kept);
  EXPECT_FALSE(usage_.LastUse("key_h").has_value());  // tracked, never used
  clock_.Advance(std::chrono::seconds(1));
  usage_.Record(kept, "key_h", clock_.Now());
  EXPECT_EQ(usage_.LastUse("key_h"), clock_.Now());
  EXPECT_EQ(usage_.UseBefore("key_h", clock_.Now() + std::chrono::seconds(1)), clock_.Now());
  EXPECT_FALSE(usage_.UseBefore("key_h", clock_.Now()).has_value());  // its only use
}

TEST_F(KeyVerifierTest, CachesValidKeysButNeverUnknownOnes) {
  const std::string unknown = GenerateKey(random_);
  EXPECT_EQ(verifier_.Verify(unknown).status().code(), StatusCode::kKeyInvalid);
  const std::string secret = AddKey("key_c1", std::nullopt);
  ASSERT_TRUE(verifier_.Verify(secret).ok());  // a new key works at once: misses read through
  ASSERT_TRUE(verifier_.Verify(secret).ok());
  const auto stats = verifier_.stats();
  EXPECT_EQ(stats.hits, 1u);
  EXPECT_EQ(stats.misses, 2u);  // the unknown key and the first use
  EXPECT_EQ(stats.cached_keys, 1u);
}

TEST_F(KeyVerifierTest, RevokedKeyIsRefusedOnTheNextCheckEvenWhenCached) {
  const std::string secret = AddKey("key_c2", std::nullopt);
  ASSERT_TRUE(verifier_.Verify(secret).ok());
  EventRecord event{"evt_r", clock_.Now(), "key.revoked", "acc_1", std::nullopt, "key_c2", "ip"};
  ASSERT_TRUE(store_->RevokeKey("key_c2", clock_.Now(), event).ok());
  EXPECT_EQ(verifier_.Verify(secret).status().code(), StatusCode::kKeyRevoked);
}

TEST_F(KeyVerifierTest, AnOverlappingRotationKeepsTheOldValueUntilItEndsFromTheCache) {
  const std::string old_secret = AddKey("key_ov", std::nullopt);
  const std::string new_secret = GenerateKey(random_);
  SecretRecord record{Sha256(new_secret), "key_ov", KeyHint(new_secret), clock_.Now(),
                      std::nullopt};
  EventRecord event{"evt_ov", clock_.Now(), "key.rotated", "acc_1", std::nullopt, "key_ov", "ip"};
  ASSERT_TRUE(
      store_->RotateKey("key_ov", record, std::nullopt, std::chrono::seconds(60), event).ok());
  ASSERT_TRUE(verifier_.Verify(old_secret).ok());
  ASSERT_TRUE(verifier_.Verify(new_secret).ok());
  const uint64_t misses = verifier_.stats().misses;
  clock_.Advance(std::chrono::seconds(59));
  EXPECT_TRUE(verifier_.Verify(old_secret).ok());
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_EQ(verifier_.Verify(old_secret).status().code(), StatusCode::kKeyRevoked);
  EXPECT_TRUE(verifier_.Verify(new_secret).ok());
  EXPECT_EQ(verifier_.stats().misses, misses);  // judged from the cached state
}

TEST_F(KeyVerifierTest, PermissionsAndAddressesAreDecidedFromTheCache) {
  const std::string secret = AddKey("key_pa", std::nullopt);
  KeyRecord key = *store_->FindKey("key_pa");
  key.permissions = Permissions::ReadOnly();
  key.allowed_ips = {"10.0.0.0/8"};
  ASSERT_TRUE(
      store_->UpdateKey(key, {"evt_pa", clock_.Now(), "key.updated", "acc_1", {}, "key_pa", "ip"})
          .ok());
  auto state = verifier_.Verify(secret);
  ASSERT_TRUE(state.ok());
  EXPECT_TRUE(KeyVerifier::CheckPermission(*state, Permission::kHostsRead).ok());
  const Status denied = KeyVerifier::CheckPermission(*state, Permission::kHostsWrite);
  EXPECT_EQ(denied.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(denied.message().find("hosts:write"), std::string::npos);
  EXPECT_TRUE(verifier_.CheckAddress(*state, "10.1.2.3").ok());
  const Status elsewhere = verifier_.CheckAddress(*state, "192.0.2.1");
  EXPECT_EQ(elsewhere.code(), StatusCode::kIpNotAllowed);
  EXPECT_NE(elsewhere.message().find("192.0.2.1"), std::string::npos);
  const uint64_t misses = verifier_.stats().misses;
  {
    KeyVerifier::CacheOnlyScope cache_only;  // what the I/O threads answer with
    auto again = verifier_.Verify(secret);
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(verifier_.CheckAddress(*again, "10.9.9.9").ok());
    EXPECT_FALSE(cache_only.missed());
  }
  EXPECT_EQ(verifier_.stats().misses, misses);
}

TEST_F(KeyVerifierTest, AnOrgPolicyIsJudgedFromTheCacheAndItsChangeDropsTheOrgsKeys) {
  const Time now = clock_.Now();
  ASSERT_TRUE(store_
                  ->CreateOrg({"org_1", "Acme", now}, "acc_1",
                              {"evt_o", now, "org.created", "acc_1", "org_1", "org_1", "ip"})
                  .ok());
  const std::string secret = GenerateKey(random_);
  KeyRecord scoped;
  scoped.id = "key_p";
  scoped.account_id = "acc_1";
  scoped.name = "scoped";
  scoped.hint = KeyHint(secret);
  scoped.org_id = "org_1";
  scoped.created_at = now;
  ASSERT_TRUE(store_
                  ->CreateKey(scoped, {Sha256(secret), "key_p", scoped.hint, now, std::nullopt},
                              {"evt_k", now, "key.created", "acc_1", "org_1", "key_p", "ip"})
                  .ok());
  const std::string unscoped = AddKey("key_u");
  ASSERT_TRUE(verifier_.Verify(secret).ok());  // cached without a policy
  ASSERT_TRUE(verifier_.Verify(unscoped).ok());
  ASSERT_TRUE(
      store_
          ->SetOrgPolicy("org_1",
                         {.rotate_every_days = 30,
                          .allowed_permissions = Permissions::ReadOnly(),
                          .updated_by = "acc_1"},
                         {"evt_p", now, "org.policy_updated", "acc_1", "org_1", "org_1", "ip"})
          .ok());
  auto state = verifier_.Verify(secret);
  ASSERT_TRUE(state.ok());
  EXPECT_TRUE(KeyVerifier::CheckPermission(*state, Permission::kHostsRead).ok());
  const Status denied = KeyVerifier::CheckPermission(*state, Permission::kHostsWrite);
  EXPECT_EQ(denied.code(), StatusCode::kPermissionDenied);
  EXPECT_NE(denied.message().find("allowed_permissions"), std::string::npos);

  const uint64_t misses = verifier_.stats().misses;
  clock_.Advance(std::chrono::days(30));
  const Status overdue = verifier_.Verify(secret).status();
  EXPECT_EQ(overdue.code(), StatusCode::kRotationOverdue);
  EXPECT_NE(overdue.message().find("rotate_every_days"), std::string::npos);
  EXPECT_TRUE(verifier_.Verify(unscoped).ok());  // not the organization's key
  EXPECT_EQ(verifier_.stats().misses, misses);   // decided from the cache
}

TEST_F(KeyVerifierTest, RotatedKeyOldValueRefusedNewValueWorks) {
  const std::string old_secret = AddKey("key_c3", std::nullopt);
  ASSERT_TRUE(verifier_.Verify(old_secret).ok());
  const std::string new_secret = GenerateKey(random_);
  SecretRecord record{Sha256(new_secret), "key_c3", KeyHint(new_secret), clock_.Now(),
                      std::nullopt};
  EventRecord event{"evt_rot", clock_.Now(), "key.rotated", "acc_1", std::nullopt, "key_c3", "ip"};
  ASSERT_TRUE(
      store_->RotateKey("key_c3", record, std::nullopt, std::chrono::seconds(0), event).ok());
  EXPECT_EQ(verifier_.Verify(old_secret).status().code(), StatusCode::kKeyRevoked);
  EXPECT_TRUE(verifier_.Verify(new_secret).ok());
}

TEST_F(KeyVerifierTest, CachedKeyExpiresOnTime) {
  const std::string secret = AddKey("key_c4", clock_.Now() + std::chrono::seconds(10));
  ASSERT_TRUE(verifier_.Verify(secret).ok());
  clock_.Advance(std::chrono::seconds(10));
  EXPECT_EQ(verifier_.Verify(secret).status().code(), StatusCode::kKeyExpired);
}

TEST_F(KeyVerifierTest, MemberRemovalCutsCachedAccessAtOnce) {
  const Time now = clock_.Now();
  ASSERT_TRUE(store_
                  ->CreateOrg({"org_1", "Acme", now}, "acc_1",
                              {"evt_o", now, "org.created", "acc_1", "org_1", "org_1", "ip"})
                  .ok());
  EXPECT_TRUE(store_
                  ->CreateAccount({"acc_2", "b@example.com", "", "hash", now},
                                  {"evt_2", now, "account.signup", "acc_2", {}, "acc_2", "ip"})
                  .ok());
  ASSERT_TRUE(store_
                  ->AddMember("org_1", "acc_2", Role::kMember,
                              {"evt_m", now, "org.member_added", "acc_1", "org_1", "acc_2", "ip"})
                  .ok());
  KeyState bob;
  bob.key_id = "key_b";
  bob.account_id = "acc_2";
  ASSERT_TRUE(verifier_.CheckOrgAccess(bob, "org_1").ok());  // cached now
  ASSERT_TRUE(
      store_
          ->RemoveMember("org_1", "acc_2",
                         {"evt_x", now, "org.member_removed", "acc_1", "org_1", "acc_2", "ip"})
          .ok());
  EXPECT_EQ(verifier_.CheckOrgAccess(bob, "org_1").code(), StatusCode::kForbidden);
}

TEST_F(KeyVerifierTest, CacheOnlyModeNeverReadsTheStore) {
  const std::string secret = AddKey("key_c5", std::nullopt);
  {
    KeyVerifier::CacheOnlyScope scope;
    EXPECT_EQ(verifier_.Verify(secret).status().code(), StatusCode::kUnavailable);
    EXPECT_TRUE(scope.missed());
  }
  ASSERT_TRUE(verifier_.Verify(secret).ok());
  KeyVerifier::CacheOnlyScope scope;
  EXPECT_TRUE(verifier_.Verify(secret).ok());
  EXPECT_EQ(verifier_.Verify("tfzo_bad").status().code(), StatusCode::kKeyMalformed);
  EXPECT_FALSE(scope.missed());
}

TEST_F(KeyVerifierTest, AKeysRecordIsCachedBesideItsStateUntilTheKeyChanges) {
  const std::string secret = AddKey("key_r1", std::nullopt);
  auto state = verifier_.Verify(secret);
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->digest, Sha256(secret));
  ASSERT_TRUE(verifier_.Key(*state).ok());  // read through once
  {
    KeyVerifier::CacheOnlyScope scope;
    auto cached = verifier_.Key(*state);
    ASSERT_TRUE(cached.ok());
    EXPECT_EQ((*cached)->record.id, "key_r1");
    EXPECT_FALSE(scope.missed());
  }
  KeyRecord key = *store_->FindKey("key_r1");
  key.name = "renamed";
  ASSERT_TRUE(
      store_->UpdateKey(key, {"evt_r1", clock_.Now(), "key.updated", "acc_1", {}, "key_r1", "ip"})
          .ok());
  {
    KeyVerifier::CacheOnlyScope scope;
    EXPECT_FALSE(verifier_.Key(*state).ok());  // the change dropped it with the state
    EXPECT_TRUE(scope.missed());
  }
  auto read = verifier_.Key(*state);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ((*read)->record.name, "renamed");
  // Not kept: the state it would go beside is gone until a check reads it again.
  {
    KeyVerifier::CacheOnlyScope scope;
    EXPECT_FALSE(verifier_.Key(*state).ok());
  }
  state = verifier_.Verify(secret);
  ASSERT_TRUE(state.ok());
  ASSERT_TRUE(verifier_.Key(*state).ok());
  KeyVerifier::CacheOnlyScope scope;
  auto kept = verifier_.Key(*state);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ((*kept)->record.name, "renamed");
}

// Ids this server makes fit InlineId; one that does not (a store written by something else)
// still works, read from the store at each use instead of cached.
TEST_F(KeyVerifierTest, AKeyWhoseIdIsTooLongToKeepInPlaceStillWorksUncached) {
  const std::string id = "key_" + std::string(36, 'x');
  const std::string secret = AddKey(id, std::nullopt);
  ASSERT_TRUE(verifier_.Verify(secret).ok());
  ASSERT_TRUE(verifier_.Verify(secret).ok());
  EXPECT_EQ(verifier_.stats().cached_keys, 0u);
  EXPECT_EQ(verifier_.stats().misses, 2u);
  EXPECT_EQ(usage_.LastUse(id), clock_.Now());
  auto state = verifier_.Verify(secret);
  ASSERT_TRUE(state.ok());
  auto record = verifier_.Key(*state);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ((*record)->record.id, id);
  {
    KeyVerifier::CacheOnlyScope scope;
    EXPECT_FALSE(verifier_.Key(*state).ok());
    EXPECT_TRUE(scope.missed());
  }
  ASSERT_TRUE(usage_.Flush().ok());
  EXPECT_EQ(store_->FindKey(id)->last_used_at, clock_.Now());
  clock_.Advance(std::chrono::seconds(3));
  auto again = verifier_.Verify(secret);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(usage_.UseBefore(id, clock_.Now()), clock_.Now() - std::chrono::seconds(3));
  // Not cached, so no handle beside its state: found by its id.
  EXPECT_EQ(verifier_.UseBefore(*again, clock_.Now()), clock_.Now() - std::chrono::seconds(3));
}

// /api/v1/me's previous use, read through the handle kept beside the cached state.
TEST_F(KeyVerifierTest, TheUseBeforeARequestIsReadThroughTheCachedState) {
  const std::string secret = AddKey("key_ub", std::nullopt);
  auto first = verifier_.Verify(secret);
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(verifier_.UseBefore(*first, clock_.Now()).has_value());  // its first use
  const Time used = clock_.Now();
  clock_.Advance(std::chrono::seconds(2));
  auto second = verifier_.Verify(secret);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(verifier_.stats().cached_keys, 1u);
  EXPECT_EQ(verifier_.UseBefore(*second, clock_.Now()), used);
  // A state of another key with this digest (a stale one) never reads this key's use.
  KeyState other = *second;
  other.key_id = "key_other";
  EXPECT_FALSE(verifier_.UseBefore(other, clock_.Now()).has_value());
  KeyVerifier without_usage(*store_, clock_, nullptr);
  EXPECT_FALSE(without_usage.UseBefore(*second, clock_.Now()).has_value());
}

TEST_F(KeyVerifierTest, CachedEntriesStayUntilAChangeSaysOtherwise) {
  KeyVerifier verifier(*store_, clock_, nullptr);  // not the store's listener
  const std::string secret = AddKey("key_c6", std::nullopt);
  ASSERT_TRUE(verifier.Verify(secret).ok());
  const uint64_t misses = verifier.stats().misses;
  // A change this verifier is not told about yet (another node's, before its notification).
  EventRecord event{"evt_q", clock_.Now(), "key.revoked", "acc_1", std::nullopt, "key_c6", "ip"};
  ASSERT_TRUE(store_->RevokeKey("key_c6", clock_.Now(), event).ok());
  clock_.Advance(std::chrono::hours(24));
  EXPECT_TRUE(verifier.Verify(secret).ok());  // no re-check: the cache is trusted
  EXPECT_EQ(verifier.stats().misses, misses);
  verifier.OnChange(Change{.kind = Change::Kind::kKey, .key_id = "key_c6", .seq = 7});
  EXPECT_EQ(verifier.Verify(secret).status().code(), StatusCode::kKeyRevoked);
  EXPECT_EQ(verifier.stats().applied_seq, 7);
}

TEST_F(KeyVerifierTest, ChangesAreNumberedByTheStoreInCommitOrder) {
  AddKey("key_n1", std::nullopt);
  const Time now = clock_.Now();
  ASSERT_TRUE(
      store_->RevokeKey("key_n1", now, {"evt_n1", now, "key.revoked", "acc_1", {}, "key_n1", "ip"})
          .ok());
  const int64_t first = verifier_.stats().applied_seq;
  EXPECT_GT(first, 0);
  KeyRecord renamed = *store_->FindKey("key_n1");
  renamed.name = "n";
  ASSERT_TRUE(
      store_->UpdateKey(renamed, {"evt_n2", now, "key.updated", "acc_1", {}, "key_n1", "ip"}).ok());
  EXPECT_EQ(verifier_.stats().applied_seq, first + 1);
}

TEST_F(KeyVerifierTest, CachedKeysAnswerThroughAnOutageForStaleFor) {
  KeyVerifier verifier(*store_, clock_, nullptr, {.stale_for = std::chrono::seconds(300)});
  const std::string cached = AddKey("key_o1", std::nullopt);
  const std::string uncached = AddKey("key_o2", std::nullopt);
  ASSERT_TRUE(verifier.Verify(cached).ok());
  EXPECT_EQ(verifier.serving().level, KeyVerifier::Serving::Level::kAll);

  const Time lost_at = clock_.Now();
  feed_.Lose(lost_at);
  clock_.Advance(std::chrono::seconds(299));
  EXPECT_TRUE(verifier.Verify(cached).ok());
  EXPECT_EQ(verifier.stats().stale, 1u);
  EXPECT_EQ(verifier.serving().level, KeyVerifier::Serving::Level::kCachedOnly);
  EXPECT_EQ(verifier.serving().since, lost_at);
  {
    // An uncached key needs the store; on the I/O thread that is a miss, on a worker the read
    // (here the in-memory store still answers; a real outage answers kUnavailable).
    KeyVerifier::CacheOnlyScope scope;
    EXPECT_EQ(verifier.Verify(uncached).status().code(), StatusCode::kUnavailable);
    EXPECT_TRUE(scope.missed());
  }

  clock_.Advance(std::chrono::seconds(1));  // the window is over: fail closed
  EXPECT_EQ(verifier.Verify(cached).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(verifier.serving().level, KeyVerifier::Serving::Level::kNothing);

  feed_.Restore();
  EXPECT_TRUE(verifier.Verify(cached).ok());
  EXPECT_EQ(verifier.serving().level, KeyVerifier::Serving::Level::kAll);
  EXPECT_EQ(verifier.stats().stale, 1u);
}

TEST_F(KeyVerifierTest, StaleForZeroFailsClosedAtOnce) {
  KeyVerifier verifier(*store_, clock_, nullptr, {.stale_for = std::chrono::seconds(0)});
  const std::string secret = AddKey("key_o3", std::nullopt);
  ASSERT_TRUE(verifier.Verify(secret).ok());
  feed_.Lose(clock_.Now());
  EXPECT_EQ(verifier.Verify(secret).status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(verifier.serving().level, KeyVerifier::Serving::Level::kNothing);
}

// Checks and revocations from several threads at once (run under ASan/UBSan in CI): every
// check after a revocation committed must refuse the key.
TEST_F(KeyVerifierTest, ConcurrentChecksAndRevocations) {
  constexpr int kKeys = 64;
  std::vector<std::string> secrets;
  for (int i = 0; i < kKeys; ++i) secrets.push_back(AddKey("key_t" + std::to_string(i), {}));
  std::vector<std::atomic<bool>> revoked(kKeys);
  std::atomic<bool> stop{false};
  std::atomic<int> wrong{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&, t] {
      for (int n = 0; !stop.load(); ++n) {
        const int i = (n * 7 + t) % kKeys;
        const bool was_revoked = revoked[i].load();
        auto result = verifier_.Verify(secrets[i]);
        if (was_revoked && result.ok()) ++wrong;
        if (!result.ok() && result.status().code() != StatusCode::kKeyRevoked) ++wrong;
      }
    });
  }
  for (int i = 0; i < kKeys; ++i) {
    const std::string id = "key_t" + std::to_string(i);
    EventRecord event{
        "evt_t" + std::to_string(i), clock_.Now(), "key.revoked", "acc_1", {}, id, "ip"};
    ASSERT_TRUE(store_->RevokeKey(id, clock_.Now(), event).ok());
    revoked[i].store(true);
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  stop.store(true);
  for (auto& r : readers) r.join();
  EXPECT_EQ(wrong.load(), 0);
  for (const auto& s : secrets) {
    EXPECT_EQ(verifier_.Verify(s).status().code(), StatusCode::kKeyRevoked);
  }
}

}  // namespace
}  // namespace tfzo
