#include "guest-agent/log_buffer.h"

#include <algorithm>

#include "common/async_console_log.h"

namespace i2kit {

LogBuffer::LogBuffer(size_t capacity_bytes, size_t max_line)
    : capacity_(capacity_bytes), max_line_(max_line) {}

void LogBuffer::Store(const std::string& source, std::string text, LogLevel level,
                      std::vector<std::string>& out) {
  if (text.size() > max_line_) text.resize(max_line_);
  if (!text.empty() && text.back() == '\r') text.pop_back();
  std::string line = source + ": " + EscapeControlBytes(text);
  out.push_back(line);
  bytes_ += line.size();
  entries_.push_back({source, std::move(line), level});
  ++next_sequence_;
  while (bytes_ > capacity_ && !entries_.empty()) {
    bytes_ -= entries_.front().line.size();
    entries_.pop_front();
    ++dropped_;
  }
}

std::vector<std::string> LogBuffer::Append(const std::string& source, std::string_view data,
                                           const std::function<bool()>& admit, LogLevel level) {
  std::vector<std::string> out;
  std::string& pending = partial_[source];
  for (char c : data) {
    if (c == '\n') {
      if (!admit || admit()) Store(source, std::move(pending), level, out);
      pending.clear();
    } else if (pending.size() < max_line_) {
      pending.push_back(c);
    }
  }
  return out;
}

std::vector<std::string> LogBuffer::Flush(const std::string& source) {
  std::vector<std::string> out;
  auto it = partial_.find(source);
  if (it != partial_.end()) {
    if (!it->second.empty()) Store(source, std::move(it->second), LogLevel::kInfo, out);
    partial_.erase(it);
  }
  return out;
}

std::vector<std::string> LogBuffer::Lines(const std::string& source, size_t limit) const {
  std::vector<std::string> out;
  for (auto it = entries_.rbegin(); it != entries_.rend() && out.size() < limit; ++it) {
    if (source.empty() || it->source == source) out.push_back(it->line);
  }
  return {out.rbegin(), out.rend()};
}

std::vector<LogBuffer::SequencedLine> LogBuffer::LinesFrom(uint64_t from, size_t limit) const {
  std::vector<SequencedLine> out;
  uint64_t first = first_sequence();
  for (uint64_t sequence = std::max(from, first); sequence < next_sequence_ && out.size() < limit;
       ++sequence) {
    const Entry& entry = entries_[static_cast<size_t>(sequence - first)];
    out.push_back(
        {sequence, entry.source, entry.line.substr(entry.source.size() + 2), entry.level});
  }
  return out;
}

}  // namespace i2kit
