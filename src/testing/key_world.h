#ifndef TFZO_TESTING_KEY_WORLD_H_
#define TFZO_TESTING_KEY_WORLD_H_

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "auth/authenticator.h"
#include "auth/key_verifier.h"
#include "auth/usage_recorder.h"
#include "core/random.h"
#include "core/time.h"
#include "model/store.h"
#include "testing/memory_store.h"

namespace tfzo::testing {

// What the unit tests of the layers above the store start from: a real store in memory
// (OpenMemoryStore) whose freshness is feed_'s, a FakeClock at FromUnix(1'800'000'000), a
// SodiumRandom, a UsageRecorder that writes only when flushed (or at the end), and a KeyVerifier
// recording uses in it and registered as the store's change listener, as the server wires them. A
// test fixture derives from it and owns all of it; the members are the fixture's to use. The
// members are thread-safe as their own classes are; check_ and NoteKeyCheck are for the test's
// thread only.
class VerifierWorld : public ::testing::Test {
 protected:
  VerifierWorld();

  // Calls `check` with fresh notes and keeps the key check it noted in check_; its result.
  template <typename Check>
  auto NoteKeyCheck(Check check) {
    Authenticator::Notes notes;
    auto result = check(notes);
    check_ = std::string(notes.key_check);
    return result;
  }

  FreshnessSwitch feed_;  // declared first: the store reads it
  std::unique_ptr<Store> store_;
  FakeClock clock_;
  SodiumRandom random_;
  UsageRecorder usage_;
  KeyVerifier verifier_;
  std::string check_;  // the last key check NoteKeyCheck saw: "valid", an error code's name or ""
};

// A VerifierWorld with one account, acc_1 (a@example.com), created straight through the Store,
// and keys of it added the same way: for the tests of auth/, which need no service. Owned by
// the test fixture deriving from it; AddKey is thread-safe as the Store is.
class KeyWorld : public VerifierWorld {
 protected:
  KeyWorld();

  // Adds a key `id` of acc_1 expiring at `expires_at` (if any); its secret.
  std::string AddKey(const std::string& id, std::optional<Time> expires_at = std::nullopt);
};

}  // namespace tfzo::testing

#endif  // TFZO_TESTING_KEY_WORLD_H_
