#ifndef TFZO_MAIL_MAIL_SENDER_H_
#define TFZO_MAIL_MAIL_SENDER_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>
#include <utility>
#include <vector>

#include "core/time.h"
#include "mail/mail_transport.h"
#include "mail/mime_message.h"
#include "model/store.h"

namespace tfzo {

// When to try a mail again after its `attempts`-th attempt failed at `now`: kFirstRetry later,
// doubling with each attempt up to kMaxRetry; nullopt (give up) once the mail was queued
// kGiveUpAfter or more before `now`.
inline constexpr std::chrono::seconds kFirstRetry{10};
inline constexpr std::chrono::seconds kMaxRetry{600};
inline constexpr std::chrono::hours kGiveUpAfter{72};
std::optional<Time> RetryAt(int attempts, Time created_at, Time now);

// Sends the store's queued mail in the background, on a thread of its own: claims the oldest
// due mail (leased for kLease, so that of several nodes on one database one sends each mail),
// builds the message, hands it to the transport and marks it sent, or schedules its retry
// (RetryAt), or gives up on it (logged); then the next, until none is due; then it waits for
// Wake() or the next poll. Requests only queue mail in the store: a slow or dead mail server
// never holds one up.
//
// At least once: a crash after the server accepted a message (SMTP's 250) and before the mark
// sends it again once the lease ends; nothing queued is lost. Owned by the server's wiring;
// Wake() and Stop() are thread-safe.
class MailSender {
 public:
  // Longer than any send may take (SmtpTransport: kTimeout), so a lease never ends while its
  // holder is still sending.
  static constexpr std::chrono::seconds kLease{120};

  struct Options {
    // How often the queue is read when nothing woke the sender: mails other nodes queue, and
    // retries that came due.
    std::chrono::milliseconds poll{1000};
  };

  // Starts the thread. `store`, `transport` and `clock` must outlive it.
  MailSender(Store& store, MailTransport& transport, Mailbox from, const Clock& clock,
             Options options);
  ~MailSender();
  MailSender(const MailSender&) = delete;
  MailSender& operator=(const MailSender&) = delete;

  // Something was queued: look now instead of at the next poll.
  void Wake();
  // Stops the thread; a send in progress is abandoned at once and its mail released for the
  // next start (or another node). Idempotent.
  void Stop();

 private:
  void Run(std::stop_token stop);
  // Sends every mail due now, until none is left or `stop`.
  void SendDue(std::stop_token stop);
  void Send(const QueuedMail& mail, std::stop_token stop);
  // Marks sent the mails whose mark the store refused (it was unreachable); false while it still
  // refuses.
  bool MarkPending();

  Store& store_;
  MailTransport& transport_;
  const Mailbox from_;
  const Clock& clock_;
  const Options options_;

  std::mutex mu_;
  std::condition_variable_any wake_;
  bool woken_ = false;  // guarded by mu_
  // Sent, not yet marked: (mail id, when). The sender's thread only.
  std::vector<std::pair<int64_t, Time>> unmarked_;
  bool store_failing_ = false;  // the sender's thread only: said once in the log per outage
  std::jthread thread_;         // last: starts once the rest is ready
};

}  // namespace tfzo

#endif  // TFZO_MAIL_MAIL_SENDER_H_
