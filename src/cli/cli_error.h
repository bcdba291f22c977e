#ifndef TFZO_CLI_CLI_ERROR_H_
#define TFZO_CLI_CLI_ERROR_H_

#include <optional>
#include <string>
#include <utility>

#include "core/status.h"

namespace tfzo::cli {

// The process exit codes of docs/spec/CLI.md ("Messages and exit codes").
enum class ExitCode {
  kOk = 0,
  kError = 1,          // other error: server 5xx, bad answer, local I/O
  kUsage = 2,          // usage error
  kAuth = 3,           // authentication failed (no key, key_malformed/invalid/expired/revoked)
  kForbidden = 4,      // org_out_of_scope, two_factor_required, forbidden, permission_denied,
                       // ip_not_allowed
  kUnreachable = 5,    // the server could not be reached
  kRateLimited = 6,    // HTTP 429: too many requests; the message says how long to wait
  kInterrupted = 130,  // Ctrl-C (128 + SIGINT, as shells report it): `login` stopped waiting
};

// Why a command failed, as the CLI reports it: more than a Status carries. Its exit code, a
// machine code ("key_expired", the API's when the server answered, else one of the CLI's own:
// "unauthenticated", "unreachable", "usage", ...), a sentence for people and, optionally, a hint
// line saying what to do. `server_body` is the server's error answer, printed unchanged under
// --json. Never carries a secret. Value type.
class CliError {
 public:
  CliError(ExitCode exit_code, std::string code, std::string message, std::string hint = "")
      : exit_code_(exit_code),
        code_(std::move(code)),
        message_(std::move(message)),
        hint_(std::move(hint)) {}

  ExitCode exit_code() const { return exit_code_; }
  const std::string& code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::string& hint() const { return hint_; }

  CliError& WithServerBody(std::string body) {
    server_body_ = std::move(body);
    return *this;
  }

  // The error as the API's JSON error object: the server's own when there is one.
  std::string ToJson() const;

  // The nearest Status (kUnauthenticated for exit 3, kForbidden for 4, kUnavailable for 5,
  // kInvalidRequest for 2, else kInternal) with the same message.
  Status ToStatus() const;

 private:
  ExitCode exit_code_;
  std::string code_;
  std::string message_;
  std::string hint_;
  std::optional<std::string> server_body_;
};

// A Status from a lower module (config file, git, HTTP transport) as an exit-1 CliError.
CliError FromStatus(const Status& status);

}  // namespace tfzo::cli

#endif  // TFZO_CLI_CLI_ERROR_H_
