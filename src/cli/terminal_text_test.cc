#include "cli/terminal_text.h"

#include <gtest/gtest.h>

namespace tfzo::cli {
namespace {

TEST(TerminalSafeTest, EscapesControlsBidiAndInvalidUtf8) {
  EXPECT_EQ(TerminalSafe("Acme GmbH — Zürich 東京"), "Acme GmbH — Zürich 東京");
  EXPECT_EQ(TerminalSafe("a\x1b[31mb\x07"), "a\\x1b[31mb\\x07");
  EXPECT_EQ(TerminalSafe("a\nb\r\t\x7f"), "a\\x0ab\\x0d\\x09\\x7f");
  EXPECT_EQ(TerminalSafe("a\nb", /*keep_newlines=*/true), "a\nb");
  EXPECT_EQ(TerminalSafe("\xc2\x9b"
                         "2J"),
            "\\u009b2J");                                  // C1 CSI, UTF-8
  EXPECT_EQ(TerminalSafe("x\xe2\x80\xaey"), "x\\u202ey");  // RIGHT-TO-LEFT OVERRIDE
  EXPECT_EQ(TerminalSafe("\xe2\x81\xa6z\xe2\x80\x8f"), "\\u2066z\\u200f");
  EXPECT_EQ(TerminalSafe("\x9b"
                         "2J"),
            "\\x9b2J");                                        // a lone byte
  EXPECT_EQ(TerminalSafe("\xc0\x9b"), "\\xc0\\x9b");           // overlong
  EXPECT_EQ(TerminalSafe("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // a surrogate
  EXPECT_EQ(TerminalSafe("\xe2\x80"), "\\xe2\\x80");           // cut short
}

TEST(TerminalSafeTest, JsonIsKeptWhenSafeAndReEncodedOtherwise) {
  EXPECT_EQ(TerminalSafeJson(R"({"name":"Zürich"})"), R"({"name":"Zürich"})");
  EXPECT_EQ(TerminalSafeJson("{\"name\":\"a\xe2\x80\xae\"}"), R"({"name":"a\u202e"})");
  EXPECT_EQ(TerminalSafeJson("not json \x1b"), "not json \\x1b");
  nlohmann::json j = {{"a", {"x\x1b", 1}}, {"b", "ok"}};
  MakeTerminalSafe(j);
  EXPECT_EQ(j["a"][0], "x\\x1b");
  EXPECT_EQ(j["b"], "ok");
}

}  // namespace
}  // namespace tfzo::cli
