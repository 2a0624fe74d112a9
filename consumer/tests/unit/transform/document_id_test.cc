#include "transform/document_id.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace cdc {
namespace {

// Events hold views: every name and value here is a literal or a local that outlives the event.
ColumnValue Col(std::string_view name, std::string_view value) {
  return ColumnValue{.name = name, .value = value, .is_null = false, .is_binary = false};
}

ChangeEvent UserInsert() {
  ChangeEvent e;
  e.op = Op::kInsert;
  e.database = "appdb";
  e.table = "users";
  e.pk_names = {"id"};
  e.data = {Col("id", "1"), Col("username", "alice"), Col("password", "hunter2")};
  e.commit_ts = 449448587919360008ULL;
  e.es_ms = 1714510299375;
  e.ts_ms = 1714510300275;
  return e;
}

std::string Id(const ChangeEvent& e) {
  std::string id;
  BuildDocumentId(e, &id);
  return id;
}

TEST(DocumentIdTest, ReadablePrefixAndFixedSizeHash) {
  EXPECT_TRUE(
      std::regex_match(Id(UserInsert()), std::regex("449448587919360008-insert-[0-9a-f]{32}")));
  ChangeEvent no_commit = UserInsert();
  no_commit.commit_ts.reset();
  EXPECT_TRUE(std::regex_match(Id(no_commit), std::regex("es1714510299375-insert-[0-9a-f]{32}")));
  no_commit.es_ms = -3;
  EXPECT_TRUE(std::regex_match(Id(no_commit), std::regex("es-3-insert-[0-9a-f]{32}")));
}

// Pins the scheme: documents indexed by one release keep their ids in the next. If this
// changes on purpose, bump kMaterialVersion and say so in docs/decoder.md.
TEST(DocumentIdTest, KnownEventHasAKnownId) {
  EXPECT_EQ(Id(UserInsert()), "449448587919360008-insert-c4d7cd801cc1bd7df16f773bc2907ba5");
}

// Key material longer than the inline buffer spills to the heap; the id must not change with it.
TEST(DocumentIdTest, LongKeyHasAKnownIdToo) {
  ChangeEvent e = UserInsert();
  const std::string long_value(300, 'x');
  e.data[0].value = long_value;
  EXPECT_EQ(Id(e), "449448587919360008-insert-dcd7ffd352fe2fb9d80b542d45b9ce51");
}

TEST(DocumentIdTest, RedeliveryWithNewTsAndOtherRowCopiesGivesTheSameId) {
  const ChangeEvent first = UserInsert();
  ChangeEvent again = UserInsert();
  again.ts_ms += 60000;  // TiCDC re-sends with a new build time
  EXPECT_EQ(Id(first), Id(again));
  // With commitTs and a pk, non-key columns do not take part (they cannot differ on redelivery,
  // and a handle-key-only resend carries only the key).
  again.data = {Col("id", "1")};
  again.only_handle_key = true;
  EXPECT_EQ(Id(first), Id(again));
}

TEST(DocumentIdTest, EachPartOfTheKeyChangesTheId) {
  std::set<std::string> ids = {Id(UserInsert())};
  auto add = [&](auto mutate) {
    ChangeEvent e = UserInsert();
    mutate(e);
    return ids.insert(Id(e)).second;
  };
  EXPECT_TRUE(add([](ChangeEvent& e) { e.commit_ts = *e.commit_ts + 1; }));
  EXPECT_TRUE(add([](ChangeEvent& e) { e.database = "appdb2"; }));
  EXPECT_TRUE(add([](ChangeEvent& e) { e.table = "users2"; }));
  EXPECT_TRUE(add([](ChangeEvent& e) { e.data[0].value = "2"; }));
  EXPECT_TRUE(add([](ChangeEvent& e) {
    e.data[0].is_null = true;
    e.data[0].value = {};
  }));
  EXPECT_TRUE(add([](ChangeEvent& e) { e.data[0].value = ""; }));  // "" is not null
  EXPECT_TRUE(add([](ChangeEvent& e) { e.op = Op::kDelete; }));
  EXPECT_TRUE(add([](ChangeEvent& e) {
    e.op = Op::kUpdate;
    e.old = e.data;
  }));
  EXPECT_TRUE(add([](ChangeEvent& e) { e.pk_names = {"username"}; }));
}

// TiCDC splits a PK-changing UPDATE into DELETE + INSERT with one commitTs: two documents.
TEST(DocumentIdTest, SplitUpdateGivesTwoIds) {
  ChangeEvent del = UserInsert();
  del.op = Op::kDelete;
  ChangeEvent ins = UserInsert();
  ins.data[0].value = "2";
  EXPECT_NE(Id(del), Id(ins));
  ins.data[0].value = "1";  // even when the key is the same
  EXPECT_NE(Id(del), Id(ins));
}

// Length-prefixed key material: moving bytes between database, table and pk values, or between
// the values of a composite key, must not collide.
TEST(DocumentIdTest, BoundariesBetweenFieldsAreUnambiguous) {
  ChangeEvent a = UserInsert();
  a.database = "a.b";
  a.table = "c";
  ChangeEvent b = UserInsert();
  b.database = "a";
  b.table = "b.c";
  EXPECT_NE(Id(a), Id(b));

  ChangeEvent c = UserInsert();
  c.pk_names = {"k1", "k2"};
  c.data = {Col("k1", "a-b"), Col("k2", "c")};
  ChangeEvent d = c;
  d.data = {Col("k1", "a"), Col("k2", "b-c")};
  EXPECT_NE(Id(c), Id(d));
  ChangeEvent e = c;
  e.data = {Col("k1", std::string_view("a\0b", 3)), Col("k2", "c")};
  ChangeEvent f = c;
  f.data = {Col("k1", "a"), Col("k2", std::string_view("b\0c", 3))};
  EXPECT_NE(Id(e), Id(f));
}

TEST(DocumentIdTest, WithoutPkTheRowImageIsTheKey) {
  ChangeEvent first = UserInsert();
  first.pk_names.clear();
  ChangeEvent second = first;
  second.data[1].value = "bob";
  EXPECT_NE(Id(first), Id(second));  // two different rows in one transaction
  ChangeEvent again = first;
  again.ts_ms += 5;
  EXPECT_EQ(Id(first), Id(again));  // redelivery
  // Known limit (docs/decoder.md): two identical rows inserted by one transaction into a table
  // with neither primary nor unique key carry nothing that tells them apart.
  ChangeEvent twin = first;
  EXPECT_EQ(Id(first), Id(twin));
}

TEST(DocumentIdTest, WithoutPkAnUpdateHashesBothImages) {
  ChangeEvent a = UserInsert();
  a.op = Op::kUpdate;
  a.pk_names.clear();
  a.old = a.data;
  a.old[1].value = "old-name";
  ChangeEvent b = a;
  b.old[1].value = "other-old-name";
  EXPECT_NE(Id(a), Id(b));
}

TEST(DocumentIdTest, WithoutCommitTsEsAndTheRowImagesAreTheKey) {
  ChangeEvent a = UserInsert();
  a.commit_ts.reset();
  ChangeEvent redelivered = a;
  redelivered.ts_ms += 1000;
  EXPECT_EQ(Id(a), Id(redelivered));
  ChangeEvent same_ms_other_values = a;
  same_ms_other_values.data[1].value = "alice2";  // same pk, same ms, another change
  EXPECT_NE(Id(a), Id(same_ms_other_values));
  ChangeEvent next_ms = a;
  next_ms.es_ms += 1;
  EXPECT_NE(Id(a), Id(next_ms));
}

TEST(DocumentIdTest, DdlIdsFollowTheStatement) {
  ChangeEvent ddl;
  ddl.op = Op::kDdl;
  ddl.database = "shop";
  ddl.table = "orders";
  ddl.ddl_type = "ALTER";
  ddl.sql = "ALTER TABLE orders ADD COLUMN a INT";
  ddl.commit_ts = 1ULL << 40;
  ChangeEvent again = ddl;
  again.ts_ms = 99;
  EXPECT_EQ(Id(ddl), Id(again));
  ChangeEvent other = ddl;
  other.sql = "ALTER TABLE orders ADD COLUMN b INT";
  EXPECT_NE(Id(ddl), Id(other));
  EXPECT_TRUE(std::regex_match(Id(ddl), std::regex("1099511627776-ddl-[0-9a-f]{32}")));
}

TEST(DocumentIdTest, ValuesNeverAppearInClearAndSizeIsBounded) {
  ChangeEvent e = UserInsert();
  e.pk_names = {"password"};
  const std::string password = "hunter2-" + std::string(100000, 'z');
  const std::string database(10000, 'd');
  const std::string table(10000, 't');
  e.data[2].value = password;
  e.database = database;
  e.table = table;
  const std::string id = Id(e);
  EXPECT_EQ(id.find("hunter2"), std::string::npos);
  EXPECT_EQ(id.find("zzzz"), std::string::npos);
  EXPECT_EQ(id.find("dddd"), std::string::npos);
  EXPECT_LE(id.size(), 63U);
  EXPECT_LE(id.size(), kMaxDocumentIdBytes);
}

TEST(DocumentIdTest, SameIdsFromManyThreads) {
  const std::string expected = Id(UserInsert());
  std::vector<std::thread> threads;
  std::vector<std::string> results(4);
  for (std::size_t t = 0; t < results.size(); ++t) {
    threads.emplace_back([&results, t] {
      for (int i = 0; i < 200; ++i) results[t] = Id(UserInsert());
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::string& id : results) EXPECT_EQ(id, expected);
}

}  // namespace
}  // namespace cdc
