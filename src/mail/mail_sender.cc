#include "mail/mail_sender.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <string>

#include "core/thread_name.h"

namespace tfzo {
namespace {

// "20261130T101500Z-42": sorts by queueing time, unique per mail, the same at every attempt.
std::string MailName(const QueuedMail& mail) {
  std::string when = FormatRfc3339(mail.created_at);  // 2026-11-30T10:15:00Z
  std::erase_if(when, [](char c) { return c == '-' || c == ':'; });
  return fmt::format("{}-{}", when, mail.id);
}

std::string_view Domain(std::string_view address) { return address.substr(address.rfind('@') + 1); }

}  // namespace

std::optional<Time> RetryAt(int attempts, Time created_at, Time now) {
  if (now - created_at >= kGiveUpAfter) return std::nullopt;
  std::chrono::seconds wait = kFirstRetry;
  for (int i = 1; i < attempts && wait < kMaxRetry; ++i) wait *= 2;
  return now + std::min(wait, kMaxRetry);
}

MailSender::MailSender(Store& store, MailTransport& transport, Mailbox from, const Clock& clock,
                       Options options)
    : store_(store),
      transport_(transport),
      from_(std::move(from)),
      clock_(clock),
      options_(options),
      thread_([this](std::stop_token stop) { Run(std::move(stop)); }) {}

MailSender::~MailSender() { Stop(); }

void MailSender::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  wake_.notify_one();
}

void MailSender::Stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();  // wakes the wait, and the transport's progress callback gives up
  thread_.join();
}

void MailSender::Run(std::stop_token stop) {
  NameThisThread("mail");
  while (!stop.stop_requested()) {
    SendDue(stop);
    std::unique_lock lock(mu_);
    wake_.wait_for(lock, stop, options_.poll, [this] { return woken_; });
    woken_ = false;
  }
}

bool MailSender::MarkPending() {
  while (!unmarked_.empty()) {
    const auto [id, at] = unmarked_.back();
    const Status marked = store_.MarkMailSent(id, at);
    if (!marked.ok() && marked.code() != StatusCode::kNotFound) return false;
    unmarked_.pop_back();
  }
  return true;
}

void MailSender::SendDue(std::stop_token stop) {
  while (!stop.stop_requested()) {
    // A mail sent but not marked goes first: marked late, it is not sent twice.
    bool store_ok = MarkPending();
    std::optional<QueuedMail> mail;
    if (store_ok) {
      const Time now = clock_.Now();
      auto claimed = store_.ClaimMail(now, now + kLease);
      store_ok = claimed.ok();
      if (!store_ok && !store_failing_) {
        spdlog::warn("mail: cannot read the queue: {}; trying again every {} ms",
                     claimed.status().message(), options_.poll.count());
      }
      if (store_ok) mail = std::move(claimed).value();
    }
    if (store_ok && store_failing_) spdlog::info("mail: the queue answers again");
    store_failing_ = !store_ok;
    if (!mail) return;
    Send(*mail, stop);
  }
}

void MailSender::Send(const QueuedMail& mail, std::stop_token stop) {
  auto message = BuildMessage(
      mail.message, {.from = from_,
                     .message_id = fmt::format("tfzo.{}.{}@{}", mail.id, ToUnix(mail.created_at),
                                               Domain(from_.address)),
                     .date = mail.created_at});
  Status sent = message.status();
  if (sent.ok()) {
    sent = transport_.Send({.from = from_.address, .to = mail.message.to, .name = MailName(mail)},
                           *message, stop);
  }
  const Time now = clock_.Now();
  if (sent.ok()) {
    if (mail.attempts > 1) spdlog::info("mail {}: sent at attempt {}", mail.id, mail.attempts);
    unmarked_.emplace_back(mail.id, now);
    if (!MarkPending()) spdlog::warn("mail {}: sent; marking it sent waits for the store", mail.id);
    return;
  }
  Status recorded;
  if (stop.stop_requested()) {
    recorded = store_.RetryMail(mail.id, now, "stopped before it was sent");
  } else if (std::optional<Time> retry = RetryAt(mail.attempts, mail.created_at, now);
             retry && sent.code() == StatusCode::kUnavailable) {
    spdlog::warn("mail {}: attempt {} failed: {}; next attempt at {}", mail.id, mail.attempts,
                 sent.message(), FormatRfc3339(*retry));
    recorded = store_.RetryMail(mail.id, *retry, sent.message());
  } else {
    spdlog::error("mail {}: given up after {} attempts since {}: {}", mail.id, mail.attempts,
                  FormatRfc3339(mail.created_at), sent.message());
    recorded = store_.FailMail(mail.id, now, sent.message());
  }
  // Unrecorded, the mail is tried again once its lease ends.
  if (!recorded.ok()) spdlog::warn("mail {}: {}", mail.id, recorded.message());
}

}  // namespace tfzo
