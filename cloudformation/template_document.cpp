#include "cloudformation/template_document.h"

#include <cctype>
#include <tuple>

namespace i2kit::cfn {

Json Ref(const std::string& name) {
  return Json{{"Ref", name}};
}

Json GetAtt(const std::string& id, const std::string& attribute) {
  return Json{{"Fn::GetAtt", Json::array({id, attribute})}};
}

Json Sub(const std::string& text) {
  return Json{{"Fn::Sub", text}};
}

Status TemplateDocument::AddResource(const std::string& id, const std::string& type,
                                     Json properties, const std::string& owner) {
  if (resources_.contains(id)) {
    return Status::Error(owner + " and " + owners_[id].get<std::string>() +
                         " both map onto the logical ID " + id + "; rename one of them");
  }
  owners_[id] = owner;
  resources_[id] = Json{{"Type", type}, {"Properties", std::move(properties)}};
  return Status::Ok();
}

void TemplateDocument::SetAttribute(const std::string& id, const std::string& attribute,
                                    Json value) {
  resources_[id][attribute] = std::move(value);
}

void TemplateDocument::AddParameter(const std::string& id, Json parameter) {
  parameters_[id] = std::move(parameter);
}

Status TemplateDocument::AddOutput(const std::string& id, const std::string& description,
                                   Json value, const std::string& owner) {
  if (outputs_.contains(id)) {
    return Status::Error(owner + " and " + output_owners_[id].get<std::string>() +
                         " both map onto the output " + id + "; rename one of them");
  }
  output_owners_[id] = owner;
  outputs_[id] = Json{{"Description", description}, {"Value", std::move(value)}};
  return Status::Ok();
}

// CloudFormation's quotas on one template.
constexpr size_t kMaxResources = 500;
constexpr size_t kMaxParameters = 200;
constexpr size_t kMaxOutputs = 200;

Result<Json> TemplateDocument::Render(const std::string& description) const {
  for (auto [section, count, limit] : {std::tuple{"resources", resources_.size(), kMaxResources},
                                       std::tuple{"parameters", parameters_.size(), kMaxParameters},
                                       std::tuple{"outputs", outputs_.size(), kMaxOutputs}}) {
    if (count > limit) {
      return Status::Error("the stack would have " + std::to_string(count) + " " + section +
                           ", more than CloudFormation's " + std::to_string(limit) +
                           "; deploy the manifest as several stacks");
    }
  }
  Json out{{"AWSTemplateFormatVersion", "2010-09-09"}, {"Description", description}};
  if (!parameters_.empty()) out["Parameters"] = parameters_;
  out["Resources"] = resources_;
  if (!outputs_.empty()) out["Outputs"] = outputs_;
  return out;
}

std::string LogicalIdPrefix(const std::string& dns_name) {
  std::string id;
  bool upper = true;
  for (char c : dns_name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      upper = true;
      continue;
    }
    id += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return id;
}

}  // namespace i2kit::cfn
