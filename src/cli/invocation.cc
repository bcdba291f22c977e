#include "cli/invocation.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/command_table.h"

namespace tfzo::cli {
namespace {

constexpr char kVersion[] = "2501 0.1.0";

constexpr char kDescription[] =
    "2501: the command-line client of 2501 Accounts. Store an API key once, then reach your\n"
    "organizations' agents and hosts; `2501 scan` keeps keys out of git.";

constexpr char kUsage[] = "2501 COMMAND [ARGS] [--profile NAME] [--host URL] [--json] [-v]";

constexpr char kGlobalFooter[] =
    "Global options (before or after the command): --profile NAME (env TFZO_PROFILE), --host URL\n"
    "(env TFZO_API_HOST), --json, -v. Env TFZO_API_KEY overrides the stored key.\n"
    "Precedence: flag > environment > config file > default. Exit codes: 0 ok, 1 error,\n"
    "2 usage, 3 authentication failed, 4 forbidden, 5 server unreachable, 130 interrupted.";

// CLI11's help, with our usage lines (docs/spec/CLI.md's notation) instead of generated ones.
class UsageFormatter : public CLI::Formatter {
 public:
  void SetUsage(const CLI::App* app, std::string usage) { usages_[app] = std::move(usage); }
  const std::string& UsageFor(const CLI::App* app) const {
    auto it = usages_.find(app);
    return it == usages_.end() ? kDefault : it->second;
  }
  std::string make_usage(const CLI::App* app, std::string) const override {
    return "Usage: " + UsageFor(app) + "\n";
  }

