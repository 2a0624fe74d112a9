#include "transform/document_id.h"

// SHA256_Init/Update/Final are deprecated in OpenSSL 3.0 in favour of EVP; see Sha256 below.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <array>
#include <cstdlib>
#include <cstring>

#include <fmt/compile.h>

namespace cdc {
namespace {

// Bumped if the key material ever changes: old and new ids must not be mixed silently.
constexpr std::string_view kMaterialVersion = "v1";
constexpr std::size_t kIdHashBytes = 16;

enum : char { kValueNull = 0, kValuePresent = 1, kValueAbsent = 2 };

// The two lowercase hex digits of every byte: the id's hash is written a byte at a time.
constexpr std::array<std::array<char, 2>, 256> kHexPairs = [] {
  constexpr char kHex[] = "0123456789abcdef";
  std::array<std::array<char, 2>, 256> pairs{};
  for (std::size_t b = 0; b < 256; ++b) pairs[b] = {kHex[b >> 4], kHex[b & 0xF]};
  return pairs;
}();

// Key material is a sequence of length-prefixed fields, so no choice of database, table,
// column or value bytes can make two different keys encode alike. Lengths and counts are LEB128
// varints (prefix-free, so still unambiguous) to keep a typical key within one 55-byte SHA-256
// block: hashing is the largest single cost of shaping a small row.
class Material {
 public:
  // Keys up to kInline bytes (nearly all) stay on the stack; longer ones spill into `overflow`.
  explicit Material(std::string* overflow) : overflow_(overflow) {}

  void Tag(char tag) { Append(&tag, 1); }
  void Number(std::uint64_t n) {
    char bytes[10];
    std::size_t len = 0;
    do {
      bytes[len++] = static_cast<char>((n & 0x7F) | (n >= 0x80 ? 0x80 : 0));
      n >>= 7;
    } while (n != 0);
    Append(bytes, len);
  }
  void Field(std::string_view text) {
    Number(text.size());
    Append(text.data(), text.size());
  }
  void Value(const ColumnValue* column) {
    if (column == nullptr) return Tag(kValueAbsent);
    if (column->is_null) return Tag(kValueNull);
    Tag(kValuePresent);
    Field(column->value);
  }
  void RowImage(const Row& row) {
    Number(row.size());
    for (const ColumnValue& column : row) {
      Field(column.name);
      Value(&column);
    }
  }

  std::string_view View() const {
    return spilled_ ? std::string_view(*overflow_) : std::string_view(inline_, length_);
  }

 private:
  static constexpr std::size_t kInline = 256;

  void Append(const char* data, std::size_t n) {
    if (!spilled_ && length_ + n <= kInline) {
      std::memcpy(inline_ + length_, data, n);
      length_ += n;
      return;
    }
    if (!spilled_) {
      overflow_->assign(inline_, length_);
      spilled_ = true;
    }
    overflow_->append(data, n);
  }

  char inline_[kInline];
  std::size_t length_ = 0;
  bool spilled_ = false;
  std::string* overflow_;
};

// SHA-256 through OpenSSL's low-level interface (deprecated in OpenSSL 3, still the same
// SHA-NI/AVX2 code): it keeps its state on the stack. The EVP interface cost more than the
// hash itself on a one-block key (context reset, provider bookkeeping, cleanse on every call).
void Sha256(std::string_view data, unsigned char digest[SHA256_DIGEST_LENGTH]) {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, data.data(), data.size());
  SHA256_Final(digest, &ctx);
}

// Spelled out rather than cast so that reordering the Op enum cannot change ids.
char OpTag(Op op) {
  switch (op) {
    case Op::kInsert:
      return 'I';
    case Op::kUpdate:
      return 'U';
    case Op::kDelete:
      return 'D';
    case Op::kDdl:
      return 'L';
  }
  return '?';
}

void WriteMaterial(const ChangeEvent& event, Material* m) {
  m->Field(kMaterialVersion);
  m->Field(event.database);
  m->Field(event.table);
  m->Tag(OpTag(event.op));
  if (event.commit_ts.has_value()) {
    m->Tag('C');
    m->Number(*event.commit_ts);
  } else {
    m->Tag('E');
    m->Number(static_cast<std::uint64_t>(event.es_ms));
  }
  if (event.op == Op::kDdl) {
    m->Field(event.ddl_type);
    m->Field(event.sql);
    return;
  }
  // With commitTs, (commitTs, table, op, pk) names one row change. Without a pk, or without
  // commitTs (es has only ms resolution), the whole row image(s) must tell changes apart.
  if (event.commit_ts.has_value() && !event.pk_names.empty()) {
    m->Tag('K');
    m->Number(event.pk_names.size());
    for (const std::string_view pk : event.pk_names) {
      m->Field(pk);
      m->Value(FindColumn(event.data, pk));
    }
    return;
  }
  m->Tag('R');
  m->RowImage(event.data);
  if (event.op == Op::kUpdate) m->RowImage(event.old);
}

}  // namespace

void BuildDocumentId(const ChangeEvent& event, std::string* out) {
  // <commitTs>-<op>-<hex> or es<es>-<op>-<hex>: at most 2 + 20 + 1 + 6 + 1 + 32 bytes. The
  // readable part is written first, digits straight into place: the final copy reads it in wide
  // loads, which would stall on the digit pairs' narrow stores if they had just been made.
  char id[80];
  char* p = id;
  if (event.commit_ts.has_value()) {
    p = fmt::format_to(p, FMT_COMPILE("{}"), *event.commit_ts);
  } else {
    *p++ = 'e';
    *p++ = 's';
    p = fmt::format_to(p, FMT_COMPILE("{}"), event.es_ms);
  }
  *p++ = '-';
  const std::string_view op = OpName(event.op);
  std::memcpy(p, op.data(), op.size());
  p += op.size();
  *p++ = '-';

  thread_local std::string overflow;
  Material material(&overflow);
  WriteMaterial(event, &material);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  Sha256(material.View(), digest);
  if (overflow.capacity() > (std::size_t{1} << 20)) std::string().swap(overflow);  // huge rows

  for (std::size_t i = 0; i < kIdHashBytes; ++i) {
    std::memcpy(p, kHexPairs[digest[i]].data(), 2);
    p += 2;
  }
  out->assign(id, static_cast<std::size_t>(p - id));
}

}  // namespace cdc
