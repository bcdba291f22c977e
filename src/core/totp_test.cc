#include "core/totp.h"

#include <gtest/gtest.h>

#include "core/base32.h"

namespace tfzo {
namespace {

// RFC 6238 appendix B's SHA-1 seed and RFC 4226 appendix D's.
constexpr char kSeed[] = "12345678901234567890";

TEST(Base32, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "MY======"},
                                                         {"fo", "MZXQ===="},
                                                         {"foo", "MZXW6==="},
                                                         {"foob", "MZXW6YQ="},
                                                         {"fooba", "MZXW6YTB"},
                                                         {"foobar", "MZXW6YTBOI======"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(Base32Encode(plain, /*pad=*/true), encoded) << plain;
    EXPECT_EQ(Base32Decode(encoded), std::string(plain)) << encoded;
  }
  EXPECT_EQ(Base32Encode("foobar"), "MZXW6YTBOI");  // unpadded, as otpauth URIs want it
  EXPECT_EQ(Base32Decode("mzxw 6ytb oi"), std::string("foobar"));
}

TEST(Base32, RefusesWhatNoEncodingIs) {
  EXPECT_FALSE(Base32Decode("MZXW1"));  // '1' is not in the alphabet
  EXPECT_FALSE(Base32Decode("M"));      // 1, 3 or 6 symbols left over encode no bytes
  EXPECT_FALSE(Base32Decode("MZX"));
  EXPECT_FALSE(Base32Decode("MZXW6Y"));
}

TEST(Hotp, Rfc4226Vectors) {
  const char* codes[] = {"755224", "287082", "359152", "969429", "338314",
                         "254676", "287922", "162583", "399871", "520489"};
  for (uint64_t counter = 0; counter < 10; ++counter) {
    EXPECT_EQ(HotpCode(kSeed, counter), codes[counter]) << counter;
  }
}

// RFC 6238 appendix B, SHA-1: 8 digits there, so the truncation is tested at any length.
TEST(Totp, Rfc6238Sha1Vectors) {
  const std::pair<int64_t, const char*> vectors[] = {
      {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
      {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"}};
  for (const auto& [unix, code] : vectors) {
    const int64_t step = TotpStep(FromUnix(unix));
    EXPECT_EQ(HotpCode(kSeed, static_cast<uint64_t>(step), 8), code) << unix;
    // The 6-digit code is the same number's last 6 digits.
    EXPECT_EQ(HotpCode(kSeed, static_cast<uint64_t>(step)), std::string(code).substr(2)) << unix;
  }
}

TEST(Totp, OneStepOfDriftEitherWayAndNoMore) {
  const Time now = FromUnix(1111111111);
  const int64_t step = TotpStep(now);
  const auto code = [&](int64_t s) { return HotpCode(kSeed, static_cast<uint64_t>(s)); };
  EXPECT_EQ(MatchTotp(kSeed, code(step), now), step);
  EXPECT_EQ(MatchTotp(kSeed, code(step - 1), now), step - 1);
  EXPECT_EQ(MatchTotp(kSeed, code(step + 1), now), step + 1);
  EXPECT_FALSE(MatchTotp(kSeed, code(step - 2), now));
  EXPECT_FALSE(MatchTotp(kSeed, code(step + 2), now));
  EXPECT_FALSE(MatchTotp(kSeed, "12345", now));  // not 6 digits
  EXPECT_FALSE(MatchTotp("another", code(step), now));
}

TEST(Totp, StepsAreThirtySecondsFromTheEpoch) {
  EXPECT_EQ(TotpStep(FromUnix(0)), 0);
  EXPECT_EQ(TotpStep(FromUnix(29)), 0);
  EXPECT_EQ(TotpStep(FromUnix(30)), 1);
  EXPECT_EQ(TotpStep(FromUnix(-1)), -1);
}

}  // namespace
}  // namespace tfzo
