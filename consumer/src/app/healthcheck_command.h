#pragma once

#include <chrono>
#include <iosfwd>
#include <string>
#include <string_view>

#include "core/status.h"

namespace cdc {

inline constexpr std::string_view kDefaultHealthcheckUrl = "http://127.0.0.1:3000/healthz";

// A URL split for httplib's client: "http://host:port" and "/path?query".
struct SplitHttpUrl {
  std::string base;
  std::string path;
};
Result<SplitHttpUrl> SplitUrl(std::string_view url);

// `cdc-consumer healthcheck [--url URL]`, the container's HEALTHCHECK (no curl in the image):
// GET `url` with `timeout` for connecting and for reading; 0 when the answer is 200, else 1 with
// one line on `err` saying why. Called from main.
int RunHealthcheckCommand(std::string_view url, std::chrono::milliseconds timeout,
                          std::ostream& out, std::ostream& err);

}  // namespace cdc
