#ifndef TFZO_AUTH_AUTHENTICATOR_H_
#define TFZO_AUTH_AUTHENTICATOR_H_

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "model/records.h"

namespace tfzo {

// What a request offers to prove who sends it, as the transport found it: views into the
// request, valid while it is. The transport fills it (http/ from the headers); an
// Authenticator decides what it proves.
struct Credentials {
  std::optional<std::string_view> authorization{};  // the Authorization header
  std::string_view session_token{};                 // the session cookie's value, "" for none
  std::optional<std::string_view> csrf_token{};     // the X-CSRF-Token header
  bool state_changing = false;                      // POST, PUT, PATCH or DELETE
  std::string_view remote_ip{};
};

// Who a request comes from, as its Authenticator established it.
struct Principal {
  // A console session: the signed-in account and the session's CSRF token.
  std::optional<AccountRecord> account{};
  std::string csrf_token{};
  // A Bearer key: its state (valid now).
  std::optional<KeyState> key{};

  const std::string& account_id() const { return key ? key->account_id : account->id; }
};

// The metrics label of a key check: "valid" or the error code's name.
inline std::string_view KeyCheckName(const Status& check) {
  return check.ok() ? std::string_view("valid") : CodeName(check.code());
}

// One way of authenticating a request (a console session, a Bearer key). Answers the
// Principal, or the Status the request is refused with (a code of docs/spec/API.md's error
// table: 401, 403 or 429). Implementations are thread-safe.
class Authenticator {
 public:
  // What an authentication learned besides its answer, for the request's metrics.
  struct Notes {
    std::string_view key_check{};  // a key's check: "valid" or its error code's name; "" if none
  };

  virtual ~Authenticator() = default;
  virtual Result<Principal> Authenticate(const Credentials& credentials, Notes& notes) = 0;
};

}  // namespace tfzo

#endif  // TFZO_AUTH_AUTHENTICATOR_H_
