#ifndef TFZO_MAIL_MIME_MESSAGE_H_
#define TFZO_MAIL_MIME_MESSAGE_H_

// The message as it travels (RFC 5322 and MIME): header fields a value can never break out
// of, the subject and display names encoded per RFC 2047 when they are not ASCII, and one
// multipart/alternative body holding the text and the HTML part, in UTF-8.

#include <string>
#include <string_view>

#include "core/result.h"
#include "core/time.h"
#include "model/records.h"

namespace tfzo {

// A mailbox as a header shows it: "2501 Accounts <accounts@example.com>". Value type.
struct Mailbox {
  std::string name;     // the display name; "" for none
  std::string address;  // local@domain, a plain address (IsPlainAddress)
};

// Whether `address` is local@domain in plain ASCII, the same in a header field and in the
// SMTP envelope: an atom-text local part and a host name or [address literal], no space, no
// CR or LF, no angle bracket. Every address the service accepts is one (validation.h).
bool IsPlainAddress(std::string_view address);

// "Name <local@domain>", "\"Name\" <local@domain>" or "local@domain" (--mail-from).
// kInvalidRequest saying what is wrong (control characters such as CR and LF, no plain address).
Result<Mailbox> ParseMailbox(std::string_view text);

// "2501 Accounts <accounts@HOST>", HOST being the console URL's host (an IP address in
// brackets, as an address literal): --mail-from's default.
Result<Mailbox> DefaultSender(std::string_view console_url);

// What a message has besides the mail's own fields.
struct MessageFields {
  Mailbox from;
  std::string message_id;  // id-left@id-right, without the angle brackets
  Time date;
};

// The whole message, CRLF line ends: Date, From, To, Subject, Message-ID, MIME-Version,
// Auto-Submitted, then multipart/alternative with the text part and then the HTML part (the
// last is the preferred one). A part goes as it is (7bit) when it is ASCII with no line over
// 998 characters, else quoted-printable. Control characters in header values (CR and LF
// above all) become spaces, so no value adds a header field. kInvalidRequest when the
// recipient is not a plain address: retrying would not help.
Result<std::string> BuildMessage(const MailMessage& mail, const MessageFields& fields);

// RFC 5322's date-time: "Mon, 30 Nov 2026 10:15:00 +0000".
std::string FormatMessageDate(Time t);

}  // namespace tfzo

#endif  // TFZO_MAIL_MIME_MESSAGE_H_
