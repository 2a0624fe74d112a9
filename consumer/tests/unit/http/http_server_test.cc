#include "http/http_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <stdexcept>
#include <string>

#include "metrics/metrics.h"

namespace cdc {
namespace {

// A server on 127.0.0.1:0 with switchable health, and a client for it.
class HttpServerTest : public ::testing::Test {
 protected:
  HttpServerOptions Options() {
    HttpServerOptions o;
    o.port = 0;
    o.metrics = &metrics_;
    o.liveness = [this] {
      return alive_.load() ? Status::Ok() : Status::Internal("pipeline: poll thread failed");
    };
    o.readiness = [this] {
      return std::vector<ReadinessCheck>{{"kafka", kafka_up_.load()}, {"sink", sink_up_.load()}};
    };
    o.on_error = [this](std::string_view m) { errors_.push_back(std::string(m)); };
    return o;
  }

  httplib::Result Get(const HttpServer& server, const std::string& path) {
    httplib::Client client("127.0.0.1", server.port());
    client.set_connection_timeout(std::chrono::seconds(5));
    client.set_read_timeout(std::chrono::seconds(5));
    return client.Get(path);
  }

  Metrics metrics_;
  std::atomic<bool> alive_{true};
  std::atomic<bool> kafka_up_{true};
  std::atomic<bool> sink_up_{true};
  std::vector<std::string> errors_;
};

TEST_F(HttpServerTest, ServesMetricsInPrometheusTextFormat) {
  metrics_.CountEvent("appdb", "users", Op::kInsert);
  HttpServer server(Options());
  ASSERT_TRUE(server.Start().ok());
  ASSERT_NE(server.port(), 0);
  auto res = Get(server, "/metrics");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(res->body.find("cdc_events_total{"), std::string::npos) << res->body;
  EXPECT_NE(res->body.find("table=\"users\""), std::string::npos);
  EXPECT_EQ(res->get_header_value("X-Content-Type-Options"), "nosniff");
}

TEST_F(HttpServerTest, HealthzFollowsLiveness) {
  HttpServer server(Options());
  ASSERT_TRUE(server.Start().ok());
  auto ok = Get(server, "/healthz");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, "{\"status\":\"ok\"}\n");
  alive_ = false;
  auto failed = Get(server, "/healthz");
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, 503);
  EXPECT_EQ(failed->body, "{\"status\":\"failed\",\"reason\":\"pipeline: poll thread failed\"}\n");
  EXPECT_EQ(failed->get_header_value("Content-Type"), "application/json");
}

TEST_F(HttpServerTest, ReadyzFlipsWithTheCallbackAndSaysWhatIsDown) {
  HttpServer server(Options());
  ASSERT_TRUE(server.Start().ok());
  struct Case {
    bool kafka;
    bool sink;
    int status;
    const char* body;
  };
  for (const Case& c :
       {Case{true, true, 200, "{\"ready\":true,\"kafka\":\"up\",\"sink\":\"up\"}\n"},
        Case{true, false, 503, "{\"ready\":false,\"kafka\":\"up\",\"sink\":\"down\"}\n"},
        Case{false, true, 503, "{\"ready\":false,\"kafka\":\"down\",\"sink\":\"up\"}\n"},
        Case{false, false, 503, "{\"ready\":false,\"kafka\":\"down\",\"sink\":\"down\"}\n"},
        Case{true, true, 200, "{\"ready\":true,\"kafka\":\"up\",\"sink\":\"up\"}\n"}}) {
    kafka_up_ = c.kafka;
    sink_up_ = c.sink;
    auto res = Get(server, "/readyz");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, c.status);
    EXPECT_EQ(res->body, c.body);
    EXPECT_EQ(res->get_header_value("Cache-Control"), "no-store");
  }
}

