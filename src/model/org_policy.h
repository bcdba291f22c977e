#ifndef TFZO_MODEL_ORG_POLICY_H_
#define TFZO_MODEL_ORG_POLICY_H_

#include <optional>
#include <string_view>

#include "core/result.h"
#include "core/time.h"
#include "model/permissions.h"
#include "model/records.h"

namespace tfzo {

// The rules of an organization's key policy (OrgPolicy), applied to one key. Both the checks at
// each use (KeyVerifier, from KeyState::Policy) and the checks when a key is created, rotated or
// edited (KeyService) come from here, so they never disagree. Pure functions.

// What `policy` makes of a key created or last rotated at `since`.
KeyState::Policy KeyPolicyOf(const OrgPolicy& policy, Time since);

// kPolicyViolation, naming the rule, when a key of the organization `org_name` created or last
// rotated at `since`, with `expires_at` and `permissions`, breaks `policy`.
Status CheckKeyPolicy(const OrgPolicy& policy, std::string_view org_name, Time since,
                      const std::optional<Time>& expires_at, Permissions permissions);

}  // namespace tfzo

#endif  // TFZO_MODEL_ORG_POLICY_H_
