#include "mail/mime_message.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <memory>

namespace tfzo {
namespace {

constexpr std::string_view kCrlf = "\r\n";
// RFC 5322's limit on a line, CRLF excluded.
constexpr size_t kMaxLine = 998;
// Quoted-printable lines, '=' of a soft break included (RFC 2045).
constexpr size_t kMaxQpLine = 76;
// Bytes of text per encoded word: 56 base64 characters, 68 with "=?UTF-8?B?" and "?=" (RFC
// 2047: at most 75), 77 after "Subject: " (RFC 5322: lines should stay within 78).
constexpr size_t kWordBytes = 42;

bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

bool IsControl(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

// A header value on one line: every control character (CR and LF above all) becomes a space.
std::string OneLine(std::string_view s) {
  std::string out(s);
  std::replace_if(out.begin(), out.end(), IsControl, ' ');
  return out;
}

std::string Base64(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.pop_back();  // the terminating NUL
  return out;
}

// RFC 2047 encoded words ("=?UTF-8?B?...?="), folded onto lines of their own; a word never
// splits a UTF-8 character.
std::string EncodedWords(std::string_view text) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    size_t n = std::min(kWordBytes, text.size() - i);
    size_t whole = n;  // back to the start of a character: a continuation byte is 10xxxxxx
    while (whole > 0 && i + whole < text.size() &&
           (static_cast<unsigned char>(text[i + whole]) & 0xC0) == 0x80) {
      --whole;
    }
    if (whole > 0) n = whole;  // else not UTF-8: cut anywhere
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64(text.substr(i, n)) + "?=";
    i += n;
  }
  return out;
}

// An unstructured value (Subject): as it is when plain ASCII, else encoded words. ASCII that
// looks like an encoded word ("=?") is encoded too, so a reader decodes nothing it should not.
std::string Unstructured(std::string_view text) {
  std::string line = OneLine(text);
  if (IsAscii(line) && line.size() <= kMaxLine - 20 && line.find("=?") == std::string::npos) {
    return line;
  }
  return EncodedWords(line);
}

// A display name: a quoted string, or encoded words when it is not ASCII.
std::string Phrase(std::string_view name) {
  std::string line = OneLine(name);
  if (!IsAscii(line) || line.find("=?") != std::string::npos) return EncodedWords(line);
  std::string out = "\"";
  for (char c : line) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string FormatMailbox(const Mailbox& m) {
  if (m.name.empty()) return m.address;
  return Phrase(m.name) + " <" + m.address + ">";
}

// `text` as lines ending in LF: CRLF and lone CR become LF.
std::string UnixLines(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      if (i + 1 < text.size() && text[i + 1] == '\n') continue;
      out += '\n';
    } else {
      out += text[i];
    }
  }
  return out;
}

// Whether the part can go as it is: ASCII, no NUL or other control character than tab, no
// line over kMaxLine.
bool Is7bit(std::string_view lines) {
  size_t line = 0;
  for (char c : lines) {
    if (c == '\n') {
      line = 0;
      continue;
    }
    if (static_cast<unsigned char>(c) >= 0x80 || (IsControl(c) && c != '\t') || ++line > kMaxLine) {
      return false;
    }
  }
  return true;
}

std::string WithCrlf(std::string_view lines) {
  std::string out;
  out.reserve(lines.size() + lines.size() / 32);
  for (char c : lines) {
    if (c == '\n') {
      out += kCrlf;
    } else {
      out += c;
    }
  }
  return out;
}

// RFC 2045 quoted-printable of UTF-8 text with LF line ends: hard line breaks stay CRLF,
// longer lines get soft breaks ("=" CRLF), whitespace before a line end is encoded.
std::string QuotedPrintable(std::string_view lines) {
  std::string out;
  size_t column = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    const char c = lines[i];
    if (c == '\n') {
      out += kCrlf;
      column = 0;
      continue;
    }
    const auto u = static_cast<unsigned char>(c);
    const bool line_end = i + 1 == lines.size() || lines[i + 1] == '\n';
    const bool literal =
        (u >= 33 && u <= 126 && c != '=') || ((c == ' ' || c == '\t') && !line_end);
    const std::string token = literal ? std::string(1, c) : fmt::format("={:02X}", u);
    // Room for the token and, unless the line ends right after it, a soft break's '='.
    if (column + token.size() + (line_end ? 0 : 1) > kMaxQpLine) {
      out += "=\r\n";
      column = 0;
    }
    out += token;
    column += token.size();
  }
  return out;
}

// One part of the alternative: headers, a blank line, the body ending in CRLF.
std::string Part(std::string_view type, std::string_view body) {
  const std::string lines = UnixLines(body);
  const bool plain = Is7bit(lines);
  std::string out =
      fmt::format("Content-Type: {}; charset=utf-8\r\nContent-Transfer-Encoding: {}\r\n\r\n", type,
                  plain ? "7bit" : "quoted-printable");
  out += plain ? WithCrlf(lines) : QuotedPrintable(lines);
  if (!out.ends_with(kCrlf)) out += kCrlf;
  return out;
}

