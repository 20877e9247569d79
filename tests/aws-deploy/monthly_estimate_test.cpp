// The bill shown before it is run up: what a stack's template makes, by billable kind, priced
// from the repository's dated table, and said to be an estimate.
#include "aws-deploy/monthly_estimate.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "aws-deploy/price_table.h"
#include "cloudformation/stack_template.h"
#include "common/manifest_reader.h"

namespace i2kit {
namespace {

using Json = nlohmann::ordered_json;

Json BoutiqueTemplate() {
  LoadedManifest loaded = LoadManifests(
      {std::string(I2KIT_SOURCE_DIR) + "/tests/cloudformation/data/boutique-shape.yml"},
      ReadOptions{});
  EXPECT_TRUE(loaded.ok());
  StackOptions options;
  options.default_image_id = "ami-0123456789abcdef0";
  Result<Json> rendered = StackTemplate(loaded.manifest, options);
  EXPECT_TRUE(rendered.ok()) << rendered.status().message();
  return rendered.ok() ? *rendered : Json::object();
}

const BillableItem* Find(const MonthlyEstimate& estimate, const std::string& kind,
                         const std::string& detail) {
  for (const BillableItem& item : estimate.items) {
    if (item.kind == kind && item.detail == detail) return &item;
  }
  return nullptr;
}

TEST(MonthlyEstimateTest, CountsInstancesBalancersAndVolumesOfTheTemplate) {
  MonthlyEstimate estimate = EstimateMonthlyCost(BoutiqueTemplate(), "us-east-1", false);
  int instances = 0;
  for (const BillableItem& item : estimate.items) {
    if (item.kind == "instance") instances += item.count;
  }
  EXPECT_EQ(instances, 12);
  const BillableItem* internal = Find(estimate, "load balancer", "network, internal");
  const BillableItem* public_one = Find(estimate, "load balancer", "network, internet-facing");
  ASSERT_NE(internal, nullptr);
  ASSERT_NE(public_one, nullptr);
  EXPECT_EQ(internal->count, 1);
  EXPECT_EQ(public_one->count, 1);
  // $0.0225 an hour, 730 hours a month.
  EXPECT_NEAR(*internal->monthly_usd, 16.425, 1e-9);
  const BillableItem* volumes = Find(estimate, "EBS root volume", "gp3, 1 GiB each");
  ASSERT_NE(volumes, nullptr);
  EXPECT_EQ(volumes->count, 12);
  EXPECT_EQ(Find(estimate, "NAT gateway",
                 "needed: the preflight found none for the instance "
                 "subnets"),
            nullptr);
  double sum = 0;
  for (const BillableItem& item : estimate.items) sum += item.monthly_usd.value_or(0);
  EXPECT_NEAR(estimate.total_usd, sum, 1e-9);
  EXPECT_TRUE(estimate.complete);
}

TEST(MonthlyEstimateTest, ANatGatewayIsCountedWhenThePreflightFoundNoWayOut) {
  MonthlyEstimate without = EstimateMonthlyCost(BoutiqueTemplate(), "us-east-1", false);
  MonthlyEstimate with = EstimateMonthlyCost(BoutiqueTemplate(), "us-east-1", true);
  EXPECT_NEAR(with.total_usd - without.total_usd, 0.045 * 730, 1e-9);
  EXPECT_EQ(with.items.back().kind, "NAT gateway");
}

TEST(MonthlyEstimateTest, SaysItIsAnEstimateWithTheTablesDateAndSource) {
  std::string text;
  for (const std::string& line :
       FormatEstimate(EstimateMonthlyCost(BoutiqueTemplate(), "us-east-1", std::nullopt))) {
    text += line + "\n";
  }
  EXPECT_NE(text.find("estimate: $"), std::string::npos) << text;
  EXPECT_NE(text.find(std::string(kPriceTableDate)), std::string::npos) << text;
  EXPECT_NE(text.find("aws.amazon.com/ec2/pricing"), std::string::npos) << text;
  EXPECT_NE(text.find("1 load balancer (network, internal)"), std::string::npos) << text;
  EXPECT_NE(text.find("12 instances (t3.nano)"), std::string::npos) << text;
}

TEST(MonthlyEstimateTest, ARegionOutsideTheTableIsCountedButNotPriced) {
  MonthlyEstimate estimate = EstimateMonthlyCost(BoutiqueTemplate(), "eu-west-3", std::nullopt);
  EXPECT_FALSE(estimate.complete);
  EXPECT_EQ(estimate.total_usd, 0);
  EXPECT_FALSE(estimate.items.empty());
  Json json = EstimateJson(estimate);
  EXPECT_EQ(json["complete"], false);
  EXPECT_TRUE(json["items"][0]["monthlyUsd"].is_null());
}

TEST(MonthlyEstimateTest, JsonCarriesTheItemsTotalAndPriceTable) {
  Json json = EstimateJson(EstimateMonthlyCost(BoutiqueTemplate(), "us-east-1", false));
  EXPECT_EQ(json["estimate"], true);
  EXPECT_EQ(json["currency"], "USD");
  EXPECT_EQ(json["priceTable"]["date"], std::string(kPriceTableDate));
  EXPECT_GT(json["monthlyTotalUsd"].get<double>(), 32.0);
  EXPECT_FALSE(json["items"].empty());
}

}  // namespace
}  // namespace i2kit
