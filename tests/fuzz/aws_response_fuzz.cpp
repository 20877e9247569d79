// libFuzzer target: whatever bytes come back from the network to the EC2 reporter — an HTTP/1
// response, AWS's XML or JSON, the agent's /status and /logs JSON — end in a value or an error,
// never in a crash, a hang or unbounded memory.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "aws-client/http1_response.h"
#include "aws-client/query_protocol.h"
#include "aws-client/rest_json_protocol.h"
#include "aws-client/xml_document.h"
#include "ec2-reporter/agent_status.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (bool closed : {false, true}) {
    auto response = i2kit::aws::ParseHttp1Response(bytes, closed);
    if (response.ok() && response->has_value()) (void)(*response)->body.size();
  }
  auto document = i2kit::aws::XmlDocument::Parse(bytes);
  if (document.ok()) (void)document->root().Text();
  i2kit::aws::AwsError error;
  (void)i2kit::aws::ParseQueryResponse(400, bytes, &error);
  (void)i2kit::aws::ParseRestJsonError({400, {}, std::string(bytes)});
  (void)i2kit::reporter::ParseAgentStatus(bytes);
  (void)i2kit::reporter::ParseLogPage(bytes);
  return 0;
}
