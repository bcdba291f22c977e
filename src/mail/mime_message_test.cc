#include "mail/mime_message.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <string>
#include <vector>

namespace tfzo {
namespace {

const MessageFields kFields{.from = {.name = "2501 Accounts", .address = "accounts@example.com"},
                            .message_id = "tfzo.42.1800000000@example.com",
                            .date = FromUnix(1'800'000'000)};

MailMessage Mail(std::string subject, std::string text = "Hello.\n",
                 std::string html = "<p>Hello.</p>\n") {
  return MailMessage{.to = "ada@example.com",
                     .subject = std::move(subject),
                     .text = std::move(text),
                     .html = std::move(html)};
}

std::string Build(const MailMessage& mail) {
  auto built = BuildMessage(mail, kFields);
  EXPECT_TRUE(built.ok()) << built.status().message();
  return built.ok() ? *built : "";
}

// The message's lines, CRLF removed; fails the test on a bare CR or LF.
std::vector<std::string> Lines(const std::string& message) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < message.size()) {
    const size_t end = message.find("\r\n", start);
    EXPECT_NE(end, std::string::npos) << "the message does not end in CRLF";
    if (end == std::string::npos) break;
    std::string line = message.substr(start, end - start);
    EXPECT_EQ(line.find_first_of("\r\n"), std::string::npos) << "bare CR or LF: " << line;
    lines.push_back(std::move(line));
    start = end + 2;
  }
  return lines;
}

// The header section's fields, continuation lines unfolded.
std::vector<std::string> HeaderFields(const std::string& message) {
  std::vector<std::string> fields;
  for (const std::string& line : Lines(message)) {
    if (line.empty()) break;
    if (line.front() == ' ' || line.front() == '\t') {
      fields.back() += line;
    } else {
      fields.push_back(line);
    }
  }
  return fields;
}

std::string Field(const std::string& message, const std::string& name) {
  for (const std::string& f : HeaderFields(message)) {
    if (f.starts_with(name + ": ")) return f.substr(name.size() + 2);
  }
  return "";
}

// Decodes a run of "=?UTF-8?B?...?=" words separated by folding whitespace.
std::string DecodeWords(std::string value) {
  std::string out;
  size_t pos = 0;
  while ((pos = value.find("=?UTF-8?B?", pos)) != std::string::npos) {
    const size_t start = pos + 10;
    const size_t end = value.find("?=", start);
    const std::string b64 = value.substr(start, end - start);
    EXPECT_LE(end + 2 - pos, 75u) << "an encoded word over 75 characters";
    std::string bytes(b64.size(), '\0');
    size_t n = 0;
    EXPECT_EQ(
        sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), b64.data(),
                          b64.size(), nullptr, &n, nullptr, sodium_base64_VARIANT_ORIGINAL),
        0);
    bytes.resize(n);
    // Each word holds whole characters: it is valid UTF-8 on its own.
    if (!bytes.empty()) {
      EXPECT_NE(static_cast<unsigned char>(bytes.front()) & 0xC0, 0x80) << "a split character";
    }
    out += bytes;
    pos = end + 2;
  }
  return out;
}

