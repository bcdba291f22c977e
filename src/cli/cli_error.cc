#include "cli/cli_error.h"

#include <nlohmann/json.hpp>

namespace tfzo::cli {

std::string CliError::ToJson() const {
  if (server_body_) return *server_body_;
  nlohmann::json body = {{"error", {{"code", code_}, {"message", message_}}}};
  return body.dump();
}

CliError FromStatus(const Status& status, ExitCode exit_code) {
  return CliError(exit_code, std::string(CodeName(status.code())), status.message());
}

}  // namespace tfzo::cli