TEST_F(HttpServerTest, ExtraRoutesAndEveryResponseIsNosniff) {
  HttpServerOptions o = Options();
  o.default_headers = {{"Content-Security-Policy", "default-src 'none'"},
                       {"X-Content-Type-Options", "ignored"}};
  HttpServer server(std::move(o));
  ASSERT_TRUE(server
                  .Handle("/api/echo",
                          [](const HttpRequest& req) {
                            HttpResponse r;
                            r.content_type = "application/json";
                            r.body = "{\"q\":\"" + req.Param("q", "none") + "\"}";
                            r.headers.emplace_back("Content-Security-Policy", "sandbox");
                            return r;
                          })
                  .ok());
  ASSERT_TRUE(
      server
          .Handle("/boom",
                  [](const HttpRequest&) -> HttpResponse { throw std::runtime_error("kaput"); })
          .ok());
  EXPECT_FALSE(server.Handle("/api/echo", nullptr).ok()) << "duplicate path";
  EXPECT_FALSE(server.Handle("no-slash", nullptr).ok());
  ASSERT_TRUE(server.Start().ok());
  EXPECT_FALSE(server.Handle("/late", nullptr).ok()) << "routes are fixed once started";

  auto echo = Get(server, "/api/echo?q=hello%20world");
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->status, 200);
  EXPECT_EQ(echo->body, "{\"q\":\"hello world\"}");
  EXPECT_EQ(echo->get_header_value("Content-Security-Policy"), "sandbox");
  EXPECT_EQ(echo->get_header_value_count("Content-Security-Policy"), 1u);

  auto boom = Get(server, "/boom");
  ASSERT_TRUE(boom);
  EXPECT_EQ(boom->status, 500);
  EXPECT_EQ(boom->body.find("kaput"), std::string::npos) << "no internals in the body";
  ASSERT_EQ(errors_.size(), 1u);
  EXPECT_NE(errors_[0].find("kaput"), std::string::npos);

  auto missing = Get(server, "/nope");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);

  auto prefix = Get(server, "/api/echoX");
  ASSERT_TRUE(prefix);
  EXPECT_EQ(prefix->status, 404) << "paths match exactly";

  for (const auto* res : {&echo, &boom, &missing}) {
    EXPECT_EQ((*res)->get_header_value("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ((*res)->get_header_value_count("X-Content-Type-Options"), 1u);
  }
  EXPECT_EQ(missing->get_header_value("Content-Security-Policy"), "default-src 'none'");
}

TEST_F(HttpServerTest, HeadIsServedLikeGet) {
  HttpServer server(Options());
  ASSERT_TRUE(server.Start().ok());
  httplib::Client client("127.0.0.1", server.port());
  auto res = client.Head("/healthz");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_TRUE(res->body.empty());
}

TEST_F(HttpServerTest, BindsLoopbackByDefaultAndReportsBusyPorts) {
  EXPECT_EQ(HttpServerOptions{}.host, "127.0.0.1");
  EXPECT_EQ(HttpServerOptions{}.port, 3000);
  HttpServer first(Options());
  ASSERT_TRUE(first.Start().ok());
  ASSERT_TRUE(Get(first, "/healthz"));

  HttpServerOptions o = Options();
  o.port = first.port();
  HttpServer second(std::move(o));
  const Status s = second.Start();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find(std::to_string(first.port())), std::string::npos) << s.message();
}

TEST_F(HttpServerTest, StopsRightAfterStartAndTwice) {
  for (int i = 0; i < 20; ++i) {
    HttpServer server(Options());
    ASSERT_TRUE(server.Start().ok());
    server.Stop();
    server.Stop();
  }
  HttpServer never_started(Options());
  never_started.Stop();
}

TEST_F(HttpServerTest, NoMetricsObjectMeans503) {
  HttpServerOptions o = Options();
  o.metrics = nullptr;
  HttpServer server(std::move(o));
  ASSERT_TRUE(server.Start().ok());
  auto res = Get(server, "/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
}

}  // namespace
}  // namespace cdc
