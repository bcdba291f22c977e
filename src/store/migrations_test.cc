#include "store/migrations.h"

#include <gtest/gtest.h>

namespace tfzo {
namespace {

TEST(MigrationsTest, OrdersByVersionAndSubstitutesPerDialect) {
  const std::vector<EmbeddedFile> files = {
      {"0002_more.sql", "CREATE TABLE b (seq {{SEQ_PK}});"},
      {"0001_init.sql", "CREATE TABLE a (seq {{SEQ_PK}}, x BIGINT);"},
  };
  auto sqlite = LoadMigrations(files, SqlDialect::kSqlite);
  ASSERT_TRUE(sqlite.ok()) << sqlite.status().message();
  ASSERT_EQ(sqlite->size(), 2u);
  EXPECT_EQ((*sqlite)[0].version, 1);
  EXPECT_EQ((*sqlite)[0].name, "0001_init.sql");
  EXPECT_EQ((*sqlite)[0].sql, "CREATE TABLE a (seq INTEGER PRIMARY KEY AUTOINCREMENT, x BIGINT);");
  EXPECT_EQ((*sqlite)[1].version, 2);

  auto pg = LoadMigrations(files, SqlDialect::kPostgres);
  ASSERT_TRUE(pg.ok());
  EXPECT_EQ((*pg)[1].sql, "CREATE TABLE b (seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY);");
}

TEST(MigrationsTest, RejectsBadNamesAndDuplicateVersions) {
  EXPECT_EQ(LoadMigrations({{"init.sql", ""}}, SqlDialect::kSqlite).status().code(),
            StatusCode::kInternal);
  EXPECT_EQ(LoadMigrations({{"0000_zero.sql", ""}}, SqlDialect::kSqlite).status().code(),
            StatusCode::kInternal);
  EXPECT_EQ(
      LoadMigrations({{"0001_a.sql", ""}, {"0001_b.sql", ""}}, SqlDialect::kSqlite).status().code(),
      StatusCode::kInternal);
}

TEST(MigrationsTest, EmbeddedMigrationsLoadAndHaveNoLeftoverPlaceholders) {
  for (SqlDialect d : {SqlDialect::kSqlite, SqlDialect::kPostgres}) {
    auto ms = LoadMigrations(migrations::Files(), d);
    ASSERT_TRUE(ms.ok()) << ms.status().message();
    ASSERT_FALSE(ms->empty());
    EXPECT_EQ(ms->front().version, 1);
    for (const Migration& m : *ms) EXPECT_EQ(m.sql.find("{{"), std::string::npos) << m.name;
  }
}

}  // namespace
}  // namespace tfzo
