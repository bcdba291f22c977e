#include "cli/command_table.h"

#include <gtest/gtest.h>

#include <sstream>

namespace tfzo::cli {
namespace {

std::vector<std::string> Words(std::string_view name) {
  std::vector<std::string> words;
  std::istringstream in{std::string(name)};
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

TEST(CommandTableTest, EveryRowHasItsHelpWithItsUsageLine) {
  for (const Command& command : Commands()) {
    ASSERT_FALSE(command.usage.empty()) << command.name;
    std::vector<std::string> args = Words(command.name);
    args.push_back("--help");
    ParsedArgs p = ParseArguments(args);
    EXPECT_EQ(p.exit_code, 0) << command.name;
    EXPECT_NE(p.out.find("Usage: " + std::string(command.usage.front())), std::string::npos)
        << p.out;
  }
}

TEST(CommandTableTest, ARowRunsItsHandlerOrAnotherRowWithOne) {
  for (const Command& command : Commands()) {
    if (command.runs.empty()) continue;
    EXPECT_EQ(command.handler, nullptr) << command.name;
    const Command* target = FindCommand(command.runs);
    ASSERT_NE(target, nullptr) << command.name;
    EXPECT_NE(target->handler, nullptr) << command.name;
  }
  EXPECT_EQ(FindCommand("frobnicate"), nullptr);
}

TEST(CommandTableTest, AGroupWithoutHandlerNeedsASubcommand) {
  ParsedArgs p = ParseArguments({"set"});
  EXPECT_FALSE(p.invocation);
  EXPECT_EQ(p.exit_code, 2);
  EXPECT_NE(p.err.find("Usage: 2501 set api_key [KEY | -] | 2501 set api_host URL"),
            std::string::npos)
      << p.err;
}

}  // namespace
}  // namespace tfzo::cli
