#include "store/store_test.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <optional>
#include <thread>

#include "core/digest.h"
#include "store/store_test_util.h"

// The Store contract, run against SqlStore on every engine: SQLite (":memory:") and PostgreSQL
// (a fresh database per test on the throwaway server; see pg_test_database.h). Tests of one
// engine's own properties live in sqlite_store_test.cc and postgres_store_test.cc; the keys'
// part of the contract in key_store_test.cc.

namespace tfzo {
namespace {

using namespace ::tfzo::testing;  // NOLINT: test records

TEST_P(StoreTest, Ping) { EXPECT_TRUE(store_->Ping().ok()); }

TEST_P(StoreTest, AccountsAreFoundByIdAndCaseInsensitiveEmail) {
  ASSERT_TRUE(store_
                  ->CreateAccount(Account("acc_c", "Carol@Example.COM"),
                                  Event("ev_c", "account.signup", "acc_c"))
                  .ok());
  auto by_id = store_->FindAccount("acc_c");
  ASSERT_TRUE(by_id.ok());
  EXPECT_EQ(by_id->email, "carol@example.com");
  EXPECT_EQ(by_id->name, "Someone");
  EXPECT_EQ(by_id->password_hash, "$argon2id$v=19$m=19456,t=2,p=1$x$y");
  EXPECT_EQ(by_id->created_at, kT0);

  auto by_email = store_->FindAccountByEmail("CAROL@example.com");
  ASSERT_TRUE(by_email.ok());
  EXPECT_EQ(by_email->id, "acc_c");

  EXPECT_EQ(store_->FindAccount("acc_zzz").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->FindAccountByEmail("nobody@example.com").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(EventsOf("acc_c"), std::vector<std::string>{"ev_c"});
}

TEST_P(StoreTest, DuplicateEmailIsEmailTakenAndWritesNothing) {
  Status s = store_->CreateAccount(Account("acc_a2", "A@EXAMPLE.com"),
                                   Event("ev_a2", "account.signup", "acc_a2"));
  EXPECT_EQ(s.code(), StatusCode::kEmailTaken);
  EXPECT_EQ(store_->FindAccount("acc_a2").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(EventsOf("acc_a2").empty());

  s = store_->CreateAccount(Account("acc_a", "new@example.com"),
                            Event("ev_dup", "account.signup", "acc_a"));
  EXPECT_EQ(s.code(), StatusCode::kConflict);
  EXPECT_EQ(EventsOf("acc_a"), std::vector<std::string>{"ev_a"});
}

TEST_P(StoreTest, Sessions) {
  const Digest token = Sha256("session-token");
  SessionRecord session{.token_digest = token,
                        .account_id = "acc_a",
                        .csrf_token = "csrf",
                        .created_at = kT0,
                        .last_seen_at = kT0,
                        .id = "ses_1",
                        .ip = "192.0.2.7",
                        .user_agent = "Mozilla/5.0"};
  ASSERT_TRUE(store_->CreateSession(session, Event("ev_login", "session.login", "acc_a")).ok());
  EXPECT_EQ(store_->CreateSession(session, Event("ev_login2", "session.login", "acc_a")).code(),
            StatusCode::kConflict);

  auto found = store_->FindSession(token);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->token_digest, token);
  EXPECT_EQ(found->account_id, "acc_a");
  EXPECT_EQ(found->csrf_token, "csrf");
  EXPECT_EQ(found->last_seen_at, kT0);
  EXPECT_EQ(found->id, "ses_1");
  EXPECT_EQ(found->ip, "192.0.2.7");
  EXPECT_EQ(found->user_agent, "Mozilla/5.0");

  // The session with its account, in one read: the same as FindSession and FindAccount.
  auto signed_in = store_->FindSignedIn(token);
  ASSERT_TRUE(signed_in.ok()) << signed_in.status().message();
  EXPECT_EQ(signed_in->session.token_digest, token);
  EXPECT_EQ(signed_in->session.account_id, "acc_a");
  EXPECT_EQ(signed_in->session.csrf_token, "csrf");
  EXPECT_EQ(signed_in->session.created_at, kT0);
  EXPECT_EQ(signed_in->session.last_seen_at, kT0);
  EXPECT_EQ(signed_in->session.id, "ses_1");
  EXPECT_EQ(signed_in->session.ip, "192.0.2.7");
  EXPECT_EQ(signed_in->session.user_agent, "Mozilla/5.0");
  auto account = store_->FindAccount("acc_a");
  ASSERT_TRUE(account.ok());
  EXPECT_EQ(signed_in->account.id, account->id);
  EXPECT_EQ(signed_in->account.email, account->email);
  EXPECT_EQ(signed_in->account.name, account->name);
  EXPECT_EQ(signed_in->account.password_hash, account->password_hash);
  EXPECT_EQ(signed_in->account.created_at, account->created_at);
  EXPECT_EQ(signed_in->account.two_factor, account->two_factor);
  EXPECT_EQ(store_->FindSignedIn(Sha256("other")).status().code(), StatusCode::kNotFound);

  ASSERT_TRUE(store_->TouchSession(token, At(100)).ok());
  EXPECT_EQ(store_->FindSession(token)->last_seen_at, At(100));
  ASSERT_TRUE(store_->TouchSession(token, At(50)).ok());  // never backwards
  EXPECT_EQ(store_->FindSession(token)->last_seen_at, At(100));
  EXPECT_EQ(store_->TouchSession(Sha256("other"), At(1)).code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->FindSession(Sha256("other")).status().code(), StatusCode::kNotFound);

  // Unknown account: nothing written.
  SessionRecord orphan = session;
  orphan.token_digest = Sha256("orphan");
  orphan.account_id = "acc_zzz";
  orphan.id = "ses_orphan";
  EXPECT_EQ(store_->CreateSession(orphan, Event("ev_orphan", "session.login", "acc_zzz")).code(),
            StatusCode::kNotFound);
  EXPECT_TRUE(EventsOf("acc_zzz").empty());

  ASSERT_TRUE(store_->DeleteSession(token).ok());
  EXPECT_EQ(store_->FindSession(token).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->DeleteSession(token).code(), StatusCode::kNotFound);
}

TEST_P(StoreTest, DeleteSessionsIdleSince) {
  for (int i = 0; i < 3; ++i) {
    SessionRecord s{.token_digest = Sha256("t" + std::to_string(i)),
                    .account_id = "acc_a",
                    .csrf_token = "c",
                    .created_at = kT0,
                    .last_seen_at = At(i * 10),
                    .id = "ses_" + std::to_string(i)};
    ASSERT_TRUE(
        store_->CreateSession(s, Event("ev_s" + std::to_string(i), "session.login", "acc_a")).ok());
  }
  auto purged = store_->DeleteSessionsIdleSince(At(10));
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 1);
  EXPECT_EQ(store_->FindSession(Sha256("t0")).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->FindSession(Sha256("t1")).ok());  // seen exactly at the cutoff
  EXPECT_TRUE(store_->FindSession(Sha256("t2")).ok());
}

TEST_P(StoreTest, OrgsAndMembers) {
  ASSERT_TRUE(store_
                  ->CreateOrg({.id = "org_1", .name = "One", .created_at = kT0}, "acc_a",
                              Event("ev_o1", "org.created", "acc_a", "org_1"))
                  .ok());
  auto org = store_->FindOrg("org_1");
  ASSERT_TRUE(org.ok());
  EXPECT_EQ(org->name, "One");
  EXPECT_EQ(org->created_at, kT0);
  EXPECT_EQ(store_->FindOrg("org_zzz").status().code(), StatusCode::kNotFound);

  EXPECT_EQ(store_->FindRole("org_1", "acc_a")->value(), Role::kOwner);
  EXPECT_FALSE(store_->FindRole("org_1", "acc_b")->has_value());

  ASSERT_TRUE(store_
                  ->AddMember("org_1", "acc_b", Role::kMember,
                              Event("ev_m1", "org.member_added", "acc_a", "org_1"))
                  .ok());
  EXPECT_EQ(store_->FindRole("org_1", "acc_b")->value(), Role::kMember);
  EXPECT_EQ(store_
                ->AddMember("org_1", "acc_b", Role::kOwner,
                            Event("ev_m2", "org.member_added", "acc_a", "org_1"))
                .code(),
            StatusCode::kConflict);
  EXPECT_EQ(store_
                ->AddMember("org_1", "acc_zzz", Role::kMember,
                            Event("ev_m3", "org.member_added", "acc_a", "org_1"))
                .code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store_
                ->AddMember("org_zzz", "acc_b", Role::kMember,
                            Event("ev_m4", "org.member_added", "acc_a", "org_zzz"))
                .code(),
            StatusCode::kNotFound);
  EXPECT_EQ(EventsOf("acc_a"), (std::vector<std::string>{"ev_a", "ev_o1", "ev_m1"}));

  auto members = store_->ListMembers("org_1");
  ASSERT_TRUE(members.ok());
  ASSERT_EQ(members->size(), 2u);
  EXPECT_EQ((*members)[0].account_id, "acc_a");
  EXPECT_EQ((*members)[0].email, "a@example.com");
  EXPECT_EQ((*members)[0].role, Role::kOwner);
  EXPECT_EQ((*members)[0].org_name, "One");
  EXPECT_EQ((*members)[1].account_id, "acc_b");
  EXPECT_EQ((*members)[1].role, Role::kMember);

  // The last owner cannot leave; a member can; a non-member is not found.
  EXPECT_EQ(
      store_->RemoveMember("org_1", "acc_a", Event("ev_r1", "org.member_removed", "acc_a")).code(),
      StatusCode::kConflict);
  ASSERT_TRUE(
      store_->RemoveMember("org_1", "acc_b", Event("ev_r2", "org.member_removed", "acc_a")).ok());
  EXPECT_FALSE(store_->FindRole("org_1", "acc_b")->has_value());
  EXPECT_EQ(
      store_->RemoveMember("org_1", "acc_b", Event("ev_r3", "org.member_removed", "acc_a")).code(),
      StatusCode::kNotFound);
  EXPECT_EQ(EventsOf("acc_a"), (std::vector<std::string>{"ev_a", "ev_o1", "ev_m1", "ev_r2"}));

  // With a second owner, the first may leave.
  ASSERT_TRUE(store_
                  ->AddMember("org_1", "acc_b", Role::kOwner,
                              Event("ev_m5", "org.member_added", "acc_a", "org_1"))
                  .ok());
  ASSERT_TRUE(
      store_->RemoveMember("org_1", "acc_a", Event("ev_r4", "org.member_removed", "acc_a")).ok());
  EXPECT_EQ(
      store_->RemoveMember("org_1", "acc_b", Event("ev_r5", "org.member_removed", "acc_b")).code(),
      StatusCode::kConflict);
}

TEST_P(StoreTest, CreateOrgWithUnknownOwnerWritesNothing) {
  EXPECT_EQ(store_
                ->CreateOrg({.id = "org_x", .name = "X", .created_at = kT0}, "acc_zzz",
                            Event("ev_ox", "org.created", "acc_zzz", "org_x"))
                .code(),
            StatusCode::kNotFound);
  EXPECT_EQ(store_->FindOrg("org_x").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(EventsOf("acc_zzz").empty());
}

TEST_P(StoreTest, MembershipsOldestOrgFirstAndMembersInJoinOrder) {
  // All in the same second: insertion order decides.
  for (const char* id : {"org_c", "org_a", "org_b"}) {
    ASSERT_TRUE(store_
                    ->CreateOrg({.id = id, .name = std::string("N") + id, .created_at = kT0},
                                "acc_a", Event(std::string("ev_") + id, "org.created", "acc_a"))
                    .ok());
  }
  ASSERT_TRUE(store_
                  ->CreateOrg({.id = "org_old", .name = "Old", .created_at = At(-100)}, "acc_a",
                              Event("ev_old", "org.created", "acc_a"))
                  .ok());
  auto ms = store_->ListMemberships("acc_a");
  ASSERT_TRUE(ms.ok());
  std::vector<std::string> ids;
  for (const auto& m : *ms) {
    ids.push_back(m.org_id);
    EXPECT_EQ(m.role, Role::kOwner);
    EXPECT_EQ(m.org_name, m.org_id == "org_old" ? "Old" : "N" + m.org_id);
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"org_old", "org_c", "org_a", "org_b"}));
  EXPECT_TRUE(store_->ListMemberships("acc_b")->empty());

