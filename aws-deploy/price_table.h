// The prices deploy and diff estimate a stack's monthly bill from: on-demand list prices of the
// billable kinds an i2kit stack makes, per region, kept in the repository with the date they
// were read and where. AWS changes prices rarely, but does: an estimate says it is one, and
// names this table's date and source.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace i2kit {

// When and where the table was read.
inline constexpr std::string_view kPriceTableDate = "2026-12-07";
inline constexpr std::string_view kPriceTableSource =
    "AWS public on-demand list prices (aws.amazon.com/ec2/pricing/on-demand, "
    "/elasticloadbalancing/pricing, /vpc/pricing, /ebs/pricing), Linux, no free tier, "
    "no savings plans";

// AWS's month for monthly estimates: 730 hours.
inline constexpr double kHoursPerMonth = 730;

struct RegionPrices {
  std::string_view region;
  double load_balancer_hour;  // an application or network balancer, before LCU/NLCU
  double nat_gateway_hour;    // before its $/GB processed
  double gp3_gb_month;        // EBS gp3 storage, GB-month
  double snapshot_gb_month;   // EBS snapshots (standard tier), GB-month of data stored
};

// The prices of `region`, or nullopt when the table has none for it.
std::optional<RegionPrices> PricesIn(std::string_view region);

// USD per hour of `instance_type` on demand in `region` (Linux), or nullopt when the table has
// no price for it.
std::optional<double> InstanceHourPrice(std::string_view region, std::string_view instance_type);

}  // namespace i2kit
