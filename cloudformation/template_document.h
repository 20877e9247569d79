// The template being built: its parameters, resources and outputs in the order they were
// added, so that the same manifest always renders the same text.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"

namespace i2kit::cfn {

using Json = nlohmann::ordered_json;

// {"Ref": name}, {"Fn::GetAtt": [id, attribute]}, {"Fn::Sub": text}: the intrinsic functions
// every part of the template uses.
Json Ref(const std::string& name);
Json GetAtt(const std::string& id, const std::string& attribute);
Json Sub(const std::string& text);

class TemplateDocument {
 public:
  // Adds resource `id` (alphanumeric) of `type`; two resources with one ID is an error naming
  // both uses, since two manifest names can map onto one logical ID.
  Status AddResource(const std::string& id, const std::string& type, Json properties,
                     const std::string& owner);
  // Sets a resource attribute (DependsOn, CreationPolicy, UpdatePolicy) of an added resource.
  void SetAttribute(const std::string& id, const std::string& attribute, Json value);
  void AddParameter(const std::string& id, Json parameter);
  // Adds output `id`; like resources, two outputs with one ID is an error naming both owners.
  Status AddOutput(const std::string& id, const std::string& description, Json value,
                   const std::string& owner);

  // The whole template, with `description` on top; an error when it is over one of
  // CloudFormation's quotas (500 resources, 200 parameters, 200 outputs), which it would
  // otherwise only report once the stack is submitted.
  Result<Json> Render(const std::string& description) const;

 private:
  Json parameters_ = Json::object();
  Json resources_ = Json::object();
  Json outputs_ = Json::object();
  // Logical ID -> what it was made for, for collision messages; outputs apart.
  Json owners_ = Json::object();
  Json output_owners_ = Json::object();
};

// A DNS-1123 name as the start of a logical ID: "nginx-deployment" -> "NginxDeployment".
std::string LogicalIdPrefix(const std::string& dns_name);

}  // namespace i2kit::cfn
