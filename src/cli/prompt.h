#ifndef TFZO_CLI_PROMPT_H_
#define TFZO_CLI_PROMPT_H_

#include <istream>
#include <optional>
#include <ostream>
#include <string>

namespace tfzo::cli {

// Reads one line from the terminal on stdin with echo off, after writing `prompt` to `err`.
// Echo is restored afterwards, also when the user presses Ctrl-C. nullopt at end of input.
std::optional<std::string> ReadHiddenLine(const std::string& prompt, std::istream& in,
                                          std::ostream& err);

// True when stdin is a terminal.
bool StdinIsTerminal();

}  // namespace tfzo::cli

#endif  // TFZO_CLI_PROMPT_H_