  for (const char* id : {"acc_z", "acc_m", "acc_y"}) {
    ASSERT_TRUE(store_
                    ->CreateAccount(Account(id, std::string(id) + "@example.com"),
                                    Event(std::string("ev_") + id, "account.signup", id))
                    .ok());
    ASSERT_TRUE(store_
                    ->AddMember("org_c", id, Role::kMember,
                                Event(std::string("ev_add_") + id, "org.member_added", "acc_a"))
                    .ok());
  }
  auto members = store_->ListMembers("org_c");
  ASSERT_TRUE(members.ok());
  ids.clear();
  for (const auto& m : *members) ids.push_back(m.account_id);
  EXPECT_EQ(ids, (std::vector<std::string>{"acc_a", "acc_z", "acc_m", "acc_y"}));
}

TEST_P(StoreTest, AgentsAndHosts) {
  for (const char* id : {"org_1", "org_2"}) {
    ASSERT_TRUE(store_
                    ->CreateOrg({.id = id, .name = id, .created_at = kT0}, "acc_a",
                                Event(std::string("ev_") + id, "org.created", "acc_a", id))
                    .ok());
  }
  HostRecord host{
      .id = "host_1", .org_id = "org_1", .name = "web", .address = "10.0.0.1", .created_at = kT0};
  ASSERT_TRUE(store_->CreateHost(host).ok());
  EXPECT_EQ(store_->CreateHost(host).code(), StatusCode::kConflict);
  HostRecord other = host;
  other.id = "host_2";
  other.org_id = "org_2";
  ASSERT_TRUE(store_->CreateHost(other).ok());
  HostRecord orphan = host;
  orphan.id = "host_3";
  orphan.org_id = "org_zzz";
  EXPECT_EQ(store_->CreateHost(orphan).code(), StatusCode::kNotFound);

  auto hosts = store_->ListHosts("org_1");
  ASSERT_EQ(hosts->size(), 1u);
  EXPECT_EQ((*hosts)[0].address, "10.0.0.1");
  EXPECT_EQ(store_->FindHost("org_1", "host_1")->name, "web");
  EXPECT_EQ(store_->FindHost("org_2", "host_1").status().code(), StatusCode::kNotFound);

  AgentRecord agent{
      .id = "agt_1", .org_id = "org_1", .name = "builder", .host_id = "host_1", .created_at = kT0};
  ASSERT_TRUE(store_->CreateAgent(agent).ok());
  AgentRecord free_agent{.id = "agt_2",
                         .org_id = "org_1",
                         .name = "floating",
                         .host_id = std::nullopt,
                         .created_at = kT0};
  ASSERT_TRUE(store_->CreateAgent(free_agent).ok());
  AgentRecord cross = agent;
  cross.id = "agt_3";
  cross.host_id = "host_2";  // a host of another org
  EXPECT_EQ(store_->CreateAgent(cross).code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->FindAgent("org_1", "agt_3").status().code(), StatusCode::kNotFound);

  auto agents = store_->ListAgents("org_1");
  ASSERT_EQ(agents->size(), 2u);
  EXPECT_EQ((*agents)[0].id, "agt_1");
  EXPECT_EQ((*agents)[0].host_id, "host_1");
  EXPECT_EQ((*agents)[1].id, "agt_2");
  EXPECT_FALSE((*agents)[1].host_id.has_value());
  EXPECT_TRUE(store_->ListAgents("org_2")->empty());
  EXPECT_EQ(store_->FindAgent("org_2", "agt_1").status().code(), StatusCode::kNotFound);

  // Deleting the host keeps its agents, detached.
  EXPECT_EQ(store_->DeleteHost("org_2", "host_1").code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->DeleteHost("org_1", "host_1").ok());
  EXPECT_EQ(store_->FindHost("org_1", "host_1").status().code(), StatusCode::kNotFound);
  auto detached = store_->FindAgent("org_1", "agt_1");
  ASSERT_TRUE(detached.ok());
  EXPECT_FALSE(detached->host_id.has_value());

  EXPECT_EQ(store_->DeleteAgent("org_2", "agt_1").code(), StatusCode::kNotFound);
  ASSERT_TRUE(store_->DeleteAgent("org_1", "agt_1").ok());
  EXPECT_EQ(store_->DeleteAgent("org_1", "agt_1").code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->ListAgents("org_1")->size(), 1u);
}

TEST_P(StoreTest, ListEventsVisibilityAndPaging) {
  // acc_a owns org_a; acc_b is only a member of it; acc_b owns org_b.
  ASSERT_TRUE(store_
                  ->CreateOrg({.id = "org_a", .name = "A", .created_at = kT0}, "acc_a",
                              Event("e1", "org.created", "acc_a", "org_a"))
                  .ok());
  ASSERT_TRUE(store_
                  ->AddMember("org_a", "acc_b", Role::kMember,
                              Event("e2", "org.member_added", "acc_a", "org_a"))
                  .ok());
  ASSERT_TRUE(store_
                  ->CreateOrg({.id = "org_b", .name = "B", .created_at = kT0}, "acc_b",
                              Event("e3", "org.created", "acc_b", "org_b"))
                  .ok());
  ASSERT_TRUE(store_->AppendEvent(Event("e4", "key.created", "acc_b", "org_a")).ok());
  ASSERT_TRUE(store_->AppendEvent(Event("e5", "key.created", "acc_b")).ok());
  ASSERT_TRUE(store_->AppendEvent(Event("e6", "session.login_failed", std::nullopt)).ok());
  ASSERT_TRUE(store_->AppendEvent(Event("e7", "key.revoked", "acc_b", "org_b")).ok());
  EXPECT_EQ(store_->AppendEvent(Event("e7", "key.revoked", "acc_b")).code(), StatusCode::kConflict);

  auto a = store_->ListEvents("acc_a", 100, std::nullopt);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(EventIds(*a), (std::vector<std::string>{"e4", "e2", "e1", "ev_a"}));
  auto b = store_->ListEvents("acc_b", 100, std::nullopt);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(EventIds(*b), (std::vector<std::string>{"e7", "e5", "e4", "e3", "ev_b"}));
  const EventRecord& e4 = (*b)[2];
  EXPECT_EQ(e4.action, "key.created");
  EXPECT_EQ(e4.actor_id, "acc_b");
  EXPECT_EQ(e4.org_id, "org_a");
  EXPECT_EQ(e4.target_id, "target");
  EXPECT_EQ(e4.ip, "127.0.0.1");
  EXPECT_EQ(e4.at, kT0);

  // Paging: limit, then `before` the last one seen.
  auto page1 = store_->ListEvents("acc_b", 2, std::nullopt);
  EXPECT_EQ(EventIds(*page1), (std::vector<std::string>{"e7", "e5"}));
  auto page2 = store_->ListEvents("acc_b", 2, std::string("e5"));
  EXPECT_EQ(EventIds(*page2), (std::vector<std::string>{"e4", "e3"}));
  auto page3 = store_->ListEvents("acc_b", 2, std::string("e3"));
  EXPECT_EQ(EventIds(*page3), (std::vector<std::string>{"ev_b"}));
  auto page4 = store_->ListEvents("acc_b", 2, std::string("ev_b"));
  EXPECT_TRUE(page4->empty());
  EXPECT_TRUE(store_->ListEvents("acc_b", 2, std::string("no_such_event"))->empty());
  EXPECT_TRUE(store_->ListEvents("acc_b", 0, std::nullopt)->empty());
  // A `before` id from elsewhere only positions the page.
  EXPECT_EQ(EventIds(*store_->ListEvents("acc_a", 10, std::string("e3"))),
            (std::vector<std::string>{"e2", "e1", "ev_a"}));

  // Ownership decides, now: when acc_b becomes an owner of org_a, it sees org_a's events.
  ASSERT_TRUE(
      store_->RemoveMember("org_a", "acc_b", Event("e8", "org.member_removed", "acc_a", "org_a"))
          .ok());
  ASSERT_TRUE(store_
                  ->AddMember("org_a", "acc_b", Role::kOwner,
                              Event("e9", "org.member_added", "acc_a", "org_a"))
                  .ok());
  auto b2 = store_->ListEvents("acc_b", 100, std::nullopt);
  EXPECT_EQ(EventIds(*b2),
            (std::vector<std::string>{"e9", "e8", "e7", "e5", "e4", "e3", "e2", "e1", "ev_b"}));
}

TEST_P(StoreTest, ListEventsShowsAnAccountTheEventsWithoutActorThatTargetIt) {
  // A failed sign-in for acc_a's email: no actor (whoever tried is unknown), acc_a as target.
  EventRecord failed = Event("e1", "session.login_failed", std::nullopt);
  failed.target_id = "acc_a";
  ASSERT_TRUE(store_->AppendEvent(failed).ok());
  // With an actor, being the target is not enough: acc_b's own act stays acc_b's.
  EventRecord acted = Event("e2", "key.created", "acc_b");
  acted.target_id = "acc_a";
  ASSERT_TRUE(store_->AppendEvent(acted).ok());
  // No actor and another target: nobody's.
  ASSERT_TRUE(store_->AppendEvent(Event("e3", "session.login_failed", std::nullopt)).ok());

  auto a = store_->ListEvents("acc_a", 100, std::nullopt);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(EventIds(*a), (std::vector<std::string>{"e1", "ev_a"}));
  EXPECT_FALSE((*a)[0].actor_id.has_value());
  EXPECT_EQ((*a)[0].target_id, "acc_a");
  auto b = store_->ListEvents("acc_b", 100, std::nullopt);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(EventIds(*b), (std::vector<std::string>{"e2", "ev_b"}));
}

TEST_P(StoreTest, ConcurrentCallsAreSafe) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([this, t] {
      for (int i = 0; i < 25; ++i) {
        const std::string id = "key_" + std::to_string(t) + "_" + std::to_string(i);
        EXPECT_TRUE(store_
                        ->CreateKey(Key(id, "acc_a"), Secret("tfzo_" + id + "ZZZZ", id),
                                    Event("ev_" + id, "key.created", "acc_a"))
                        .ok());
        EXPECT_TRUE(store_->RecordKeyUses({{id, At(i)}}).ok());
        EXPECT_TRUE(store_->FindKeyBySecret(Sha256("tfzo_" + id + "ZZZZ")).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(store_->ListKeys("acc_a")->size(), 100u);
}

TEST_P(StoreTest, PublishesCommittedChangesForCaches) {
  std::mutex mu;
  std::vector<Change> changes;
  store_->SetChangeListener([&](const Change& c) {
    std::lock_guard lock(mu);
    changes.push_back(c);
  });
  ASSERT_TRUE(
      store_->CreateOrg({"org_1", "Acme", kT0}, "acc_a", Event("e1", "org.created", "acc_a")).ok());
  ASSERT_TRUE(
      store_->AddMember("org_1", "acc_b", Role::kMember, Event("e2", "org.member_added", "acc_a"))
          .ok());
  ASSERT_TRUE(store_
                  ->CreateKey(Key("key_1", "acc_b"), Secret("value-0001", "key_1"),
                              Event("e3", "key.created", "acc_b"))
                  .ok());
  ASSERT_TRUE(
      store_->UpdateKey(Renamed(*store_, "key_1", "n"), Event("e4", "key.updated", "acc_b")).ok());
  ASSERT_TRUE(store_
                  ->RotateKey("key_1", Secret("value-0002", "key_1", At(1)), std::nullopt,
                              std::chrono::seconds(0), Event("e5", "key.rotated", "acc_b"))
                  .ok());
  ASSERT_TRUE(store_->RevokeKey("key_1", At(2), Event("e6", "key.revoked", "acc_b")).ok());
  ASSERT_TRUE(
      store_->RemoveMember("org_1", "acc_b", Event("e7", "org.member_removed", "acc_a")).ok());
  // A refused change publishes nothing.
  EXPECT_FALSE(
      store_->RemoveMember("org_1", "acc_a", Event("e8", "org.member_removed", "acc_a")).ok());
  store_->SetChangeListener(nullptr);
  ASSERT_EQ(changes.size(), 6u);  // key creation is not a change: unknown keys are never cached
  EXPECT_EQ(changes[0].kind, Change::Kind::kMembership);
  EXPECT_EQ(changes[1].account_id, "acc_b");
  EXPECT_EQ(changes[2].kind, Change::Kind::kKey);
  EXPECT_EQ(changes[2].key_id, "key_1");
  EXPECT_EQ(changes[4].key_id, "key_1");
  EXPECT_EQ(changes[5].kind, Change::Kind::kMembership);
  EXPECT_EQ(changes[5].org_id, "org_1");
}

TFZO_INSTANTIATE_ON_EVERY_ENGINE(StoreTest);

}  // namespace
}  // namespace tfzo