TEST(BuildMessage, HasTheHeaderFieldsAndBothParts) {
  const std::string message =
      Build(Mail("A key was created on your account",
                 "Key \"ci\" was created.\n\nOpen:\nhttps://x.test/#/keys\n",
                 "<p>Key &quot;ci&quot; was created.</p>"));
  EXPECT_EQ(Field(message, "Date"), "Fri, 15 Jan 2027 08:00:00 +0000");
  EXPECT_EQ(Field(message, "From"), "\"2501 Accounts\" <accounts@example.com>");
  EXPECT_EQ(Field(message, "To"), "ada@example.com");
  EXPECT_EQ(Field(message, "Subject"), "A key was created on your account");
  EXPECT_EQ(Field(message, "Message-ID"), "<tfzo.42.1800000000@example.com>");
  EXPECT_EQ(Field(message, "MIME-Version"), "1.0");
  EXPECT_EQ(Field(message, "Content-Type"),
            "multipart/alternative; boundary=\"=_tfzo_alternative\"");

  const std::vector<std::string> lines = Lines(message);
  const auto at = [&](const std::string& line) {
    return std::find(lines.begin(), lines.end(), line) - lines.begin();
  };
  const auto text = at("Content-Type: text/plain; charset=utf-8");
  const auto html = at("Content-Type: text/html; charset=utf-8");
  const auto end = at("--=_tfzo_alternative--");
  ASSERT_LT(text, html);  // the preferred part (HTML) last
  ASSERT_LT(html, end);
  EXPECT_EQ(end, static_cast<long>(lines.size()) - 1);
  EXPECT_EQ(lines[text - 1], "--=_tfzo_alternative");
  EXPECT_EQ(lines[html - 1], "--=_tfzo_alternative");
  // ASCII parts go as they are: the link reads (and copies) as it is.
  EXPECT_EQ(lines[text + 1], "Content-Transfer-Encoding: 7bit");
  EXPECT_EQ(lines[text + 3], "Key \"ci\" was created.");
  EXPECT_NE(at("https://x.test/#/keys"), static_cast<long>(lines.size()));
  EXPECT_EQ(lines[html + 3], "<p>Key &quot;ci&quot; was created.</p>");
}

TEST(BuildMessage, NoHeaderValueStartsAField) {
  const std::string message =
      Build(Mail("Hello\r\nBcc: victim@example.com\nX-Evil: 1\rZ", "body\n"));
  for (const std::string& field : HeaderFields(message)) {
    EXPECT_FALSE(field.starts_with("Bcc")) << field;
    EXPECT_FALSE(field.starts_with("X-Evil")) << field;
  }
  EXPECT_EQ(Field(message, "Subject"), "Hello  Bcc: victim@example.com X-Evil: 1 Z");

  MailMessage to_injection = Mail("s");
  to_injection.to = "ada@example.com\r\nBcc: victim@example.com";
  EXPECT_EQ(BuildMessage(to_injection, kFields).status().code(), StatusCode::kInvalidRequest);
  for (const char* bad :
       {"ada@example.com>", "<ada@example.com", "a da@example.com", "ada@example.com,b@example.com",
        "ada", "@example.com", "ada@", "ada@exa mple.com", "ada@ex\nample.com"}) {
    to_injection.to = bad;
    EXPECT_EQ(BuildMessage(to_injection, kFields).status().code(), StatusCode::kInvalidRequest)
        << bad;
  }

  MessageFields fields = kFields;
  fields.from.name = "Accounts\r\nBcc: victim@example.com";
  const std::string from_name = *BuildMessage(Mail("s"), fields);
  EXPECT_EQ(Field(from_name, "From"),
            "\"Accounts  Bcc: victim@example.com\" <accounts@example.com>");
  EXPECT_EQ(Field(from_name, "Bcc"), "");
}

TEST(BuildMessage, EncodesANonAsciiSubjectInWholeCharacters) {
  const std::string subject =
      "Votre clé « déploiement » expire dans 7 jours — ✓ 🔑 " + std::string(60, 'x') + " é";
  const std::string message = Build(Mail(subject));
  const std::string field = Field(message, "Subject");
  EXPECT_TRUE(field.starts_with("=?UTF-8?B?")) << field;
  EXPECT_EQ(DecodeWords(field), subject);
  for (const std::string& line : Lines(message)) EXPECT_LE(line.size(), 78u) << line;
  // ASCII that looks like an encoded word is encoded, so it is read back as written.
  const std::string lookalike = Build(Mail("=?UTF-8?B?SGk=?="));
  EXPECT_EQ(DecodeWords(Field(lookalike, "Subject")), "=?UTF-8?B?SGk=?=");
  // A non-ASCII display name too.
  MessageFields fields = kFields;
  fields.from.name = "Comptes 2501 — équipe";
  const std::string from = Field(*BuildMessage(Mail("s"), fields), "From");
  EXPECT_TRUE(from.ends_with(" <accounts@example.com>")) << from;
  EXPECT_EQ(DecodeWords(from), "Comptes 2501 — équipe");
}

