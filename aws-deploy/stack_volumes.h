// What a stack keeps of its stateful deployments' data, for deploy, diff and delete to say: the
// persistent volumes its template makes (cloudformation/persistent_volume.h), and after delete,
// where their final snapshots are. CloudFormation's DeletionPolicy Snapshot gives the snapshot
// neither the volume's tags nor a documented description, but EBS records every snapshot's
// source volume (Snapshot.VolumeId): the commands given filter on that.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aws-client/cloudformation_api.h"

namespace i2kit {

struct StackVolume {
  std::string logical_id;  // "DbDataVolume"
  std::string deployment;  // its i2kit:deployment tag
  std::string volume;      // its i2kit:volume tag: the Pod's volume name
  int64_t size_gib = 0;
};

// The AWS::EC2::Volume resources of `stack_template`, in template order.
std::vector<StackVolume> StackVolumes(const nlohmann::ordered_json& stack_template);

// One line per volume: "persistent volume db/data: 2 GiB gp3, encrypted, in one zone; ...".
std::vector<std::string> FormatStackVolumes(const std::vector<StackVolume>& volumes);

// The volumes for --format json.
nlohmann::ordered_json StackVolumesJson(const std::vector<StackVolume>& volumes);

// The volume IDs (vol-…) among a stack's resources.
std::vector<std::string> VolumeIds(const std::vector<aws::StackResource>& resources);

// What delete says it kept: each volume's final snapshot, billed while it exists, and the AWS
// CLI commands that list and remove them in `region`. Empty for no volume.
std::vector<std::string> KeptSnapshotsMessage(const std::string& stack,
                                              const std::vector<std::string>& volume_ids,
                                              const std::string& region);

}  // namespace i2kit
