// archivum_bench_abi: the cost of one plugin call, Google Benchmark.
//
//   BM_RawDescriptorProcess     descriptor->process() through the C ABI on a dlopen'ed no-op
//                               plugin: an indirect call, the floor.
//   BM_HostDispatch/noop        pipeline::Stages::Process on a tiny file with only the no-op
//                               plugin loaded: routing, the plugin seam (plugins/plugin.h), the
//                               file view and sink, the timing and counters, the result. What
//                               the host adds per plugin and file.
//                               The file has no deadline and the plugin no timeout, as in an
//                               ingest without --timeout, so the clock is read only for the
//                               sampled calls (1 in 16 after a plugin's first 1024; see
//                               host/plugins/plugin.h).
//   BM_HostDispatch/serialized  the same with a plugin that is not thread-safe (per-state lock).
//   BM_BundledPipeline/...      pipeline::Stages::Process over a 3 KiB C header (the median size
//                               in /usr/include) with the bundled plugins enabled cumulatively:
//                               filetype; +text; +hash; +similar (everything ingest runs). The
//                               filetype cache is off: the header is the same every time.
//
//   BM_IsolatedDispatch/noop    the same call with the no-op plugin in a sandboxed worker process
//                               (plugins.isolation: process): the request, the worker's thread,
//                               the reply; the file is a real file handed over as a descriptor.
//                               Wall time: most of it is the two processes waking each other.
//   BM_IsolatedPipeline         BM_BundledPipeline/4 with the bundled plugins in one worker (one
//                               round trip per file), wall time per file.
//   BM_SocketPairRoundTrip      the floor under any isolated call on this machine: one byte to a
//                               child process and back over a SOCK_SEQPACKET pair, no work.
//   BM_WorkerStart              starting the bundled group's worker (fork, exec, sandbox, loading
//                               and creating the four plugins): what replacing a killed worker
//                               costs before the next call can run.
//
// Paths of the plugins and of archivum-worker are compiled in (bench/abi/CMakeLists.txt).
#include <benchmark/benchmark.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "archivum/plugin.h"
#include "common/logging.h"
#include "pipeline/stages.h"
#include "plugins/process/placement.h"
#include "plugins/process/worker_group.h"
#include "plugins/registry.h"

namespace {

namespace fs = std::filesystem;
using archivum::plugins::FileInput;
using archivum::plugins::PluginRegistry;

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "archivum_bench_abi: %s\n", message.c_str());
  std::exit(1);
}

// A dlopen'ed library, closed on destruction.
class Library {
 public:
  explicit Library(const fs::path& file) : handle_(dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL)) {
    if (handle_ == nullptr) Die(std::string("dlopen: ") + dlerror());
  }
  ~Library() { dlclose(handle_); }
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;

  const archivum_plugin_descriptor* Descriptor() const {
    auto entry =
        reinterpret_cast<archivum_plugin_entry_fn>(dlsym(handle_, ARCHIVUM_PLUGIN_ENTRY_SYMBOL));
    if (entry == nullptr) Die("no " ARCHIVUM_PLUGIN_ENTRY_SYMBOL);
    return entry();
  }

 private:
  void* handle_;
};

// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "archivum-bench-abi-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) Die("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

FileInput TinyFile(std::string_view bytes, std::string mime) {
  FileInput file;
  file.path = "/bench/tiny.h";
  file.display_name = "tiny.h";
  file.size = bytes.size();
  file.bytes = bytes;
  file.mime = std::move(mime);
  return file;
}

// A C header of `size` bytes made of typical lines, so the analyzers see realistic text.
std::string HeaderText(size_t size) {
  static constexpr std::string_view kLines[] = {
      "/* Copyright (C) 1991-2022 Free Software Foundation, Inc. */\n",
      "#ifndef _SYS_BENCH_H\n#define _SYS_BENCH_H 1\n",
      "#include <features.h>\n#include <bits/types.h>\n",
      "extern int bench_open (const char *__file, int __oflag, ...) __nonnull ((1));\n",
      "typedef struct { unsigned long int __val[16]; } __bench_sigset_t;\n",
      "/* Return the number of bytes in the buffer, or -1 on error. */\n",
      "static __inline int bench_inline (int __x) { return __x * 2 + 1; }\n",
  };
  std::string text;
  for (size_t i = 0; text.size() < size; ++i) text += kLines[i % std::size(kLines)];
  text.resize(size);
  return text;
}

archivum_rc SinkFinding(void*, archivum_str, archivum_str) {
  return ARCHIVUM_OK;
}
archivum_rc SinkText(void*, archivum_str) {
  return ARCHIVUM_OK;
}
archivum_rc SinkTag(void*, archivum_str) {
  return ARCHIVUM_OK;
}
archivum_rc SinkChild(void*, archivum_str, archivum_bytes) {
  return ARCHIVUM_OK;
}
archivum_rc SinkMime(void*, archivum_str) {
  return ARCHIVUM_OK;
}
void SinkLog(void*, archivum_log_level, archivum_str) {}
int32_t NeverCancelled(void*) {
  return 0;
}
void HostLog(void*, archivum_log_level, archivum_str) {}

