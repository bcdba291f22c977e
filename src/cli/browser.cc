#include "cli/browser.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>
#include <vector>

#include "cli/subprocess.h"

namespace tfzo::cli {
namespace {

constexpr auto kWaitForOpener = std::chrono::seconds(2);

// The executable `name` in one of PATH's directories, or "".
std::string FindOnPath(const std::string& name, const EnvLookup& env) {
  const std::string path = env("PATH").value_or("/usr/local/bin:/usr/bin:/bin");
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    start = end + 1;
    if (dir.empty()) continue;  // an empty entry means the current directory: never trusted
    std::string candidate = dir + "/" + name;
    struct stat st;
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
  }
  return "";
}

}  // namespace

Result<std::string> OpenBrowser(const std::string& url, const EnvLookup& env) {
  std::string program, name;
  for (const char* candidate : {"xdg-open", "sensible-browser"}) {
    program = FindOnPath(candidate, env);
    if (!program.empty()) {
      name = candidate;
      break;
    }
  }
  if (program.empty()) {
    return Status(StatusCode::kNotFound, "neither xdg-open nor sensible-browser is on PATH");
  }

  const SpawnArgs spawn({program, url});

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  for (int fd : {0, 1, 2}) {
    posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
  }
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, program.c_str(), &actions, &attr, spawn.argv(), spawn.envp());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    return Status(StatusCode::kUnavailable,
                  "cannot start " + name + ": " + std::string(std::strerror(rc)));
  }
  const auto deadline = std::chrono::steady_clock::now() + kWaitForOpener;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return name;
      return Status(StatusCode::kUnavailable,
                    name + " failed (" +
                        (WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status))
                                           : std::string("killed by a signal")) +
                        ")");
    }
    if (done < 0 && errno != EINTR) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return name;  // still running: a browser that stays in the foreground
}

}  // namespace tfzo::cli
