#ifndef TFZO_CLI_CLI_ERROR_H_
#define TFZO_CLI_CLI_ERROR_H_

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "core/status.h"

namespace tfzo::cli {

// The process exit codes of docs/spec/CLI.md ("Messages and exit codes").
enum class ExitCode {
  kOk = 0,
  kError = 1,        // other error: server 5xx, bad answer, local I/O
  kUsage = 2,        // usage error
  kAuth = 3,         // authentication failed (no key, key_malformed/invalid/expired/revoked)
  kForbidden = 4,    // org_out_of_scope, forbidden
  kUnreachable = 5,  // the server could not be reached
};

// Why a command failed: its exit code, a machine code ("key_expired", the API's when the server
// answered, else one of the CLI's own: "no_key", "unreachable", "usage", ...), a sentence for
// people and, optionally, a hint line saying what to do. `server_body` is the server's error
// answer, printed unchanged under --json. Never carries a secret. Value type.
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
  const std::optional<std::string>& server_body() const { return server_body_; }

  CliError& WithServerBody(std::string body) {
    server_body_ = std::move(body);
    return *this;
  }

  // The error as the API's JSON error object: the server's own when there is one.
  std::string ToJson() const;

 private:
  ExitCode exit_code_;
  std::string code_;
  std::string message_;
  std::string hint_;
  std::optional<std::string> server_body_;
};

// A command's outcome when it returns nothing: empty on success.
using CliStatus = std::optional<CliError>;

// Either a value or the CliError that prevented it. Value type.
template <typename T>
class CliResult {
 public:
  CliResult(T value) : v_(std::in_place_index<1>, std::move(value)) {}         // NOLINT: implicit
  CliResult(CliError error) : v_(std::in_place_index<0>, std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 1; }
  const CliError& error() const {
    assert(!ok());
    return std::get<0>(v_);
  }
  T& value() & { return std::get<1>(v_); }
  const T& value() const& { return std::get<1>(v_); }
  T&& value() && { return std::get<1>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }

 private:
  std::variant<CliError, T> v_;
};

// A Status from a lower module (config file, git, HTTP transport) as a CliError.
CliError FromStatus(const Status& status, ExitCode exit_code = ExitCode::kError);

}  // namespace tfzo::cli

// Returns the CliError from the enclosing function when the CliStatus `expr` holds one.
#define CLI_RETURN_IF_ERROR(expr)            \
  do {                                       \
    ::tfzo::cli::CliStatus cli_st_ = (expr); \
    if (cli_st_) return *cli_st_;            \
  } while (0)

// `CLI_ASSIGN_OR_RETURN(auto x, F())` for F returning CliResult<T>.
#define CLI_ASSIGN_OR_RETURN(lhs, expr) \
  CLI_ASSIGN_OR_RETURN_IMPL(TFZO_CLI_CONCAT(cli_result_, __LINE__), lhs, expr)
#define TFZO_CLI_CONCAT_INNER(a, b) a##b
#define TFZO_CLI_CONCAT(a, b) TFZO_CLI_CONCAT_INNER(a, b)
#define CLI_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.error();              \
  lhs = std::move(tmp).value()

#endif  // TFZO_CLI_CLI_ERROR_H_