void BM_RawDescriptorProcess(benchmark::State& state) {
  Library library(fs::path(BENCH_NOOP_DIR) / "bench_noop.so");
  const archivum_plugin_descriptor* d = library.Descriptor();
  archivum_host_api host{};
  host.struct_size = sizeof host;
  host.abi_major = ARCHIVUM_ABI_VERSION_MAJOR;
  host.abi_minor = ARCHIVUM_ABI_VERSION_MINOR;
  host.log = HostLog;
  archivum_plugin_state* plugin = nullptr;
  if (d->create({"{}", 2}, &host, &plugin) != ARCHIVUM_OK) Die("create failed");

  static constexpr std::string_view kBytes = "hello\n";
  archivum_file file{};
  file.struct_size = sizeof file;
  file.path = {"/bench/tiny.h", 13};
  file.size = kBytes.size();
  file.bytes = {reinterpret_cast<const uint8_t*>(kBytes.data()), kBytes.size()};
  file.deadline_ns = INT64_MAX;
  file.is_cancelled = NeverCancelled;
  // An ABI 1.2 sink (no streamed children, which the no-op plugin never emits): its size ends
  // before begin_child, so a plugin sees those entry points as absent.
  archivum_sink sink{};
  sink.struct_size = offsetof(archivum_sink, begin_child);
  sink.emit_finding = SinkFinding;
  sink.emit_text = SinkText;
  sink.emit_tag = SinkTag;
  sink.emit_child = SinkChild;
  sink.set_mime = SinkMime;
  sink.log = SinkLog;
  for (auto _ : state) {
    archivum_rc rc = d->process(plugin, &file, &sink);
    benchmark::DoNotOptimize(rc);
  }
  d->destroy(plugin);
}
BENCHMARK(BM_RawDescriptorProcess);

void BM_HostDispatch(benchmark::State& state, const char* dir) {
  PluginRegistry::Options options;
  options.directories = {dir};
  const std::unique_ptr<PluginRegistry> registry = PluginRegistry::Load(options);
  if (registry->loaded_count() != 1) Die(std::string("no-op plugin did not load from ") + dir);
  static constexpr std::string_view kBytes = "hello\n";
  const FileInput file = TinyFile(kBytes, "text/plain");
  const archivum::pipeline::Stages stages(*registry);
  for (auto _ : state) {
    archivum::pipeline::ProcessResult result = stages.Process(file);
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK_CAPTURE(BM_HostDispatch, noop, BENCH_NOOP_DIR);
BENCHMARK_CAPTURE(BM_HostDispatch, serialized, BENCH_NOOP_SERIALIZED_DIR);

// The bundled plugins a C header goes through, in pipeline order.
constexpr const char* kOrder[] = {"filetype", "text", "hash", "similar"};

// Enables the first `count` plugins of kOrder and disables the others, and every other plugin in
// the bundled directory (the format plugins: a header never reaches them, but each one loaded
// would count). A plugin's name is its file's stem.
void EnableFirst(PluginRegistry::Options& options, int64_t count) {
  for (const auto& entry : fs::directory_iterator(ARCHIVUM_BUNDLED_PLUGIN_DIR)) {
    if (entry.path().extension() == ".so") options.settings[entry.path().stem()].enabled = false;
  }
  for (size_t i = 0; i < std::size(kOrder); ++i) {
    options.settings[kOrder[i]].enabled = static_cast<int64_t>(i) < count;
  }
}

// state.range(0): how many bundled plugins are enabled, in pipeline order.
void BM_BundledPipeline(benchmark::State& state) {
  const TempDir data;
  PluginRegistry::Options options;
  options.directories = {ARCHIVUM_BUNDLED_PLUGIN_DIR};
  options.data_root = data.path();
  EnableFirst(options, state.range(0));
  // The same header every iteration: filetype's result cache would answer all but the first,
  // and this measures what a file costs that is not a copy of another.
  options.settings["filetype"].config_json = R"({"cache": 0})";
  const std::unique_ptr<PluginRegistry> registry = PluginRegistry::Load(options);
  if (static_cast<int64_t>(registry->loaded_count()) != state.range(0)) {
    Die("bundled plugins did not load from " ARCHIVUM_BUNDLED_PLUGIN_DIR);
  }
  const std::string text = HeaderText(3 * 1024);
  const FileInput file = TinyFile(text, "");
  const archivum::pipeline::Stages stages(*registry);
  for (auto _ : state) {
    archivum::pipeline::ProcessResult result = stages.Process(file);
    benchmark::DoNotOptimize(result);
  }
  state.SetLabel(std::string("+") + kOrder[state.range(0) - 1]);
}
BENCHMARK(BM_BundledPipeline)->DenseRange(1, 4)->Unit(benchmark::kMicrosecond);

// The process placement as the daemon configures it.
archivum::plugins::process::ProcessPlacementOptions Isolated(std::vector<fs::path> dirs) {
  archivum::plugins::process::ProcessPlacementOptions o;
  o.worker_exe = ARCHIVUM_WORKER_PATH;
  o.directories = std::move(dirs);
  o.bundled_directories = {ARCHIVUM_BUNDLED_PLUGIN_DIR};
  o.slots = 4;
  o.sandbox.read_only = archivum::plugins::process::SystemReadOnlyPaths();
  o.sandbox.data_size = uint64_t{2} << 30;
  return o;
}

// A real file holding `bytes`, open read-only, for FileInput::fd.
class BenchFile {
 public:
  BenchFile(const TempDir& dir, std::string_view bytes) {
    const fs::path path = dir.path() / "bench.h";
    FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) {
      Die("cannot write " + path.string());
    }
    std::fclose(f);
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) Die("cannot open " + path.string());
  }
  ~BenchFile() { ::close(fd_); }
  int fd() const { return fd_; }

 private:
  int fd_ = -1;
};

