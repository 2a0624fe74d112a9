#include "local/ui_page.h"

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <string>

namespace cdc {
namespace {

std::map<std::string, StaticRoute> Routes() {
  std::map<std::string, StaticRoute> out;
  for (const StaticRoute& r : UiRoutes()) out[std::string(r.path)] = r;
  return out;
}

TEST(UiPageTest, ServesPageScriptAndStyleAsSeparateRoutes) {
  auto routes = Routes();
  ASSERT_EQ(routes.size(), 3u);
  EXPECT_EQ(routes["/"].content_type, "text/html; charset=utf-8");
  EXPECT_EQ(routes["/ui.js"].content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(routes["/ui.css"].content_type, "text/css; charset=utf-8");
  const std::string html(routes["/"].body);
  EXPECT_NE(html.find("<script src=\"/ui.js\" defer></script>"), std::string::npos);
  EXPECT_NE(html.find("<link rel=\"stylesheet\" href=\"/ui.css\">"), std::string::npos);
  for (const char* id :
       {"id=\"search\"", "id=\"table-filter\"", "id=\"op-filter\"", "id=\"pie\"",
        "id=\"stat-rate\"", "id=\"stat-lag\"", "id=\"stat-latency\"", "id=\"rows\""}) {
    EXPECT_NE(html.find(id), std::string::npos) << id;
  }
}

// The page must work under the CSP: no inline script, inline style or event-handler attribute.
TEST(UiPageTest, HtmlNeedsNothingTheCspForbids) {
  const std::string html(Routes()["/"].body);
  EXPECT_FALSE(std::regex_search(html, std::regex("<script(?![^>]*\\bsrc=)[^>]*>")));
  EXPECT_FALSE(std::regex_search(html, std::regex("<style", std::regex::icase)));
  EXPECT_FALSE(std::regex_search(html, std::regex("\\sstyle=", std::regex::icase)));
  EXPECT_FALSE(std::regex_search(html, std::regex("\\son[a-z]+=", std::regex::icase)));
  EXPECT_EQ(html.find("<form"), std::string::npos);
  EXPECT_EQ(html.find("javascript:"), std::string::npos);
}

// Database values reach the DOM only as text: the script has no HTML sinks at all.
TEST(UiPageTest, ScriptUsesNoHtmlSinks) {
  const std::string js(Routes()["/ui.js"].body);
  for (const char* sink :
       {"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
        "setAttribute('style'", ".cssText", "setAttribute('href'", "setAttribute('src'"}) {
    EXPECT_EQ(js.find(sink), std::string::npos) << sink;
  }
  EXPECT_NE(js.find("textContent"), std::string::npos);
  EXPECT_NE(js.find("/api/events?"), std::string::npos);
  EXPECT_NE(js.find("/api/counts"), std::string::npos);
  EXPECT_NE(js.find("/metrics"), std::string::npos);
}

TEST(UiPageTest, SecurityHeaders) {
  std::map<std::string, std::string> h;
  for (const HeaderValue& v : SecurityHeaders()) h[std::string(v.name)] = v.value;
  EXPECT_EQ(h["Content-Security-Policy"],
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'");
  EXPECT_EQ(h["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(h["X-Frame-Options"], "DENY");
  EXPECT_EQ(h["Referrer-Policy"], "no-referrer");
}

}  // namespace
}  // namespace cdc
