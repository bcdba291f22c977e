#include "store/migrations.h"

#include <algorithm>
#include <string_view>

namespace tfzo {
namespace {

bool ParseVersion(std::string_view name, int& version) {
  // NNNN_x.sql: four digits, an underscore, at least one character, ".sql".
  constexpr std::string_view kSuffix = ".sql";
  if (name.size() < 4 + 1 + 1 + kSuffix.size() || name[4] != '_' ||
      name.substr(name.size() - kSuffix.size()) != kSuffix) {
    return false;
  }
  version = 0;
  for (size_t i = 0; i < 4; ++i) {
    if (name[i] < '0' || name[i] > '9') return false;
    version = version * 10 + (name[i] - '0');
  }
  return version > 0;
}

std::string Substitute(std::string_view sql, std::string_view from, std::string_view to) {
  std::string out;
  out.reserve(sql.size());
  size_t pos = 0;
  while (true) {
    const size_t hit = sql.find(from, pos);
    if (hit == std::string_view::npos) break;
    out.append(sql.substr(pos, hit - pos));
    out.append(to);
    pos = hit + from.size();
  }
  out.append(sql.substr(pos));
  return out;
}

}  // namespace

std::string_view SeqPrimaryKey(SqlDialect dialect) {
  switch (dialect) {
    case SqlDialect::kSqlite:
      return "INTEGER PRIMARY KEY AUTOINCREMENT";
    case SqlDialect::kPostgres:
      return "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY";
  }
  return "";
}

std::string_view WithoutRowid(SqlDialect dialect) {
  return dialect == SqlDialect::kSqlite ? " WITHOUT ROWID" : "";
}

Result<std::vector<Migration>> LoadMigrations(const std::vector<EmbeddedFile>& files,
                                              SqlDialect dialect) {
  std::vector<Migration> out;
  for (const EmbeddedFile& file : files) {
    Migration m;
    if (!ParseVersion(file.path, m.version)) {
      return Internal("migration file name is not NNNN_name.sql: " + std::string(file.path));
    }
    m.name = std::string(file.path);
    m.sql = Substitute(Substitute(file.data, "{{SEQ_PK}}", SeqPrimaryKey(dialect)),
                       "{{WITHOUT_ROWID}}", WithoutRowid(dialect));
    out.push_back(std::move(m));
  }
  std::sort(out.begin(), out.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
  for (size_t i = 1; i < out.size(); ++i) {
    if (out[i].version == out[i - 1].version) {
      return Internal("two migrations share version " + std::to_string(out[i].version));
    }
  }
  return out;
}

}  // namespace tfzo
