// archivum_bench_ceiling: a bare grpc++ callback server whose FileManager.Analyze answers at once
// with a constant response: the transport ceiling the daemon's Analyze is compared against.
//
//   archivum_bench_ceiling [--listen 127.0.0.1:0] [--answers FILE]
//
// Prints "listening on HOST:PORT" on stdout once serving, then runs until SIGINT or SIGTERM.
// It uses the daemon's server settings that matter for throughput (message size limits,
// resource quota) but none of its work: no worker-pool hop, no query parsing, no catalog.
// Without --answers, every query gets one constant: a one-hit answer the size of a sha256:
// answer (a path: answer holds a page of hits, ~15 times the bytes). With --answers (recorded by
// `archivum_bench_grpc --record`), each query gets the daemon's own answer to it, copied from a
// table built at start-up (an unknown query gets the one-hit constant): the same bytes as the
// daemon's answers, with no work behind them.
#include <absl/synchronization/mutex.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/resource_quota.h>
#include <pthread.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>

#include "aichemist_archivum.grpc.pb.h"
#include "common/recorded_answers.h"

namespace {

namespace pb = ::aichemist_archivum;

// Thread safety: the answers are only read once serving starts.
class ConstantFileManager final : public pb::FileManager::CallbackService {
 public:
  explicit ConstantFileManager(std::unordered_map<std::string, pb::AnalyzeResponse> answers)
      : answers_(std::move(answers)) {
    const std::string path = "/usr/include/x86_64-linux-gnu/sys/stat.h";
    response_.add_results(path);
    pb::Hit* hit = response_.add_hits();
    hit->set_path(path);
    hit->set_score(1);
    hit->set_mime("text/x-c");
    hit->set_size(13852);
    hit->set_mtime_ns(1700000000000000000);
    pb::Finding* finding = hit->add_findings();
    finding->set_plugin("hash");
    finding->set_key("sha256");
    finding->set_value(std::string(64, 'a'));
    response_.set_total(1);
  }

  grpc::ServerUnaryReactor* Analyze(grpc::CallbackServerContext* ctx,
                                    const pb::AnalyzeRequest* request,
                                    pb::AnalyzeResponse* response) override {
    const auto it = answers_.find(request->query());
    *response = it != answers_.end() ? it->second : response_;
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

 private:
  const std::unordered_map<std::string, pb::AnalyzeResponse> answers_;
  pb::AnalyzeResponse response_;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"archivum_bench_ceiling: constant Analyze server (gRPC transport ceiling)"};
  std::string listen = "127.0.0.1:0";
  std::string answers_file;
  app.add_option("--listen", listen, "host:port; port 0 picks a free one");
  app.add_option("--answers", answers_file,
                 "answer each query with its recorded answer (archivum_bench_grpc --record)");
  CLI11_PARSE(app, argc, argv);
  std::unordered_map<std::string, pb::AnalyzeResponse> answers;
  if (!answers_file.empty()) {
    archivum::bench::RecordedAnswers recorded;
    std::string error;
    if (!archivum::bench::ReadRecordedAnswers(answers_file, &recorded, &error)) {
      std::cerr << "archivum_bench_ceiling: " << error << "\n";
      return 2;
    }
    for (const auto& [query, bytes] : recorded) {
      if (!answers[query].ParseFromString(bytes)) {
        std::cerr << "archivum_bench_ceiling: " << answers_file << ": the answer to '" << query
                  << "' is not an AnalyzeResponse\n";
        return 2;
      }
    }
  }
  // As archivumd does: no debug-mode lock-order tracking in gRPC's mutexes (see daemon.cc).
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  // Signals are taken synchronously by the main thread only (gRPC's threads inherit the mask).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  ConstantFileManager service(std::move(answers));
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  builder.SetMaxReceiveMessageSize(4 << 20);
  builder.SetMaxSendMessageSize(16 << 20);
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  grpc::ResourceQuota quota("archivum_bench_ceiling");
  quota.Resize(512 << 20);
  builder.SetResourceQuota(quota);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    std::cerr << "archivum_bench_ceiling: cannot listen on " << listen << "\n";
    return 1;
  }
  std::printf("listening on %s:%d\n", listen.substr(0, listen.rfind(':')).c_str(), port);
  std::fflush(stdout);

  int sig = 0;
  while (sigwait(&signals, &sig) != 0) {
  }
  server->Shutdown(std::chrono::system_clock::now());
  server->Wait();
  return 0;
}
