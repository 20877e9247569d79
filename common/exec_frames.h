// The stream `i2kit-host exec` and the agent's exec server speak over one TCP connection
// (pod_vm.h kExecPort): first the request, one line of JSON; then frames both ways, each a type
// byte, a 4-byte big-endian length and that many bytes. The host sends stdin and its end; the
// agent sends stdout, stderr, and last either the exit code or an error. Pure: encoding and
// decoding only, the sockets are the callers'.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace i2kit {

// A frame's payload is at most this large; a larger announced length is a broken stream.
inline constexpr uint32_t kMaxExecFrameBytes = 1 << 20;
// The request line is at most this large.
inline constexpr size_t kMaxExecRequestBytes = 64 * 1024;

enum class ExecFrameType : uint8_t {
  kStdin = 0,     // host → agent: bytes for the process's stdin
  kStdinEnd = 1,  // host → agent: stdin is closed
  kStdout = 2,    // agent → host
  kStderr = 3,    // agent → host
  kExit = 4,      // agent → host, last: the exit code as decimal text (128 + signal)
  kError = 5,     // agent → host, last: why nothing ran (text)
};

struct ExecFrame {
  ExecFrameType type = ExecFrameType::kStdin;
  std::string data;
};

// What the host asks: `key` proves it is the host (the replica's exec key, which only the
// host and the agent know), `container` the Pod's container, `command` its argv, `tty` a
// terminal, `env` extra NAME=VALUE entries (TERM, from the host's terminal), `rows` and `cols`
// the terminal's size (0: unknown).
struct ExecRequest {
  std::string key;
  std::string container;
  std::vector<std::string> command;
  bool tty = false;
  std::vector<std::string> env;
  int rows = 0;
  int cols = 0;
};

// The request as its line (JSON and "\n").
std::string EncodeExecRequest(const ExecRequest& request);
// Parses a request line (without its "\n"); fails naming the field that is missing or wrong.
Result<ExecRequest> DecodeExecRequest(std::string_view line);

std::string EncodeExecFrame(ExecFrameType type, std::string_view data);

// Takes the first whole frame off the front of `buffer`: nullopt while it is incomplete; fails
// on an unknown type or an oversized length.
Result<std::optional<ExecFrame>> TakeExecFrame(std::string& buffer);

}  // namespace i2kit
