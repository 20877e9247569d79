#include "cloudformation/persistent_volume.h"

#include "cloudformation/instance_role.h"

namespace i2kit::cfn {
namespace {

constexpr int64_t kGiB = int64_t{1} << 30;

std::string VolumeArnSub(const std::string& id_prefix, const Volume& v) {
  return "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:volume/${" +
         PersistentVolumeId(id_prefix, v) + "}";
}

void AddZoneParameters(TemplateDocument& doc) {
  doc.AddParameter(kVolumeZoneParameter,
                   Json{{"Type", "AWS::EC2::AvailabilityZone::Name"},
                        {"Description",
                         "The Availability Zone of the persistent volumes and of the stateful "
                         "deployments that use them (deploy takes VolumeSubnet's; a new zone "
                         "replaces every volume, and only the snapshot keeps the data)"}});
  doc.AddParameter(kVolumeSubnetParameter,
                   Json{{"Type", "AWS::EC2::Subnet::Id"},
                        {"Description",
                         "The subnet of the stateful deployments' instances, in VolumeZone "
                         "(deploy takes the first of InstanceSubnets for a new stack)"}});
}

}  // namespace

std::string PersistentVolumeId(const std::string& id_prefix, const Volume& v) {
  return id_prefix + LogicalIdPrefix(v.name) + "Volume";
}

int64_t VolumeSizeGiB(int64_t bytes) {
  if (bytes <= 0) return 1;
  return (bytes + kGiB - 1) / kGiB;
}

Status AddPersistentVolumes(const Deployment& d, const std::string& id_prefix,
                            TemplateDocument& doc) {
  std::vector<const Volume*> volumes = PersistentVolumes(d);
  if (volumes.empty()) return Status::Ok();
  // The readers refuse both already; a model from elsewhere must not slip past: EBS attaches a
  // volume to one instance, and only Recreate stops the old one before the new one starts.
  if (d.replicas > 1 || d.strategy.type != StrategyType::kRecreate) {
    return Status::Error("deployment " + d.name + ": persistent volume '" + volumes[0]->name +
                         "' needs replicas 0 or 1 and the Recreate strategy (an EBS volume is "
                         "attached to one instance at a time)");
  }
  AddZoneParameters(doc);  // the same declaration for every stateful deployment
  for (const Volume* v : volumes) {
    Json tags = Json::array(
        {Json{{"Key", "Name"}, {"Value", Sub("${AWS::StackName}-" + d.name + "-" + v->claim_name)}},
         Json{{"Key", "i2kit:deployment"}, {"Value", d.name}},
         Json{{"Key", "i2kit:stack"}, {"Value", Sub("${AWS::StackName}")}},
         Json{{"Key", "i2kit:volume"}, {"Value", v->name}}});
    // No KmsKeyId: EBS then uses the account's default key, the one the instances' root
    // volumes already use and deploy's preflight checks (host-cli/ebs_key_check.h).
    Json properties{{"AvailabilityZone", Ref(kVolumeZoneParameter)},
                    {"Size", VolumeSizeGiB(v->size_bytes)},
                    {"VolumeType", kVolumeType},
                    {"Encrypted", true},
                    {"Tags", tags}};
    std::string id = PersistentVolumeId(id_prefix, *v);
    Status added = doc.AddResource(id, "AWS::EC2::Volume", properties,
                                   "deployment " + d.name + ", volume " + v->name);
    if (!added.ok()) return added;
    // A deleted stack, a volume left out of the manifest, and a change that replaces the
    // volume (a new zone) all leave a snapshot first.
    doc.SetAttribute(id, "DeletionPolicy", "Snapshot");
    doc.SetAttribute(id, "UpdateReplacePolicy", "Snapshot");
  }
  return Status::Ok();
}

Json VolumesUserData(const Deployment& d, const std::string& id_prefix) {
  Json volumes = Json::object();
  for (const Volume* v : PersistentVolumes(d)) {
    volumes[v->name] = "${" + PersistentVolumeId(id_prefix, *v) + "}";
  }
  return volumes;
}

Json VolumeAttachStatements(const Deployment& d, const std::string& id_prefix) {
  std::vector<const Volume*> volumes = PersistentVolumes(d);
  Json statements = Json::array();
  if (volumes.empty()) return statements;
  Json arns = Json::array();
  for (const Volume* v : volumes) arns.push_back(Sub(VolumeArnSub(id_prefix, *v)));
  // AttachVolume is authorized on the volume and on the instance apart, so each side has its
  // statement: the condition on the instance's tag would fail on a volume, which lacks it.
  statements.push_back(
      Json{{"Effect", "Allow"}, {"Action", "ec2:AttachVolume"}, {"Resource", arns}});
  // The instance: one of this Deployment's group. Auto Scaling tags its instances
  // aws:autoscaling:groupName, and no one can set a tag of the aws: prefix.
  statements.push_back(Json{
      {"Effect", "Allow"},
      {"Action", "ec2:AttachVolume"},
      {"Resource", Sub("arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/*")},
      {"Condition", Json{{"StringEquals", Json{{"ec2:ResourceTag/aws:autoscaling:groupName",
                                                Sub(GroupNameSub(d))}}}}}});
  // DescribeVolumes has no resource-level permissions: "*" is the only resource it takes.
  statements.push_back(
      Json{{"Effect", "Allow"}, {"Action", "ec2:DescribeVolumes"}, {"Resource", "*"}});
  // With a customer managed default key, EC2 creates a grant on it for the instance as the
  // caller of AttachVolume; the key is the account's default, unknown to the template, so the
  // grant is allowed only when EC2 makes it for an AWS resource (an AWS managed key needs none).
  statements.push_back(Json{
      {"Effect", "Allow"},
      {"Action", "kms:CreateGrant"},
      {"Resource", "*"},
      {"Condition",
       Json{{"Bool", Json{{"kms:GrantIsForAWSResource", true}}},
            {"StringEquals", Json{{"kms:ViaService", Sub("ec2.${AWS::Region}.amazonaws.com")}}}}}});
  return statements;
}

}  // namespace i2kit::cfn
