#include "cli/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

namespace tfzo::cli {
namespace {

Status IoError(std::string_view what, const std::string& path, int err) {
  return Internal(std::string(what) + " " + path + ": " + std::strerror(err));
}

// Closes the descriptor and removes the temporary file unless Release()d. Not copyable.
class TempFile {
 public:
  TempFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  int Close() {
    int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }
  void Release() { path_.clear(); }

 private:
  int fd_;
  std::string path_;
};

}  // namespace

Status WriteFileAtomically(const std::string& path, std::string_view contents, mode_t mode) {
  std::filesystem::path target(path);
  std::filesystem::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  std::string pattern = (dir / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  int fd = ::mkostemp(name.data(), O_CLOEXEC);  // created 0600
  if (fd < 0) return IoError("cannot create a temporary file in", dir.string(), errno);
  TempFile temp(fd, name.data());

  if (::fchmod(temp.fd(), mode) != 0) return IoError("cannot set the mode of", temp.path(), errno);
  const char* p = contents.data();
  size_t left = contents.size();
  while (left > 0) {
    ssize_t n = ::write(temp.fd(), p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot write", temp.path(), errno);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (::fsync(temp.fd()) != 0) return IoError("cannot sync", temp.path(), errno);
  if (temp.Close() != 0) return IoError("cannot close", temp.path(), errno);
  if (::rename(temp.path().c_str(), path.c_str()) != 0) {
    return IoError("cannot replace", path, errno);
  }
  temp.Release();

  // Make the rename itself durable.
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return Status::Ok();
}

}  // namespace tfzo::cli
