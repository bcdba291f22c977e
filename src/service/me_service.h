#ifndef TFZO_SERVICE_ME_SERVICE_H_
#define TFZO_SERVICE_ME_SERVICE_H_

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/key_verifier.h"
#include "auth/sharded_cache.h"
#include "auth/usage_recorder.h"
#include "core/time.h"

namespace tfzo {

// What a key's holder learns about itself (docs/spec/API.md "CLI API": GET /api/v1/me and
// /api/v1/orgs), from KeyVerifier's caches only, so the I/O threads can answer it. The body
// of /api/v1/me is built by `render` (the transport's format) and kept: it is a function of
// immutable cached parts (KeyVerifier replaces them, never changes them, when the key or the
// memberships change), the key's last use and its status, so it is reused while those are
// the same objects and values. References the verifier, recorder and clock, which outlive
// it. Thread-safe.
class MeService {
 public:
  static constexpr size_t kMaxAnswers = 100000;  // then all are dropped: bounds the memory
  static constexpr std::chrono::hours kAnswerMaxAge{1};

  // What an answer says.
  struct Me {
    const AccountRecord& account;
    const KeyRecord& key;
    const std::vector<MembershipRecord>& orgs;  // the orgs the key reaches
    std::optional<Time> last_used;              // the latest known to this node
    Time now;
  };
  using Render = std::function<std::string(const Me&)>;

  // `usage` may be null.
  MeService(KeyVerifier& verifier, UsageRecorder* usage, const Clock& clock, Render render);

  // The body of GET /api/v1/me for `key` (valid now).
  Result<std::string> Answer(const KeyState& key);

  // The orgs `key` reaches now: its scope if the account is still a member of it, else all
  // of the account's orgs.
  Result<std::vector<MembershipRecord>> ReachableOrgs(const KeyState& key);

 private:
  // A built answer and the cached parts it was built from.
  struct Built {
    std::shared_ptr<const AccountRecord> account;
    std::shared_ptr<const KeyRecord> record;
    std::shared_ptr<const std::vector<MembershipRecord>> memberships;
    std::optional<Time> last_used;
    std::string_view status;
    std::string body;
  };

  KeyVerifier& verifier_;
  UsageRecorder* usage_;
  const Clock& clock_;
  Render render_;
  ShardedCache<std::string, std::shared_ptr<const Built>> answers_{clock_, kAnswerMaxAge};
};

}  // namespace tfzo

#endif  // TFZO_SERVICE_ME_SERVICE_H_
