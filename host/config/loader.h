// Loader: walks a YAML document against the config schema, filling a Config.
//
// Private to host/config. schema.cc maps keys to fields; loader.cc holds the mechanics (maps,
// lists, scalars, paths) and their error messages.
// Thread safety: one Loader per parse; not shared.
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "config/config.h"
#include "config/yaml_source.h"

namespace archivum::config {

// "a.b" from "a" and "b"; just "b" at the top level.
std::string JoinKey(std::string_view path, std::string_view key);

// One value met while walking the tree: the node, where errors about it point, its key path.
struct Value {
  const YAML::Node& node;
  YAML::Mark where;
  std::string path;
};

using Handler = std::function<Status(const Value&)>;

struct Field {
  std::string_view key;
  Handler parse;
};

// Walks the YAML tree against the schema, filling a Config. Records where each key path was set
// so that rules checked later, on the finished Config, can still point at a line.
class Loader {
 public:
  // Relative paths resolve against `base_dir`, which should be absolute.
  Loader(const YamlSource& source, std::filesystem::path base_dir)
      : source_(source), base_dir_(std::move(base_dir)) {}

  // Fills `config` from a document root (a map, or null for all defaults).
  Status Load(const YAML::Node& root, Config& config);

  // Where the value at `path` was written; a null mark if it was not. Map() and List() record
  // every key path they hand to a Handler.
  YAML::Mark MarkFor(const std::string& path) const {
    auto it = marks_.find(path);
    return it == marks_.end() ? YAML::Mark::null_mark() : it->second;
  }

 private:
  Status ParseServer(const Value& v, Server& server);
  Status ParseGrpc(const Value& v, GrpcServer& grpc);
  Status ParseHttp(const Value& v, HttpServer& http);
  Status ParseTls(const Value& v, Tls& tls);
  Status ParseStore(const Value& v, Store& store);
  Status ParseAuth(const Value& v, Auth& auth);
  Status ParsePlugins(const Value& v, Plugins& plugins);
  Status ParsePluginSettings(const Value& v, std::map<std::string, PluginSettings>& settings);
  StatusOr<Isolation> ParseIsolation(const Value& v);
  Status ParseIngest(const Value& v, Ingest& ingest);
  Status ParseLog(const Value& v, Log& log);

  // A map with exactly the keys in `fields`, each at most once. Empty ("server:" with its body
  // commented out) leaves the defaults.
  Status Map(const Value& v, const std::vector<Field>& fields);
  // A list; empty leaves it empty. Replaces the default rather than appending to it.
  Status List(const Value& v, std::string_view expected, const Handler& item);
  // The scalar's text; any other node is an error "<expected>, got '<node>'".
  StatusOr<std::string> Text(const Value& v, std::string_view expected);
  StatusOr<std::filesystem::path> ResolvePath(const Value& v, const std::string& text);
  Status Fail(const Value& v, std::string_view expected) {
    return source_.Error(v.where, v.path, std::string(expected) + ", got " + Describe(v));
  }
  std::string Describe(const Value& v) const { return source_.Describe(v.node); }

  Handler Bool(bool* out);
  Handler OptionalBool(std::optional<bool>* out);
  Handler String(std::string* out, std::string_view expected);
  Handler Size(uint64_t* out);
  Handler OptionalSize(std::optional<uint64_t>* out);
  Handler Time(Duration* out);
  Handler OptionalTime(std::optional<Duration>* out);
  Handler Integer(int* out);
  Handler Integer(unsigned* out);
  Handler Path(std::filesystem::path* out);
  // Like Path, but null or "" leaves the path empty ("not set").
  Handler OptionalPath(std::filesystem::path* out);
  Handler PathList(std::vector<std::filesystem::path>* out);
  Handler StringList(std::vector<std::string>* out, std::string_view list_expected,
                     std::string_view item_expected);

  template <typename T>
  Handler NonNegativeInteger(T* out);
  template <typename T>
  Handler Optional(std::optional<T>* out, Handler (Loader::*parse)(T*));

  const YamlSource& source_;
  std::filesystem::path base_dir_;
  std::map<std::string, YAML::Mark> marks_;
};

}  // namespace archivum::config
