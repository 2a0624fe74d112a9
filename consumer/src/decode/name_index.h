#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "core/short_text.h"
#include "decode/raw_message.h"

namespace cdc {

inline std::string_view NameOf(const RawColumn& column) { return column.name; }
inline std::string_view NameOf(std::string_view name) { return name; }

// Looks names up in a span of columns (or plain names) without a quadratic scan: small spans are
// scanned, wide ones get an open-addressing hash table in caller-owned scratch space. A message
// may legally hold millions of columns, and every per-column lookup must stay O(1) then. Not
// thread-safe; lives for one decode.
template <typename T>
class NameIndex {
 public:
  static constexpr std::size_t kNotFound = SIZE_MAX;

  explicit NameIndex(std::vector<std::uint32_t>* slots) : slots_(slots) {}

  // Indexes `items`. With `duplicate` set, stops at the first repeated name, stores it there and
  // returns false; without, a repeated name keeps its first position.
  bool Build(std::span<const T> items, std::string_view* duplicate) {
    items_ = items;
    hashed_ = items.size() > kLinearScanLimit;
    if (!hashed_) return duplicate == nullptr || !FindLinearDuplicate(duplicate);
    std::size_t size = 64;
    while (size < items.size() * 2) size *= 2;
    mask_ = size - 1;
    slots_->assign(size, kEmptySlot);
    for (std::size_t i = 0; i < items.size(); ++i) {
      const std::string_view name = NameOf(items[i]);
      std::size_t slot = std::hash<std::string_view>{}(name)&mask_;
      bool seen = false;
      for (; (*slots_)[slot] != kEmptySlot && !seen; slot = (slot + 1) & mask_) {
        seen = SameShortText(NameOf(items_[(*slots_)[slot]]), name);
      }
      if (!seen) {
        (*slots_)[slot] = static_cast<std::uint32_t>(i);
      } else if (duplicate != nullptr) {
        *duplicate = name;
        return false;
      }
    }
    return true;
  }

  // Position of `name` in the indexed span, or kNotFound.
  std::size_t Find(std::string_view name) const {
    if (!hashed_) {
      for (std::size_t i = 0; i < items_.size(); ++i) {
        if (SameShortText(NameOf(items_[i]), name)) return i;
      }
      return kNotFound;
    }
    for (std::size_t slot = std::hash<std::string_view>{}(name)&mask_;
         (*slots_)[slot] != kEmptySlot; slot = (slot + 1) & mask_) {
      if (SameShortText(NameOf(items_[(*slots_)[slot]]), name)) return (*slots_)[slot];
    }
    return kNotFound;
  }

 private:
  // Spans up to this size are scanned: cheaper than hashing for typical rows.
  static constexpr std::size_t kLinearScanLimit = 16;
  static constexpr std::uint32_t kEmptySlot = UINT32_MAX;

  bool FindLinearDuplicate(std::string_view* duplicate) const {
    for (std::size_t i = 0; i < items_.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (SameShortText(NameOf(items_[i]), NameOf(items_[j]))) {
          *duplicate = NameOf(items_[i]);
          return true;
        }
      }
    }
    return false;
  }

  std::vector<std::uint32_t>* slots_;
  std::span<const T> items_;
  bool hashed_ = false;
  std::size_t mask_ = 0;
};

}  // namespace cdc
