#include "sink/elasticsearch/gzip.h"

#include <zlib.h>

#include <memory>

namespace cdc::es {
namespace {

// Owns a deflate stream so every exit path releases zlib's state.
class Deflater {
 public:
  Deflater() = default;
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;
  ~Deflater() {
    if (initialised_) deflateEnd(&stream_);
  }

  Status Init(int level) {
    // windowBits 15 + 16 asks zlib for a gzip header and trailer instead of a zlib one.
    if (deflateInit2(&stream_, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      return Status::Internal("gzip: deflateInit2 failed");
    }
    initialised_ = true;
    return Status::Ok();
  }
  z_stream* stream() { return &stream_; }

 private:
  z_stream stream_{};
  bool initialised_ = false;
};

}  // namespace

Status GzipCompress(std::string_view in, int level, std::string* out) {
  Deflater deflater;
  if (Status s = deflater.Init(level); !s.ok()) return s;
  z_stream* zs = deflater.stream();
  const std::size_t start = out->size();
  const uLong bound = deflateBound(zs, static_cast<uLong>(in.size()));
  out->resize(start + bound);
  // zlib's API is not const-correct; it never writes through next_in.
  zs->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs->avail_in = static_cast<uInt>(in.size());
  zs->next_out = reinterpret_cast<Bytef*>(out->data() + start);
  zs->avail_out = static_cast<uInt>(bound);
  if (in.size() > 0xFFFFFFFFu || deflate(zs, Z_FINISH) != Z_STREAM_END) {
    out->resize(start);
    return Status::Internal("gzip: deflate did not finish");
  }
  out->resize(start + zs->total_out);
  return Status::Ok();
}

}  // namespace cdc::es
