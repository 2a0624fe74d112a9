#pragma once

#include <span>
#include <string_view>

namespace cdc {

// One static response of the built-in UI: the HTTP server registers a GET route per entry.
struct StaticRoute {
  std::string_view path;
  std::string_view content_type;
  std::string_view body;
};

struct HeaderValue {
  std::string_view name;
  std::string_view value;
};

// The page allows only same-origin scripts, styles and fetches, and data: images (the favicon);
// no inline script or style, no framing, no forms, no <base>. The page is written to need
// nothing more, so a database value that slipped into markup still could not run.
inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

// "/" (HTML), "/ui.js", "/ui.css": plain files embedded in the binary, no build step.
// Immutable data; any thread.
std::span<const StaticRoute> UiRoutes();

// Headers every response of the consumer's HTTP server should carry (UI, API and metrics):
// the CSP above, X-Content-Type-Options: nosniff, X-Frame-Options: DENY, Referrer-Policy:
// no-referrer, Cross-Origin-Resource-Policy: same-origin. Immutable data; any thread.
std::span<const HeaderValue> SecurityHeaders();

// The JavaScript and the stylesheet (defined in ui_script.cc and ui_page.cc).
extern const std::string_view kUiScript;
extern const std::string_view kUiStyle;
extern const std::string_view kUiHtml;

}  // namespace cdc
