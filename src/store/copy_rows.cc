#include "store/copy_rows.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <stdexcept>

#include "core/digest.h"

namespace tfzo {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

std::string Hex(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHexDigits[c >> 4]);
    out.push_back(kHexDigits[c & 0xf]);
  }
  return out;
}

// 17 significant digits: the same double prints the same on both sides.
std::string RealText(double v) {
  char text[64];
  std::snprintf(text, sizeof text, "%.17g", v);
  return text;
}

bool ParseInteger(const std::string& text, int64_t& out) {
  if (text.empty()) return false;
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || *end != '\0') return false;
  out = v;
  return true;
}

Status NotA(std::string_view what) {
  return InvalidRequest(std::string("not ") + std::string(what));
}

}  // namespace

ValueKind KindOfPgType(std::string_view type) {
  if (type == "bigint" || type == "integer" || type == "smallint") return ValueKind::kInteger;
  if (type == "boolean") return ValueKind::kBoolean;
  if (type == "double precision" || type == "real") return ValueKind::kReal;
  if (type == "bytea") return ValueKind::kBytea;
  return ValueKind::kText;
}

Result<CanonicalValue> CanonicalFromSqlite(const SqliteValue& value, ValueKind kind) {
  using Type = SqliteValue::Type;
  if (value.type == Type::kNull) return CanonicalValue();
  switch (kind) {
    case ValueKind::kInteger: {
      if (value.type == Type::kInteger) return CanonicalValue(std::to_string(value.integer));
      int64_t parsed = 0;
      if (value.type == Type::kText && ParseInteger(value.bytes, parsed)) {
        return CanonicalValue(std::to_string(parsed));
      }
      return NotA("an integer");
    }
    case ValueKind::kBoolean:
      if (value.type == Type::kInteger) return CanonicalValue(value.integer != 0 ? "1" : "0");
      return NotA("an integer boolean");
    case ValueKind::kReal:
      if (value.type == Type::kReal) return CanonicalValue(RealText(value.real));
      if (value.type == Type::kInteger) {
        return CanonicalValue(RealText(static_cast<double>(value.integer)));
      }
      return NotA("a number");
    case ValueKind::kBytea:
      if (value.type == Type::kBlob || value.type == Type::kText) {
        return CanonicalValue(Hex(value.bytes));
      }
      return NotA("a blob");
    case ValueKind::kText:
      if (value.type == Type::kInteger) return CanonicalValue(std::to_string(value.integer));
      if (value.type == Type::kReal) return CanonicalValue(RealText(value.real));
      return CanonicalValue(value.bytes);
  }
  return NotA("a known kind");
}

Result<CanonicalValue> CanonicalFromPostgres(const std::optional<std::string>& text,
                                             ValueKind kind) {
  if (!text) return CanonicalValue();
  switch (kind) {
    case ValueKind::kBoolean:
      if (*text == "t") return CanonicalValue("1");
      if (*text == "f") return CanonicalValue("0");
      return NotA("a boolean");
    case ValueKind::kReal: {
      char* end = nullptr;
      const double v = std::strtod(text->c_str(), &end);
      if (end == text->c_str() || *end != '\0') return NotA("a number");
      return CanonicalValue(RealText(v));
    }
    case ValueKind::kBytea:
      if (!text->starts_with("\\x")) return NotA("bytea in hex");
      return CanonicalValue(text->substr(2));
    case ValueKind::kInteger:
    case ValueKind::kText:
      return CanonicalValue(*text);
  }
  return NotA("a known kind");
}

std::optional<std::string> PostgresParam(const CanonicalValue& value, ValueKind kind) {
  if (!value) return std::nullopt;
  if (kind == ValueKind::kBytea) return "\\x" + *value;
  return value;  // booleans: PostgreSQL reads "1" and "0"
}

void AppendCanonicalRow(const CanonicalRow& row, std::string& out) {
  for (const CanonicalValue& v : row) {
    if (!v) {
      out += "N;";
      continue;
    }
    out += 'V';
    out += std::to_string(v->size());
    out += ':';
    out += *v;
    out += ';';
  }
  out += '\n';
}

TableDigest::TableDigest() : ctx_(EVP_MD_CTX_new(), &EVP_MD_CTX_free) {
  if (ctx_ == nullptr || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
}

void TableDigest::Add(const CanonicalRow& row) {
  buffer_.clear();
  AppendCanonicalRow(row, buffer_);
  if (EVP_DigestUpdate(ctx_.get(), buffer_.data(), buffer_.size()) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  ++rows_;
}

std::string TableDigest::Finish() {
  Digest out;
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_.get(), out.data(), &len) != 1 || len != out.size()) {
    throw std::runtime_error("SHA-256 failed");
  }
  return ToHex(out);
}

Result<std::vector<TableSchema>> OrderByDependencies(std::vector<TableSchema> tables) {
  std::set<std::string> names;
  for (const TableSchema& t : tables) names.insert(t.name);
  std::vector<TableSchema> ordered;
  std::set<std::string> placed;
  std::vector<bool> done(tables.size(), false);
  while (ordered.size() < tables.size()) {
    bool progress = false;
    for (size_t i = 0; i < tables.size(); ++i) {
      if (done[i]) continue;
      const bool ready = std::all_of(
          tables[i].parents.begin(), tables[i].parents.end(), [&](const std::string& p) {
            return p == tables[i].name || !names.contains(p) || placed.contains(p);
          });
      if (!ready) continue;
      placed.insert(tables[i].name);
      ordered.push_back(tables[i]);
      done[i] = true;
      progress = true;
      break;  // restart from the first: ties keep the given order
    }
    if (!progress) {
      std::string cycle;
      for (size_t i = 0; i < tables.size(); ++i) {
        if (!done[i]) cycle += (cycle.empty() ? "" : ", ") + tables[i].name;
      }
      return Internal("the foreign keys of these tables form a cycle: " + cycle);
    }
  }
  return ordered;
}

std::string QuoteIdent(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace tfzo
