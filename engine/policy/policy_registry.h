// Looks up the built-in call policies by name. The returned instances are
// immutable singletons that live for the whole program.
#pragma once

#include <string_view>
#include <vector>

#include "engine/core/call_policy.h"

namespace hallq::policy {

inline constexpr std::string_view kDefaultPolicy = "balanced";

// The policy named `name`, or null if there is none.
const core::CallPolicy* find_policy(std::string_view name);
// Names of all policies, default first.
std::vector<std::string_view> policy_names();

}  // namespace hallq::policy
