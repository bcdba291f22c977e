#include "service/mail_content.h"

#include <gtest/gtest.h>

namespace tfzo {
namespace {

TEST(ComposeMail, SaysTheSameInBothPartsAndEscapesTheHtml) {
  const MailMessage mail =
      ComposeMail("ada@example.com", {.subject = "A key was created on your account",
                                      .paragraphs = {"Key <b>\"deploy\"</b> & more was created."},
                                      .facts = {{"From address", "203.0.113.7"}},
                                      .action = "Review your keys",
                                      .url = "https://accounts.test/#/keys?a=1&b=2"});
  EXPECT_EQ(mail.to, "ada@example.com");
  EXPECT_EQ(mail.subject, "A key was created on your account");
  EXPECT_NE(mail.text.find("Key <b>\"deploy\"</b> & more was created."), std::string::npos);
  EXPECT_NE(mail.text.find("From address: 203.0.113.7\n"), std::string::npos);
  EXPECT_NE(mail.text.find("https://accounts.test/#/keys?a=1&b=2\n"), std::string::npos);
  EXPECT_NE(mail.html.find("Key &lt;b&gt;&quot;deploy&quot;&lt;/b&gt; &amp; more was created."),
            std::string::npos);
  EXPECT_NE(mail.html.find("href=\"https://accounts.test/#/keys?a=1&amp;b=2\""), std::string::npos);
  EXPECT_EQ(mail.html.find("<b>"), std::string::npos);
}

TEST(ComposeMail, LeavesOutTheLinkWhenThereIsNone) {
  const MailMessage mail = ComposeMail("a@example.com", {.subject = "s", .paragraphs = {"p"}});
  EXPECT_EQ(mail.html.find("href"), std::string::npos);
  EXPECT_EQ(mail.text, "p\n\n-- \n2501 Accounts\n");
}

}  // namespace
}  // namespace tfzo
