#ifndef TFZO_CLI_GIT_H_
#define TFZO_CLI_GIT_H_

#include <string>
#include <vector>

#include "core/result.h"

namespace tfzo::cli {

// The few questions `2501 scan` asks git, answered by running the `git` program (so its
// `.gitignore` rules, excludes files and config apply exactly). Stateless; thread-safe.
class Git {
 public:
  // True when `dir` is inside a git work tree (false too when git is not installed).
  static bool IsInsideWorkTree(const std::string& dir);

  // The files under `dir` that git does not ignore: tracked ones and untracked, not ignored
  // ones, as paths relative to `dir`.
  static Result<std::vector<std::string>> ListFiles(const std::string& dir);

  // `git diff --cached` with no context: what the next commit adds.
  static Result<std::string> StagedDiff(const std::string& dir);

  // The absolute directory of the repository's hooks (honours core.hooksPath).
  static Result<std::string> HooksDir(const std::string& dir);

 private:
  static Result<std::string> Run(const std::vector<std::string>& args, const std::string& dir);
};

}  // namespace tfzo::cli

#endif  // TFZO_CLI_GIT_H_
