// The EC2 calls that turn a snapshot into an AMI and find it again (model ec2 2016-11-15). EC2
// speaks a dialect of the Query protocol: lists are Name.N without ".member", and responses
// carry their members directly under <ActionResponse>, lists as <item>.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "aws-client/query_client.h"
#include "aws-client/resource_tag.h"

namespace i2kit::aws {

struct Ec2Snapshot {
  std::string id;
  std::string state;          // pending, completed, error, recoverable, recovering
  std::string state_message;  // why it is in error
  std::string progress;       // "80%"
};

struct Ec2Image {
  std::string id;
  std::string name;
  std::string state;  // pending, available, failed, …
  std::vector<ResourceTag> tags;
};

// One attachment of an EBS volume (the VolumeAttachment shape).
struct Ec2VolumeAttachment {
  std::string instance_id;
  std::string device;
  std::string state;  // attaching, attached, detaching, detached, busy
};

// An EBS volume as DescribeVolumes shows it (the Volume shape, what i2kit reads of it).
struct Ec2Volume {
  std::string id;
  std::string state;  // creating, available, in-use, deleting, deleted, error
  std::string availability_zone;
  int64_t size_gib = 0;
  std::vector<Ec2VolumeAttachment> attachments;
};

// An AMI of one EBS snapshot: hardware virtualization, x86-64, its root device /dev/xvda.
struct ImageRegistration {
  std::string name;
  std::string description;
  std::string snapshot_id;
  std::string boot_mode = "uefi-preferred";  // the disk boots with UEFI and legacy BIOS
  std::vector<ResourceTag> tags{};           // the image's, given as it is registered
};

class Ec2Client {
 public:
  explicit Ec2Client(const ClientContext& context);

  // The snapshot `id`; nullopt when EC2 does not know it (after waiting out a new snapshot's
  // eventual consistency, context.consistency).
  Result<std::optional<Ec2Snapshot>> DescribeSnapshot(const std::string& id);

  // The account's own images whose `filter` ("tag:KEY", "name") is `value`, in EC2's order.
  Result<std::vector<Ec2Image>> DescribeOwnImages(const std::string& filter,
                                                  const std::string& value);

  // Registers the AMI — ENA on, IMDSv2 required, the root volume gp3, deleted with the
  // instance — and returns its ID.
  Result<std::string> RegisterImage(const ImageRegistration& image);

  // Deletes the snapshot `id`; one EC2 does not know (InvalidSnapshot.NotFound) is success.
  Status DeleteSnapshot(const std::string& id);

  // Tags the resources; an image just registered that EC2 does not know yet is waited for.
  Status CreateTags(const std::vector<std::string>& resource_ids,
                    const std::vector<ResourceTag>& tags);

  // The volume `id`; a volume EC2 does not know even after waiting out a new volume's eventual
  // consistency is an error whose `error` code is InvalidVolume.NotFound.
  Result<Ec2Volume> DescribeVolume(const std::string& id, AwsError* error = nullptr);

  // Attaches the volume `volume_id` to `instance_id` as `device` ("/dev/sdf"); returns the
  // attachment (normally "attaching"). AWS's refusals come back with their code in `error`:
  // VolumeInUse while another instance (or this one) holds it, IncorrectState while it is not
  // available (creating), InvalidVolume.ZoneMismatch, InvalidParameterValue (a device name).
  Result<Ec2VolumeAttachment> AttachVolume(const std::string& volume_id,
                                           const std::string& instance_id,
                                           const std::string& device, AwsError* error = nullptr);

 private:
  QueryClient client_;
};

}  // namespace i2kit::aws
