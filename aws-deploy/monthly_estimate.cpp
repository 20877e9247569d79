#include "aws-deploy/monthly_estimate.h"

#include <cmath>
#include <cstdio>
#include <map>

#include "aws-deploy/price_table.h"

namespace i2kit {
namespace {

using Json = nlohmann::ordered_json;

// The template's value of a number CloudFormation takes as a string ("2") or a number.
int IntegerValue(const Json& value) {
  if (value.is_number_integer()) return value.get<int>();
  if (value.is_string()) return std::atoi(value.get<std::string>().c_str());
  return 0;
}

std::string Dollars(double usd) {
  char text[32];
  std::snprintf(text, sizeof text, "$%.2f", usd);
  return text;
}

std::optional<double> Monthly(std::optional<double> hourly, int count) {
  if (!hourly) return std::nullopt;
  return *hourly * kHoursPerMonth * count;
}

// Instance type -> running instances, from each Auto Scaling group's desired capacity and its
// launch template's type.
std::map<std::string, int> InstancesByType(const Json& resources) {
  std::map<std::string, int> counts;
  for (const auto& [id, resource] : resources.items()) {
    if (resource.value("Type", "") != "AWS::AutoScaling::AutoScalingGroup") continue;
    const Json properties = resource.value("Properties", Json::object());
    int desired = IntegerValue(properties.value("DesiredCapacity", Json(0)));
    std::string launch_template = properties.value("LaunchTemplate", Json::object())
                                      .value("LaunchTemplateId", Json::object())
                                      .value("Ref", "");
    std::string type = resources.value(launch_template, Json::object())
                           .value("Properties", Json::object())
                           .value("LaunchTemplateData", Json::object())
                           .value("InstanceType", "");
    if (desired > 0) counts[type.empty() ? "unknown type" : type] += desired;
  }
  return counts;
}

// "network, internal" -> count.
std::map<std::string, int> BalancersByKind(const Json& resources) {
  std::map<std::string, int> counts;
  for (const auto& [id, resource] : resources.items()) {
    if (resource.value("Type", "") != "AWS::ElasticLoadBalancingV2::LoadBalancer") continue;
    const Json properties = resource.value("Properties", Json::object());
    counts[properties.value("Type", "application") + ", " +
           properties.value("Scheme", "internet-facing")] += 1;
  }
  return counts;
}

}  // namespace

MonthlyEstimate EstimateMonthlyCost(const Json& stack_template, const std::string& region,
                                    NatFinding nat_needed) {
  MonthlyEstimate estimate;
  estimate.region = region;
  const Json resources = stack_template.value("Resources", Json::object());
  std::optional<RegionPrices> prices = PricesIn(region);
  int instances = 0;
  for (const auto& [type, count] : InstancesByType(resources)) {
    estimate.items.push_back(
        {"instance", type, count, Monthly(InstanceHourPrice(region, type), count)});
    instances += count;
  }
  for (const auto& [kind, count] : BalancersByKind(resources)) {
    std::optional<double> hourly;
    if (prices) hourly = prices->load_balancer_hour;
    estimate.items.push_back({"load balancer", kind, count, Monthly(hourly, count)});
  }
  if (instances > 0) {
    std::optional<double> monthly;
    if (prices) monthly = prices->gp3_gb_month * kRootVolumeGiB * instances;
    estimate.items.push_back({"EBS root volume",
                              "gp3, " + std::to_string(kRootVolumeGiB) + " GiB each", instances,
                              monthly});
  }
  int volumes = 0;
  int64_t volume_gib = 0;
  for (const auto& [id, resource] : resources.items()) {
    if (resource.value("Type", "") != "AWS::EC2::Volume") continue;
    volumes += 1;
    volume_gib += IntegerValue(resource.value("Properties", Json::object()).value("Size", Json(0)));
  }
  if (volumes > 0) {
    std::optional<double> monthly;
    if (prices) monthly = prices->gp3_gb_month * static_cast<double>(volume_gib);
    estimate.items.push_back({"EBS persistent volume",
                              "gp3, " + std::to_string(volume_gib) + " GiB in all", volumes,
                              monthly});
    estimate.snapshots_note =
        "the persistent volumes' snapshots, billed only while they exist (delete keeps one per "
        "volume: " +
        (prices ? Dollars(prices->snapshot_gb_month) + " per GB-month of data"
                : std::string("no price in the table for ") + region) +
        ")";
  }
  if (nat_needed.value_or(false)) {
    std::optional<double> hourly;
    if (prices) hourly = prices->nat_gateway_hour;
    estimate.items.push_back({"NAT gateway",
                              "needed: the preflight found none for the instance subnets", 1,
                              Monthly(hourly, 1)});
  }
  for (const BillableItem& item : estimate.items) {
    if (item.monthly_usd) {
      estimate.total_usd += *item.monthly_usd;
    } else {
      estimate.complete = false;
    }
  }
  return estimate;
}

std::vector<std::string> FormatEstimate(const MonthlyEstimate& estimate) {
  std::vector<std::string> lines;
  lines.push_back("what the stack runs, and an estimate of its monthly cost in " + estimate.region +
                  " (on-demand list prices of " + std::string(kPriceTableDate) +
                  ", before traffic):");
  for (const BillableItem& item : estimate.items) {
    std::string line = "  " + std::to_string(item.count) + " " + item.kind +
                       (item.count == 1 ? "" : "s") + " (" + item.detail + ")";
    line += item.monthly_usd ? ": " + Dollars(*item.monthly_usd) + "/month"
                             : ": no price in the table for " + estimate.region;
    lines.push_back(line);
  }
  lines.push_back(std::string("  estimate: ") + (estimate.complete ? "" : "at least ") +
                  Dollars(estimate.total_usd) +
                  "/month; not counted: load balancer capacity units, data processed and "
                  "transferred, CloudWatch logs and metrics, the template in S3 (cents)" +
                  (estimate.snapshots_note.empty() ? "" : ", " + estimate.snapshots_note));
  lines.push_back("  prices: " + std::string(kPriceTableSource) + ", read " +
                  std::string(kPriceTableDate) + "; AWS's bill is what counts");
  return lines;
}

Json EstimateJson(const MonthlyEstimate& estimate) {
  Json items = Json::array();
  for (const BillableItem& item : estimate.items) {
    Json entry{{"kind", item.kind}, {"detail", item.detail}, {"count", item.count}};
    entry["monthlyUsd"] =
        item.monthly_usd ? Json(std::round(*item.monthly_usd * 100) / 100) : Json(nullptr);
    items.push_back(entry);
  }
  return Json{{"estimate", true},
              {"region", estimate.region},
              {"currency", "USD"},
              {"items", items},
              {"monthlyTotalUsd", std::round(estimate.total_usd * 100) / 100},
              {"complete", estimate.complete},
              {"excludes",
               "load balancer capacity units, data processed and transferred, "
               "CloudWatch logs and metrics" +
                   (estimate.snapshots_note.empty() ? "" : ", " + estimate.snapshots_note)},
              {"priceTable", Json{{"date", kPriceTableDate}, {"source", kPriceTableSource}}}};
}

}  // namespace i2kit
