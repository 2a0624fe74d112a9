#include "transform/redactor.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cdc {
namespace {

TEST(RedactorTest, DefaultsCoverTheUsualSecretsInAnyCaseAndPosition) {
  const Redactor redactor(Redactor::DefaultPatterns());
  for (const char* name :
       {"password",  "PASSWORD",    "Password",        "user_password", "password_hash",
        "passwd",    "pwd",         "db_pwd",          "secret",        "client_secret",
        "SecretKey", "token",       "access_token",    "api_key",       "API_KEY",
        "apikey",    "private_key", "ssh_private_key", "credit_card",   "credit_card_number"}) {
    EXPECT_TRUE(redactor.IsSensitive(name)) << name;
  }
  for (const char* name : {"id", "username", "email", "created_at", "pass", "word", "api", "key",
                           "credit", "card", "", "tok_en", "private-key"}) {
    EXPECT_FALSE(redactor.IsSensitive(name)) << name;
  }
}

TEST(RedactorTest, EmptyListTurnsRedactionOff) {
  const Redactor redactor({});
  EXPECT_FALSE(redactor.enabled());
  EXPECT_FALSE(redactor.IsSensitive("password"));
  // Empty patterns are ignored rather than matching empty names.
  const Redactor blanks({"", ""});
  EXPECT_FALSE(blanks.enabled());
  EXPECT_FALSE(blanks.IsSensitive(""));
}

TEST(RedactorTest, PlainNamesMatchWholeNamesWithoutCase) {
  const Redactor redactor({"SSN", "card_no"});
  EXPECT_TRUE(redactor.IsSensitive("ssn"));
  EXPECT_TRUE(redactor.IsSensitive("Ssn"));
  EXPECT_TRUE(redactor.IsSensitive("CARD_NO"));
  EXPECT_FALSE(redactor.IsSensitive("ssn2"));
  EXPECT_FALSE(redactor.IsSensitive("my_ssn"));
  EXPECT_FALSE(redactor.IsSensitive("card_n"));
}

TEST(RedactorTest, GlobsWithStarAndQuestionMark) {
  struct Case {
    const char* pattern;
    const char* name;
    bool match;
  };
  const std::vector<Case> cases = {
      {"*", "anything", true},
      {"*", "", true},
      {"pin*", "PIN_CODE", true},
      {"pin*", "spin", false},
      {"*_key", "AES_KEY", true},
      {"*_key", "key_id", false},
      {"*ssn*", "user_SSN_x", true},
      {"*ssn*", "sn", false},
      {"a*b*c", "aXXbYYc", true},
      {"a*b*c", "aXXcYYb", false},
      {"a*b*c", "abc", true},
      {"a**c", "ac", true},
      {"p?n", "PIN", true},
      {"p?n", "pn", false},
      {"p?n", "p\xc3\xa9n", true},
      {"??", "\xe4\xb8\xad\xe6\x96\x87", true},
      {"*a?c*", "xxABCyy", true},
      {"*a?c*", "xxacyy", false},
      {"x*y*z*", "xyz", true},
      {"x*y*z", "xzy", false},
      {"*token", "refresh_token", true},
      {"*token", "tokens", false},
  };
  for (const Case& c : cases) {
    const Redactor redactor({c.pattern});
    EXPECT_EQ(redactor.IsSensitive(c.name), c.match) << c.pattern << " vs " << c.name;
  }
}

TEST(RedactorTest, AnyPatternOfTheListMatches) {
  const Redactor redactor({"ssn", "*card*", "pin?"});
  EXPECT_TRUE(redactor.IsSensitive("ssn"));
  EXPECT_TRUE(redactor.IsSensitive("giftcard"));
  EXPECT_TRUE(redactor.IsSensitive("pin1"));
  EXPECT_FALSE(redactor.IsSensitive("pin"));
}

TEST(RedactorTest, LongNamesAndPathologicalGlobsStayCorrect) {
  const std::string long_name = std::string(5000, 'a') + "Password" + std::string(5000, 'b');
  EXPECT_TRUE(Redactor(Redactor::DefaultPatterns()).IsSensitive(long_name));
  const Redactor glob({"*a*a*a*a*a*a*a*a*b"});
  EXPECT_FALSE(glob.IsSensitive(std::string(2000, 'a')));
  EXPECT_TRUE(glob.IsSensitive(std::string(2000, 'a') + "b"));
}

TEST(RedactorTest, QualifiedPatternsNameOneTableAndNeverMatchBareColumns) {
  const Redactor redactor({"appdb.users.ssn", "*.payments.card*", "password"});
  EXPECT_TRUE(redactor.IsSensitive("appdb", "users", "ssn"));
  EXPECT_TRUE(redactor.IsSensitive("AppDB", "Users", "SSN"));
  EXPECT_FALSE(redactor.IsSensitive("appdb", "admins", "ssn"));
  EXPECT_FALSE(redactor.IsSensitive("ssn"));  // a qualified pattern needs the table
  EXPECT_TRUE(redactor.IsSensitive("shop", "payments", "card_no"));
  EXPECT_FALSE(redactor.IsSensitive("shop", "orders", "card_no"));
  // Column patterns apply in every table, with or without the qualified form.
  EXPECT_TRUE(redactor.IsSensitive("any", "table", "Password"));
  EXPECT_TRUE(redactor.IsSensitive("Password"));
  EXPECT_TRUE(Redactor({"a.b.c"}).enabled());
}

}  // namespace
}  // namespace cdc
