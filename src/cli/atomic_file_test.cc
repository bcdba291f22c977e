#include "cli/atomic_file.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace tfzo::cli {
namespace {

namespace fs = std::filesystem;

class AtomicFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tfzo-atomic-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    path_ = (fs::path(dir_) / "config.toml").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Read() const {
    std::ifstream in(path_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::vector<std::string> Entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename());
    return names;
  }

  std::string dir_;
  std::string path_;
};

TEST_F(AtomicFileTest, CreatesFileWithModeAndNoTempFile) {
  ASSERT_TRUE(WriteFileAtomically(path_, "a = 1\n", 0600).ok());
  EXPECT_EQ(Read(), "a = 1\n");
  struct stat st;
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(Entries(), std::vector<std::string>{"config.toml"});
}

TEST_F(AtomicFileTest, ReplacesAndTightensMode) {
  { std::ofstream(path_) << "old\n"; }
  ::chmod(path_.c_str(), 0644);
  ASSERT_TRUE(WriteFileAtomically(path_, "new\n", 0600).ok());
  EXPECT_EQ(Read(), "new\n");
  struct stat st;
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(Entries(), std::vector<std::string>{"config.toml"});
}

TEST_F(AtomicFileTest, MissingDirectoryIsAnError) {
  Status st = WriteFileAtomically(dir_ + "/nope/config.toml", "x", 0600);
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find("temporary file"), std::string::npos) << st.message();
}

// A write that fails half-way (the file size limit, which binds root too) leaves the old file
// whole and no temporary file behind.
TEST_F(AtomicFileTest, FailedWriteKeepsOldFileAndLeavesNoTemp) {
  const std::string old_text = "[profiles.default]\napi_host = \"http://old\"\n";
  ASSERT_TRUE(WriteFileAtomically(path_, old_text, 0600).ok());
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::signal(SIGXFSZ, SIG_IGN);  // write() then fails with EFBIG instead of killing us
    rlimit limit{16, 16};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    Status st = WriteFileAtomically(path_, std::string(4096, 'x'), 0600);
    ::_exit(st.ok() ? 0 : (st.message().find("cannot write") != std::string::npos ? 3 : 4));
  }
  int wstatus = 0;
  ASSERT_EQ(::waitpid(pid, &wstatus, 0), pid);
  ASSERT_TRUE(WIFEXITED(wstatus));
  EXPECT_EQ(WEXITSTATUS(wstatus), 3);
  EXPECT_EQ(Read(), old_text);
  EXPECT_EQ(Entries(), std::vector<std::string>{"config.toml"});
}

}  // namespace
}  // namespace tfzo::cli