// Decodes quoted-printable (soft breaks joined, =XX replaced, CRLF to LF).
std::string DecodeQp(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) {
    EXPECT_LE(line.size(), 76u) << line;
    std::string l = line;
    const bool soft = !l.empty() && l.back() == '=';
    if (soft) l.pop_back();
    EXPECT_TRUE(l.empty() || (l.back() != ' ' && l.back() != '\t')) << "trailing space: " << l;
    for (size_t i = 0; i < l.size(); ++i) {
      if (l[i] == '=') {
        out += static_cast<char>(std::stoi(l.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        out += l[i];
      }
    }
    if (!soft) out += '\n';
  }
  return out;
}

TEST(BuildMessage, QuotedPrintableForNonAsciiOrLongLines) {
  const std::string text = "Clé « ci » créée. Équipe = 2501.   \n" + std::string(1200, 'a') +
                           "\n\ttab and trailing tab\t\n";
  const std::string html = "<p>Clé</p>";
  const std::vector<std::string> lines = Lines(Build(Mail("s", text, html)));
  const auto first =
      std::find(lines.begin(), lines.end(), "Content-Transfer-Encoding: quoted-printable");
  ASSERT_NE(first, lines.end());
  const auto text_end = std::find(first, lines.end(), "--=_tfzo_alternative");
  EXPECT_EQ(DecodeQp({first + 2, text_end}), text);
  const auto second =
      std::find(text_end, lines.end(), "Content-Transfer-Encoding: quoted-printable");
  ASSERT_NE(second, lines.end());
  const auto html_end = std::find(second, lines.end(), "--=_tfzo_alternative--");
  EXPECT_EQ(DecodeQp({second + 2, html_end}), html + "\n");
}

TEST(BuildMessage, TheBoundaryNeverOccursInAPart) {
  const std::string message = Build(Mail("s", "--=_tfzo_alternative\n", "x"));
  EXPECT_EQ(Field(message, "Content-Type"),
            "multipart/alternative; boundary=\"=_tfzo_alternative_\"");
}

TEST(ParseMailbox, TakesTheUsualFormsAndRefusesInjection) {
  auto named = ParseMailbox("2501 Accounts <accounts@example.com>");
  ASSERT_TRUE(named.ok());
  EXPECT_EQ(named->name, "2501 Accounts");
  EXPECT_EQ(named->address, "accounts@example.com");
  auto quoted = ParseMailbox("\"Ops \\\"team\\\"\" <ops@example.com>");
  ASSERT_TRUE(quoted.ok());
  EXPECT_EQ(quoted->name, "Ops \"team\"");
  auto bare = ParseMailbox(" noreply@mail.example.com ");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(bare->name, "");
  EXPECT_EQ(bare->address, "noreply@mail.example.com");
  for (const char* bad : {"Evil\r\nBcc: v@example.com <a@example.com>", "a@example.com\n",
                          "Name <a@example.com", "Name <>", "not an address", ""}) {
    EXPECT_EQ(ParseMailbox(bad).status().code(), StatusCode::kInvalidRequest) << bad;
  }
}

TEST(DefaultSender, IsAccountsAtTheConsolesHost) {
  EXPECT_EQ(DefaultSender("https://accounts.example.com/base")->address,
            "accounts@accounts.example.com");
  EXPECT_EQ(DefaultSender("http://127.0.0.1:8080")->address, "accounts@[127.0.0.1]");
  EXPECT_EQ(DefaultSender("http://[::1]:8080")->address, "accounts@[IPv6:::1]");
  EXPECT_EQ(DefaultSender("https://accounts.example.com")->name, "2501 Accounts");
  EXPECT_FALSE(DefaultSender("not a url").ok());
}

TEST(FormatMessageDate, IsRfc5322) {
  EXPECT_EQ(FormatMessageDate(FromUnix(0)), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(FormatMessageDate(FromUnix(1'796'040'862)), "Mon, 30 Nov 2026 12:14:22 +0000");
}

}  // namespace
}  // namespace tfzo
