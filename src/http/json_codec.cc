#include "http/json_codec.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <boost/range/iterator_range.hpp>

#include "model/key_flags.h"
#include "service/key_service.h"

namespace tfzo::http {

namespace {

// Ok when `msg` has exactly one Content-Type and its media type is application/json.
Status CheckJsonMediaType(const HttpRequest& msg) {
  const Status refused(StatusCode::kUnsupportedMedia,
                       "Content-Type: the body must be JSON, sent as application/json");
  auto fields = boost::make_iterator_range(msg.equal_range(beast_http::field::content_type));
  if (std::distance(fields.begin(), fields.end()) != 1) return refused;
  std::string_view media = fields.begin()->value();
  media = media.substr(0, media.find(';'));
  while (!media.empty() && (media.front() == ' ' || media.front() == '\t')) media.remove_prefix(1);
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.remove_suffix(1);
  if (!boost::beast::iequals(media, "application/json")) return refused;
  return Status::Ok();
}

}  // namespace

Result<JsonBody> JsonBody::Parse(const HttpRequest& msg,
                                 std::initializer_list<std::string_view> fields, bool empty_ok) {
  const std::string_view body = msg.body();
  if (body.empty() && empty_ok) return JsonBody(json::object());
  if (!body.empty()) RETURN_IF_ERROR(CheckJsonMediaType(msg));
  // nlohmann stops at a NUL byte as if the input ended there: refuse it rather than ignore
  // what follows.
  if (body.find('\0') != std::string_view::npos) return InvalidRequest("body: not valid JSON");
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidRequest("body: not valid JSON");
  if (!j.is_object()) return InvalidRequest("body: must be a JSON object");
  for (const auto& [name, value] : j.items()) {
    bool known = false;
    for (std::string_view f : fields) known = known || f == name;
    if (!known) return InvalidRequest(fmt::format("{}: unknown field", name));
  }
  return JsonBody(std::move(j));
}

bool JsonBody::ScanPlainStrings(const HttpRequest& msg, std::span<const std::string_view> fields,
                                std::span<std::optional<std::string_view>> values) {
  for (auto& value : values) value.reset();
  const std::string_view in = msg.body();
  if (in.empty() || values.size() != fields.size() || !CheckJsonMediaType(msg).ok()) return false;
  size_t i = 0;
  auto skip_space = [&] {  // JSON's whitespace
    while (i < in.size() && (in[i] == ' ' || in[i] == '\t' || in[i] == '\n' || in[i] == '\r')) ++i;
  };
  auto at = [&](char c) { return i < in.size() && in[i] == c; };
  // A string of printable ASCII and no escape: its text is its bytes.
  auto plain_string = [&](std::string_view& out) {
    if (!at('"')) return false;
    const size_t start = ++i;
    for (; i < in.size() && in[i] != '"'; ++i) {
      const auto c = static_cast<unsigned char>(in[i]);
      if (c < 0x20 || c > 0x7e || c == '\\') return false;
    }
    if (i == in.size()) return false;
    out = in.substr(start, i - start);
    ++i;
    return true;
  };
  skip_space();
  if (!at('{')) return false;
  ++i;
  skip_space();
  if (at('}')) {
    ++i;
  } else {
    for (;;) {
      std::string_view name, value;
      if (!plain_string(name)) return false;
      skip_space();
      if (!at(':')) return false;
      ++i;
      skip_space();
      if (!plain_string(value)) return false;
      const auto field = std::find(fields.begin(), fields.end(), name);
      if (field == fields.end()) return false;
      std::optional<std::string_view>& slot = values[field - fields.begin()];
      if (slot) return false;  // repeated
      slot = value;
      skip_space();
      if (at(',')) {
        ++i;
        skip_space();
      } else if (at('}')) {
        ++i;
        break;
      } else {
        return false;
      }
    }
  }
  skip_space();
  return i == in.size();
}

bool JsonBody::Has(std::string_view field) const { return j_.contains(field); }

Result<std::string> JsonBody::RequiredString(std::string_view field) const {
  auto it = j_.find(field);
  if (it == j_.end() || it->is_null()) return InvalidRequest(fmt::format("{}: is required", field));
  if (!it->is_string()) return InvalidRequest(fmt::format("{}: must be a string", field));
  return it->get<std::string>();
}

Result<std::optional<std::string>> JsonBody::OptionalString(std::string_view field) const {
  auto it = j_.find(field);
  if (it == j_.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) return InvalidRequest(fmt::format("{}: must be a string", field));
  return std::optional<std::string>(it->get<std::string>());
}

Result<std::vector<std::string>> JsonBody::RequiredStringArray(std::string_view field,
                                                               size_t max) const {
  auto it = j_.find(field);
  if (it == j_.end() || it->is_null()) return InvalidRequest(fmt::format("{}: is required", field));
  if (!it->is_array() || it->empty() || it->size() > max) {
    return InvalidRequest(fmt::format("{}: must be an array of 1 to {} strings", field, max));
  }
  std::vector<std::string> out;
  out.reserve(it->size());
  for (size_t i = 0; i < it->size(); ++i) {
    const json& e = (*it)[i];
    if (!e.is_string()) return InvalidRequest(fmt::format("{}[{}]: must be a string", field, i));
    out.push_back(e.get<std::string>());
  }
  return out;
}

Result<std::optional<bool>> JsonBody::OptionalBool(std::string_view field) const {
  auto it = j_.find(field);
  if (it == j_.end() || it->is_null()) return std::optional<bool>();
  if (!it->is_boolean()) return InvalidRequest(fmt::format("{}: must be true or false", field));
  return std::optional<bool>(it->get<bool>());
}

Result<std::optional<Time>> JsonBody::OptionalTime(std::string_view field) const {
  ASSIGN_OR_RETURN(std::optional<std::string> text, OptionalString(field));
  if (!text) return std::optional<Time>();
  auto t = ParseRfc3339(*text);
  if (!t.ok()) {
    return InvalidRequest(
        fmt::format("{}: must be an RFC 3339 time like 2026-11-27T06:48:27Z", field));
  }
  return std::optional<Time>(*t);
}

Result<std::optional<int64_t>> JsonBody::OptionalInt(std::string_view field, int64_t min,
                                                     int64_t max) const {
  auto it = j_.find(field);
  if (it == j_.end() || it->is_null()) return std::optional<int64_t>();
  // An unsigned value past int64_t's range reads as negative: out of range too.
  if (!it->is_number_integer() || it->get<int64_t>() < min || it->get<int64_t>() > max) {
    return InvalidRequest(fmt::format("{}: must be a whole number from {} to {}", field, min, max));
  }
  return std::optional<int64_t>(it->get<int64_t>());
}

Result<std::optional<std::vector<std::string>>> JsonBody::OptionalStrings(std::string_view field,
                                                                          size_t max_items) const {
  auto it = j_.find(field);
  if (it == j_.end() || it->is_null()) return std::optional<std::vector<std::string>>();
  if (!it->is_array()) return InvalidRequest(fmt::format("{}: must be an array of strings", field));
  if (it->size() > max_items) {
    return InvalidRequest(fmt::format("{}: at most {} entries", field, max_items));
  }
  std::vector<std::string> items;
  for (const json& item : *it) {
    if (!item.is_string()) {
      return InvalidRequest(fmt::format("{}: must be an array of strings", field));
    }
    items.push_back(item.get<std::string>());
  }
  return std::optional<std::vector<std::string>>(std::move(items));
}

json TimeJson(const std::optional<Time>& t) { return t ? json(FormatRfc3339(*t)) : json(nullptr); }

json AccountJson(const AccountRecord& a) {
  json j = {{"id", a.id},
            {"email", a.email},
            {"name", a.name},
            {"email_verified", a.email_verified_at.has_value()},
            {"two_factor", a.two_factor}};
  if (a.pending_email) j["pending_email"] = *a.pending_email;
  return j;
}

json InvitationJson(const InvitationRecord& i, Time now) {
  return {{"id", i.id},
          {"org_id", i.org_id},
          {"org_name", i.org_name},
          {"org_handle", i.org_handle},
          {"email", i.email},
          {"role", RoleName(i.role)},
          {"invited_by", i.invited_by_email},
          {"created_at", FormatRfc3339(i.created_at)},
          {"expires_at", FormatRfc3339(i.expires_at)},
          {"status", InvitationStatusName(i.StatusAt(now))}};
}

json OrgJson(const MembershipRecord& m) {
  return {{"id", m.org_id},
          {"name", m.org_name},
          {"handle", m.org_handle},
          {"role", RoleName(m.role)},
          {"require_two_factor", m.org_requires_two_factor}};
}

json MemberJson(const MembershipRecord& m, bool show_two_factor) {
  json j = {{"account_id", m.account_id}, {"email", m.email}, {"role", RoleName(m.role)}};
  if (show_two_factor) j["two_factor"] = m.two_factor;
  return j;
}

json PolicyJson(const OrgPolicy& p) {
  const auto days = [](const std::optional<int>& d) { return d ? json(*d) : json(nullptr); };
  return json{{"max_lifetime_days", days(p.max_lifetime_days)},
              {"require_expiration", p.require_expiration},
              {"rotate_every_days", days(p.rotate_every_days)},
              {"revoke_unused_after_days", days(p.revoke_unused_after_days)},
              {"allowed_permissions",
               p.allowed_permissions ? json(p.allowed_permissions->Names()) : json(nullptr)},
              {"updated_at", TimeJson(p.updated_at)}};
}

json KeyJson(const KeyRecord& k, Time now) {
  return {{"id", k.id},
          {"name", k.name},
          {"description", k.description},
          {"hint", k.hint},
          {"org_id", k.org_id ? json(*k.org_id) : json(nullptr)},
          {"org_name", k.org_id ? json(k.org_name) : json(nullptr)},
          {"created_at", FormatRfc3339(k.created_at)},
          {"expires_at", TimeJson(k.expires_at)},
          {"last_used_at", TimeJson(k.last_used_at)},
          {"rotated_at", TimeJson(k.rotated_at)},
          {"revoked_at", TimeJson(k.revoked_at)},
          {"status", KeyStatusName(k, now)},
          {"permissions", k.permissions.Names()},
          {"allowed_ips", k.allowed_ips},
          {"previous_valid_until", k.previous_valid_until && *k.previous_valid_until > now
                                       ? json(FormatRfc3339(*k.previous_valid_until))
                                       : json(nullptr)},
          {"service_account", k.service_account_name
                                  ? json({{"id", k.account_id}, {"name", *k.service_account_name}})
                                  : json(nullptr)},
          {"exposed_at", TimeJson(k.exposed_at)},
          {"flags", KeyFlags(k, now)}};
}

json ServiceAccountJson(const ServiceAccountRecord& s) {
  return {{"id", s.id},
          {"org_id", s.org_id},
          {"name", s.name},
          {"description", s.description},
          {"created_by", s.created_by},
          {"created_at", FormatRfc3339(s.created_at)}};
}

json AgentJson(const AgentRecord& a) {
  return {{"id", a.id},
          {"org_id", a.org_id},
          {"name", a.name},
          {"host_id", a.host_id ? json(*a.host_id) : json(nullptr)},
          {"created_at", FormatRfc3339(a.created_at)}};
}

json HostJson(const HostRecord& h) {
  return {{"id", h.id},
          {"org_id", h.org_id},
          {"name", h.name},
          {"address", h.address},
          {"created_at", FormatRfc3339(h.created_at)}};
}

json EventJson(const EventRecord& e) {
  return {{"id", e.id},
          {"at", FormatRfc3339(e.at)},
          {"action", e.action},
          {"actor_id", e.actor_id ? json(*e.actor_id) : json(nullptr)},
          {"org_id", e.org_id ? json(*e.org_id) : json(nullptr)},
          {"target_id", e.target_id},
          {"ip", e.ip}};
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

}  // namespace tfzo::http
