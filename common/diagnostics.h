// Problems found in a user's input, each pinned to a place in a file, collected so that a
// user sees all of them at once rather than one per run.
#pragma once

#include <string>
#include <vector>

namespace i2kit {

// A 1-based position in an input file; line 0 means "the file as a whole".
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
};

enum class Severity { kError, kWarning };

// Why a warning was raised; --strict turns kUnknownField and kNoMeaningHere warnings into
// errors. kNoMeaningHere: a Kubernetes kind or field that would do something in a cluster
// (RBAC, namespaces, autoscaling, service accounts) and does nothing in a Pod VM.
enum class WarningKind { kGeneral, kUnknownField, kNoMeaningHere };

struct Diagnostic {
  Severity severity = Severity::kError;
  WarningKind kind = WarningKind::kGeneral;
  SourceLocation where;
  std::string what;      // what is wrong, naming the field: "spec.replicas: -2 is negative"
  std::string expected;  // what was expected instead; may be empty

  // "FILE:LINE:COLUMN: error: what (expected)".
  std::string Format() const;
};

class Diagnostics {
 public:
  void Error(const SourceLocation& where, std::string what, std::string expected = {});
  void Warning(const SourceLocation& where, std::string what, std::string expected = {},
               WarningKind kind = WarningKind::kGeneral);

  // Turns every unknown-field and no-meaning-here warning into an error (the --strict mode).
  void MakeStrictErrors();
  // Appends everything `other` holds.
  void Append(const Diagnostics& other);

  bool has_errors() const;
  int error_count() const;
  const std::vector<Diagnostic>& all() const { return all_; }

  // Orders by file, line, column so that output reads top to bottom.
  void SortByLocation();

 private:
  std::vector<Diagnostic> all_;
};

}  // namespace i2kit
