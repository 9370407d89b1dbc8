// archivum_bench_grpc: a closed-loop load client for FileManager.Analyze on gRPC's callback API.
//
//   archivum_bench_grpc --target 127.0.0.1:PORT --queries FILE [--class cheap,fulltext]
//                       [--in-flight 32] [--channels 1] [--duration 10] [--warmup 2]
//                       [--label NAME] [--json OUT]
//   archivum_bench_grpc --target 127.0.0.1:PORT --queries FILE [--class ...] --record OUT
//
// N calls are kept in flight: each completion starts the next call from its callback, so the
// offered load adapts to the server (closed loop) and the client needs no thread per call.
// Queries come from the mix file (bench/common/queries.h) in round-robin order per slot.
// The same client measures the daemon and bench/grpc's constant server (the transport ceiling),
// so the ratio of the two isolates what the daemon adds on top of gRPC itself.
// Prints one line per query class plus the total; --json writes the same figures.
// --record puts no load on the server: it asks each query of the mix once and writes the answers
// (bench/common/recorded_answers.h), which the constant server can then replay, so that the
// transport ceiling carries the same bytes as the daemon's answers.
#include <absl/synchronization/mutex.h>
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "aichemist_archivum.grpc.pb.h"
#include "common/latency.h"
#include "common/queries.h"
#include "common/recorded_answers.h"

namespace {

namespace pb = ::aichemist_archivum;
using archivum::bench::Query;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string target;
  std::string queries_file;
  std::string classes;
  unsigned in_flight = 32;
  unsigned channels = 1;
  double duration_s = 10;
  double warmup_s = 2;
  std::string label = "grpc";
  std::string json_out;
  std::string record_out;
};

// One completed call: its query's index, its latency and whether it succeeded.
struct Sample {
  uint32_t query = 0;
  bool ok = false;
  float latency_ms = 0;
};

// Shared between the main thread and the slots of one phase.
struct Phase {
  std::atomic<bool> stop{false};
  Clock::time_point stop_at = Clock::time_point::max();  // written before `stop` is set
  std::mutex mu;
  std::condition_variable idle;
  unsigned active = 0;  // guarded by mu: slots with a call in flight
};

// One of the N concurrent calls. Successive calls of a slot are sequential (each starts from
// the previous one's callback), so its members need no lock. Two contexts alternate: a call's
// ClientContext is destroyed only when the slot starts its next-but-one call, never inside the
// callback of the call it belongs to.
class Slot {
 public:
  Slot(pb::FileManager::Stub* stub, const std::vector<Query>* queries, size_t first)
      : stub_(stub), queries_(queries), next_(first % queries->size()) {}

  void Begin(Phase* phase) {
    phase_ = phase;
    Start();
  }

  std::vector<Sample>& samples() { return samples_; }
  const std::string& first_error() const { return first_error_; }

 private:
  void Start() {
    cur_ ^= 1;
    context_[cur_] = std::make_unique<grpc::ClientContext>();
    context_[cur_]->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    query_ = static_cast<uint32_t>(next_);
    next_ = (next_ + 1) % queries_->size();
    request_.set_query((*queries_)[query_].text);
    response_[cur_].Clear();
    started_ = Clock::now();
    stub_->async()->Analyze(context_[cur_].get(), &request_, &response_[cur_],
                            [this](grpc::Status status) { Done(status); });
  }

  void Done(const grpc::Status& status) {
    const Clock::time_point now = Clock::now();
    Phase* phase = phase_;
    // stop_at is read only once `stop` is seen set: it was written before that store.
    const bool stopping = phase->stop.load(std::memory_order_acquire);
    if (!stopping || now <= phase->stop_at) {
      const float ms = std::chrono::duration<float, std::milli>(now - started_).count();
      samples_.push_back({query_, status.ok(), ms});
      if (!status.ok() && first_error_.empty()) {
        first_error_ = "code " + std::to_string(status.error_code()) + ": " +
                       status.error_message() + " (query: " + (*queries_)[query_].text + ")";
      }
    }
    if (!stopping) {
      Start();
      return;
    }
    std::lock_guard lock(phase->mu);
    if (--phase->active == 0) phase->idle.notify_all();
  }

