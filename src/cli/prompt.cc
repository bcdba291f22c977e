#include "cli/prompt.h"

#include <termios.h>
#include <unistd.h>

#include <csignal>

namespace tfzo::cli {
namespace {

termios g_saved;  // the terminal state to restore from the signal handler

extern "C" void RestoreAndDie(int sig) {
  ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_saved);
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

}  // namespace

bool StdinIsTerminal() { return ::isatty(STDIN_FILENO) == 1; }

std::optional<std::string> ReadHiddenLine(const std::string& prompt, std::istream& in,
                                          std::ostream& err) {
  err << prompt << std::flush;
  bool hidden = false;
  if (StdinIsTerminal() && ::tcgetattr(STDIN_FILENO, &g_saved) == 0) {
    termios quiet = g_saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    std::signal(SIGINT, RestoreAndDie);
    std::signal(SIGTERM, RestoreAndDie);
    std::signal(SIGHUP, RestoreAndDie);
    hidden = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
  }
  std::string line;
  bool got = static_cast<bool>(std::getline(in, line));
  if (hidden) {
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &g_saved);
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    std::signal(SIGHUP, SIG_DFL);
    err << "\n";
  }
  if (!got) return std::nullopt;
  return line;
}

}  // namespace tfzo::cli