void BM_IsolatedDispatch(benchmark::State& state) {
  archivum::plugins::process::ProcessPlacement placement(Isolated({BENCH_NOOP_DIR}));
  PluginRegistry::Options options;
  options.directories = {BENCH_NOOP_DIR};
  options.placement = &placement;
  const std::unique_ptr<PluginRegistry> registry = PluginRegistry::Load(options);
  if (registry->loaded_count() != 1) Die("no-op plugin did not load in a worker");
  static constexpr std::string_view kBytes = "hello\n";
  const TempDir dir;
  const BenchFile bench_file(dir, kBytes);
  FileInput file = TinyFile(kBytes, "text/plain");
  file.fd = bench_file.fd();
  const archivum::pipeline::Stages stages(*registry);
  for (auto _ : state) {
    archivum::pipeline::ProcessResult result = stages.Process(file);
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_IsolatedDispatch)->UseRealTime()->Unit(benchmark::kMicrosecond);

void BM_IsolatedPipeline(benchmark::State& state) {
  const TempDir data;
  archivum::plugins::process::ProcessPlacement placement(Isolated({ARCHIVUM_BUNDLED_PLUGIN_DIR}));
  PluginRegistry::Options options;
  options.directories = {ARCHIVUM_BUNDLED_PLUGIN_DIR};
  options.data_root = data.path();
  options.settings["filetype"].config_json = R"({"cache": 0})";
  EnableFirst(options, static_cast<int64_t>(std::size(kOrder)));
  options.placement = &placement;
  const std::unique_ptr<PluginRegistry> registry = PluginRegistry::Load(options);
  if (registry->loaded_count() != 4) Die("bundled plugins did not load in a worker");
  const std::string text = HeaderText(3 * 1024);
  const TempDir dir;
  const BenchFile bench_file(dir, text);
  FileInput file = TinyFile(text, "");
  file.fd = bench_file.fd();
  const archivum::pipeline::Stages stages(*registry);
  for (auto _ : state) {
    archivum::pipeline::ProcessResult result = stages.Process(file);
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_IsolatedPipeline)->UseRealTime()->Unit(benchmark::kMicrosecond);

void BM_SocketPairRoundTrip(benchmark::State& state) {
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) Die("socketpair");
  const pid_t child = ::fork();
  if (child < 0) Die("fork");
  if (child == 0) {
    ::close(pair[0]);
    char byte;
    while (::recv(pair[1], &byte, 1, 0) == 1) {
      if (::send(pair[1], &byte, 1, 0) != 1) break;
    }
    ::_exit(0);
  }
  ::close(pair[1]);
  char byte = 'x';
  for (auto _ : state) {
    if (::send(pair[0], &byte, 1, 0) != 1 || ::recv(pair[0], &byte, 1, 0) != 1) Die("echo");
  }
  ::close(pair[0]);
  ::waitpid(child, nullptr, 0);
}
BENCHMARK(BM_SocketPairRoundTrip)->UseRealTime()->Unit(benchmark::kMicrosecond);

void BM_WorkerStart(benchmark::State& state) {
  const TempDir data;
  archivum::plugins::process::WorkerGroup::Options o;
  o.name = "bundled";
  o.worker_exe = ARCHIVUM_WORKER_PATH;
  for (const char* name : {"filetype", "text", "hash", "similar"}) {
    o.plugins.push_back({fs::path(ARCHIVUM_BUNDLED_PLUGIN_DIR) / (std::string(name) + ".so"),
                         "{}",
                         data.path() / name,
                         {},
                         {}});
    fs::create_directories(data.path() / name);
    o.sandbox.read_write.push_back(data.path() / name);
  }
  o.sandbox.read_only = archivum::plugins::process::SystemReadOnlyPaths();
  o.sandbox.read_only.push_back(ARCHIVUM_BUNDLED_PLUGIN_DIR);
  for (auto _ : state) {
    archivum::plugins::process::WorkerGroup::Started started;
    auto group = archivum::plugins::process::WorkerGroup::Start(o, &started);
    if (!group.ok()) Die("worker did not start: " + group.status().message());
    state.PauseTiming();
    group->reset();  // stopping the old worker is not part of replacing it
    state.ResumeTiming();
  }
}
BENCHMARK(BM_WorkerStart)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  // Plugin warnings would interleave with the table; errors still show.
  archivum::LogOptions log;
  log.level = "error";
  (void)archivum::ConfigureLogging(log);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
