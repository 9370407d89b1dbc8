// archivum_bench_ocr: OCR pages per second on one core, the ocr plugin next to the tesseract
// command, on the same page images in the same run.
//
//   archivum_bench_ocr --dir DIR [--pages 20] [--seed 1] [--plugin PATH] [--tesseract PATH]
//                      [--json FILE]
//
//  1. Pins itself, and with it the tesseract processes it starts, to the CPU it runs on.
//  2. Loads the plugin as the daemon does (dlopen, the raw C ABI) and creates it with one
//     tesseract engine ({"instances": 1}); the time create() takes, and the memory it adds
//     (VmRSS), are reported on their own.
//  3. Writes DIR/page-NN.png: A4 pages at 300 dpi (2480 x 3508 pixels) of generated prose
//     (bench/documents/prose.h) set in DejaVu Serif 11 pt, black on white, as a clean scan of a
//     printed page; DIR/page-NN.txt holds the words put on it.
//  4. For each page in turn: the plugin's process() on the PNG's bytes, in this thread; then
//     `tesseract PAGE OUT -l eng` with OMP_THREAD_LIMIT=1, its own process (started, waited for),
//     as a script running the command per file would. Alternating keeps a change in the
//     machine's load from favouring either side.
//  5. Prints a summary and writes JSON: pages/s and CPU seconds per page of each, the ratio of
//     their times (plugin / command), the share of each page's words each one read, and on how
//     many pages the two read exactly the same text (the same engine with the same settings
//     should).
//
// The command's time includes what it costs per file (starting a process, loading the trained
// data: a few tenths of a second); the plugin pays that once, in create(). Nothing here asserts
// on time.
#include <dlfcn.h>
#include <fcntl.h>
#include <sched.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "archivum/plugin.h"
#include "documents/prose.h"
#include "support/documents/text_image.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// A4 at 300 dpi, with 2 cm margins.
constexpr int kPageWidth = 2480;
constexpr int kPageHeight = 3508;
constexpr int kMargin = 236;
// About a page of 11 pt text.
constexpr size_t kWordsPerPage = 420;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

double Seconds(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

// This process's resident memory in MB (VmRSS), or -1.
double RssMb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024;
  }
  return -1;
}

double CpuOfThisThread() {
  rusage usage{};
  getrusage(RUSAGE_THREAD, &usage);
  return Seconds(usage.ru_utime) + Seconds(usage.ru_stime);
}