 private:
  inline static const std::string kDefault = kUsage;
  std::map<const CLI::App*, std::string> usages_;
};

// One visitor out of several lambdas, for std::visit over an Arg's field.
template <typename... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <typename... F>
Overloaded(F...) -> Overloaded<F...>;

// `arg` on `app`, filling its field of `inv`.
void AddArg(CLI::App& app, const Arg& arg, Invocation& inv) {
  const std::string name(arg.name), help(arg.help);
  CLI::Option* option =
      std::visit(Overloaded{
                     [&](std::string Invocation::*f) { return app.add_option(name, inv.*f, help); },
                     [&](std::optional<std::string> Invocation::*f) {
                       return app.add_option_function<std::string>(
                           name, [&inv, f](const std::string& v) { inv.*f = v; }, help);
                     },
                     [&](std::vector<std::string> Invocation::*f) {
                       return app.add_option(name, inv.*f, help);
                     },
                     [&](bool Invocation::*f) { return app.add_flag(name, inv.*f, help); },
                 },
                 arg.field);
  if (!std::holds_alternative<bool Invocation::*>(arg.field)) {
    option->type_name(std::string(arg.type_name));
  }
  if (arg.required) option->required();
}

// The global options of docs/spec/CLI.md, accepted before or after the command.
void AddGlobalOptions(CLI::App& app, GlobalOptions& global) {
  app.footer(kGlobalFooter);
  app.set_version_flag("--version", kVersion);
  app.require_subcommand(0, 1);
  app.add_option_function<std::string>(
         "--profile", [&](const std::string& v) { global.profile = v; },
         "Profile to use (env TFZO_PROFILE, default \"default\")")
      ->type_name("NAME");
  app.add_option_function<std::string>(
         "--host", [&](const std::string& v) { global.host = v; },
         "Accounts server URL (env TFZO_API_HOST, default http://127.0.0.1:8080)")
      ->type_name("URL");
  app.add_option_function<std::string>(
         "--cacert", [&](const std::string& v) { global.cacert = v; },
         "PEM file of the CA that signed the server's certificate (a private CA); the system's "
         "CAs otherwise (env TFZO_CACERT)")
      ->type_name("FILE");
  app.add_flag("--json", global.json,
               "Machine-readable output on stdout (the server's JSON answer; errors as "
               "{\"error\": {...}})");
  app.add_flag("-v,--verbose", global.verbose,
               "Show HTTP requests and answers on stderr (never the key)");
}

// False for a group that needs a subcommand (`set`).
bool Runnable(const Command& command) {
  return command.handler != nullptr || !command.runs.empty();
}

// One subcommand per row of the command table, under its group; returns which row each is.
std::map<const CLI::App*, const Command*> AddCommands(CLI::App& app, UsageFormatter& formatter,
                                                      Invocation& inv) {
  std::map<std::string_view, CLI::App*> apps = {{"", &app}};
  std::map<const CLI::App*, const Command*> commands;
  for (const Command& command : Commands()) {
    // "agents create": the word "create" under the group "agents"; "orgs" under the root.
    const size_t space = command.name.rfind(' ');
    const bool top = space == std::string_view::npos;
    CLI::App* parent = apps.at(top ? "" : command.name.substr(0, space));
    if (parent != &app && Runnable(*commands.at(parent))) {
      parent->require_subcommand(0, 1);  // a group that also runs without a subcommand
    }
    CLI::App* sub =
        parent->add_subcommand(std::string(top ? command.name : command.name.substr(space + 1)),
                               std::string(command.help));
    sub->fallthrough();
    formatter.SetUsage(sub, fmt::format("{}", fmt::join(command.usage, " | ")));
    if (!Runnable(command)) sub->require_subcommand(1);
    for (const Arg& arg : command.args) AddArg(*sub, arg, inv);
    for (const Arg& arg : command.args) {
      for (std::string_view other : arg.excludes) {
        sub->get_option(std::string(arg.name))->excludes(sub->get_option(std::string(other)));
      }
    }
    apps[command.name] = sub;
    commands[sub] = &command;
  }
  return commands;
}

// The subcommand the command line selected, or `app` itself when it names none.
const CLI::App* Deepest(const CLI::App& app) {
  const CLI::App* deepest = &app;
  while (!deepest->get_subcommands().empty()) deepest = deepest->get_subcommands().front();
  return deepest;
}

bool WantsJson(int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--json") return true;
  }
  return false;
}

// --help and --version (exit 0), or a usage error: the message, the usage line of the command
// it is about, where to read more (exit 2); under --json also the error object on stdout.
ParsedArgs ParseFailure(const CLI::App& app, const UsageFormatter& formatter,
                        const CLI::ParseError& e, bool json) {
  ParsedArgs parsed;
  std::ostringstream out, err;
  if (e.get_exit_code() == 0) {
    app.exit(e, out, err);
    parsed.out = out.str();
    parsed.err = err.str();
    return parsed;
  }
  const CLI::App* deepest = Deepest(app);
  std::string where;
  for (const CLI::App* p = deepest; p != nullptr && p != &app; p = p->get_parent()) {
    where = " " + p->get_name() + where;
  }
  err << "2501: " << e.what() << "\n";
  err << "Usage: " << formatter.UsageFor(deepest) << "\n";
  err << "Run `2501" << where << " --help` for more.\n";
  if (json) {
    nlohmann::json body = {{"error", {{"code", "usage"}, {"message", e.what()}}}};
    parsed.out = body.dump() + "\n";
  }
  parsed.err = err.str();
  parsed.exit_code = 2;
  return parsed;
}

}  // namespace

ParsedArgs ParseArguments(const std::vector<std::string>& args) {
  std::vector<const char*> argv = {"2501"};
  for (const auto& a : args) argv.push_back(a.c_str());
  return ParseArguments(static_cast<int>(argv.size()), argv.data());
}

ParsedArgs ParseArguments(int argc, const char* const* argv) {
  Invocation inv;
  auto formatter = std::make_shared<UsageFormatter>();
  CLI::App app(kDescription, "2501");
  app.formatter(formatter);
  AddGlobalOptions(app, inv.global);
  const std::map<const CLI::App*, const Command*> commands = AddCommands(app, *formatter, inv);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return ParseFailure(app, *formatter, e, WantsJson(argc, argv));
  }
  const CLI::App* deepest = Deepest(app);
  ParsedArgs parsed;
  if (deepest == &app) {
    parsed.out = app.help();
    return parsed;
  }
  inv.command = commands.at(deepest);
  if (!inv.command->runs.empty()) inv.command = FindCommand(inv.command->runs);
  parsed.invocation = std::move(inv);
  return parsed;
}

}  // namespace tfzo::cli
