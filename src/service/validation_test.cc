// The text rules of docs/spec/API.md ("Text"): control and format characters, invalid UTF-8,
// NFC, lengths, and e-mail addresses.

#include "service/validation.h"

#include <gtest/gtest.h>

#include <string>

namespace tfzo {
namespace {

std::string MessageOf(const Result<std::string>& r) { return r.status().message(); }

TEST(CheckText, AcceptsOrdinaryTextAndReturnsIt) {
  auto r = CheckText("name", "Ada Lovelace — 数学者 🚀", 1, 100);
  ASSERT_TRUE(r.ok()) << MessageOf(r);
  EXPECT_EQ(*r, "Ada Lovelace — 数学者 🚀");
}

TEST(CheckText, RefusesControlAndFormatCharactersNamingTheField) {
  const char* refused[] = {
      "a\x01z",                 // C0
      "a\x7fz",                 // DEL
      "a\xc2\x85z",             // U+0085 NEL (C1)
      "a\xc2\x9bz",             // U+009B CSI (C1)
      "innocent\u202egnp.exe",  // RIGHT-TO-LEFT OVERRIDE
      "a\u202az",
      "a\u202dz",  // bidi embeddings and overrides
      "a\u2066z",
      "a\u2069z",  // bidi isolates
      "a\u200bz",
      "a\u200cz",
      "a\u200dz",     // zero-width space, non-joiner, joiner
      "\ufeffadmin",  // BOM / zero-width no-break space
      "ad\u00admin",  // soft hyphen
      "a\u2060z",     // word joiner
      "a\u2028z",
      "a\u2029z",      // line and paragraph separators
      "a\U000e0041z",  // a tag character
  };
  for (const char* text : refused) {
    auto r = CheckText("name", text, 0, 100, /*multiline=*/true);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidRequest);
    EXPECT_TRUE(MessageOf(r).starts_with("name: must not contain control")) << MessageOf(r);
  }
  std::string nul("a\0z", 3);
  EXPECT_FALSE(CheckText("name", nul, 0, 100, true).ok());
  EXPECT_EQ(MessageOf(CheckText("name", "innocent\u202egnp.exe", 0, 100)),
            "name: must not contain control or invisible formatting characters (U+202E at "
            "character 9)");
}

TEST(CheckText, NewlinesAndTabsOnlyInMultilineText) {
  for (const char* text : {"two\nlines", "tab\there", "crlf\r\n"}) {
    EXPECT_TRUE(CheckText("description", text, 0, 500, /*multiline=*/true).ok()) << text;
    EXPECT_FALSE(CheckText("name", text, 0, 100).ok()) << text;
  }
}

TEST(CheckText, RefusesInvalidUtf8) {
  const char* invalid[] = {
      "\xff",              // never valid
      "a\xc3",             // truncated
      "\xc0\xaf",          // overlong '/'
      "\xed\xa0\x80",      // a surrogate
      "\xf4\x90\x80\x80",  // above U+10FFFF
      "\x80",              // a lone continuation byte
  };
  for (const char* text : invalid) {
    auto r = CheckText("name", text, 0, 100);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(MessageOf(r), "name: must be valid UTF-8");
  }
}

TEST(CheckText, NormalizesToNfc) {
  auto r = CheckText("name", "Cafe\u0301", 1, 100);  // e + COMBINING ACUTE ACCENT
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "Caf\u00e9");
  EXPECT_EQ(*CheckText("name", "\u212b", 1, 100), "\u00c5");        // ANGSTROM SIGN -> Å
  EXPECT_EQ(*CheckText("name", "\u1100\u1161", 1, 100), "\uac00");  // Hangul jamo -> syllable
}

TEST(CheckText, CountsLengthInCodePointsAfterNormalization) {
  EXPECT_TRUE(CheckText("name", std::string(100, 'x'), 1, 100).ok());
  EXPECT_EQ(MessageOf(CheckText("name", std::string(101, 'x'), 1, 100)),
            "name: must be 1 to 100 characters");
  EXPECT_EQ(MessageOf(CheckText("name", "", 1, 100)), "name: must be 1 to 100 characters");
  EXPECT_EQ(MessageOf(CheckText("description", std::string(501, 'x'), 0, 500, true)),
            "description: must be at most 500 characters");
  // 100 decomposed é are 200 code points, but 100 once composed.
  std::string decomposed;
  for (int i = 0; i < 100; ++i) decomposed += "e\u0301";
  auto r = CheckText("name", decomposed, 1, 100);
  ASSERT_TRUE(r.ok()) << MessageOf(r);
  EXPECT_EQ(CodePoints(*r), 100u);
}

TEST(CheckEmail, FollowsWhatwgWithADotInTheDomainAndLowerCases) {
  for (const char* ok :
       {"ada@example.com", "a.b+tag@sub.example.co", "x!#$%&'*+/=?^_`{|}~-@a-b.c", "1@2.3"}) {
    auto r = CheckEmail("email", ok);
    EXPECT_TRUE(r.ok()) << ok << ": " << MessageOf(r);
  }
  EXPECT_EQ(*CheckEmail("email", "Ada@Example.COM"), "ada@example.com");
  const char* refused[] = {
      "a@b",  // WHATWG allows it; a dot in the domain is required here
      "",
      "ada",
      "@example.com",
      "ada@",
      "a@@example.com",
      "a@b@example.com",
      "ada @example.com",       // space
      "ada@example..com",       // empty label
      "ada@.example.com",       // label starts with a dot
      "ada@-example.com",       // label starts with '-'
      "ada@example-.com",       // label ends with '-'
      "ada@exa_mple.com",       // '_' in the domain
      "\"ada\"@example.com",    // quoted local parts are not in the rule
      "ada@example.com\n",      // a trailing newline
      "ad\u202ea@example.com",  // bidi override
      "ad\u200ba@example.com",  // zero-width space
      "\u212aim@example.com",   // KELVIN SIGN, which Unicode lower-cases to 'k'
      "ada@\u0435xample.com",   // Cyrillic е
      "ada@example.com.",       // trailing dot
  };
  for (const char* text : refused) {
    auto r = CheckEmail("email", text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(MessageOf(r), "email: must be an email address like ada@example.com");
  }
  const std::string label63(63, 'a');
  EXPECT_TRUE(CheckEmail("email", "a@" + label63 + ".com").ok());
  EXPECT_FALSE(CheckEmail("email", "a@" + label63 + "a.com").ok());  // a 64-character label
  std::string long_email = std::string(250, 'a') + "@b.co";          // 255 characters
  EXPECT_FALSE(CheckEmail("email", long_email).ok());
}

}  // namespace
}  // namespace tfzo
