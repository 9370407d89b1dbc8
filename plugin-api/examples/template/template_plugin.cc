// A minimal Archivum analyzer: counts the lines of text files and reports a greeting taken from
// its configuration ({"greeting": "..."}; defaults to "hello"). Copy this directory to start a
// new plugin.
#include <algorithm>
#include <archivum/plugin.hpp>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace {

class TemplatePlugin {
 public:
  static constexpr std::string_view kName = "template";
  static constexpr std::string_view kVersion = "1.0.0";
  static constexpr std::string_view kDescription = "Counts lines; a starting point for plugins";
  static constexpr archivum::sdk::Stage kStage = archivum::sdk::Stage::kAnalyze;
  static constexpr std::string_view kAccept[] = {"text/*"};
  static constexpr bool kThreadSafe = true;  // Process only reads immutable members.

  TemplatePlugin(std::string_view config_json, const archivum::sdk::Host& host)
      : greeting_(GreetingFrom(config_json)) {
    host.Log(archivum::sdk::LogLevel::kDebug, "template plugin ready");
  }

  void Process(const archivum::sdk::File& file, archivum::sdk::Sink& sink) {
    const std::string_view bytes = file.bytes();
    sink.Finding("template.lines",
                 static_cast<uint64_t>(std::count(bytes.begin(), bytes.end(), '\n')));
    sink.Finding("template.greeting", greeting_);
  }

 private:
  // A real plugin would use a JSON library; the template stays dependency-free.
  static std::string GreetingFrom(std::string_view json) {
    constexpr std::string_view kKey = "\"greeting\"";
    const size_t key = json.find(kKey);
    if (key == std::string_view::npos) return "hello";
    const size_t open = json.find('"', json.find(':', key + kKey.size()));
    const size_t close = open == std::string_view::npos ? open : json.find('"', open + 1);
    if (close == std::string_view::npos) throw std::invalid_argument("bad \"greeting\" in config");
    return std::string(json.substr(open + 1, close - open - 1));
  }

  const std::string greeting_;
};

}  // namespace

ARCHIVUM_PLUGIN(TemplatePlugin)
