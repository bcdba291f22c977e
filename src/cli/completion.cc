// `2501 completion bash|zsh|fish`: a shell script completing the commands, subcommands and
// options of the command table, so it never falls behind the commands themselves.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>
#include <set>

#include "cli/commands.h"

namespace tfzo::cli {
namespace {

// The global options (invocation.cc), and those of them that take a value.
constexpr std::string_view kGlobalFlags = "--profile --host --cacert --json -v --verbose --help";
constexpr std::string_view kGlobalValued = "--profile --host --cacert";

// What may follow the words of each command ("" for `2501` alone): its subcommands and options.
// Commands the generated scripts do not know are absent (the script then offers nothing).
struct Grammar {
  std::map<std::string, std::set<std::string>> next;
  std::set<std::string> valued;  // options that take a value (their next word is not a command)
  std::set<std::string> files;   // commands whose positionals are paths
};

Grammar BuildGrammar() {
  Grammar g;
  g.next[""];
  for (const Command& c : Commands()) {
    const std::string name(c.name);
    const size_t space = name.rfind(' ');
    const std::string parent = space == std::string::npos ? "" : name.substr(0, space);
    g.next[parent].insert(space == std::string::npos ? name : name.substr(space + 1));
    auto& own = g.next[name];
    for (const Arg& a : c.args) {
      if (!a.name.starts_with("-")) {
        if (a.name == "PATH") g.files.insert(name);
        continue;
      }
      own.insert(std::string(a.name));
      if (!a.type_name.empty()) g.valued.insert(std::string(a.name));
    }
  }
  g.next["completion"] = {"bash", "zsh", "fish"};
  return g;
}

std::string BashScript(const Grammar& g) {
  std::string known = "|";
  std::string cases;
  for (const auto& [path, words] : g.next) {
    if (!path.empty()) known += path + "|";
    cases += fmt::format("    \"{}\") words=\"{}{}\"{} ;;\n", path, fmt::join(words, " "),
                         path.empty() ? fmt::format(" {}", kGlobalFlags) : "",
                         g.files.contains(path) ? "; files=1" : "");
  }
  std::set<std::string> valued = g.valued;
  for (std::string_view v : {"--profile", "--host", "--cacert"}) valued.emplace(v);
  return fmt::format(
      R"(# bash completion for 2501 (`2501 completion bash`). Load it in the current shell with
#   source <(2501 completion bash)
# or save it as ~/.local/share/bash-completion/completions/2501.
_2501_complete() {{
  local cur="${{COMP_WORDS[COMP_CWORD]}}" path="" w i words="" files=0
  local known="{known}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="${{COMP_WORDS[i]}}"
    case "$w" in
      {valued}) ((i++)) ;;
      -*) ;;
      *) if [[ "$known" == *"|${{path:+$path }}$w|"* ]]; then path="${{path:+$path }}$w"; fi ;;
    esac
  done
  case "${{COMP_WORDS[COMP_CWORD-1]}}" in
    {valued}) COMPREPLY=(); return 0 ;;
  esac
  case "$path" in
{cases}    *) words="" ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
  if [[ $files == 1 && "$cur" != -* ]]; then COMPREPLY+=($(compgen -f -- "$cur")); fi
  return 0
}}
complete -F _2501_complete 2501 @2501
)",
      fmt::arg("known", known), fmt::arg("valued", fmt::join(valued, "|")),
      fmt::arg("cases", cases));
}

std::string FishScript(const Grammar& g) {
  std::string out =
      "# fish completion for 2501 (`2501 completion fish`). Save it as\n"
      "# ~/.config/fish/completions/2501.fish, or load it with `2501 completion fish | source`.\n"
      "complete -c 2501 -f\n"
      "complete -c 2501 -l profile -r -d 'Profile to use'\n"
      "complete -c 2501 -l host -r -d 'Accounts server URL'\n"
      "complete -c 2501 -l cacert -r -F -d 'CA certificate (PEM)'\n"
      "complete -c 2501 -l json -d 'Machine-readable output'\n"
      "complete -c 2501 -s v -l verbose -d 'Show HTTP requests'\n";
  for (const auto& [path, words] : g.next) {
    std::string condition = "__fish_use_subcommand";
    if (!path.empty()) {
      // The path's last word typed, and none of its own subcommands yet.
      const size_t space = path.rfind(' ');
      condition = fmt::format("__fish_seen_subcommand_from {}",
                              space == std::string::npos ? path : path.substr(space + 1));
    }
    for (const std::string& w : words) {
      if (w.starts_with("--")) {
        out += fmt::format("complete -c 2501 -n '{}' -l {}{}\n", condition, w.substr(2),
                           g.valued.contains(w) ? " -r" : "");
      } else {
        out += fmt::format("complete -c 2501 -n '{}' -a '{}'\n", condition, w);
      }
    }
    if (g.files.contains(path)) out += fmt::format("complete -c 2501 -n '{}' -F\n", condition);
  }
  return out;
}

}  // namespace

Result<ExitCode> Completion(CommandContext& context) {
  const std::string& shell = context.invocation().name;
  const Grammar grammar = BuildGrammar();
  if (shell == "bash") {
    context.out() << BashScript(grammar);
  } else if (shell == "zsh") {
    // zsh runs bash completion functions through bashcompinit.
    context.out() << "# zsh completion for 2501 (`2501 completion zsh`): add to ~/.zshrc\n"
                     "#   source <(2501 completion zsh)\n"
                     "autoload -U +X compinit && compinit\n"
                     "autoload -U +X bashcompinit && bashcompinit\n"
                  << BashScript(grammar);
  } else if (shell == "fish") {
    context.out() << FishScript(grammar);
  } else {
    return context.Fail(CliError(ExitCode::kUsage, "usage",
                                 fmt::format("unknown shell \"{}\": bash, zsh or fish", shell),
                                 context.UsageHint()));
  }
  return ExitCode::kOk;
}

}  // namespace tfzo::cli