  pb::FileManager::Stub* stub_;
  const std::vector<Query>* queries_;
  size_t next_;
  Phase* phase_ = nullptr;
  int cur_ = 0;
  std::unique_ptr<grpc::ClientContext> context_[2];
  pb::AnalyzeResponse response_[2];
  pb::AnalyzeRequest request_;
  uint32_t query_ = 0;
  Clock::time_point started_;
  std::vector<Sample> samples_;
  std::string first_error_;
};

// Runs every slot for `seconds`; returns the measured wall time (start to stop).
double RunPhase(std::vector<std::unique_ptr<Slot>>& slots, double seconds) {
  Phase phase;
  phase.active = static_cast<unsigned>(slots.size());
  for (auto& slot : slots) slot->samples().clear();
  const Clock::time_point start = Clock::now();
  for (auto& slot : slots) slot->Begin(&phase);
  std::this_thread::sleep_until(
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds)));
  phase.stop_at = Clock::now();
  phase.stop.store(true, std::memory_order_release);
  std::unique_lock lock(phase.mu);
  phase.idle.wait(lock, [&] { return phase.active == 0; });
  return std::chrono::duration<double>(phase.stop_at - start).count();
}

struct ClassResult {
  uint64_t ok = 0;
  uint64_t errors = 0;
  std::vector<double> latencies_ms;
};

nlohmann::json Report(const Options& o, const std::vector<Query>& queries,
                      std::vector<std::unique_ptr<Slot>>& slots, double seconds) {
  std::map<std::string, ClassResult> by_class;
  ClassResult total;
  std::string first_error;
  for (auto& slot : slots) {
    for (const Sample& s : slot->samples()) {
      ClassResult& c = by_class[queries[s.query].klass];
      if (s.ok) {
        ++c.ok;
        ++total.ok;
        c.latencies_ms.push_back(s.latency_ms);
        total.latencies_ms.push_back(s.latency_ms);
      } else {
        ++c.errors;
        ++total.errors;
      }
    }
    if (first_error.empty()) first_error = slot->first_error();
  }
  auto line = [&](const std::string& name, ClassResult& r) {
    const archivum::bench::LatencySummary s = archivum::bench::Summarize(r.latencies_ms);
    const double qps = seconds > 0 ? static_cast<double>(r.ok) / seconds : 0;
    std::printf("%-10s %-10s %6u %10llu %7llu %11.0f %9.3f %9.3f %9.3f\n", o.label.c_str(),
                name.c_str(), o.in_flight, static_cast<unsigned long long>(r.ok),
                static_cast<unsigned long long>(r.errors), qps, s.p50_ms, s.p99_ms, s.max_ms);
    nlohmann::json j = archivum::bench::ToJson(s);
    j["ok"] = r.ok;
    j["errors"] = r.errors;
    j["qps"] = archivum::bench::Round4(qps);
    return j;
  };
  std::printf("%-10s %-10s %6s %10s %7s %11s %9s %9s %9s\n", "target", "class", "inflt", "calls",
              "errors", "calls/s", "p50 ms", "p99 ms", "max ms");
  nlohmann::json classes = nlohmann::json::object();
  for (auto& [name, r] : by_class) classes[name] = line(name, r);
  nlohmann::json out = line("all", total);
  if (!first_error.empty()) std::printf("first error: %s\n", first_error.c_str());
  out["label"] = o.label;
  out["in_flight"] = o.in_flight;
  out["channels"] = o.channels;
  out["seconds"] = archivum::bench::Round4(seconds);
  out["queries"] = queries.size();
  out["classes"] = std::move(classes);
  if (!first_error.empty()) out["first_error"] = first_error;
  return out;
}

