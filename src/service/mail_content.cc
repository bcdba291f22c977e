#include "service/mail_content.h"

#include <fmt/format.h>

namespace tfzo {
namespace {

std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

constexpr char kSignature[] = "2501 Accounts";

}  // namespace

MailMessage ComposeMail(std::string to, const MailContent& content) {
  std::string text;
  std::string html = "<!DOCTYPE html><html><body style=\"font-family:sans-serif;line-height:1.5\">";
  for (const std::string& p : content.paragraphs) {
    text += p + "\n\n";
    html += fmt::format("<p>{}</p>", EscapeHtml(p));
  }
  if (!content.facts.empty()) {
    html += "<table>";
    for (const auto& [label, value] : content.facts) {
      text += fmt::format("{}: {}\n", label, value);
      html += fmt::format("<tr><td>{}</td><td>{}</td></tr>", EscapeHtml(label), EscapeHtml(value));
    }
    text += "\n";
    html += "</table>";
  }
  if (!content.url.empty()) {
    text += fmt::format("{}:\n{}\n\n", content.action, content.url);
    html += fmt::format("<p><a href=\"{}\">{}</a></p>", EscapeHtml(content.url),
                        EscapeHtml(content.action));
  }
  text += fmt::format("-- \n{}\n", kSignature);
  html += fmt::format("<p>&mdash;<br>{}</p></body></html>\n", kSignature);
  return MailMessage{.to = std::move(to),
                     .subject = content.subject,
                     .text = std::move(text),
                     .html = std::move(html)};
}

}  // namespace tfzo
