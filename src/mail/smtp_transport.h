#ifndef TFZO_MAIL_SMTP_TRANSPORT_H_
#define TFZO_MAIL_SMTP_TRANSPORT_H_

#include <chrono>
#include <memory>
#include <string>

#include "core/result.h"
#include "core/secret.h"
#include "mail/mail_transport.h"

namespace tfzo {

// Sends messages to an SMTP server through libcurl, one connection per message: smtp://
// upgrades with STARTTLS when the server offers it, and requires it when logging in (a
// password never crosses the network in clear); smtps:// is TLS from the first byte. The
// server's certificate is verified. Owned by the server's wiring; used by one thread at a time.
class SmtpTransport final : public MailTransport {
 public:
  // A message's whole exchange, connecting included, takes at most this long.
  static constexpr std::chrono::seconds kConnectTimeout{10};
  static constexpr std::chrono::seconds kTimeout{30};

  struct Options {
    std::string url;   // --smtp-url: smtp://HOST[:PORT] or smtps://HOST[:PORT]
    std::string user;  // --smtp-user; "" for no login
    Secret password;   // TFZO_SMTP_PASSWORD
  };

  // kInvalidRequest for a URL that is not smtp:// or smtps:// with a host, or that holds a
  // user or password (they go in --smtp-user and TFZO_SMTP_PASSWORD, never in a URL that is
  // logged), or for a user without a password.
  static Result<std::unique_ptr<SmtpTransport>> Create(Options options);

  Status Send(const Envelope& envelope, std::string_view message, std::stop_token stop) override;
  std::string Describe() const override;

 private:
  SmtpTransport(Options options, bool implicit_tls);

  Options options_;
  bool implicit_tls_;  // smtps://
};

}  // namespace tfzo

#endif  // TFZO_MAIL_SMTP_TRANSPORT_H_
