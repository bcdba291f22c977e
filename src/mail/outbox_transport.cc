#include "mail/outbox_transport.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace tfzo {
namespace {

Status IoError(std::string_view what, const std::string& path) {
  return Unavailable(fmt::format("cannot {} {}: {}", what, path, std::strerror(errno)), 0);
}

// Writes all of `data` to `fd`.
bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<OutboxTransport>> OutboxTransport::Create(const std::string& dir) {
  std::error_code error;
  const std::filesystem::path path = std::filesystem::absolute(dir, error);
  if (error) return Unavailable("--outbox " + dir + ": " + error.message(), 0);
  std::filesystem::path at;
  for (const auto& part : path) {  // each missing directory 0700, as the database's
    at /= part;
    if (::mkdir(at.c_str(), 0700) != 0 && errno != EEXIST) {
      return IoError("create the outbox directory", at.string());
    }
  }
  return std::unique_ptr<OutboxTransport>(new OutboxTransport(path.lexically_normal().string()));
}

std::string OutboxTransport::Describe() const {
  return "the directory " + dir_ + " (no --smtp-url: each message is an .eml file there)";
}

Status OutboxTransport::Send(const Envelope& envelope, std::string_view message, std::stop_token) {
  const std::string path = dir_ + "/" + envelope.name + ".eml";
  const std::string temporary = dir_ + "/." + envelope.name + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("create", temporary);
  if (!WriteAll(fd, message) || ::fsync(fd) != 0) {
    Status failed = IoError("write", temporary);
    ::close(fd);
    ::unlink(temporary.c_str());
    return failed;
  }
  ::close(fd);
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    Status failed = IoError("rename the message to", path);
    ::unlink(temporary.c_str());
    return failed;
  }
  // The rename itself durable before the mail is marked sent.
  if (const int dir = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  spdlog::info("mail written to {}", path);
  return Status::Ok();
}

}  // namespace tfzo
