#include "aws-deploy/stack_volumes.h"

namespace i2kit {
namespace {

using Json = nlohmann::ordered_json;

std::string TagValue(const Json& tags, const std::string& key) {
  if (!tags.is_array()) return "";
  for (const Json& tag : tags) {
    if (tag.value("Key", "") == key && tag.contains("Value") && tag["Value"].is_string()) {
      return tag["Value"].get<std::string>();
    }
  }
  return "";
}

std::string Joined(const std::vector<std::string>& items, const std::string& separator) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : separator) + item;
  return text;
}

}  // namespace

std::vector<StackVolume> StackVolumes(const Json& stack_template) {
  std::vector<StackVolume> volumes;
  const Json resources = stack_template.value("Resources", Json::object());
  for (const auto& [id, resource] : resources.items()) {
    if (resource.value("Type", "") != "AWS::EC2::Volume") continue;
    const Json properties = resource.value("Properties", Json::object());
    const Json tags = properties.value("Tags", Json::array());
    const Json size = properties.value("Size", Json(0));
    volumes.push_back({id, TagValue(tags, "i2kit:deployment"), TagValue(tags, "i2kit:volume"),
                       size.is_number_integer() ? size.get<int64_t>() : 0});
  }
  return volumes;
}

std::vector<std::string> FormatStackVolumes(const std::vector<StackVolume>& volumes) {
  std::vector<std::string> lines;
  for (const StackVolume& v : volumes) {
    lines.push_back("persistent volume " + v.deployment + "/" + v.volume + " (" + v.logical_id +
                    "): " + std::to_string(v.size_gib) +
                    " GiB gp3, encrypted, in the zone of parameter VolumeZone; outlives every "
                    "instance, and delete keeps a snapshot of it");
  }
  return lines;
}

Json StackVolumesJson(const std::vector<StackVolume>& volumes) {
  Json out = Json::array();
  for (const StackVolume& v : volumes) {
    out.push_back(Json{{"deployment", v.deployment},
                       {"volume", v.volume},
                       {"logicalId", v.logical_id},
                       {"sizeGiB", v.size_gib},
                       {"volumeType", "gp3"},
                       {"encrypted", true},
                       {"onDelete", "Snapshot"}});
  }
  return out;
}

std::vector<std::string> VolumeIds(const std::vector<aws::StackResource>& resources) {
  std::vector<std::string> ids;
  for (const aws::StackResource& r : resources) {
    if (r.type == "AWS::EC2::Volume" && !r.physical_id.empty()) ids.push_back(r.physical_id);
  }
  return ids;
}

std::vector<std::string> KeptSnapshotsMessage(const std::string& stack,
                                              const std::vector<std::string>& volume_ids,
                                              const std::string& region) {
  if (volume_ids.empty()) return {};
  return {"kept: a final snapshot of each persistent volume of stack " + stack + " (" +
              Joined(volume_ids, ", ") +
              "), made by CloudFormation before it deleted the volume; snapshots are billed per "
              "GB-month while they exist",
          "  list them:  aws ec2 describe-snapshots --region " + region +
              " --owner-ids self --filters Name=volume-id,Values=" + Joined(volume_ids, ",") +
              " --query 'Snapshots[].[SnapshotId,VolumeId,VolumeSize,StartTime]' --output text",
          "  remove one: aws ec2 delete-snapshot --region " + region + " --snapshot-id snap-…",
          "  restore one: a new volume from it (aws ec2 create-volume --snapshot-id snap-… "
          "--availability-zone ZONE) holds the data as it was"};
}

}  // namespace i2kit
