#ifndef TFZO_SERVICE_MAIL_CONTENT_H_
#define TFZO_SERVICE_MAIL_CONTENT_H_

#include <string>
#include <utility>
#include <vector>

#include "model/records.h"

namespace tfzo {

// What a mail of the system says, in the one shape they all share: what happened (a few
// paragraphs), the facts a person checks (when, from which address, which key), and the one
// link to act on. ComposeMail renders it as plain text and as HTML (escaped: names and
// addresses come from users). Plain values.
struct MailContent {
  std::string subject{};
  std::vector<std::string> paragraphs{};
  std::vector<std::pair<std::string, std::string>> facts{};  // ("When", "2026-11-30 ...")
  std::string action{};                                      // the link's text
  std::string url{};                                         // absolute; "" for no link
};

MailMessage ComposeMail(std::string to, const MailContent& content);

}  // namespace tfzo

#endif  // TFZO_SERVICE_MAIL_CONTENT_H_
