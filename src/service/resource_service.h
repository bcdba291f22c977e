#ifndef TFZO_SERVICE_RESOURCE_SERVICE_H_
#define TFZO_SERVICE_RESOURCE_SERVICE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "service/context.h"

namespace tfzo {

// An organization's agents and hosts. Callers have already passed the scope check for
// `org_id` (KeyVerifier::CheckOrgAccess); every lookup here stays inside that org, so an id
// from another org answers kNotFound. Holds references only; thread-safe.
class ResourceService {
 public:
  explicit ResourceService(ServiceDeps deps);

  Result<std::vector<AgentRecord>> ListAgents(std::string_view org_id);
  Result<AgentRecord> CreateAgent(std::string_view org_id, std::string name,
                                  std::optional<std::string> host_id);
  Result<AgentRecord> GetAgent(std::string_view org_id, std::string_view agent_id);
  Status DeleteAgent(std::string_view org_id, std::string_view agent_id);

  Result<std::vector<HostRecord>> ListHosts(std::string_view org_id);
  Result<HostRecord> CreateHost(std::string_view org_id, std::string name, std::string address);
  Result<HostRecord> GetHost(std::string_view org_id, std::string_view host_id);
  Status DeleteHost(std::string_view org_id, std::string_view host_id);

 private:
  ServiceDeps deps_;
};

}  // namespace tfzo

#endif  // TFZO_SERVICE_RESOURCE_SERVICE_H_
