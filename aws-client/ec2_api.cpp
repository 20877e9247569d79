#include "aws-client/ec2_api.h"

#include <cstdlib>

namespace i2kit::aws {
namespace {

constexpr char kSnapshotNotFound[] = "InvalidSnapshot.NotFound";
// EC2 is eventually consistent: a snapshot EBS just made, an image just registered, are
// briefly unknown to the calls that name them (EC2 API reference, "Eventual consistency").
const CallTraits kNamesNewSnapshot{false, {kSnapshotNotFound}};
const CallTraits kNamesNewImage{false, {"InvalidAMIID.NotFound"}};
const CallTraits kNamesNewVolume{false, {"InvalidVolume.NotFound"}};

Ec2VolumeAttachment ParseAttachment(const XmlElement& a) {
  return {a.TextOrEmpty("instanceId"), a.TextOrEmpty("device"), a.TextOrEmpty("status")};
}

// EC2's TagSpecification.N for a resource type, as RegisterImage takes it.
void AddTagSpecification(QueryParameters& parameters, int n, const std::string& type,
                         const std::vector<ResourceTag>& tags) {
  std::string prefix = "TagSpecification." + std::to_string(n);
  parameters.Add(prefix + ".ResourceType", type);
  std::vector<QueryParameters::Fields> items;
  for (const ResourceTag& tag : tags) items.push_back({{"Key", tag.key}, {"Value", tag.value}});
  parameters.AddStructureList(prefix + ".Tag", items);
}

}  // namespace

Ec2Client::Ec2Client(const ClientContext& context) : client_(kEc2Api, context) {}

Result<std::optional<Ec2Snapshot>> Ec2Client::DescribeSnapshot(const std::string& id) {
  QueryParameters parameters;
  parameters.AddList("SnapshotId", {id});
  AwsError error;
  Result<XmlDocument> response =
      client_.Call("DescribeSnapshots", parameters, &error, kNamesNewSnapshot);
  if (!response.ok()) {
    if (error.code == kSnapshotNotFound) return std::optional<Ec2Snapshot>();
    return response.status();
  }
  std::vector<XmlElement> snapshots = response->root().Members("snapshotSet", "item");
  if (snapshots.empty()) return std::optional<Ec2Snapshot>();
  const XmlElement& s = snapshots.front();
  return std::optional<Ec2Snapshot>(
      Ec2Snapshot{s.TextOrEmpty("snapshotId"), s.TextOrEmpty("status"),
                  s.TextOrEmpty("statusMessage"), s.TextOrEmpty("progress")});
}

Result<std::vector<Ec2Image>> Ec2Client::DescribeOwnImages(const std::string& filter,
                                                           const std::string& value) {
  QueryParameters parameters;
  parameters.AddList("Owner", {"self"});
  parameters.Add("Filter.1.Name", filter);
  parameters.AddList("Filter.1.Value", {value});
  Result<XmlDocument> response = client_.Call("DescribeImages", parameters);
  if (!response.ok()) return response.status();
  std::vector<Ec2Image> images;
  for (const XmlElement& i : response->root().Members("imagesSet", "item")) {
    Ec2Image image{
        i.TextOrEmpty("imageId"), i.TextOrEmpty("name"), i.TextOrEmpty("imageState"), {}};
    for (const XmlElement& t : i.Members("tagSet", "item")) {
      image.tags.push_back({t.TextOrEmpty("key"), t.TextOrEmpty("value")});
    }
    images.push_back(std::move(image));
  }
  return images;
}

Result<std::string> Ec2Client::RegisterImage(const ImageRegistration& image) {
  QueryParameters parameters;
  parameters.Add("Name", image.name);
  if (!image.description.empty()) parameters.Add("Description", image.description);
  parameters.Add("Architecture", "x86_64");
  parameters.Add("VirtualizationType", "hvm");
  parameters.Add("RootDeviceName", "/dev/xvda");
  parameters.AddStructure("BlockDeviceMapping.1", {{"DeviceName", "/dev/xvda"},
                                                   {"Ebs.SnapshotId", image.snapshot_id},
                                                   {"Ebs.VolumeType", "gp3"},
                                                   {"Ebs.DeleteOnTermination", "true"}});
  parameters.Add("BootMode", image.boot_mode);
  parameters.Add("EnaSupport", "true");
  parameters.Add("ImdsSupport", "v2.0");
  // Tagged as it is made: CreateTags on an image just registered may not find it yet, and an
  // image is never left untagged.
  if (!image.tags.empty()) AddTagSpecification(parameters, 1, "image", image.tags);
  Result<XmlDocument> response =
      client_.Call("RegisterImage", parameters, nullptr, kNamesNewSnapshot);
  if (!response.ok()) return response.status();
  Result<std::string> id = response->root().TextAt("imageId");
  if (!id.ok()) return id.status().WithContext("ec2 RegisterImage");
  return id;
}

Status Ec2Client::DeleteSnapshot(const std::string& id) {
  QueryParameters parameters;
  parameters.Add("SnapshotId", id);
  AwsError error;
  Result<XmlDocument> response = client_.Call("DeleteSnapshot", parameters, &error);
  if (response.ok() || error.code == kSnapshotNotFound) return Status::Ok();
  return response.status();
}

Status Ec2Client::CreateTags(const std::vector<std::string>& resource_ids,
                             const std::vector<ResourceTag>& tags) {
  QueryParameters parameters;
  parameters.AddList("ResourceId", resource_ids);
  std::vector<QueryParameters::Fields> items;
  for (const ResourceTag& tag : tags) items.push_back({{"Key", tag.key}, {"Value", tag.value}});
  parameters.AddStructureList("Tag", items);
  Result<XmlDocument> response = client_.Call("CreateTags", parameters, nullptr, kNamesNewImage);
  return response.ok() ? Status::Ok() : response.status();
}

Result<Ec2Volume> Ec2Client::DescribeVolume(const std::string& id, AwsError* error) {
  QueryParameters parameters;
  parameters.AddList("VolumeId", {id});
  Result<XmlDocument> response =
      client_.Call("DescribeVolumes", parameters, error, kNamesNewVolume);
  if (!response.ok()) return response.status();
  for (const XmlElement& v : response->root().Members("volumeSet", "item")) {
    if (v.TextOrEmpty("volumeId") != id) continue;
    Ec2Volume volume{id, v.TextOrEmpty("status"), v.TextOrEmpty("availabilityZone"), 0, {}};
    std::string size = v.TextOrEmpty("size");
    volume.size_gib = size.empty() ? 0 : std::strtoll(size.c_str(), nullptr, 10);
    for (const XmlElement& a : v.Members("attachmentSet", "item")) {
      volume.attachments.push_back(ParseAttachment(a));
    }
    return volume;
  }
  return Status::Error("ec2 DescribeVolumes did not list " + id);
}

Result<Ec2VolumeAttachment> Ec2Client::AttachVolume(const std::string& volume_id,
                                                    const std::string& instance_id,
                                                    const std::string& device, AwsError* error) {
  QueryParameters parameters;
  parameters.Add("Device", device);
  parameters.Add("InstanceId", instance_id);
  parameters.Add("VolumeId", volume_id);
  Result<XmlDocument> response = client_.Call("AttachVolume", parameters, error, kNamesNewVolume);
  if (!response.ok()) return response.status();
  return ParseAttachment(response->root());
}

}  // namespace i2kit::aws
