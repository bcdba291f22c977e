#include "store/sql_rows.h"

#include <charconv>

namespace tfzo {

int SqlRows::size() const {
  const size_t width = columns_ ? columns_->size() : 0;
  return width == 0 ? 0 : static_cast<int>(cells_.size() / width);
}

void SqlRows::Reserve(int rows) {
  cells_.reserve(static_cast<size_t>(rows) * (columns_ ? columns_->size() : 0));
}

SqlRow SqlRows::operator[](int row) const { return SqlRow(*this, row); }

Status SqlRows::CheckColumns() const {
  if (unknown_column_.empty()) return Status::Ok();
  return Internal("the statement selects no column named " + unknown_column_);
}

const SqlValue& SqlRows::Cell(int row, std::string_view column) const {
  static const SqlValue kNull;
  const size_t width = columns_ ? columns_->size() : 0;
  // Readers mostly ask for the columns in the order they are selected: try the next one first.
  for (size_t n = 0; n < width; ++n) {
    const size_t i = (next_column_ + n) % width;
    if ((*columns_)[i] == column) {
      next_column_ = i + 1;
      return cells_[static_cast<size_t>(row) * width + i];
    }
  }
  if (unknown_column_.empty()) unknown_column_ = column;
  return kNull;
}

bool SqlRow::IsNull(std::string_view column) const {
  return std::holds_alternative<std::monostate>(Cell(column));
}

std::string SqlRow::Text(std::string_view column) const {
  const SqlValue& v = Cell(column);
  if (const auto* text = std::get_if<std::string>(&v)) return *text;
  if (const auto* number = std::get_if<int64_t>(&v)) return std::to_string(*number);
  return std::string();
}

std::optional<std::string> SqlRow::OptText(std::string_view column) const {
  if (IsNull(column)) return std::nullopt;
  return Text(column);
}

// PostgreSQL's text format hands integers over as text.
int64_t SqlRow::Int(std::string_view column) const {
  const SqlValue& v = Cell(column);
  if (const auto* number = std::get_if<int64_t>(&v)) return *number;
  int64_t out = 0;
  if (const auto* text = std::get_if<std::string>(&v)) {
    std::from_chars(text->data(), text->data() + text->size(), out);
  }
  return out;
}

std::optional<Time> SqlRow::OptTime(std::string_view column) const {
  if (IsNull(column)) return std::nullopt;
  return TimeAt(column);
}

}  // namespace tfzo
