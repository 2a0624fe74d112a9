// The libcurl client: TLS verification, transport errors, timeouts, abort.
#include "sink/elasticsearch/http_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "fakes/fake_elasticsearch.h"
#include "fakes/fake_es_tls.h"
#include "sink/elasticsearch/elasticsearch_sink.h"
#include "unit/sink_elasticsearch/es_test_helpers.h"

namespace cdc::es {
namespace {

using std::chrono::milliseconds;
using testing::FakeElasticsearch;
using testing::FakeElasticsearchOptions;
using testing::WaitFor;

std::unique_ptr<HttpClient> Client(const std::string& ca_file = {}, bool verify = true) {
  HttpClient::Options o;
  o.ca_file = ca_file;
  o.tls_verify = verify;
  o.request_timeout = testing::Scaled(milliseconds(5000));
  auto client = HttpClient::Create(std::move(o));
  EXPECT_TRUE(client.has_value());
  return std::move(*client);
}

Result<HttpResponse> Get(HttpClient& client, const std::string& url) {
  HttpRequest r;
  r.url = url + "/";
  return client.Send(r);
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = testing::MakeTempDir();
    ASSERT_TRUE(dir.has_value());
    dir_ = *dir;
  }
  FakeElasticsearchOptions Serve(const testing::TestCertificate& cert) {
    FakeElasticsearchOptions o;
    o.cert_file = cert.cert_file;
    o.key_file = cert.key_file;
    return o;
  }
  std::string dir_;
};

TEST_F(TlsTest, SelfSignedCertificateIsRefusedUnlessItsCaIsConfigured) {
  auto cert = testing::WriteSelfSignedCertificate(dir_, "es", "IP:127.0.0.1");
  ASSERT_TRUE(cert.has_value()) << cert.error().ToString();
  FakeElasticsearch fake(Serve(*cert));
  ASSERT_TRUE(fake.Start().ok());
  ASSERT_EQ(fake.url().substr(0, 8), "https://");

  auto refused = Get(*Client(), fake.url());
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code(), ErrorCode::kTransient);
  EXPECT_NE(refused.error().message().find("certificate"), std::string::npos)
      << refused.error().message();

  auto accepted = Get(*Client(cert->cert_file), fake.url());
  ASSERT_TRUE(accepted.has_value()) << accepted.error().ToString();
  EXPECT_EQ(accepted->status, 200);
  EXPECT_EQ(accepted->Header("x-elastic-product"), "Elasticsearch");
}

TEST_F(TlsTest, WrongHostCertificateIsRefusedEvenWithItsCa) {
  auto cert = testing::WriteSelfSignedCertificate(dir_, "other", "DNS:wrong.example.invalid");
  ASSERT_TRUE(cert.has_value());
  FakeElasticsearch fake(Serve(*cert));
  ASSERT_TRUE(fake.Start().ok());
  EXPECT_FALSE(Get(*Client(cert->cert_file), fake.url()).has_value());
  // tls_verify=false is the documented, insecure escape hatch.
  EXPECT_TRUE(Get(*Client({}, /*verify=*/false), fake.url()).has_value());
}

TEST_F(TlsTest, SinkDeliversOverHttpsWithTheCa) {
  auto cert = testing::WriteSelfSignedCertificate(dir_, "sink", "IP:127.0.0.1");
  ASSERT_TRUE(cert.has_value());
  FakeElasticsearch fake(Serve(*cert));
  ASSERT_TRUE(fake.Start().ok());
  testing::RecordingAckSink acks;
  testing::ControlledDeadLetterWriter dlq;
  auto options = testing::FastOptions(fake.url());
  options.ca_file = cert->cert_file;
  ElasticsearchSink sink(options, &acks, &dlq, nullptr);
  ASSERT_TRUE(sink.Start().ok());
  Batch batch = testing::TestBatch(0, 10);
  ASSERT_TRUE(sink.TrySubmit(batch));
  ASSERT_TRUE(WaitFor([&] { return acks.delivered() == 10; }, milliseconds(10000)));
  EXPECT_TRUE(sink.Stop(milliseconds(1000)).ok());
}

TEST(HttpClientTest, ConnectionRefusedIsTransient) {
  FakeElasticsearch fake;
  ASSERT_TRUE(fake.Start().ok());
  const std::string url = fake.url();
  fake.Stop();
  auto r = Get(*Client(), url);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kTransient);
}

HttpRequest Bulk(const std::string& url, const std::string& body) {
  HttpRequest r;
  r.method = "POST";
  r.url = url + "/_bulk";
  r.body = body;
  r.content_type = "application/x-ndjson";
  return r;
}

TEST(HttpClientTest, TimeoutIsTransient) {
  FakeElasticsearch fake;
  ASSERT_TRUE(fake.Start().ok());
  fake.SetLatency(testing::Scaled(milliseconds(3000)));
  const std::string body = "{\"create\":{\"_index\":\"i\",\"_id\":\"1\"}}\n{}\n";
  HttpRequest r = Bulk(fake.url(), body);
  r.timeout = milliseconds(200);
  const auto start = std::chrono::steady_clock::now();
  auto result = Client()->Send(r);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code(), ErrorCode::kTransient);
  EXPECT_LT(std::chrono::steady_clock::now() - start, testing::Scaled(milliseconds(2000)));
}

TEST(HttpClientTest, AbortEndsATransferInProgress) {
  FakeElasticsearch fake;
  ASSERT_TRUE(fake.Start().ok());
  fake.SetLatency(std::chrono::seconds(60));
  auto client = Client();
  const std::string body = "{\"create\":{\"_index\":\"i\",\"_id\":\"1\"}}\n{}\n";
  std::atomic<bool> returned{false};
  std::thread sender([&] {
    auto r = client->Send(Bulk(fake.url(), body));
    EXPECT_FALSE(r.has_value());
    returned = true;
  });
  ASSERT_TRUE(WaitFor([&] { return fake.bulk_requests() == 1; }, milliseconds(5000)));
  client->Abort();
  EXPECT_TRUE(WaitFor([&] { return returned.load(); }, milliseconds(2000)));
  sender.join();
  EXPECT_FALSE(client->Send(Bulk(fake.url(), body)).has_value());  // stays aborted
}

}  // namespace
}  // namespace cdc::es
