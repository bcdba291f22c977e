#ifndef TFZO_HTTP_JSON_CODEC_H_
#define TFZO_HTTP_JSON_CODEC_H_

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/time.h"
#include "http/message.h"
#include "model/store.h"

namespace tfzo::http {

using nlohmann::json;

// A request body that must be a JSON object with only known fields, sent as
// `application/json`. Every getter answers kInvalidRequest with a message that starts with the
// field's name. Parsing never throws.
class JsonBody {
 public:
  // The body of `msg`: kUnsupportedMedia (415) when it is not empty and its one Content-Type
  // is not application/json (parameters such as charset aside), so that no HTML form
  // (text/plain, urlencoded, multipart) reaches a JSON route. An empty body counts as {} when
  // `empty_ok`, whatever its Content-Type.
  static Result<JsonBody> Parse(const HttpRequest& msg,
                                std::initializer_list<std::string_view> fields,
                                bool empty_ok = false);

  // The fields of a body of plain strings, read without building a json value (for the hot
  // path, POST /api/v1/keys/verify). True when `msg` passes Parse's media type check and its
  // body is a JSON object whose members are among `fields`, each at most once, and whose values
  // are all strings of printable ASCII without escapes, as API clients send them: `values[i]`
  // (`values` is as long as `fields`) is then `fields[i]`'s value, a view into the body, or
  // nullopt when absent. False for anything else (escapes, other characters, other types,
  // unknown or repeated members, not JSON): the caller reads such a body with Parse instead,
  // which gives the same values or the exact error. Never errs itself.
  static bool ScanPlainStrings(const HttpRequest& msg, std::span<const std::string_view> fields,
                               std::span<std::optional<std::string_view>> values);

  bool Has(std::string_view field) const;
  Result<std::string> RequiredString(std::string_view field) const;
  // Absent or null: nullopt.
  Result<std::optional<std::string>> OptionalString(std::string_view field) const;
  // Absent or null: nullopt; otherwise true or false.
  Result<std::optional<bool>> OptionalBool(std::string_view field) const;
  // Absent or null: nullopt; otherwise an RFC 3339 time.
  Result<std::optional<Time>> OptionalTime(std::string_view field) const;
  // An array of strings, 1..`max` long (kInvalidRequest naming the field, or the element:
  // "ids[2]: must be a string").
  Result<std::vector<std::string>> RequiredStringArray(std::string_view field, size_t max) const;
  // Absent or null: nullopt; otherwise an integer from `min` to `max`.
  Result<std::optional<int64_t>> OptionalInt(std::string_view field, int64_t min,
                                             int64_t max) const;
  // Absent or null: nullopt; otherwise an array of at most `max_items` strings.
  Result<std::optional<std::vector<std::string>>> OptionalStrings(std::string_view field,
                                                                  size_t max_items) const;

 private:
  explicit JsonBody(json j) : j_(std::move(j)) {}
  json j_;
};

// The objects of docs/spec/API.md.
json AccountJson(const AccountRecord& a);
json InvitationJson(const InvitationRecord& i, Time now);
json OrgJson(const MembershipRecord& m);
// `show_two_factor`: for owners, whether the member has two-factor sign-in on.
json MemberJson(const MembershipRecord& m, bool show_two_factor = false);
json KeyJson(const KeyRecord& k, Time now);
json ServiceAccountJson(const ServiceAccountRecord& s);
json PolicyJson(const OrgPolicy& p);
json AgentJson(const AgentRecord& a);
json HostJson(const HostRecord& h);
json EventJson(const EventRecord& e);
json TimeJson(const std::optional<Time>& t);

// Serializes for the wire; invalid UTF-8 (never produced by us) is replaced, not thrown.
std::string Dump(const json& j);

}  // namespace tfzo::http

#endif  // TFZO_HTTP_JSON_CODEC_H_
