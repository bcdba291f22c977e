#include "http/log_safe.h"

#include <gtest/gtest.h>

namespace tfzo::http {
namespace {

TEST(LogSafeTest, PrintableAsciiIsKept) {
  EXPECT_EQ(LogSafe("/api/v1/orgs/org_1/agents?x=1&y=%20"), "/api/v1/orgs/org_1/agents?x=1&y=%20");
  EXPECT_EQ(LogSafe(""), "");
}

TEST(LogSafeTest, ControlsAndNonAsciiBecomeHexEscapes) {
  EXPECT_EQ(LogSafe(std::string_view("a\nb\rc\0d\x1b[31m\x7f", 13)),
            "a\\x0Ab\\x0Dc\\x00d\\x1B[31m\\x7F");
  EXPECT_EQ(LogSafe("caf\xc3\xa9"), "caf\\xC3\\xA9");  // é in UTF-8
  EXPECT_EQ(LogSafe("x\xe2\x80\xae"
                    "gnp.exe"),
            "x\\xE2\\x80\\xAEgnp.exe");  // U+202E
}

TEST(LogSafeTest, QuotesAndBackslashesAreEscaped) {
  EXPECT_EQ(LogSafe(R"(a"b\c)"), R"(a\"b\\c)");
  // A forged log line cannot be produced: its newline and quotes come out escaped.
  EXPECT_EQ(LogSafe("/x\n2026-01-01T00:00:00Z info GET / 200 \"ok\""),
            "/x\\x0A2026-01-01T00:00:00Z info GET / 200 \\\"ok\\\"");
}

TEST(LogSafeTest, ApiKeysAreRedacted) {
  const std::string key = "tfzo_0000000000000000000000000000002C8GjS";
  EXPECT_EQ(LogSafe("/api/v1/keys/" + key), "/api/v1/keys/tfzo_[redacted]");
  EXPECT_EQ(LogSafe("/x?key=" + key + "&b=1"), "/x?key=tfzo_[redacted]&b=1");
  EXPECT_EQ(LogSafe(key + "/" + key), "tfzo_[redacted]/tfzo_[redacted]");
  // A part of a key is still secret; the prefix in any case, or percent-encoded.
  EXPECT_EQ(LogSafe("/tfzo_abc"), "/tfzo_[redacted]");
  EXPECT_EQ(LogSafe("/TFZO_abc"), "/TFZO_[redacted]");
  EXPECT_EQ(LogSafe("/tfzo%5Fabc"), "/tfzo%5F[redacted]");
  EXPECT_EQ(LogSafe("/tfzo%5fabc"), "/tfzo%5f[redacted]");
  // Nothing after the prefix: nothing to hide.
  EXPECT_EQ(LogSafe("/tfzo_"), "/tfzo_");
  EXPECT_EQ(LogSafe("/tfzo_/x"), "/tfzo_/x");
  EXPECT_EQ(LogSafe("/tfzo"), "/tfzo");
  // Redacted, then escaped: nothing of the key leaks through the escaping.
  EXPECT_EQ(LogSafe("tfzo_ab\ncd"), "tfzo_[redacted]\\x0Acd");
}

TEST(LogSafeTest, AppendLogSafeAddsToWhatIsThere) {
  std::string line = "GET ";
  AppendLogSafe("/caf\xc3\xa9/tfzo_abc", line);
  EXPECT_EQ(line, "GET /caf\\xC3\\xA9/tfzo_[redacted]");
}

}  // namespace
}  // namespace tfzo::http
