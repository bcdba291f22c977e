#include "server/config_file.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <toml++/toml.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

namespace tfzo {
namespace {

// What a key's TOML value must be, from the option's CLI11 type.
enum class Kind { kFlag, kInteger, kUnsigned, kNumber, kString };

Kind KindOf(const CLI::Option& option) {
  if (option.get_items_expected_max() == 0) return Kind::kFlag;
  std::string type = option.get_type_name();
  type = type.substr(0, type.find(':'));  // "INT:INT in [1 - 256]": the validator's part after
  if (type == "INT") return Kind::kInteger;
  if (type == "UINT") return Kind::kUnsigned;  // CLI11 would wrap -1 around
  if (type == "FLOAT") return Kind::kNumber;
  return Kind::kString;
}

// Several values: a vector option, which also takes a comma list when it has a delimiter.
bool TakesSeveral(const CLI::Option& option) { return option.get_items_expected_max() > 1; }

const char* Expected(Kind kind) {
  switch (kind) {
    case Kind::kFlag:
      return "expected true or false";
    case Kind::kInteger:
      return "expected an integer";
    case Kind::kUnsigned:
      return "expected an integer from 0";
    case Kind::kNumber:
      return "expected a number";
    case Kind::kString:
      break;
  }
  return "expected a string";
}

// An error at `node`'s line: "config.toml:7: ...".
Status ErrorAt(const std::string& source, const toml::node& node, std::string_view what) {
  return InvalidRequest(fmt::format("{}:{}: {}", source, node.source().begin.line, what));
}

// One scalar as the option's command-line text, or the reason it does not fit.
Result<std::string> ScalarText(const toml::node& node, Kind kind, const std::string& key,
                               const EnvGetter& env) {
  if (const toml::table* table = node.as_table()) {
    // { env = "NAME" }: the value of an environment variable, checked like one typed.
    const toml::node* name = table->get("env");
    if (table->size() != 1 || name == nullptr || !name->is_string()) {
      return InvalidRequest(fmt::format("\"{}\": a table value must be {{ env = \"NAME\" }}", key));
    }
    const std::string var = **name->as_string();
    std::optional<std::string> value = env(var);
    if (!value) {
      return InvalidRequest(
          fmt::format("\"{}\": the environment variable {} is not set", key, var));
    }
    return *std::move(value);
  }
  switch (kind) {
    case Kind::kFlag:
      if (const auto* b = node.as_boolean()) return std::string(**b ? "true" : "false");
      break;
    case Kind::kInteger:
      if (const auto* i = node.as_integer()) return std::to_string(**i);
      break;
    case Kind::kUnsigned:
      if (const auto* i = node.as_integer(); i && **i >= 0) return std::to_string(**i);
      break;
    case Kind::kNumber:
      if (const auto* i = node.as_integer()) return std::to_string(**i);
      if (const auto* f = node.as_floating_point()) return fmt::format("{}", **f);
      break;
    case Kind::kString:
      if (const auto* s = node.as_string()) return **s;
      break;
  }
  return InvalidRequest(fmt::format("\"{}\": {}", key, Expected(kind)));
}

// The results to give the option for `node`: one, or one per array element.
Result<std::vector<std::string>> Values(const toml::node& node, const CLI::Option& option,
                                        const std::string& key, const EnvGetter& env) {
  const Kind kind = KindOf(option);
  std::vector<std::string> values;
  if (const toml::array* array = node.as_array()) {
    if (!TakesSeveral(option)) {
      return InvalidRequest(fmt::format("\"{}\": {}, not an array", key, Expected(kind)));
    }
    for (const toml::node& element : *array) {
      ASSIGN_OR_RETURN(std::string text, ScalarText(element, kind, key, env));
      values.push_back(std::move(text));
    }
    return values;
  }
  ASSIGN_OR_RETURN(std::string text, ScalarText(node, kind, key, env));
  values.push_back(std::move(text));
  return values;
}

// CLI11's message without the option name it starts with ("--threads: Value 0 not in ...").
std::string Reason(const CLI::Error& e, const CLI::Option& option) {
  std::string what = e.what();
  for (const std::string& name : {option.get_name(), "--" + ConfigKey(option)}) {
    if (what.starts_with(name + ": ")) return what.substr(name.size() + 2);
  }
  return what;
}

// A URL holding a password ("postgresql://user:secret@host/db", "...?password=..."): a secret.
bool HoldsPassword(std::string_view value) {
  const size_t scheme_end = value.find("://");
  if (scheme_end != std::string_view::npos) {
    const std::string_view rest = value.substr(scheme_end + 3);
    const size_t at = rest.find('@');
    const size_t colon = rest.find(':');
    if (at != std::string_view::npos && colon < at && rest.find('/') > at) return true;
  }
  return value.find("password=") != std::string_view::npos;
}

}  // namespace

EnvGetter ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

std::string ConfigKey(const CLI::Option& option) {
  const auto& names = option.get_lnames();
  return names.empty() ? "" : names.front();
}

namespace {

// ApplyConfigText's work; `secrets` gets the keys whose literal value holds a password.
Result<ConfigFileOutcome> Apply(std::string_view text, const std::string& source, CLI::App& command,
                                std::string_view skip, const EnvGetter& env,
                                std::vector<std::string>* secrets) {
  toml::table table;
  try {
    table = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return InvalidRequest(
        fmt::format("{}:{}: not valid TOML: {}", source, e.source().begin.line, e.description()));
  }
  std::map<std::string, CLI::Option*> by_key;
  for (CLI::Option* option : command.get_options()) {
    const std::string key = ConfigKey(*option);
    if (key.empty() || key == skip || option == command.get_help_ptr()) continue;
    by_key[key] = option;
  }
  ConfigFileOutcome outcome;
  for (const auto& [name, node] : table) {
    const std::string key(name.str());
    auto it = by_key.find(key);
    if (it == by_key.end()) {
      return InvalidRequest(
          fmt::format("{}:{}: unknown key \"{}\"", source, name.source().begin.line, key));
    }
    CLI::Option& option = *it->second;
    auto values = Values(node, option, key, env);
    if (!values.ok()) return ErrorAt(source, node, values.status().message());
    if (!node.is_table()) {
      for (const std::string& v : *values) {
        if (HoldsPassword(v)) secrets->push_back(key);
      }
    }
    if (option.count() > 0) continue;  // the command line (or the environment) said otherwise
    try {
      option.add_result(*values);
      option.run_callback();
    } catch (const CLI::Error& e) {
      return ErrorAt(source, node, fmt::format("\"{}\": {}", key, Reason(e, option)));
    }
  }
  return outcome;
}

}  // namespace

Result<ConfigFileOutcome> ApplyConfigText(std::string_view text, const std::string& source,
                                          CLI::App& command, std::string_view skip,
                                          const EnvGetter& env) {
  std::vector<std::string> secrets;
  return Apply(text, source, command, skip, env, &secrets);
}

Result<ConfigFileOutcome> ApplyConfigFile(const std::string& path, CLI::App& command,
                                          std::string_view skip, const EnvGetter& env) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidRequest(fmt::format("{}: cannot read: {}", path, std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  std::vector<std::string> secrets;
  ASSIGN_OR_RETURN(ConfigFileOutcome outcome,
                   Apply(text.str(), path, command, skip, env, &secrets));
  struct stat st;
  if (!secrets.empty() && ::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    outcome.warnings.push_back(fmt::format(
        "{} holds a password (\"{}\") and is {:o}: group or others may read it; chmod 600 it, "
        "or take the value from the environment (docs/configuration.md)",
        path, secrets.front(), st.st_mode & 0777));
  }
  return outcome;
}

}  // namespace tfzo
