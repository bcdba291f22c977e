#include "cli/cli_error.h"

#include <nlohmann/json.hpp>

namespace tfzo::cli {

std::string CliError::ToJson() const {
  if (server_body_) return *server_body_;
  nlohmann::json body = {{"error", {{"code", code_}, {"message", message_}}}};
  return body.dump();
}

Status CliError::ToStatus() const {
  switch (exit_code_) {
    case ExitCode::kUsage:
      return InvalidRequest(message_);
    case ExitCode::kAuth:
      return Status(StatusCode::kUnauthenticated, message_);
    case ExitCode::kForbidden:
      return Forbidden(message_);
    case ExitCode::kUnreachable:
      return Status(StatusCode::kUnavailable, message_);
    case ExitCode::kRateLimited:
    case ExitCode::kOk:
    case ExitCode::kInterrupted:
    case ExitCode::kError:
      break;
  }
  return Internal(message_);
}

CliError FromStatus(const Status& status) {
  return CliError(ExitCode::kError, std::string(CodeName(status.code())), status.message());
}

}  // namespace tfzo::cli
