#include "mail/mail_sender.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "mail/outbox_transport.h"
#include "mail/smtp_transport.h"
#include "testing/memory_store.h"

namespace tfzo {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

const Time kT0 = FromUnix(1'800'000'000);

TEST(RetryAt, DoublesFromTenSecondsToTenMinutesAndGivesUpAfterThreeDays) {
  const Time now = kT0 + hours(1);
  EXPECT_EQ(RetryAt(1, kT0, now), now + seconds(10));
  EXPECT_EQ(RetryAt(2, kT0, now), now + seconds(20));
  EXPECT_EQ(RetryAt(6, kT0, now), now + seconds(320));
  EXPECT_EQ(RetryAt(7, kT0, now), now + seconds(600));
  EXPECT_EQ(RetryAt(500, kT0, now), now + seconds(600));
  EXPECT_EQ(RetryAt(500, kT0, kT0 + hours(72) - seconds(1)), kT0 + hours(72) + seconds(599));
  EXPECT_EQ(RetryAt(500, kT0, kT0 + hours(72)), std::nullopt);
}

// A real store in memory, a directory of its own, and mails queued with an event.
class MailSenderTest : public ::testing::Test {
 protected:
  MailSenderTest() : store_(testing::OpenMemoryStore()), clock_(kT0) {
    char dir[] = "/tmp/tfzo_mail_test_XXXXXX";
    EXPECT_NE(::mkdtemp(dir), nullptr);
    root_ = dir;
  }
  ~MailSenderTest() override { std::filesystem::remove_all(root_); }

  void Queue(const std::string& to, const std::string& subject) {
    EventRecord event;
    event.id = "evt_" + subject;
    event.at = clock_.Now();
    event.action = "test";
    event.mails.push_back({.to = to,
                           .subject = subject,
                           .text = "text " + subject,
                           .html = "<p>" + subject + "</p>"});
    ASSERT_TRUE(store_->AppendEvent(event).ok());
  }

  // The mails written into `dir`, by name. A mail being written is a hidden temporary file
  // until its rename: not one of them yet.
  std::vector<std::filesystem::path> Files(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      if (e.path().extension() == ".eml") files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    return files;
  }

  // Waits up to 5 s for `n` mails in `dir`.
  std::vector<std::filesystem::path> WaitForFiles(const std::filesystem::path& dir, size_t n) {
    for (int i = 0; i < 500 && Files(dir).size() < n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return Files(dir);
  }

  std::unique_ptr<Store> store_;
  FakeClock clock_;
  std::filesystem::path root_;
  const Mailbox from_{.name = "2501 Accounts", .address = "accounts@example.com"};
};

TEST_F(MailSenderTest, WritesEachQueuedMailOnceIntoTheOutbox) {
  const std::filesystem::path dir = root_ / "data" / "outbox";
  auto outbox = OutboxTransport::Create(dir.string());
  ASSERT_TRUE(outbox.ok()) << outbox.status().message();
  struct stat st;
  ASSERT_EQ(::stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  Queue("ada@example.com", "first");
  // A poll far away: the second mail arrives by the store's wake-up, not by polling.
  MailSender sender(*store_, **outbox, from_, clock_, {.poll = std::chrono::hours(1)});
  store_->SetMailListener([&] { sender.Wake(); });
  ASSERT_EQ(WaitForFiles(dir, 1).size(), 1u);
  Queue("bob@example.com", "second");
  const auto files = WaitForFiles(dir, 2);
  ASSERT_EQ(files.size(), 2u);
  store_->SetMailListener(nullptr);
  sender.Stop();

  EXPECT_EQ(files[0].filename().string(), "20270115T080000Z-1.eml");
  ASSERT_EQ(::stat(files[0].c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::stringstream contents;
  contents << std::ifstream(files[1]).rdbuf();
  EXPECT_NE(contents.str().find("To: bob@example.com\r\n"), std::string::npos);
  EXPECT_NE(contents.str().find("Subject: second\r\n"), std::string::npos);
  EXPECT_NE(contents.str().find("\r\ntext second\r\n"), std::string::npos);
  EXPECT_NE(contents.str().find("Message-ID: <tfzo.2.1800000000@example.com>"), std::string::npos);
  // Sent: nothing is left to claim.
  EXPECT_FALSE(store_->ClaimMail(kT0 + hours(100), kT0 + hours(101))->has_value());
}

// An SMTP server that is there but refuses service for now: it answers each connection
// "421" and closes it. Listens on 127.0.0.1; AnswerOne serves the next connection.
class BusySmtpServer {
 public:
  BusySmtpServer() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len), 0);
    EXPECT_EQ(::listen(fd_, 4), 0);
    EXPECT_EQ(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    port_ = ntohs(addr.sin_port);
  }
  ~BusySmtpServer() { ::close(fd_); }

  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
  void AnswerOne() {
    const int conn = ::accept(fd_, nullptr, nullptr);
    ASSERT_GE(conn, 0);
    constexpr std::string_view kBusy = "421 busy, try again later\r\n";
    EXPECT_EQ(::write(conn, kBusy.data(), kBusy.size()), static_cast<ssize_t>(kBusy.size()));
    ::close(conn);
  }

 private:
  int fd_;
  int port_ = 0;
};

TEST_F(MailSenderTest, AMailTheServerDidNotTakeIsTriedAgainLater) {
  BusySmtpServer server;
  auto smtp = SmtpTransport::Create({.url = server.url(), .user = "", .password = {}});
  ASSERT_TRUE(smtp.ok()) << smtp.status().message();
  Queue("ada@example.com", "first");
  MailSender sender(*store_, **smtp, from_, clock_, {.poll = std::chrono::milliseconds(10)});
  server.AnswerOne();
  // Leased by the sender until it records the failure; then due again 10 s later, not before.
  std::optional<QueuedMail> retried;
  for (int i = 0; i < 500 && !retried; ++i) {
    EXPECT_FALSE(store_->ClaimMail(kT0 + seconds(9), kT0 + seconds(9))->has_value());
    retried = *store_->ClaimMail(kT0 + seconds(10), kT0 + hours(1));
    if (!retried) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  sender.Stop();
  ASSERT_TRUE(retried.has_value()) << "the failed attempt was not recorded";
  EXPECT_EQ(retried->attempts, 2);
  EXPECT_EQ(retried->message.text, "text first");
}

TEST(SmtpTransport, RefusesUrlsItCannotUseOrThatHoldAPassword) {
  for (const char* url : {"http://mail.example.com", "smtp://", "mail.example.com:25",
                          "smtp://user:secret@mail.example.com"}) {
    auto made = SmtpTransport::Create({.url = url, .user = "", .password = {}});
    ASSERT_FALSE(made.ok()) << url;
    EXPECT_EQ(made.status().message().find("secret"), std::string::npos);
  }
  EXPECT_FALSE(
      SmtpTransport::Create({.url = "smtp://mail.example.com", .user = "u", .password = {}}).ok());
  auto login = SmtpTransport::Create(
      {.url = "smtps://mail.example.com:465", .user = "u", .password = Secret("hunter2")});
  ASSERT_TRUE(login.ok());
  EXPECT_EQ((*login)->Describe().find("hunter2"), std::string::npos);
}

}  // namespace
}  // namespace tfzo
