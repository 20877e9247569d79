#include "aws-deploy/instance_type_check.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>
#include <vector>

namespace i2kit {
namespace {

// Xen families and the Nitro generation that replaced each.
constexpr std::array<std::pair<const char*, const char*>, 12> kXenSuccessors = {{
    {"t1", "t3"},
    {"t2", "t3"},
    {"m1", "m5"},
    {"m3", "m5"},
    {"m4", "m5"},
    {"c3", "c5"},
    {"c4", "c5"},
    {"r3", "r5"},
    {"r4", "r5"},
    {"i2", "i4i"},
    {"i3", "i4i"},
    {"d2", "d3"},
}};

bool Has(const std::vector<std::string>& values, const std::string& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

}  // namespace

std::string NitroCounterpart(const std::string& name) {
  size_t dot = name.find('.');
  if (dot == std::string::npos) return "";
  std::string family = name.substr(0, dot);
  std::string size = name.substr(dot);
  for (const auto& [xen, nitro] : kXenSuccessors) {
    if (family == xen) return nitro + size;
  }
  // Graviton: the generation's digit, then 'g' ("m7g", "c6gn", "t4g"): Intel's is 'i' (m7i,
  // c6in), except the burstable t family, whose x86 one is t3.
  size_t digit = family.find_first_of("0123456789");
  if (digit == std::string::npos || digit + 1 >= family.size() || family[digit + 1] != 'g') {
    return "";
  }
  if (family[0] == 't') return "t3" + size;
  family[digit + 1] = 'i';
  return family + size;
}

std::string InstanceTypeProblem(const std::string& deployment, const aws::InstanceTypeInfo& info) {
  std::vector<std::string> lacks;
  if (!Has(info.architectures, "x86_64")) {
    std::string architectures;
    for (const std::string& a : info.architectures) {
      architectures += (architectures.empty() ? "" : "/") + a;
    }
    lacks.push_back("its processors are " + architectures + ", the image is x86-64");
  }
  if (info.hypervisor == "xen") lacks.push_back("it runs on Xen, not Nitro");
  if (info.nvme_support == "unsupported") lacks.push_back("its EBS volumes are not NVMe");
  if (info.ena_support == "unsupported") lacks.push_back("it has no ENA network adapter");
  if (lacks.empty()) return "";
  std::string why;
  for (size_t i = 0; i < lacks.size(); ++i) {
    why += (i == 0 ? "" : i + 1 == lacks.size() ? " and " : ", ") + lacks[i];
  }
  std::string counterpart = NitroCounterpart(info.name);
  std::string instead = counterpart.empty() ? "" : counterpart + " or ";
  return "deployment " + deployment + ": instance type " + info.name +
         " cannot boot its image: " + why + ". Use a Nitro x86-64 type instead, such as " +
         instead + "another of the t3, m5, c5, r5, m6i, c6i, r6i, m7i families (instance_type " +
         "in the manifest, or --instance-type)";
}

}  // namespace i2kit
