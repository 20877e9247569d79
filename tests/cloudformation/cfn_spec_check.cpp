#include "cfn_spec_check.h"

#include <fstream>
#include <set>
#include <sstream>

namespace i2kit {
namespace {

using Json = nlohmann::ordered_json;
using SpecJson = nlohmann::json;

// What an intrinsic function yields, as far as the template alone tells.
enum class ValueShape { kScalar, kList, kUnknown };

const std::set<std::string> kPseudoParameters = {
    "AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue",   "AWS::Partition",
    "AWS::Region",    "AWS::StackId",          "AWS::StackName", "AWS::URLSuffix"};

const std::set<std::string> kTemplateSections = {"AWSTemplateFormatVersion",
                                                 "Description",
                                                 "Metadata",
                                                 "Parameters",
                                                 "Mappings",
                                                 "Conditions",
                                                 "Transform",
                                                 "Resources",
                                                 "Outputs"};

const std::set<std::string> kResourceAttributes = {
    "Type",           "Properties",          "DependsOn", "CreationPolicy", "UpdatePolicy",
    "DeletionPolicy", "UpdateReplacePolicy", "Metadata",  "Condition"};

bool IsAlphanumeric(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

class TemplateChecker {
 public:
  TemplateChecker(const SpecJson& spec, const Json& template_json)
      : spec_(spec), template_(template_json) {}

  std::vector<std::string> Run() {
    if (!template_.is_object()) return {"the template is not a JSON object"};
    for (const auto& [section, value] : template_.items()) {
      if (!kTemplateSections.count(section)) Problem(section, "not a template section");
    }
    if (template_.contains("Description") &&
        (!template_["Description"].is_string() ||
         template_["Description"].get<std::string>().size() > 1024)) {
      Problem("Description", "expected a string of at most 1024 bytes");
    }
    CheckParameters();
    if (!template_.contains("Resources") || !template_["Resources"].is_object() ||
        template_["Resources"].empty()) {
      Problem("Resources", "a template needs at least one resource");
      return problems_;
    }
    for (const auto& [id, resource] : template_["Resources"].items()) CheckResource(id, resource);
    if (template_.contains("Outputs")) CheckOutputs(template_["Outputs"]);
    return problems_;
  }

 private:
  void Problem(const std::string& path, const std::string& what) {
    problems_.push_back(path + ": " + what);
  }

  const Json* Parameter(const std::string& name) const {
    if (!template_.contains("Parameters")) return nullptr;
    const Json& parameters = template_["Parameters"];
    return parameters.contains(name) ? &parameters[name] : nullptr;
  }

  const Json* Resource(const std::string& name) const {
    const Json& resources = template_["Resources"];
    return resources.contains(name) ? &resources[name] : nullptr;
  }

  const SpecJson* ResourceSpec(const std::string& type) const {
    const SpecJson& types = spec_["ResourceTypes"];
    return types.contains(type) ? &types[type] : nullptr;
  }

  void CheckParameters() {
    if (!template_.contains("Parameters")) return;
    for (const auto& [name, parameter] : template_["Parameters"].items()) {
      std::string path = "Parameters." + name;
      if (!IsAlphanumeric(name)) Problem(path, "a logical ID must be alphanumeric");
      if (!parameter.is_object() || !parameter.contains("Type") || !parameter["Type"].is_string()) {
        Problem(path, "a parameter needs a Type");
        continue;
      }
      std::string type = parameter["Type"];
      static const std::set<std::string> kBasic = {"String", "Number", "List<Number>",
                                                   "CommaDelimitedList"};
      if (!kBasic.count(type) && type.rfind("AWS::", 0) != 0 && type.rfind("List<AWS::", 0) != 0) {
        Problem(path + ".Type", "unknown parameter type '" + type + "'");
      }
    }
  }

  void CheckResource(const std::string& id, const Json& resource) {
    std::string path = "Resources." + id;
    if (!IsAlphanumeric(id)) Problem(path, "a logical ID must be alphanumeric");
    if (!resource.is_object() || !resource.contains("Type") || !resource["Type"].is_string()) {
      Problem(path, "a resource needs a Type");
      return;
    }
    for (const auto& [key, value] : resource.items()) {
      if (!kResourceAttributes.count(key)) Problem(path + "." + key, "not a resource attribute");
    }
    std::string type = resource["Type"];
    const SpecJson* spec = ResourceSpec(type);
    if (!spec) {
      Problem(path + ".Type", "unknown resource type '" + type + "'");
      return;
    }
    if (resource.contains("DependsOn")) CheckDependsOn(path + ".DependsOn", resource["DependsOn"]);
    static const Json kNoProperties = Json::object();
    const Json& properties =
        resource.contains("Properties") ? resource["Properties"] : kNoProperties;
    CheckObject(path + ".Properties", type, (*spec)["Properties"], properties);
    for (const char* policy : {"CreationPolicy", "UpdatePolicy", "Metadata"}) {
      if (resource.contains(policy)) CheckIntrinsicsWithin(path + "." + policy, resource[policy]);
    }
  }

  void CheckDependsOn(const std::string& path, const Json& value) {
    std::vector<Json> targets =
        value.is_array() ? std::vector<Json>(value.begin(), value.end()) : std::vector<Json>{value};
    for (const Json& target : targets) {
      if (!target.is_string() || !Resource(target.get<std::string>())) {
        Problem(path, "DependsOn names no resource of this template: " + target.dump());
      }
    }
  }

  // `properties` of a resource or property type whose spec is `spec_properties`; `owner` is
  // the resource type, which qualifies the names of its property types.
  void CheckObject(const std::string& path, const std::string& owner,
                   const SpecJson& spec_properties, const Json& properties) {
    if (IsIntrinsic(properties)) {
      CheckIntrinsic(path, properties);
      return;
    }
    if (!properties.is_object()) {
      Problem(path, "expected an object");
      return;
    }
    for (const auto& [name, value] : properties.items()) {
      if (!spec_properties.contains(name)) {
        Problem(path + "." + name, "unknown property");
        continue;
      }
      CheckValue(path + "." + name, owner, spec_properties[name], value);
    }
    for (const auto& [name, property] : spec_properties.items()) {
      if (property.value("Required", false) && !properties.contains(name)) {
        Problem(path + "." + name, "required property missing");
      }
    }
  }

  void CheckValue(const std::string& path, const std::string& owner, const SpecJson& property,
                  const Json& value) {
    if (property.contains("PrimitiveType")) {
      CheckPrimitive(path, property["PrimitiveType"], value);
      return;
    }
    std::string type = property.value("Type", "");
    if (type == "List" || type == "Map") {
      if (IsIntrinsic(value)) {
        if (type == "List" && CheckIntrinsic(path, value) == ValueShape::kScalar) {
          Problem(path, "expected a list, and this function yields one value");
        }
        if (type == "Map") CheckIntrinsic(path, value);
        return;
      }
      bool is_list = type == "List";
      if (is_list ? !value.is_array() : !value.is_object()) {
        Problem(path, is_list ? "expected a list" : "expected a map");
        return;
      }
      for (const auto& [key, item] : value.items()) {
        std::string item_path = path + (is_list ? "[" + key + "]" : "." + key);
        if (property.contains("PrimitiveItemType")) {
          CheckPrimitive(item_path, property["PrimitiveItemType"], item);
        } else {
          CheckPropertyType(item_path, owner, property.value("ItemType", ""), item);
        }
      }
      return;
    }
    CheckPropertyType(path, owner, type, value);
  }

  void CheckPropertyType(const std::string& path, const std::string& owner, const std::string& type,
                         const Json& value) {
    std::string qualified = type == "Tag" ? type : owner + "." + type;
    const SpecJson& types = spec_["PropertyTypes"];
    if (!types.contains(qualified)) {
      Problem(path, "the specification has no property type " + qualified);
      return;
    }
    const SpecJson& spec = types[qualified];
    if (spec.contains("PrimitiveType")) {
      CheckPrimitive(path, spec["PrimitiveType"], value);
      return;
    }
    CheckObject(path, owner, spec.contains("Properties") ? spec["Properties"] : SpecJson::object(),
                value);
  }

  void CheckPrimitive(const std::string& path, const std::string& primitive, const Json& value) {
    if (IsIntrinsic(value)) {
      if (primitive != "Json" && CheckIntrinsic(path, value) == ValueShape::kList) {
        Problem(path, "expected one " + primitive + ", and this function yields a list");
      }
      return;
    }
    bool fits = false;
    if (primitive == "String" || primitive == "Timestamp") {
      fits = value.is_string();
    } else if (primitive == "Integer" || primitive == "Long") {
      fits = value.is_number_integer();
    } else if (primitive == "Double") {
      fits = value.is_number();
    } else if (primitive == "Boolean") {
      fits = value.is_boolean();
    } else if (primitive == "Json") {
      fits = value.is_object() || value.is_array();
      if (fits) CheckIntrinsicsWithin(path, value);
    }
    if (!fits) Problem(path, "expected a " + primitive + ", got " + value.dump());
  }

  static bool IsIntrinsic(const Json& value) {
    if (!value.is_object() || value.size() != 1) return false;
    const std::string& key = value.begin().key();
    return key == "Ref" || key.rfind("Fn::", 0) == 0;
  }

  // Checks intrinsic functions anywhere inside free-form JSON (policy documents, policies).
  void CheckIntrinsicsWithin(const std::string& path, const Json& value) {
    if (IsIntrinsic(value)) {
      CheckIntrinsic(path, value);
      return;
    }
    if (value.is_structured()) {
      for (const auto& [key, item] : value.items()) CheckIntrinsicsWithin(path + "." + key, item);
    }
  }

  ValueShape CheckRef(const std::string& path, const Json& target) {
    if (!target.is_string()) {
      Problem(path, "Ref takes a logical ID");
      return ValueShape::kUnknown;
    }
    std::string name = target;
    if (kPseudoParameters.count(name)) {
      return name == "AWS::NotificationARNs" ? ValueShape::kList : ValueShape::kScalar;
    }
    if (const Json* parameter = Parameter(name)) {
      std::string type = parameter->value("Type", "");
      bool is_list = type.rfind("List<", 0) == 0 || type == "CommaDelimitedList";
      return is_list ? ValueShape::kList : ValueShape::kScalar;
    }
    if (Resource(name)) return ValueShape::kScalar;
    Problem(path, "Ref to '" + name + "', which is no parameter or resource of this template");
    return ValueShape::kUnknown;
  }

  ValueShape CheckGetAtt(const std::string& path, const std::string& id,
                         const std::string& attribute) {
    const Json* resource = Resource(id);
    if (!resource || !resource->contains("Type")) {
      Problem(path, "Fn::GetAtt of '" + id + "', which is no resource of this template");
      return ValueShape::kUnknown;
    }
    const SpecJson* spec = ResourceSpec((*resource)["Type"].get<std::string>());
    if (!spec) return ValueShape::kUnknown;  // the resource itself is reported
    if (!spec->contains("Attributes") || !(*spec)["Attributes"].contains(attribute)) {
      Problem(path, "Fn::GetAtt: " + (*resource)["Type"].get<std::string>() +
                        " has no attribute '" + attribute + "'");
      return ValueShape::kUnknown;
    }
    return (*spec)["Attributes"][attribute].value("Type", "") == "List" ? ValueShape::kList
                                                                        : ValueShape::kScalar;
  }

  // Checks every ${NAME} and ${ID.ATTRIBUTE} of an Fn::Sub string; `locals` are its own names.
  void CheckSubString(const std::string& path, const std::string& text,
                      const std::set<std::string>& locals) {
    size_t at = 0;
    while ((at = text.find("${", at)) != std::string::npos) {
      size_t end = text.find('}', at);
      if (end == std::string::npos) {
        Problem(path, "Fn::Sub: an unclosed ${");
        return;
      }
      std::string name = text.substr(at + 2, end - at - 2);
      at = end + 1;
      if (!name.empty() && name[0] == '!') continue;  // ${!x} is a literal ${x}
      if (locals.count(name) || kPseudoParameters.count(name) || Parameter(name) ||
          Resource(name)) {
        continue;
      }
      size_t dot = name.find('.');
      if (dot != std::string::npos) {
        CheckGetAtt(path, name.substr(0, dot), name.substr(dot + 1));
      } else {
        Problem(path, "Fn::Sub: ${" + name + "} names no parameter or resource of this template");
      }
    }
  }

  ValueShape CheckIntrinsic(const std::string& path, const Json& value) {
    const std::string& function = value.begin().key();
    const Json& argument = value.begin().value();
    std::string inner = path + "." + function;
    if (function == "Ref") return CheckRef(inner, argument);
    if (function == "Fn::GetAtt") {
      if (argument.is_array() && argument.size() == 2 && argument[0].is_string() &&
          argument[1].is_string()) {
        return CheckGetAtt(inner, argument[0], argument[1]);
      }
      Problem(inner, "Fn::GetAtt takes [LogicalId, Attribute]");
      return ValueShape::kUnknown;
    }
    if (function == "Fn::Sub") {
      if (argument.is_string()) {
        CheckSubString(inner, argument, {});
      } else if (argument.is_array() && argument.size() == 2 && argument[0].is_string() &&
                 argument[1].is_object()) {
        std::set<std::string> locals;
        for (const auto& [name, local] : argument[1].items()) {
          locals.insert(name);
          CheckIntrinsicsWithin(inner + "." + name, local);
        }
        CheckSubString(inner, argument[0], locals);
      } else {
        Problem(inner, "Fn::Sub takes a string or [string, {name: value}]");
      }
      return ValueShape::kScalar;
    }
    static const std::set<std::string> kScalarFunctions = {"Fn::Base64", "Fn::Join", "Fn::Select",
                                                           "Fn::ImportValue", "Fn::FindInMap"};
    static const std::set<std::string> kListFunctions = {"Fn::GetAZs", "Fn::Split", "Fn::Cidr"};
    static const std::set<std::string> kOtherFunctions = {"Fn::If", "Fn::Equals", "Fn::Not",
                                                          "Fn::And", "Fn::Or"};
    ValueShape shape = kScalarFunctions.count(function) ? ValueShape::kScalar
                       : kListFunctions.count(function) ? ValueShape::kList
                                                        : ValueShape::kUnknown;
    if (shape == ValueShape::kUnknown && !kOtherFunctions.count(function)) {
      Problem(inner, "not an intrinsic function");
      return ValueShape::kUnknown;
    }
    CheckIntrinsicsWithinArguments(inner, argument);
    return shape;
  }

  void CheckIntrinsicsWithinArguments(const std::string& path, const Json& argument) {
    if (IsIntrinsic(argument)) {
      CheckIntrinsic(path, argument);
    } else if (argument.is_structured()) {
      for (const auto& [key, item] : argument.items()) {
        CheckIntrinsicsWithinArguments(path + "[" + key + "]", item);
      }
    }
  }

  void CheckOutputs(const Json& outputs) {
    for (const auto& [name, output] : outputs.items()) {
      std::string path = "Outputs." + name;
      if (!IsAlphanumeric(name)) Problem(path, "a logical ID must be alphanumeric");
      if (!output.is_object() || !output.contains("Value")) {
        Problem(path, "an output needs a Value");
        continue;
      }
      CheckIntrinsicsWithin(path + ".Value", output["Value"]);
    }
  }

  const SpecJson& spec_;
  const Json& template_;
  std::vector<std::string> problems_;
};

}  // namespace

Result<CfnSpec> LoadCfnSpec(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::Error("cannot read the CloudFormation specification " + path);
  CfnSpec spec;
  spec.document = SpecJson::parse(in, nullptr, /*allow_exceptions=*/false);
  if (spec.document.is_discarded() || !spec.document.contains("ResourceTypes") ||
      !spec.document.contains("PropertyTypes")) {
    return Status::Error(path + ": not a CloudFormation resource specification");
  }
  return spec;
}

std::vector<std::string> CheckTemplate(const CfnSpec& spec,
                                       const nlohmann::ordered_json& template_json) {
  return TemplateChecker(spec.document, template_json).Run();
}

}  // namespace i2kit