// Asks every query once, in the mix's order, and writes each answer's bytes (--record).
int Record(pb::FileManager::Stub& stub, const std::vector<Query>& queries,
           const std::string& file) {
  archivum::bench::RecordedAnswers answers;
  for (const Query& q : queries) {
    if (answers.contains(q.text)) continue;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    pb::AnalyzeRequest request;
    request.set_query(q.text);
    pb::AnalyzeResponse response;
    const grpc::Status status = stub.Analyze(&ctx, request, &response);
    if (!status.ok()) {
      std::cerr << "archivum_bench_grpc: query '" << q.text << "' failed: code "
                << status.error_code() << ": " << status.error_message() << "\n";
      return 1;
    }
    answers.emplace(q.text, response.SerializeAsString());
  }
  std::string error;
  if (!archivum::bench::WriteRecordedAnswers(file, answers, &error)) {
    std::cerr << "archivum_bench_grpc: " << error << "\n";
    return 1;
  }
  std::printf("recorded %zu answers in %s\n", answers.size(), file.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"archivum_bench_grpc: closed-loop Analyze load over gRPC (callback API)"};
  Options o;
  app.add_option("--target", o.target, "server host:port")->required();
  app.add_option("--queries", o.queries_file, "query mix file (CLASS<TAB>QUERY per line)")
      ->required();
  app.add_option("--class", o.classes, "comma-separated classes to send (default: all)");
  app.add_option("--in-flight,-c", o.in_flight, "calls kept in flight")
      ->check(CLI::Range(1u, 4096u));
  app.add_option("--channels", o.channels, "HTTP/2 connections the calls are spread over")
      ->check(CLI::Range(1u, 256u));
  app.add_option("--duration,-d", o.duration_s, "measured seconds")->check(CLI::PositiveNumber);
  app.add_option("--warmup", o.warmup_s, "unmeasured seconds first")->check(CLI::NonNegativeNumber);
  app.add_option("--label", o.label, "name of this run in the output");
  app.add_option("--json", o.json_out, "write the figures to this JSON file");
  app.add_option("--record", o.record_out,
                 "ask each query once and write the answers to this file (no load)");
  CLI11_PARSE(app, argc, argv);
  // No debug-mode lock-order tracking in gRPC's mutexes: the client should cost as little of the
  // shared CPU as it can (archivumd and the ceiling server do the same).
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  std::string error;
  const std::vector<Query> queries = archivum::bench::LoadQueries(
      o.queries_file, archivum::bench::ParseClasses(o.classes), &error);
  if (queries.empty()) {
    std::cerr << "archivum_bench_grpc: " << error << "\n";
    return 2;
  }

  std::vector<std::unique_ptr<pb::FileManager::Stub>> stubs;
  for (unsigned i = 0; i < o.channels; ++i) {
    grpc::ChannelArguments args;
    // A distinct argument per channel keeps gRPC from sharing one subchannel between them.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("archivum.bench.channel", static_cast<int>(i));
    auto channel = grpc::CreateCustomChannel(o.target, grpc::InsecureChannelCredentials(), args);
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
      std::cerr << "archivum_bench_grpc: cannot connect to " << o.target << "\n";
      return 3;
    }
    stubs.push_back(pb::FileManager::NewStub(channel));
  }
  if (!o.record_out.empty()) return Record(*stubs.front(), queries, o.record_out);
  std::vector<std::unique_ptr<Slot>> slots;
  const size_t stride = std::max<size_t>(1, queries.size() / o.in_flight);
  for (unsigned i = 0; i < o.in_flight; ++i) {
    slots.push_back(
        std::make_unique<Slot>(stubs[i % stubs.size()].get(), &queries, i * stride + i));
  }

  if (o.warmup_s > 0) RunPhase(slots, o.warmup_s);
  const double seconds = RunPhase(slots, o.duration_s);
  const nlohmann::json result = Report(o, queries, slots, seconds);
  if (!o.json_out.empty()) {
    std::ofstream out(o.json_out);
    out << result.dump(2) << "\n";
    if (!out) {
      std::cerr << "archivum_bench_grpc: cannot write " << o.json_out << "\n";
      return 1;
    }
  }
  return result["ok"].get<uint64_t>() > 0 && result["errors"].get<uint64_t>() == 0 ? 0 : 1;
}
