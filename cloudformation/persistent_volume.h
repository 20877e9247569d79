// A stateful Deployment's persistent volumes on AWS: one EBS volume (AWS::EC2::Volume) per
// volume of the Pod, which outlives every instance of the Deployment. gp3, encrypted with the
// account's default EBS key (AWS managed, or the customer managed key set as the default: the
// same key as the instances' root volumes, which deploy's preflight checks Auto Scaling may
// use), in the one Availability Zone of parameter VolumeZone, where the Deployment's group is
// pinned (its only subnet is parameter VolumeSubnet: deploy fills both from InstanceSubnets,
// and keeps the existing stack's). No stack operation destroys the data without a snapshot:
// DeletionPolicy and UpdateReplacePolicy are Snapshot. The instance finds each volume's ID in
// its user data (instance_group.cpp, "volumes") and attaches it to itself at boot.
#pragma once

#include <cstdint>
#include <string>

#include "cloudformation/template_document.h"
#include "common/pod_model.h"

namespace i2kit::cfn {

// The parameters of the zone: an Availability Zone name and a subnet in it.
inline constexpr const char* kVolumeZoneParameter = "VolumeZone";
inline constexpr const char* kVolumeSubnetParameter = "VolumeSubnet";

// gp3's baseline, included in its price: no provisioned IOPS or throughput is asked for.
inline constexpr const char* kVolumeType = "gp3";

// The logical ID of volume `v` of the Deployment whose resources' IDs start with `id_prefix`.
std::string PersistentVolumeId(const std::string& id_prefix, const Volume& v);

// EBS sizes volumes in whole GiB: `bytes` rounded up, at least 1.
int64_t VolumeSizeGiB(int64_t bytes);

// Adds the zone's parameters (once per template) and an AWS::EC2::Volume per persistent
// volume of `d`; nothing for a Deployment without one.
Status AddPersistentVolumes(const Deployment& d, const std::string& id_prefix,
                            TemplateDocument& doc);

// The user data's "volumes" object: volume name -> "${<its logical ID>}", which Fn::Sub turns
// into the volume's ID (vol-…). Empty for a Deployment without persistent volumes.
Json VolumesUserData(const Deployment& d, const std::string& id_prefix);

// The instance role's statements for those volumes: ec2:AttachVolume on exactly their ARNs and
// on instances of the Deployment's own Auto Scaling group, and ec2:DescribeVolumes (which has
// no resource-level permissions). Empty for a Deployment without persistent volumes.
Json VolumeAttachStatements(const Deployment& d, const std::string& id_prefix);

}  // namespace i2kit::cfn
