#include "cli/git.h"

#include <algorithm>
#include <filesystem>

#include "cli/subprocess.h"

namespace tfzo::cli {

Result<std::string> Git::Run(const std::vector<std::string>& args, const std::string& dir) {
  std::vector<std::string> argv = {"git", "-c", "core.quotepath=off"};
  argv.insert(argv.end(), args.begin(), args.end());
  ASSIGN_OR_RETURN(ProcessResult r, RunProcess(argv, dir));
  if (r.exit_code != 0) {
    std::string err = r.err;
    while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.pop_back();
    return Internal("git " + args.front() + " failed: " + (err.empty() ? "no details" : err));
  }
  return std::move(r.out);
}

bool Git::IsInsideWorkTree(const std::string& dir) {
  auto out = Run({"rev-parse", "--is-inside-work-tree"}, dir);
  return out.ok() && out->starts_with("true");
}

Result<std::vector<std::string>> Git::ListFiles(const std::string& dir) {
  ASSIGN_OR_RETURN(std::string out,
                   Run({"ls-files", "-z", "--cached", "--others", "--exclude-standard"}, dir));
  std::vector<std::string> files;
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find('\0', start);
    if (end == std::string::npos) end = out.size();
    if (end > start) files.push_back(out.substr(start, end - start));
    start = end + 1;
  }
  // A file in both the index and a merge conflict is listed once per stage.
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

Result<std::string> Git::StagedDiff(const std::string& dir) {
  return Run({"diff", "--cached", "--no-color", "--no-ext-diff", "--no-textconv", "-U0", "--text",
              "--diff-filter=ACMR", "--src-prefix=a/", "--dst-prefix=b/"},
             dir);
}

Result<std::string> Git::HooksDir(const std::string& dir) {
  ASSIGN_OR_RETURN(std::string out, Run({"rev-parse", "--git-path", "hooks"}, dir));
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  std::filesystem::path p(out);
  if (p.is_relative()) p = std::filesystem::path(dir) / p;
  return std::filesystem::weakly_canonical(p).string();
}

}  // namespace tfzo::cli