bool IsAtext(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
         std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

bool IsDomain(std::string_view d) {
  if (d.size() > 2 && d.front() == '[' && d.back() == ']') {  // an address literal
    d = d.substr(1, d.size() - 2);
    if (d.starts_with("IPv6:")) d.remove_prefix(5);
    return !d.empty() && std::all_of(d.begin(), d.end(), [](char c) {
      return std::isxdigit(static_cast<unsigned char>(c)) || c == '.' || c == ':';
    });
  }
  if (d.empty() || d.size() > 253 || d.front() == '.' || d.back() == '.' ||
      d.find("..") != std::string_view::npos) {
    return false;
  }
  return std::all_of(d.begin(), d.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
  });
}

std::string Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

bool IsPlainAddress(std::string_view address) {
  const size_t at = address.rfind('@');
  if (address.size() > 254 || at == std::string_view::npos || at == 0 || at > 64) return false;
  const std::string_view local = address.substr(0, at);
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return false;
  }
  const bool atoms =
      std::all_of(local.begin(), local.end(), [](char c) { return IsAtext(c) || c == '.'; });
  return atoms && IsDomain(address.substr(at + 1));
}

Result<Mailbox> ParseMailbox(std::string_view text) {
  if (std::any_of(text.begin(), text.end(), IsControl)) {
    return InvalidRequest("control characters (such as CR or LF) are not allowed in an address");
  }
  Mailbox m;
  const size_t open = text.rfind('<');
  if (open == std::string_view::npos) {
    m.address = Trim(text);
  } else {
    const std::string rest = Trim(text.substr(open + 1));
    if (!rest.ends_with('>')) return InvalidRequest("expected Name <local@domain>");
    m.address = rest.substr(0, rest.size() - 1);
    m.name = Trim(text.substr(0, open));
    if (m.name.size() >= 2 && m.name.front() == '"' && m.name.back() == '"') {
      std::string unquoted;
      for (size_t i = 1; i + 1 < m.name.size(); ++i) {
        if (m.name[i] == '\\' && i + 2 < m.name.size()) ++i;
        unquoted += m.name[i];
      }
      m.name = std::move(unquoted);
    }
  }
  if (!IsPlainAddress(m.address)) {
    return InvalidRequest("\"" + m.address + "\" is not a plain address (local@domain)");
  }
  return m;
}

Result<Mailbox> DefaultSender(std::string_view console_url) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> url(curl_url(), curl_url_cleanup);
  char* host = nullptr;
  if (!url || curl_url_set(url.get(), CURLUPART_URL, std::string(console_url).c_str(), 0) != 0 ||
      curl_url_get(url.get(), CURLUPART_HOST, &host, 0) != 0) {
    return InvalidRequest("no host in the console URL " + std::string(console_url));
  }
  std::string domain = host;
  curl_free(host);
  if (domain.starts_with('[')) {
    domain = "[IPv6:" + domain.substr(1);  // RFC 5321's IPv6 address literal
  } else if (std::all_of(domain.begin(), domain.end(), [](char c) {
               return std::isdigit(static_cast<unsigned char>(c)) || c == '.';
             })) {
    domain = "[" + domain + "]";
  }
  Mailbox m{.name = "2501 Accounts", .address = "accounts@" + domain};
  if (!IsPlainAddress(m.address))
    return InvalidRequest("no mail domain in " + std::string(console_url));
  return m;
}

std::string FormatMessageDate(Time t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd(day);
  const std::chrono::hh_mm_ss hms(t - day);
  return fmt::format("{}, {:02d} {} {} {:02d}:{:02d}:{:02d} +0000",
                     kDays[std::chrono::weekday(day).c_encoding()],
                     static_cast<unsigned>(ymd.day()),
                     kMonths[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

Result<std::string> BuildMessage(const MailMessage& mail, const MessageFields& fields) {
  if (!IsPlainAddress(mail.to)) return InvalidRequest("the recipient is not a plain address");
  if (!IsPlainAddress(fields.from.address))
    return InvalidRequest("the sender is not a plain address");
  // A boundary starting "=_" never occurs in quoted-printable; a 7bit part is searched.
  std::string boundary = "=_tfzo_alternative";
  while (mail.text.find(boundary) != std::string::npos ||
         mail.html.find(boundary) != std::string::npos) {
    boundary += "_";
  }
  std::string out;
  out += "Date: " + FormatMessageDate(fields.date) + "\r\n";
  out += "From: " + FormatMailbox(fields.from) + "\r\n";
  out += "To: " + mail.to + "\r\n";
  out += "Subject: " + Unstructured(mail.subject) + "\r\n";
  out += "Message-ID: <" + OneLine(fields.message_id) + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Auto-Submitted: auto-generated\r\n";  // RFC 3834: no vacation replies
  out += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  out += "--" + boundary + "\r\n" + Part("text/plain", mail.text);
  out += "--" + boundary + "\r\n" + Part("text/html", mail.html);
  out += "--" + boundary + "--\r\n";
  return out;
}

}  // namespace tfzo
