// FakeElasticsearch's fault-injection switches and observations: each takes the state lock.
#include "fakes/fake_es_state.h"

namespace cdc::testing {

void FakeElasticsearch::FailItemsWithId(const std::string& id, int status, std::string type,
                                        int times) {
  std::lock_guard lock(state_->mu);
  state_->id_faults[id] = State::IdFault{status, std::move(type), times};
}

void FakeElasticsearch::FailNextItems(int count, int status, std::string type) {
  std::lock_guard lock(state_->mu);
  state_->fail_next_items = count;
  state_->fail_next_items_status = status;
  state_->fail_next_items_type = std::move(type);
}

void FakeElasticsearch::FailRandomItems(double fraction, int status, std::uint64_t seed,
                                        std::string type) {
  std::lock_guard lock(state_->mu);
  state_->random_item_fraction = fraction;
  state_->random_item_status = status;
  state_->random_item_type = std::move(type);
  state_->item_rng.seed(seed);
}

void FakeElasticsearch::FailNextRequests(int count, int status) {
  std::lock_guard lock(state_->mu);
  state_->fail_next_requests = count;
  state_->fail_next_requests_status = status;
}

void FakeElasticsearch::FailRandomRequests(double fraction, int status, std::uint64_t seed) {
  std::lock_guard lock(state_->mu);
  state_->random_request_fraction = fraction;
  state_->random_request_status = status;
  state_->request_rng.seed(seed);
}

void FakeElasticsearch::SetMaxContentLength(std::size_t bytes) {
  std::lock_guard lock(state_->mu);
  state_->max_content_length = bytes;
}

void FakeElasticsearch::MalformNextResponses(int count, Malformation kind) {
  std::lock_guard lock(state_->mu);
  state_->malform_count = count;
  state_->malform_kind = kind;
}

void FakeElasticsearch::FaultNextResponses(int count, ConnectionFault fault,
                                           std::chrono::milliseconds delay) {
  std::lock_guard lock(state_->mu);
  state_->connection_fault_count = count;
  state_->connection_fault = fault;
  state_->fault_delay = delay;
}

void FakeElasticsearch::SetLatency(std::chrono::milliseconds latency) {
  std::lock_guard lock(state_->mu);
  state_->latency = latency;
}

void FakeElasticsearch::RequireAuthorization(std::string header_value) {
  std::lock_guard lock(state_->mu);
  state_->required_auth = std::move(header_value);
}

void FakeElasticsearch::ClearFaults() {
  std::lock_guard lock(state_->mu);
  State& s = *state_;
  s.id_faults.clear();
  s.fail_next_items = 0;
  s.random_item_fraction = 0;
  s.fail_next_requests = 0;
  s.random_request_fraction = 0;
  s.max_content_length = 0;
  s.malform_count = 0;
  s.connection_fault_count = 0;
  s.latency = std::chrono::milliseconds(0);
}

std::int64_t FakeElasticsearch::bulk_requests() const {
  std::lock_guard lock(state_->mu);
  return state_->bulk_requests;
}

std::int64_t FakeElasticsearch::gzipped_bulk_requests() const {
  std::lock_guard lock(state_->mu);
  return state_->gzipped_bulk_requests;
}

std::int64_t FakeElasticsearch::injected_item_failures() const {
  std::lock_guard lock(state_->mu);
  return state_->injected_item_failures;
}

std::int64_t FakeElasticsearch::ItemsReceived(const std::string& id) const {
  std::lock_guard lock(state_->mu);
  auto it = state_->items_received.find(id);
  return it == state_->items_received.end() ? 0 : it->second;
}

std::map<std::string, std::int64_t> FakeElasticsearch::ItemsReceivedById() const {
  std::lock_guard lock(state_->mu);
  return state_->items_received;
}

std::size_t FakeElasticsearch::DocumentCount() const {
  std::lock_guard lock(state_->mu);
  return state_->docs.size();
}

std::optional<std::string> FakeElasticsearch::Document(const std::string& index,
                                                       const std::string& id) const {
  std::lock_guard lock(state_->mu);
  auto it = state_->docs.find({index, id});
  if (it == state_->docs.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> FakeElasticsearch::DocumentIds() const {
  std::lock_guard lock(state_->mu);
  std::vector<std::string> ids;
  for (const auto& [key, source] : state_->docs) ids.push_back(key.second);
  return ids;
}

std::int64_t FakeElasticsearch::template_puts() const {
  std::lock_guard lock(state_->mu);
  return state_->template_puts;
}

std::optional<std::string> FakeElasticsearch::Template(const std::string& name) const {
  std::lock_guard lock(state_->mu);
  auto it = state_->templates.find(name);
  if (it == state_->templates.end()) return std::nullopt;
  return it->second;
}

void FakeElasticsearch::SetTemplate(const std::string& name, const std::string& body) {
  std::lock_guard lock(state_->mu);
  state_->templates[name] = body;
}

std::string FakeElasticsearch::last_authorization() const {
  std::lock_guard lock(state_->mu);
  return state_->last_authorization;
}

std::string FakeElasticsearch::last_bulk_target() const {
  std::lock_guard lock(state_->mu);
  return state_->last_bulk_target;
}

std::string FakeElasticsearch::last_bulk_body() const {
  std::lock_guard lock(state_->mu);
  return state_->last_bulk_body;
}

}  // namespace cdc::testing
