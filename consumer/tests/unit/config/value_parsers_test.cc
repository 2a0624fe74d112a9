#include "config/value_parsers.h"

#include <gtest/gtest.h>

#include <string>

namespace cdc {
namespace {

using std::chrono::milliseconds;

TEST(ValueParsersTest, Durations) {
  struct Case {
    const char* text;
    std::int64_t ms;  // -1: rejected
  };
  for (const Case& c :
       {Case{"250ms", 250}, Case{"30s", 30'000}, Case{"5m", 300'000}, Case{"1h30m", 5'400'000},
        Case{"7d", 604'800'000}, Case{" 2S ", 2000}, Case{"0ms", 0}, Case{"10", -1}, Case{"", -1},
        Case{"5x", -1}, Case{"-1s", -1}, Case{"1.5s", -1}, Case{"s", -1},
        Case{"99999999999999999999h", -1}, Case{"9999999999999d", -1}}) {
    const auto r = ParseDuration(c.text);
    if (c.ms < 0) {
      EXPECT_FALSE(r.has_value()) << c.text;
    } else {
      ASSERT_TRUE(r.has_value()) << c.text;
      EXPECT_EQ(r->count(), c.ms) << c.text;
    }
  }
  EXPECT_EQ(FormatDuration(milliseconds(90'000)), "90s");
  EXPECT_EQ(FormatDuration(milliseconds(7'200'000)), "2h");
  EXPECT_EQ(FormatDuration(milliseconds(0)), "0ms");
}

TEST(ValueParsersTest, Sizes) {
  struct Case {
    const char* text;
    std::int64_t bytes;  // -1: rejected
  };
  for (const Case& c :
       {Case{"1048576", 1 << 20}, Case{"512KiB", 512 << 10}, Case{"64MiB", 64 << 20},
        Case{"1GiB", 1 << 30}, Case{"10KB", 10'000}, Case{"2mb", 2'000'000}, Case{"5 MiB", 5 << 20},
        Case{"7B", 7}, Case{"64XB", -1}, Case{"", -1}, Case{"MiB", -1}, Case{"-1", -1},
        Case{"99999999999999999999GiB", -1}, Case{"18446744073709551615GiB", -1}}) {
    const auto r = ParseSize(c.text);
    if (c.bytes < 0) {
      EXPECT_FALSE(r.has_value()) << c.text;
    } else {
      ASSERT_TRUE(r.has_value()) << c.text;
      EXPECT_EQ(*r, static_cast<std::uint64_t>(c.bytes)) << c.text;
    }
  }
  EXPECT_EQ(FormatSize(64ULL << 20), "64MiB");
  EXPECT_EQ(FormatSize(1000), "1000");
}

TEST(ValueParsersTest, BoolsAndInts) {
  for (const char* t : {"true", "YES", "on", "1"}) EXPECT_EQ(ParseBool(t), true) << t;
  for (const char* t : {"false", "No", "off", "0"}) EXPECT_EQ(ParseBool(t), false) << t;
  for (const char* t : {"", "maybe", "2"}) EXPECT_FALSE(ParseBool(t).has_value()) << t;
  EXPECT_EQ(ParseInt("42"), 42);
  EXPECT_EQ(ParseInt("+7"), 7);
  EXPECT_EQ(ParseInt("-3"), -3);
  for (const char* t : {"", "4x", "1e3", "99999999999999999999"}) {
    EXPECT_FALSE(ParseInt(t).has_value()) << t;
  }
}

TEST(ValueParsersTest, HostPorts) {
  EXPECT_EQ(ParseHostPort("127.0.0.1:3000"), (HostPort{"127.0.0.1", 3000}));
  EXPECT_EQ(ParseHostPort("0.0.0.0:0"), (HostPort{"0.0.0.0", 0}));
  EXPECT_EQ(ParseHostPort("[::1]:9464"), (HostPort{"::1", 9464}));
  EXPECT_EQ(ParseHostPort("localhost:80"), (HostPort{"localhost", 80}));
  for (const char* t : {"3000", ":3000", "host:", "host:65536", "host:-1", "::1:3000", "[]:1",
                        "host:12ab", "a b:1"}) {
    EXPECT_FALSE(ParseHostPort(t).has_value()) << t;
  }
}

TEST(ValueParsersTest, UrlsNamesAndLevels) {
  for (const char* t : {"http://localhost:9200", "https://es.example.com", "http://[::1]:9200/",
                        "https://es:443"}) {
    EXPECT_TRUE(CheckHttpUrl(t).ok()) << t;
  }
  for (const char* t : {"ftp://es", "http://", "es:9200", "http://u:p@es:9200", "http://es:0",
                        "http://es:99999", "http://es:9200/path", "http://es :9200"}) {
    EXPECT_FALSE(CheckHttpUrl(t).ok()) << t;
  }
  EXPECT_TRUE(CheckKafkaName("tidb-cdc.v1_x").ok());
  EXPECT_FALSE(CheckKafkaName("").ok());
  EXPECT_FALSE(CheckKafkaName("a b").ok());
  EXPECT_FALSE(CheckKafkaName(std::string(250, 'a')).ok());
  EXPECT_TRUE(CheckIndexName("cdc-events").ok());
  for (const char* t : {"", "CDC", "_x", "-x", ".", "a b", "a*b", "a:b"}) {
    EXPECT_FALSE(CheckIndexName(t).ok()) << t;
  }
  EXPECT_TRUE(CheckBrokerList("a:1,b:2").ok());
  EXPECT_FALSE(CheckBrokerList("a:1, b:2").ok());
  EXPECT_FALSE(CheckBrokerList(",").ok());
  EXPECT_TRUE(CheckLogLevel("warn").ok());
  EXPECT_FALSE(CheckLogLevel("verbose").ok());
}

TEST(ValueParsersTest, Lists) {
  EXPECT_EQ(SplitList(""), std::vector<std::string>{});
  EXPECT_EQ(SplitList(" , ,"), std::vector<std::string>{});
  EXPECT_EQ(SplitList("a, b ,c"), (std::vector<std::string>{"a", "b", "c"}));
}

}  // namespace
}  // namespace cdc
