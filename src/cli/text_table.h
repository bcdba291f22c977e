#ifndef TFZO_CLI_TEXT_TABLE_H_
#define TFZO_CLI_TEXT_TABLE_H_

#include <ostream>
#include <string>
#include <vector>

namespace tfzo::cli {

// Rows printed in aligned columns, the first row as the header (like `gh` and `kubectl`).
// Value type.
class TextTable {
 public:
  explicit TextTable(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void AddRow(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void Print(std::ostream& out) const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace tfzo::cli

#endif  // TFZO_CLI_TEXT_TABLE_H_
