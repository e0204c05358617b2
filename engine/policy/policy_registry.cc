#include "engine/policy/policy_registry.h"

#include "engine/policy/balanced_policy.h"
#include "engine/policy/dedicated_policy.h"
#include "engine/policy/oldest_policy.h"

namespace hallq::policy {
namespace {

const BalancedPolicy kBalanced;
const DedicatedPolicy kDedicated;
const OldestPolicy kOldest;
const core::CallPolicy* const kAll[] = {&kBalanced, &kDedicated, &kOldest};

}  // namespace

const core::CallPolicy* find_policy(std::string_view name) {
  for (const core::CallPolicy* p : kAll)
    if (p->name() == name) return p;
  return nullptr;
}

std::vector<std::string_view> policy_names() {
  std::vector<std::string_view> names;
  for (const core::CallPolicy* p : kAll) names.push_back(p->name());
  return names;
}

}  // namespace hallq::policy
