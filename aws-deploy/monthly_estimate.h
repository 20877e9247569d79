// What a stack will run, by billable kind, and an estimate of its monthly bill before it is run
// up: instances by type and count, load balancers, EBS root and persistent volumes (gp3
// GB-month; their snapshots are billed apart, while they exist), and the NAT gateway the
// instances need when the preflight found none. A pure function of the rendered template (one
// datum, one path: what is counted is what CloudFormation will make) and the price table.
// Traffic (LCUs, data processed and transferred), logs and metrics are not in it: they depend on
// use, and the estimate says so.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace i2kit {

// The size of each instance's root volume: push registers the Pod VM disk as a gp3 volume of
// its size rounded up to whole GiB, and Pod VM disks are under 1 GiB.
inline constexpr int kRootVolumeGiB = 1;

struct BillableItem {
  // "instance", "load balancer", "EBS root volume", "EBS persistent volume", "NAT gateway"
  std::string kind;
  std::string detail;  // "t3.micro", "network, internal", "gp3, 1 GiB each"
  int count = 0;
  std::optional<double> monthly_usd;  // for all `count`; nullopt when the table has no price
};

struct MonthlyEstimate {
  std::string region;
  std::vector<BillableItem> items;
  double total_usd = 0;  // of the items with a price
  bool complete = true;  // every item has a price
  // What the persistent volumes' snapshots cost while they exist, when the stack has volumes.
  std::string snapshots_note;
};

// Whether the instance subnets need a NAT gateway, as the preflight found (they have no way
// out): nullopt when it did not look (deploy --dry-run).
using NatFinding = std::optional<bool>;

// The estimate for `stack_template` in `region`.
MonthlyEstimate EstimateMonthlyCost(const nlohmann::ordered_json& stack_template,
                                    const std::string& region, NatFinding nat_needed);

// The estimate as an operator reads it: one line per kind, the total, and what it leaves out,
// with the word "estimate" and the price table's date and source.
std::vector<std::string> FormatEstimate(const MonthlyEstimate& estimate);

// The estimate for --format json.
nlohmann::ordered_json EstimateJson(const MonthlyEstimate& estimate);

}  // namespace i2kit
