#ifndef TFZO_FUZZ_API_FIXTURE_H_
#define TFZO_FUZZ_API_FIXTURE_H_

#include <memory>
#include <string>
#include <string_view>

#include "http/message.h"

namespace tfzo::fuzz {

// The server without its sockets: the object graph of BuildApp (src/server/app.h, the wiring
// src/server/main.cc uses), over SQLite in memory, a fixed fake clock, deterministic
// randomness, cheap argon2 parameters and no background usage writes. Built with a small world that
// every input may refer to through placeholders (see Expand):
//   account A (the caller), account B (someone else);
//   $O org owned by A, $M org of B where A is a member, $P org of B that A is not in;
//   $K A's unscoped key, $Y A's key scoped to $O, $X A's revoked key, $L B's key (scoped
//   to $P);
//   $H host and $G agent in $O, $Q host in $P; $A and $B the account ids;
//   secrets: $S ($K), $T (A's key scoped to $O), $R ($X, revoked), $U ($L).
// Single-threaded: one fuzzer process, one input at a time.
class ApiFixture {
 public:
  // What a request carries besides its line and body.
  struct Credentials {
    bool cookie = false;  // the session cookie of A (or B with `as_b`)
    bool csrf = false;    // the matching X-CSRF-Token
    bool as_b = false;
    std::string authorization;  // raw Authorization value, "" for none
  };

  ApiFixture();
  ~ApiFixture();

  // Sends one request through Api::Handle and checks the answer against docs/spec/API.md's
  // rules for every response (CheckResponse); aborts on a violation. Rebuilds the world after
  // a request that succeeded in changing it, so inputs meet the same accounts, keys and
  // sessions; what failures leave behind (the login and unknown-key limiters' counts) lasts
  // until the rebuild every kRequestsPerRebuild requests.
  http::HttpResponse Send(std::string_view method, std::string_view target, std::string body,
                          const Credentials& credentials);

  // `text` with every $X placeholder above replaced; unknown ones are kept.
  std::string Expand(std::string_view text) const;

  // Parses the credential letters of an input line: c (A's cookie), b (B's cookie instead),
  // x (CSRF token), k/s/r/u (Bearer $S/$T/$R/$U); text after a space is a raw Authorization
  // value (expanded).
  Credentials ParseCredentials(std::string_view line) const;

 private:
  static constexpr uint64_t kRequestsPerRebuild = 2000;
  struct World;
  // A new world: store, BuildApp's graph, then Populate().
  void Rebuild();
  // Creates the accounts, orgs, keys, host and agent of the placeholders through the Api.
  void Populate();
  void CheckResponse(const http::Request& req, const http::HttpResponse& res) const;

  std::unique_ptr<World> world_;
  uint64_t sent_since_rebuild_ = 0;
  uint64_t requests_ = 0;
};

// Aborts with `what` (and the response) when `ok` is false: a finding.
void Require(bool ok, std::string_view what, const http::HttpResponse* res = nullptr);

}  // namespace tfzo::fuzz

#endif  // TFZO_FUZZ_API_FIXTURE_H_
