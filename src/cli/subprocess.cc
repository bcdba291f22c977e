#include "cli/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <utility>

extern char** environ;

namespace tfzo::cli {
namespace {

// Two pipe ends owned together; closes whatever is still open.
class Pipe {
 public:
  Pipe() {
    if (::pipe2(fds_.data(), O_CLOEXEC) != 0) fds_ = {-1, -1};
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  ~Pipe() {
    CloseRead();
    CloseWrite();
  }
  bool ok() const { return fds_[0] >= 0; }
  int read_fd() const { return fds_[0]; }
  int write_fd() const { return fds_[1]; }
  void CloseRead() { Close(0); }
  void CloseWrite() { Close(1); }

 private:
  void Close(int i) {
    if (fds_[i] >= 0) ::close(fds_[i]);
    fds_[i] = -1;
  }
  std::array<int, 2> fds_;
};

}  // namespace

SpawnArgs::SpawnArgs(std::vector<std::string> argv) : args_(std::move(argv)) {
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::strncmp(*e, "TFZO_API_KEY=", 13) != 0) env_.emplace_back(*e);
  }
  for (auto& s : args_) argp_.push_back(s.data());
  argp_.push_back(nullptr);
  for (auto& s : env_) envp_.push_back(s.data());
  envp_.push_back(nullptr);
}

Result<ProcessResult> RunProcess(const std::vector<std::string>& argv, const std::string& cwd) {
  if (argv.empty()) return InvalidRequest("no program to run");
  Pipe out, err;
  if (!out.ok() || !err.ok()) return Internal(std::string("pipe: ") + std::strerror(errno));

  const SpawnArgs spawn(argv);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out.write_fd(), 1);
  posix_spawn_file_actions_adddup2(&actions, err.write_fd(), 2);
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, cwd.c_str());
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, spawn.argv()[0], &actions, nullptr, spawn.argv(), spawn.envp());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    return Status(StatusCode::kNotFound, "cannot run " + argv[0] + ": " + std::strerror(rc));
  }
  out.CloseWrite();
  err.CloseWrite();

  ProcessResult result;
  std::array<pollfd, 2> fds = {pollfd{out.read_fd(), POLLIN, 0}, pollfd{err.read_fd(), POLLIN, 0}};
  std::array<std::string*, 2> sinks = {&result.out, &result.err};
  int open = 2;
  char buf[65536];
  while (open > 0) {
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;
        --open;
      }
    }
  }
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(wstatus)) {
    result.exit_code = WEXITSTATUS(wstatus);
  } else if (WIFSIGNALED(wstatus)) {
    result.exit_code = -1;
  }
  if (result.exit_code == 127 && result.err.empty()) {
    // posix_spawnp reports a missing program through the child's exit code 127.
    return Status(StatusCode::kNotFound, "cannot run " + argv[0]);
  }
  return result;
}

}  // namespace tfzo::cli
