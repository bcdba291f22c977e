#include "http/device_routes.h"

#include "http/json_codec.h"

namespace tfzo::http {

using beast_http::status;
using beast_http::verb;

namespace {

json RequestJson(const DeviceCodeRecord& r, Time now) {
  return {{"client_name", r.client_name},
          {"hostname", r.hostname},
          {"ip", r.ip},
          {"created_at", TimeJson(r.created_at)},
          {"expires_at", TimeJson(r.expires_at)},
          {"status", DeviceService::StatusAt(r, now)}};
}

// The approval's body: POST /api/keys's fields, each optional.
Result<DeviceService::Approval> ReadApproval(const JsonBody& body) {
  DeviceService::Approval approval;
  ASSIGN_OR_RETURN(approval.name, body.OptionalString("name"));
  ASSIGN_OR_RETURN(auto description, body.OptionalString("description"));
  approval.description = description.value_or("");
  if (body.Has("expires_at")) {
    ASSIGN_OR_RETURN(approval.expires_at, body.OptionalTime("expires_at"));
  }
  ASSIGN_OR_RETURN(approval.org_id, body.OptionalString("org_id"));
  ASSIGN_OR_RETURN(auto names, body.OptionalStrings("permissions", 16));
  if (names) {
    ASSIGN_OR_RETURN(Permissions set, Permissions::FromNames(*names, "permissions"));
    approval.permissions = set;
  }
  ASSIGN_OR_RETURN(auto allowed_ips,
                   body.OptionalStrings("allowed_ips", KeyService::kMaxAllowedIps));
  approval.allowed_ips = allowed_ips.value_or(std::vector<std::string>());
  return approval;
}

void AddCliDeviceRoutes(Routes& routes, const DeviceServices& svc) {
  routes.Public(verb::post, "/api/v1/device/code", [svc](Request& request) -> Result<HttpResponse> {
    ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.msg, {"client_name", "hostname"},
                                                    /*empty_ok=*/true));
    ASSIGN_OR_RETURN(auto client_name, body.OptionalString("client_name"));
    ASSIGN_OR_RETURN(auto hostname, body.OptionalString("hostname"));
    ASSIGN_OR_RETURN(
        DeviceService::Started started,
        svc.device.Start(client_name.value_or(""), hostname.value_or(""), request.remote_ip));
    return Json({{"device_code", started.device_code.reveal()},
                 {"user_code", started.user_code},
                 {"verification_uri", started.verification_uri},
                 {"verification_uri_complete", started.verification_uri_complete},
                 {"expires_in", DeviceService::kLifetime.count()},
                 {"interval", DeviceService::kInterval.count()}});
  });

  routes.Public(
      verb::post, "/api/v1/device/token", [svc](Request& request) -> Result<HttpResponse> {
        ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.msg, {"device_code"}));
        ASSIGN_OR_RETURN(std::string device_code, body.RequiredString("device_code"));
        ASSIGN_OR_RETURN(KeyService::Issued issued, svc.device.Poll(device_code));
        return Json(
            {{"key", KeyJson(issued.key, svc.clock.Now())}, {"secret", issued.secret.reveal()}});
      });

  routes.Cli(verb::post, "/api/v1/me/revoke", std::nullopt,
             [svc](Request& request, const KeyState& key) -> Result<HttpResponse> {
               RETURN_IF_ERROR(JsonBody::Parse(request.msg, {}, /*empty_ok=*/true).status());
               ASSIGN_OR_RETURN(
                   KeyRecord revoked,
                   svc.keys.Revoke(Caller{key.account_id, request.remote_ip}, key.key_id));
               return Json({{"key", KeyJson(revoked, svc.clock.Now())}});
             });
}

}  // namespace

void AddDeviceRoutes(Routes& routes, const DeviceServices& svc) {
  AddCliDeviceRoutes(routes, svc);

  routes.Console(verb::get, "/api/device/{code}",
                 [svc](Request& request, const Session& session) -> Result<HttpResponse> {
                   ASSIGN_OR_RETURN(DeviceCodeRecord found,
                                    svc.device.Find(session.caller, request.param("code")));
                   return Json({{"request", RequestJson(found, svc.clock.Now())}});
                 });

  routes.Console(
      verb::post, "/api/device/{code}/approve",
      [svc](Request& request, const Session& session) -> Result<HttpResponse> {
        ASSIGN_OR_RETURN(JsonBody body, JsonBody::Parse(request.msg,
                                                        {"name", "description", "expires_at",
                                                         "org_id", "permissions", "allowed_ips"},
                                                        /*empty_ok=*/true));
        ASSIGN_OR_RETURN(DeviceService::Approval approval, ReadApproval(body));
        ASSIGN_OR_RETURN(KeyRecord key, svc.device.Approve(session.caller, request.param("code"),
                                                           std::move(approval)));
        return Json({{"key", KeyJson(key, svc.clock.Now())}});
      });

  routes.Console(verb::post, "/api/device/{code}/deny",
                 [svc](Request& request, const Session& session) -> Result<HttpResponse> {
                   RETURN_IF_ERROR(JsonBody::Parse(request.msg, {}, /*empty_ok=*/true).status());
                   RETURN_IF_ERROR(svc.device.Deny(session.caller, request.param("code")));
                   return HttpResponse{status::no_content, 11};
                 });
}

}  // namespace tfzo::http
