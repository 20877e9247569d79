#include "aws-deploy/price_table.h"

#include <array>

namespace i2kit {
namespace {

struct InstancePrice {
  std::string_view type;
  double hour;
};

// us-east-1 (N. Virginia). The types deploy picks by default (instance_sizing.cpp) and their
// common neighbours; a type not here is shown without a price.
constexpr std::array<InstancePrice, 33> kUsEast1Instances = {{
    {"t3.nano", 0.0052},     {"t3.micro", 0.0104},    {"t3.small", 0.0208},
    {"t3.medium", 0.0416},   {"t3.large", 0.0832},    {"t3.xlarge", 0.1664},
    {"t3.2xlarge", 0.3328},  {"t3a.nano", 0.0047},    {"t3a.micro", 0.0094},
    {"t3a.small", 0.0188},   {"t3a.medium", 0.0376},  {"t3a.large", 0.0752},
    {"m5.large", 0.096},     {"m5.xlarge", 0.192},    {"m5.2xlarge", 0.384},
    {"m6i.large", 0.096},    {"m6i.xlarge", 0.192},   {"m6i.2xlarge", 0.384},
    {"m6i.4xlarge", 0.768},  {"m6i.8xlarge", 1.536},  {"m6i.12xlarge", 2.304},
    {"m6i.16xlarge", 3.072}, {"m6i.24xlarge", 4.608}, {"m6i.32xlarge", 6.144},
    {"c5.large", 0.085},     {"c5.xlarge", 0.17},     {"c6i.large", 0.085},
    {"c6i.xlarge", 0.17},    {"r5.large", 0.126},     {"r6i.large", 0.126},
    {"t4g.micro", 0.0084},   {"t4g.small", 0.0168},   {"m7g.large", 0.0816},
}};

constexpr RegionPrices kUsEast1{"us-east-1", 0.0225, 0.045, 0.08, 0.05};

}  // namespace

std::optional<RegionPrices> PricesIn(std::string_view region) {
  if (region == kUsEast1.region) return kUsEast1;
  return std::nullopt;
}

std::optional<double> InstanceHourPrice(std::string_view region, std::string_view instance_type) {
  if (region != kUsEast1.region) return std::nullopt;
  for (const InstancePrice& price : kUsEast1Instances) {
    if (price.type == instance_type) return price.hour;
  }
  return std::nullopt;
}

}  // namespace i2kit
