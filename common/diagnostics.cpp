#include "common/diagnostics.h"

#include <algorithm>
#include <tuple>

namespace i2kit {

std::string Diagnostic::Format() const {
  std::string out = where.file.empty() ? "<input>" : where.file;
  if (where.line > 0) {
    out += ":" + std::to_string(where.line) + ":" + std::to_string(where.column);
  }
  out += severity == Severity::kError ? ": error: " : ": warning: ";
  out += what;
  if (!expected.empty()) out += " (" + expected + ")";
  return out;
}

void Diagnostics::Error(const SourceLocation& where, std::string what, std::string expected) {
  all_.push_back(
      {Severity::kError, WarningKind::kGeneral, where, std::move(what), std::move(expected)});
}

void Diagnostics::Warning(const SourceLocation& where, std::string what, std::string expected,
                          WarningKind kind) {
  all_.push_back({Severity::kWarning, kind, where, std::move(what), std::move(expected)});
}

void Diagnostics::MakeStrictErrors() {
  for (Diagnostic& d : all_) {
    if (d.severity == Severity::kWarning &&
        (d.kind == WarningKind::kUnknownField || d.kind == WarningKind::kNoMeaningHere)) {
      d.severity = Severity::kError;
    }
  }
}

void Diagnostics::Append(const Diagnostics& other) {
  all_.insert(all_.end(), other.all_.begin(), other.all_.end());
}

bool Diagnostics::has_errors() const {
  return error_count() > 0;
}

int Diagnostics::error_count() const {
  return static_cast<int>(std::count_if(all_.begin(), all_.end(), [](const Diagnostic& d) {
    return d.severity == Severity::kError;
  }));
}

void Diagnostics::SortByLocation() {
  std::stable_sort(all_.begin(), all_.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.where.file, a.where.line, a.where.column) <
           std::tie(b.where.file, b.where.line, b.where.column);
  });
}

}  // namespace i2kit
