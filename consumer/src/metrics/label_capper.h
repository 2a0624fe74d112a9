#pragma once

#include <cstddef>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace cdc {

// Keeps label values that come from data (database and table names) from exploding the number of
// metric series: the first `max_pairs` distinct pairs keep their (UTF-8-sanitised, length-capped)
// names, every later pair maps to the overflow bucket. Thread-safe.
class LabelCapper {
 public:
  static constexpr std::string_view kOverflow = "__overflow__";
  static constexpr std::size_t kMaxLabelBytes = 128;

  explicit LabelCapper(std::size_t max_pairs) : max_pairs_(max_pairs) {}

  // The label values to use for (database, table).
  std::pair<std::string, std::string> Map(std::string_view database, std::string_view table);

  // Invalid UTF-8 sequences become U+FFFD; control characters become '?'; at most kMaxLabelBytes.
  static std::string Sanitize(std::string_view value);

 private:
  const std::size_t max_pairs_;
  std::mutex mu_;
  std::set<std::pair<std::string, std::string>, std::less<>> seen_;
};

}  // namespace cdc
