#include "transform/redactor.h"

#include <algorithm>

namespace cdc {
namespace {

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// `name` (any case) equals `lower` (already lower-case).
bool EqualsLower(std::string_view name, std::string_view lower) {
  if (name.size() != lower.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (Lower(name[i]) != lower[i]) return false;
  }
  return true;
}

std::uint64_t ByteBit(char c) { return std::uint64_t{1} << (static_cast<unsigned char>(c) & 63U); }

// Length of the UTF-8 character starting with `c` (1 for stray bytes), for `?`.
std::size_t CharLength(unsigned char c) {
  if (c >= 0xF0) return 4;
  if (c >= 0xE0) return 3;
  if (c >= 0xC0) return 2;
  return 1;
}

}  // namespace

std::vector<std::string> Redactor::DefaultPatterns() {
  return {"*password*", "*passwd*", "*pwd*",         "*secret*",     "*token*",
          "*api_key*",  "*apikey*", "*private_key*", "*credit_card*"};
}

Redactor::Redactor(std::vector<std::string> patterns) {
  for (const std::string& pattern : patterns) {
    if (pattern.empty()) continue;
    (pattern.find('.') == std::string::npos ? patterns_ : qualified_).push_back(Compile(pattern));
  }
}

Redactor::Pattern Redactor::Compile(std::string_view pattern) {
  Pattern compiled{Kind::kGlob, std::string(pattern), 0};
  for (char& c : compiled.text) {
    c = Lower(c);
    if (c != '*' && c != '?') compiled.required_bytes |= ByteBit(c);
  }
  const std::string& text = compiled.text;
  if (text.find('?') != std::string::npos) return compiled;
  const std::size_t stars = static_cast<std::size_t>(std::count(text.begin(), text.end(), '*'));
  const bool leading = !text.empty() && text.front() == '*';
  const bool trailing = text.size() > 1 && text.back() == '*';
  if (stars == 0) {
    compiled.kind = Kind::kExact;
  } else if (stars == 1 && trailing) {
    compiled.kind = Kind::kPrefix;
    compiled.text.pop_back();
  } else if (stars == 1 && leading) {
    compiled.kind = Kind::kSuffix;
    compiled.text.erase(0, 1);
  } else if (stars == 2 && leading && trailing) {
    compiled.kind = Kind::kContains;
    compiled.text = compiled.text.substr(1, compiled.text.size() - 2);
  }
  return compiled;
}

// Iterative glob match with single-star backtracking: O(|glob| * |name|) at worst.
bool Redactor::GlobMatch(std::string_view glob, std::string_view name) {
  std::size_t g = 0;
  std::size_t n = 0;
  std::size_t star = std::string_view::npos;
  std::size_t star_name = 0;
  while (n < name.size()) {
    if (g < glob.size() && glob[g] == '*') {
      star = g++;
      star_name = n;
    } else if (g < glob.size() && glob[g] == '?') {
      ++g;
      n += CharLength(static_cast<unsigned char>(name[n]));
    } else if (g < glob.size() && glob[g] == Lower(name[n])) {
      ++g;
      ++n;
    } else if (star != std::string_view::npos) {
      g = star + 1;
      n = ++star_name;
    } else {
      return false;
    }
  }
  while (g < glob.size() && glob[g] == '*') ++g;
  return g == glob.size() && n == name.size();
}

bool Redactor::IsSensitive(std::string_view column) const {
  return !patterns_.empty() && AnyMatches(patterns_, column);
}

bool Redactor::IsSensitive(std::string_view database, std::string_view table,
                           std::string_view column) const {
  if (IsSensitive(column)) return true;
  if (qualified_.empty()) return false;
  std::string qualified;
  qualified.reserve(database.size() + table.size() + column.size() + 2);
  qualified.append(database).append(1, '.').append(table).append(1, '.').append(column);
  return AnyMatches(qualified_, qualified);
}

bool Redactor::AnyMatches(const std::vector<Pattern>& patterns, std::string_view column) {
  // Lower-casing into a buffer per call cost more than the matching; the bytes-present mask
  // rules out most patterns at once, and the rest compare case-insensitively in place.
  std::uint64_t present = 0;
  for (const char c : column) present |= ByteBit(Lower(c));
  for (const Pattern& pattern : patterns) {
    if ((pattern.required_bytes & ~present) != 0) continue;
    const std::string_view text = pattern.text;
    switch (pattern.kind) {
      case Kind::kExact:
        if (EqualsLower(column, text)) return true;
        break;
      case Kind::kPrefix:
        if (column.size() >= text.size() && EqualsLower(column.substr(0, text.size()), text)) {
          return true;
        }
        break;
      case Kind::kSuffix:
        if (column.size() >= text.size() &&
            EqualsLower(column.substr(column.size() - text.size()), text)) {
          return true;
        }
        break;
      case Kind::kContains:
        for (std::size_t i = 0; i + text.size() <= column.size(); ++i) {
          if (EqualsLower(column.substr(i, text.size()), text)) return true;
        }
        break;
      case Kind::kGlob:
        if (GlobMatch(text, column)) return true;
        break;
    }
  }
  return false;
}

}  // namespace cdc