// Lower-case words of letters and digits.
std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (const char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0) {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

// The share of `truth`'s words (counted with repetition) that `read` holds.
double Recall(std::string_view truth, std::string_view read) {
  std::map<std::string, int> found;
  for (std::string& w : Words(read)) ++found[std::move(w)];
  const std::vector<std::string> expected = Words(truth);
  if (expected.empty()) return 1;
  size_t hits = 0;
  for (const std::string& w : expected) {
    auto it = found.find(w);
    if (it != found.end() && it->second > 0) {
      --it->second;
      ++hits;
    }
  }
  return static_cast<double>(hits) / static_cast<double>(expected.size());
}

// The words of a text, separated by single spaces: what two OCR outputs are compared on.
std::string Normalized(std::string_view text) {
  std::string out;
  for (const std::string& w : Words(text)) out += (out.empty() ? "" : " ") + w;
  return out;
}

// The plugin, loaded and created as the daemon would (without the daemon).
class Plugin {
 public:
  explicit Plugin(const std::string& path) {
    handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle_ == nullptr) throw std::runtime_error(std::string("dlopen: ") + dlerror());
    const auto entry =
        reinterpret_cast<archivum_plugin_entry_fn>(dlsym(handle_, ARCHIVUM_PLUGIN_ENTRY_SYMBOL));
    if (entry == nullptr) throw std::runtime_error("no entry symbol in " + path);
    descriptor_ = entry();
    host_.struct_size = sizeof(host_);
    host_.abi_major = ARCHIVUM_ABI_VERSION_MAJOR;
    host_.abi_minor = ARCHIVUM_ABI_VERSION_MINOR;
    host_.plugin_name = descriptor_->name;
    host_.log = [](void*, archivum_log_level, archivum_str) {};
    const std::string config = R"({"instances": 1})";
    if (descriptor_->create({config.data(), config.size()}, &host_, &state_) != ARCHIVUM_OK) {
      const archivum_str error = descriptor_->last_error(nullptr);
      throw std::runtime_error("create: " + std::string(error.data, error.size));
    }
  }
  ~Plugin() {
    if (state_ != nullptr) descriptor_->destroy(state_);
    // The module is linked -z nodelete; dlclose only drops the reference.
    if (handle_ != nullptr) dlclose(handle_);
  }
  Plugin(const Plugin&) = delete;
  Plugin& operator=(const Plugin&) = delete;

  // The OCR text of `bytes` (an image), or an error.
  std::string Process(const std::string& bytes, const std::string& mime) const {
    archivum_file file{};
    file.struct_size = sizeof(file);
    file.path = {"page.png", 8};
    file.display_name = file.path;
    file.size = bytes.size();
    file.mime = {mime.data(), mime.size()};
    file.bytes = {reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()};
    file.deadline_ns = INT64_MAX;
    file.is_cancelled = [](void*) -> int32_t { return 0; };
    std::string text;
    archivum_sink sink{};
    sink.struct_size = sizeof(sink);
    sink.ctx = &text;
    sink.emit_finding = [](void*, archivum_str, archivum_str) -> archivum_rc { return 0; };
    sink.emit_text = [](void* ctx, archivum_str t) -> archivum_rc {
      static_cast<std::string*>(ctx)->append(t.data, t.size);
      return ARCHIVUM_OK;
    };
    sink.emit_tag = [](void*, archivum_str) -> archivum_rc { return ARCHIVUM_OK; };
    sink.emit_child = [](void*, archivum_str, archivum_bytes) -> archivum_rc {
      return ARCHIVUM_INVALID_ARGUMENT;
    };
    sink.set_mime = [](void*, archivum_str) -> archivum_rc { return ARCHIVUM_INVALID_ARGUMENT; };
    sink.log = [](void*, archivum_log_level, archivum_str) {};
    sink.emit_text_as = [](void* ctx, archivum_str, archivum_str t) -> archivum_rc {
      static_cast<std::string*>(ctx)->append(t.data, t.size);
      return ARCHIVUM_OK;
    };
    const archivum_rc rc = descriptor_->process(state_, &file, &sink);
    if (rc != ARCHIVUM_OK) {
      const archivum_str error = descriptor_->last_error(state_);
      throw std::runtime_error("process: code " + std::to_string(rc) + ": " +
                               std::string(error.data, error.size));
    }
    return text;
  }

 private:
  void* handle_ = nullptr;
  const archivum_plugin_descriptor* descriptor_ = nullptr;
  archivum_host_api host_{};
  archivum_plugin_state* state_ = nullptr;
};

struct CommandRun {
  int status = -1;
  double cpu_s = 0;  // user + system of the process
};

// Runs `argv` with OMP_THREAD_LIMIT=1 added to this environment, its output to /dev/null.
CommandRun Run(const std::vector<std::string>& argv) {
  std::vector<std::string> env_strings{"OMP_THREAD_LIMIT=1"};
  for (char** e = environ; *e != nullptr; ++e) {
    if (std::string_view(*e).rfind("OMP_THREAD_LIMIT=", 0) != 0) env_strings.emplace_back(*e);
  }
  std::vector<char*> args, env;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (std::string& e : env_strings) env.push_back(e.data());
  env.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  CommandRun run;
  const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return run;
  int status = 0;
  rusage usage{};
  if (wait4(pid, &status, 0, &usage) == pid) {
    run.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    run.cpu_s = Seconds(usage.ru_utime) + Seconds(usage.ru_stime);
  }
  return run;
}

