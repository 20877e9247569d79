// The CloudFormation template of a whole manifest: per Deployment a launch template and an
// Auto Scaling group (the ReplicaSet) with its own IAM role, per load-balanced Deployment or
// Kubernetes Service a load balancer, and Route 53 names for them. A pure function of the
// model and the options: the same input always renders the same template, and each resource's
// logical ID comes from its Deployment's or Service's name, so an update replaces only what
// changed.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "common/pod_model.h"
#include "common/status.h"

namespace i2kit {

struct StackOptions {
  std::string stack_name;  // only for the template's description: resources use AWS::StackName
  std::string default_image_id;                  // the AMI of every Deployment not named below
  std::map<std::string, std::string> image_ids;  // Deployment name -> its AMI
  // AMI -> the image digest of its Pod VM (its i2kit:image-digest tag), for the instances' tags.
  std::map<std::string, std::string> image_digests;
  std::string domain;           // hosted zone for NAME.DOMAIN records; empty = no records
  std::string certificate_arn;  // for https/ssl listeners whose port names no certificate
  std::string instance_type;    // for Deployments whose manifest names none; empty = derived
};

// The template for `manifest`, or an error naming the Deployment, Service or port at fault and
// what to pass instead (an https port with no certificate, a Deployment with no AMI, ...).
Result<nlohmann::ordered_json> StackTemplate(const Manifest& manifest, const StackOptions& options);

}  // namespace i2kit
