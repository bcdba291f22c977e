#ifndef TFZO_MAIL_OUTBOX_TRANSPORT_H_
#define TFZO_MAIL_OUTBOX_TRANSPORT_H_

#include <memory>
#include <string>

#include "core/result.h"
#include "mail/mail_transport.h"

namespace tfzo {

// Writes each message into a directory as <envelope name>.eml instead of sending it, when no
// SMTP server is configured (`make run`): one person on one machine opens the file and follows
// its link. A file is written under a temporary name, synced and renamed, so a reader never
// sees half a message, and the same mail written again (after a crash before it was marked
// sent) replaces its file. Files are 0600 in a 0700 directory: they hold link tokens. Logs each
// file's path, never its contents. Owned by the server's wiring; used by one thread at a time.
class OutboxTransport final : public MailTransport {
 public:
  // Creates `dir` (and its parents, 0700) if missing. kUnavailable when it cannot.
  static Result<std::unique_ptr<OutboxTransport>> Create(const std::string& dir);

  Status Send(const Envelope& envelope, std::string_view message, std::stop_token stop) override;
  std::string Describe() const override;

 private:
  explicit OutboxTransport(std::string dir) : dir_(std::move(dir)) {}

  std::string dir_;  // absolute
};

}  // namespace tfzo

#endif  // TFZO_MAIL_OUTBOX_TRANSPORT_H_
