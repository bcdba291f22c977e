#ifndef TFZO_MAIL_MAIL_TRANSPORT_H_
#define TFZO_MAIL_MAIL_TRANSPORT_H_

#include <stop_token>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tfzo {

// Who a message goes from and to, as the SMTP envelope says it.
struct Envelope {
  std::string from;  // plain addresses (IsPlainAddress)
  std::string to;
  // Unique to the mail and the same at every attempt ("20261130T101500Z-42"): the outbox
  // directory's file name.
  std::string name;
};

// Where built messages go: an SMTP server (SmtpTransport) or a directory (OutboxTransport).
// Used by MailSender's thread only; implementations need not be thread-safe.
class MailTransport {
 public:
  virtual ~MailTransport() = default;

  // Hands over one whole message (RFC 5322, CRLF line ends). Returns at once, failed, when
  // `stop` is requested. Errors: kUnavailable (worth trying again: the server is down, busy
  // or refused it for now), its message the server's reply or the transport's error, never a
  // secret.
  virtual Status Send(const Envelope& envelope, std::string_view message, std::stop_token stop) = 0;

  // Where mail goes, for the log line at start.
  virtual std::string Describe() const = 0;
};

}  // namespace tfzo

#endif  // TFZO_MAIL_MAIL_TRANSPORT_H_