// The first line `tesseract --version` prints ("tesseract 5.3.0"), or "" if it does not run.
std::string TesseractVersion(const std::string& tesseract) {
  const std::string command = tesseract + " --version 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return "";
  char line[256] = {};
  const bool ok = std::fgets(line, sizeof line, pipe) != nullptr;
  const int status = pclose(pipe);
  if (!ok || status != 0) return "";
  std::string version = line;
  while (!version.empty() && (version.back() == '\n' || version.back() == '\r')) version.pop_back();
  return version;
}

struct Side {
  double wall_s = 0;
  double cpu_s = 0;
  double recall_sum = 0;
  int pages = 0;
  int failures = 0;

  nlohmann::json Json(double extra_wall_s = 0) const {
    const auto round = [](double v, int digits) {
      const double k = std::pow(10.0, digits);
      return std::round(v * k) / k;
    };
    nlohmann::json j = {{"pages", pages},
                        {"failures", failures},
                        {"wall_s", round(wall_s, 3)},
                        {"cpu_s", round(cpu_s, 3)}};
    if (pages > 0) {
      j["pages_per_s"] = round(pages / wall_s, 3);
      j["cpu_s_per_page"] = round(cpu_s / pages, 3);
      j["word_recall"] = round(recall_sum / pages, 4);
    }
    if (extra_wall_s > 0) j["create_s"] = round(extra_wall_s, 3);
    return j;
  }
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"archivum_bench_ocr: OCR pages/s on one core, the ocr plugin and tesseract"};
  std::string dir, plugin_path = ARCHIVUM_OCR_PLUGIN, tesseract = "tesseract", json_path;
  int pages = 20;
  uint64_t seed = 1;
  app.add_option("--dir", dir, "work directory for the page images (created)")->required();
  app.add_option("--pages", pages, "pages to recognize (default 20)")->check(CLI::Range(1, 1000));
  app.add_option("--seed", seed, "seed of the pages' text (default 1)");
  app.add_option("--plugin", plugin_path, "the ocr plugin module (default: this build's)");
  app.add_option("--tesseract", tesseract, "the tesseract command (default: from PATH)");
  app.add_option("--json", json_path, "write the figures as JSON here");
  CLI11_PARSE(app, argc, argv);

  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    std::cerr << "archivum_bench_ocr: cannot create " << dir << ": " << ec.message() << "\n";
    return 1;
  }

  // 1. One CPU for this process and the commands it starts.
  const int cpu = sched_getcpu();
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  const bool pinned = cpu >= 0 && sched_setaffinity(0, sizeof set, &set) == 0;

  // 2. The plugin, before the pages are made, so that the memory it adds is measured in a
  // process that has not allocated much yet.
  const std::string version = TesseractVersion(tesseract);
  const double rss_before = RssMb();
  const Clock::time_point create_start = Clock::now();
  std::optional<Plugin> plugin;
  try {
    plugin.emplace(plugin_path);
  } catch (const std::exception& e) {
    std::cerr << "archivum_bench_ocr: the plugin: " << e.what() << "\n";
    return 1;
  }
  const double create_s = std::chrono::duration<double>(Clock::now() - create_start).count();
  const double rss_created = RssMb();

  // 3. The pages.
  archivum::bench::Rng rng(seed);
  archivum::bench::Prose prose(rng);
  std::vector<fs::path> images;
  std::vector<std::string> truths;
  size_t words = 0;
  for (int i = 0; i < pages; ++i) {
    std::string text;
    for (const std::string& paragraph : prose.Paragraphs(kWordsPerPage)) {
      text += (text.empty() ? "" : "\n\n") + paragraph;
    }
    const archivum::testing::GrayImage image =
        archivum::testing::RenderTextImage({.text = text,
                                            .font = "DejaVu Serif 11",
                                            .dpi = 300,
                                            .wrap_width = kPageWidth - 2 * kMargin,
                                            .margin = kMargin,
                                            .page_width = kPageWidth,
                                            .page_height = kPageHeight});
    char name[32];
    std::snprintf(name, sizeof name, "page-%02d", i + 1);
    const fs::path png = fs::path(dir) / (std::string(name) + ".png");
    std::ofstream(png, std::ios::binary)
        << archivum::testing::EncodeImage(image, archivum::testing::TextImageFormat::kPng);
    std::ofstream(fs::path(dir) / (std::string(name) + ".txt")) << text;
    images.push_back(png);
    truths.push_back(text);
    words += archivum::bench::CountWords(text);
  }
  std::cerr << "archivum_bench_ocr: " << pages << " pages of " << kPageWidth << " x " << kPageHeight
            << " at 300 dpi, " << words / static_cast<size_t>(pages)
            << " words each on average, in " << dir << "\n";

  // 4. Page by page, the plugin then the command.
  Side ours, cli;
  int same_text = 0;
  for (int i = 0; i < pages; ++i) {
    const std::string bytes = ReadFile(images[i]);
    std::string text;
    const double cpu0 = CpuOfThisThread();
    const Clock::time_point t0 = Clock::now();
    try {
      text = plugin->Process(bytes, "image/png");
      ++ours.pages;
    } catch (const std::exception& e) {
      std::cerr << "archivum_bench_ocr: page " << i + 1 << ": " << e.what() << "\n";
      ++ours.failures;
    }
    ours.wall_s += std::chrono::duration<double>(Clock::now() - t0).count();
    ours.cpu_s += CpuOfThisThread() - cpu0;
    ours.recall_sum += Recall(truths[i], text);

    if (version.empty()) continue;
    const fs::path out = fs::path(dir) / ("cli-" + images[i].stem().string());
    const Clock::time_point t1 = Clock::now();
    const CommandRun run = Run({tesseract, images[i].string(), out.string(), "-l", "eng"});
    const double wall = std::chrono::duration<double>(Clock::now() - t1).count();
    if (run.status != 0) {
      std::cerr << "archivum_bench_ocr: page " << i + 1 << ": tesseract exited with " << run.status
                << "\n";
      ++cli.failures;
      continue;
    }
    ++cli.pages;
    cli.wall_s += wall;
    cli.cpu_s += run.cpu_s;
    const std::string cli_text = ReadFile(out.string() + ".txt");
    cli.recall_sum += Recall(truths[i], cli_text);
    if (Normalized(cli_text) == Normalized(text)) ++same_text;
  }

  // 5. The figures.
  nlohmann::json result = {
      {"pages", pages},
      {"image", {{"width", kPageWidth}, {"height", kPageHeight}, {"dpi", 300}, {"format", "png"}}},
      {"words_per_page", words / static_cast<size_t>(pages)},
      {"pinned_cpu", pinned ? cpu : -1},
      {"plugin", ours.Json(create_s)}};
  // What create() added (one engine, poppler's warm-up), and what the process grew by up to the
  // end (the engine's working memory for a page, the allocator's free lists, libvips' caches).
  result["plugin"]["rss_create_mb"] = std::round((rss_created - rss_before) * 10) / 10;
  result["plugin"]["rss_after_pages_mb"] = std::round((RssMb() - rss_before) * 10) / 10;
  if (version.empty()) {
    result["cli"] = {{"status", "not installed (bench/bootstrap installs tesseract-ocr)"}};
  } else {
    result["cli"] = cli.Json();
    result["cli"]["version"] = version;
    result["same_text_pages"] = same_text;
    if (ours.pages == pages && cli.pages == pages && cli.wall_s > 0) {
      result["time_ratio"] = std::round(ours.wall_s / cli.wall_s * 1000) / 1000;
    }
  }
  std::cout << result.dump(1) << "\n";
  if (!json_path.empty()) {
    std::ofstream file(json_path);
    file << result.dump(1) << "\n";
    if (!file) {
      std::cerr << "archivum_bench_ocr: cannot write " << json_path << "\n";
      return 1;
    }
  }
  return ours.failures == 0 && cli.failures == 0 ? 0 : 1;
}
