#ifndef TFZO_SERVICE_ME_SERVICE_H_
#define TFZO_SERVICE_ME_SERVICE_H_

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/key_verifier.h"
#include "core/time.h"

namespace tfzo {

// What a key's holder learns about itself (docs/spec/API.md "CLI API": GET /api/v1/me and
// /api/v1/orgs), from KeyVerifier's caches only, so the I/O threads can answer it. The body
// of /api/v1/me is built by `render` (the transport's format) and kept with the key's cached
// record (KeyVerifier::CachedKey), so one lookup finds both and a change to the key drops
// both. Apart from the key's last use, it is a function of that record, the account and the
// memberships (immutable cached parts that KeyVerifier replaces, never changes), the key's
// status and its flags, so it is reused while those are the same objects and values and the
// flags hold (they change with the time alone: KeptAnswer::until). The last use changes
// with every use: the kept answer leaves a gap for it, filled at each request, so a key used
// all the time is not rendered again every second. References the verifier and clock, which
// outlive it. Thread-safe.
class MeService {
 public:
  // What an answer says, apart from the key's last use.
  struct Me {
    const AccountRecord& account;
    const KeyRecord& key;
    const std::vector<MembershipRecord>& orgs;  // the orgs the key reaches
    // Every org of the key's account, reached or not: the CLI resolves `--org` among them, so
    // a scoped key used on another of them reads org_out_of_scope, not "not a member".
    const std::vector<MembershipRecord>& account_orgs;
    Time now;
  };
  // An answer without its key's last use, which goes at `gap`: the body is body[0, gap), the
  // last use, then body[gap, end).
  struct Parts {
    std::string body;
    size_t gap = 0;
  };
  // The transport's format: `answer` renders the parts, `last_used` appends the value that
  // goes between them (the latest use known to this node), and `previous_use` (when set) the
  // field right after it: the use before this request's.
  struct Render {
    std::function<Parts(const Me&)> answer;
    std::function<void(std::optional<Time>, std::string&)> last_used;
    std::function<void(std::optional<Time>, std::string&)> previous_use = nullptr;
  };

  MeService(KeyVerifier& verifier, const Clock& clock, Render render);

  // The body of GET /api/v1/me for `key`, valid now and just used (this request's check
  // recorded the use): its last use is now.
  Result<std::string> Answer(const KeyState& key);

  // The orgs `key` reaches now: its scope if the account is still a member of it, else all
  // of the account's orgs.
  Result<std::vector<MembershipRecord>> ReachableOrgs(const KeyState& key);

 private:
  std::string Splice(const KeyVerifier::KeptAnswer& kept, std::optional<Time> last_used,
                     std::optional<Time> previous_use) const;

  KeyVerifier& verifier_;
  const Clock& clock_;
  Render render_;
};

}  // namespace tfzo

#endif  // TFZO_SERVICE_ME_SERVICE_H_
