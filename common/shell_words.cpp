#include "common/shell_words.h"

#include <array>

namespace i2kit {
namespace {

// Walks `line` calling `on_char(c, quoted, at_index)` for every character that is part of a
// word and `on_break()` at unquoted whitespace; returns the open quote, if any, at the end.
template <typename OnChar, typename OnBreak>
char Scan(std::string_view line, OnChar on_char, OnBreak on_break) {
  char quote = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quote == '\'') {
      if (c == '\'')
        quote = 0;
      else
        on_char(c, true, i);
    } else if (quote == '"') {
      if (c == '"') {
        quote = 0;
      } else if (c == '\\' && i + 1 < line.size() &&
                 std::string_view("\"\\$`").find(line[i + 1]) != std::string_view::npos) {
        ++i;
        on_char(line[i], true, i);
      } else {
        on_char(c, true, i);
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      on_char(0, true, i);  // an empty quoted string still makes a word
    } else if (c == '\\') {
      if (i + 1 < line.size()) {
        ++i;
        on_char(line[i], true, i);
      }
    } else if (c == ' ' || c == '\t' || c == '\n') {
      on_break();
    } else {
      on_char(c, false, i);
    }
  }
  return quote;
}

}  // namespace

Result<std::vector<std::string>> SplitShellWords(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char open = Scan(
      line,
      [&](char c, bool, size_t) {
        in_word = true;
        if (c != 0) word.push_back(c);
      },
      [&] {
        if (in_word) words.push_back(std::move(word));
        word.clear();
        in_word = false;
      });
  if (open != 0) {
    return Status::Error(std::string("unterminated ") + (open == '\'' ? "single" : "double") +
                         " quote in command '" + std::string(line) + "'");
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

std::string FindUnquotedShellOperator(std::string_view line) {
  static constexpr std::array<std::string_view, 9> kOperators = {"&&", "||", "$", "|", ";",
                                                                 ">",  "<",  "&", "`"};
  std::string found;
  Scan(
      line,
      [&](char, bool quoted, size_t at) {
        if (quoted || !found.empty()) return;
        for (std::string_view op : kOperators) {
          if (line.substr(at, op.size()) == op) {
            found = std::string(op);
            return;
          }
        }
      },
      [] {});
  return found;
}

}  // namespace i2kit
