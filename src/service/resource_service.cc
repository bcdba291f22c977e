#include "service/resource_service.h"

#include "service/validation.h"

namespace tfzo {

ResourceService::ResourceService(ServiceDeps deps) : deps_(deps) {}

Result<std::vector<AgentRecord>> ResourceService::ListAgents(std::string_view org_id) {
  return deps_.store.ListAgents(org_id);
}

Result<AgentRecord> ResourceService::CreateAgent(std::string_view org_id, std::string name,
                                                 std::optional<std::string> host_id) {
  ASSIGN_OR_RETURN(name, CheckText("name", name, 1, 100));
  if (host_id) {
    auto host = deps_.store.FindHost(org_id, *host_id);
    if (!host.ok()) {
      return host.status().code() == StatusCode::kNotFound
                 ? InvalidRequest("host_id: no such host in this organization")
                 : host.status();
    }
  }
  AgentRecord agent{.id = NewId("agt", deps_.random),
                    .org_id = std::string(org_id),
                    .name = std::move(name),
                    .host_id = std::move(host_id),
                    .created_at = deps_.clock.Now()};
  RETURN_IF_ERROR(deps_.store.CreateAgent(agent));
  return agent;
}

Result<AgentRecord> ResourceService::GetAgent(std::string_view org_id, std::string_view agent_id) {
  return deps_.store.FindAgent(org_id, agent_id);
}

Status ResourceService::DeleteAgent(std::string_view org_id, std::string_view agent_id) {
  return deps_.store.DeleteAgent(org_id, agent_id);
}

Result<std::vector<HostRecord>> ResourceService::ListHosts(std::string_view org_id) {
  return deps_.store.ListHosts(org_id);
}

Result<HostRecord> ResourceService::CreateHost(std::string_view org_id, std::string name,
                                               std::string address) {
  ASSIGN_OR_RETURN(name, CheckText("name", name, 1, 100));
  ASSIGN_OR_RETURN(address, CheckText("address", address, 1, 255));
  HostRecord host{.id = NewId("hst", deps_.random),
                  .org_id = std::string(org_id),
                  .name = std::move(name),
                  .address = std::move(address),
                  .created_at = deps_.clock.Now()};
  RETURN_IF_ERROR(deps_.store.CreateHost(host));
  return host;
}

Result<HostRecord> ResourceService::GetHost(std::string_view org_id, std::string_view host_id) {
  return deps_.store.FindHost(org_id, host_id);
}

Status ResourceService::DeleteHost(std::string_view org_id, std::string_view host_id) {
  return deps_.store.DeleteHost(org_id, host_id);
}

}  // namespace tfzo
