#include "app/healthcheck_command.h"

#include <httplib.h>

#include <ostream>

#include <fmt/format.h>

namespace cdc {

Result<SplitHttpUrl> SplitUrl(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos ||
      (url.substr(0, scheme_end) != "http" && url.substr(0, scheme_end) != "https")) {
    return Err(Status::InvalidConfig("URL must start with http:// or https://"));
  }
  const auto path_start = url.find_first_of("/?#", scheme_end + 3);
  SplitHttpUrl split;
  split.base = std::string(url.substr(0, path_start));
  split.path = path_start == std::string_view::npos ? "/" : std::string(url.substr(path_start));
  if (split.base.size() == scheme_end + 3) return Err(Status::InvalidConfig("URL has no host"));
  // Prepend by building a new string: g++ 12 -O2 reports a false -Wrestrict on
  // std::string::insert(0, literal) (GCC bug 105329), which breaks the Release build.
  if (split.path.front() != '/') split.path = std::string("/").append(split.path);
  if (const auto hash = split.path.find('#'); hash != std::string::npos) split.path.resize(hash);
  return split;
}

int RunHealthcheckCommand(std::string_view url, std::chrono::milliseconds timeout,
                          std::ostream& out, std::ostream& err) {
  const auto split = SplitUrl(url);
  if (!split) {
    err << "healthcheck: " << split.error().message() << "\n";
    return 1;
  }
  try {
    httplib::Client client(split->base);
    client.set_connection_timeout(timeout);
    client.set_read_timeout(timeout);
    client.set_write_timeout(timeout);
    const auto res = client.Get(split->path);
    if (!res) {
      err << "healthcheck: " << url << ": " << httplib::to_string(res.error()) << "\n";
      return 1;
    }
    if (res->status != 200) {
      err << "healthcheck: " << url << ": HTTP " << res->status << " " << res->body;
      if (res->body.empty() || res->body.back() != '\n') err << "\n";
      return 1;
    }
    out << "ok\n";
    return 0;
  } catch (const std::exception& e) {
    err << "healthcheck: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace cdc
