#include "core/base64.h"

#include <openssl/evp.h>

namespace cdc {
namespace {

// EVP_EncodeBlock takes an int length; larger inputs are encoded in chunks whose size is a
// multiple of 3 so that no padding appears in the middle of the output.
constexpr std::size_t kMaxChunk = std::size_t{3} << 28;

}  // namespace

void AppendBase64(std::string_view bytes, std::string* out) {
  while (!bytes.empty()) {
    const std::size_t chunk = bytes.size() < kMaxChunk ? bytes.size() : kMaxChunk;
    const std::size_t start = out->size();
    // EVP_EncodeBlock writes a trailing NUL, which the extra byte absorbs.
    out->resize(start + Base64Length(chunk) + 1);
    const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out->data() + start),
                                        reinterpret_cast<const unsigned char*>(bytes.data()),
                                        static_cast<int>(chunk));
    out->resize(start + static_cast<std::size_t>(written));
    bytes.remove_prefix(chunk);
  }
}

}  // namespace cdc
