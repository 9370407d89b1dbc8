#include "plugins/inprocess/descriptor.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/utf8.h"

namespace archivum::plugins::inprocess {
namespace {

constexpr size_t kMaxNameSize = 64;
constexpr size_t kMaxVersionSize = 64;
constexpr size_t kMaxDescriptionSize = 1024;
constexpr size_t kMaxPatterns = 64;
constexpr size_t kMaxPatternSize = 255;
constexpr size_t kMaxVerbs = 16;
constexpr size_t kMaxVerbSize = 32;
constexpr size_t kMaxTuningKeys = 16;
constexpr size_t kMaxTuningKeySize = 64;

// Reads a plugin string, refusing NULL data with a size and sizes beyond `max`.
Status CopyString(archivum_str s, size_t max, std::string_view what, std::string* out) {
  if (s.size > 0 && s.data == nullptr) return InvalidArgument(std::string(what) + " is NULL");
  if (s.size > max) {
    return InvalidArgument(std::string(what) + " is longer than " + std::to_string(max) + " bytes");
  }
  out->assign(s.data == nullptr ? "" : s.data, s.size);
  if (!IsValidUtf8(*out)) return InvalidArgument(std::string(what) + " is not valid UTF-8");
  return Status::Ok();
}

bool AllOf(std::string_view s, bool (*pred)(char)) {
  return std::all_of(s.begin(), s.end(), pred);
}
bool IsNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}
bool IsVerbChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}
bool IsPrintable(char c) {
  return c > ' ' && c < 0x7f;
}

// Copies an array of strings, each validated by `valid`.
Status CopyList(const archivum_str* items, size_t count, size_t max_count, size_t max_size,
                std::string_view what, bool (*valid)(char), std::vector<std::string>* out) {
  if (count > 0 && items == nullptr) return InvalidArgument(std::string(what) + " list is NULL");
  if (count > max_count) {
    return InvalidArgument("more than " + std::to_string(max_count) + " " + std::string(what) +
                           "s");
  }
  for (size_t i = 0; i < count; ++i) {
    std::string item;
    ARCHIVUM_RETURN_IF_ERROR(CopyString(items[i], max_size, what, &item));
    if (item.empty() || !AllOf(item, valid)) {
      return InvalidArgument("invalid " + std::string(what) + " '" + item + "'");
    }
    out->push_back(std::move(item));
  }
  return Status::Ok();
}

Status Inconsistent(std::string_view what) {
  return InvalidArgument("inconsistent capabilities: " + std::string(what));
}

}  // namespace

size_t RequiredDescriptorSize(uint16_t minor) {
  if (minor == 0) return ARCHIVUM_DESCRIPTOR_SIZE_1_0;
  if (minor == 1) return ARCHIVUM_DESCRIPTOR_SIZE_1_1;
  if (minor <= 3) return ARCHIVUM_DESCRIPTOR_SIZE_1_3;
  return offsetof(archivum_plugin_descriptor, path_key_count) +
         sizeof(archivum_plugin_descriptor::path_key_count);
}

Status ReadDescriptor(const archivum_plugin_descriptor* descriptor, Manifest* out,
                      archivum_plugin_descriptor* entry_points) {
  // The version fields are read only once the size says they exist.
  constexpr size_t kVersionEnd = offsetof(archivum_plugin_descriptor, abi_minor) + sizeof(uint16_t);
  const uint32_t size = descriptor->struct_size;
  if (size < kVersionEnd) {
    return InvalidArgument("descriptor size " + std::to_string(size) + " is too small");
  }
  out->abi_major = descriptor->abi_major;
  out->abi_minor = descriptor->abi_minor;
  if (out->abi_major != ARCHIVUM_ABI_VERSION_MAJOR || out->abi_minor > ARCHIVUM_ABI_VERSION_MINOR) {
    return FailedPrecondition("requires ABI " + out->abi_version() + ", host provides " +
                              HostAbiVersion());
  }
  const size_t required = RequiredDescriptorSize(out->abi_minor);
  if (size < required) {
    return InvalidArgument("descriptor size " + std::to_string(size) + " is smaller than ABI " +
                           out->abi_version() + " requires (" + std::to_string(required) + ")");
  }
  // Append-only rule: copy only what the plugin has; later fields stay zero (= "not provided").
  archivum_plugin_descriptor d;
  std::memset(&d, 0, sizeof(d));
  std::memcpy(&d, descriptor, std::min<size_t>(size, sizeof(d)));

  ARCHIVUM_RETURN_IF_ERROR(CopyString(d.name, kMaxNameSize, "name", &out->name));
  if (out->name.empty() || !AllOf(out->name, IsNameChar)) {
    const std::string name = out->name;
    out->name.clear();
    return InvalidArgument("invalid name '" + name + "': expected 1-64 characters [A-Za-z0-9_.-]");
  }
  ARCHIVUM_RETURN_IF_ERROR(CopyString(d.version, kMaxVersionSize, "version", &out->version));
  if (out->version.empty() || !AllOf(out->version, IsPrintable)) {
    return InvalidArgument("invalid version '" + out->version + "'");
  }
  ARCHIVUM_RETURN_IF_ERROR(
      CopyString(d.description, kMaxDescriptionSize, "description", &out->description));
  if (d.stage < ARCHIVUM_STAGE_DETECT || d.stage > ARCHIVUM_STAGE_ANALYZE) {
    return InvalidArgument("invalid stage " + std::to_string(d.stage));
  }
  out->stage = d.stage == ARCHIVUM_STAGE_DETECT    ? Stage::kDetect
               : d.stage == ARCHIVUM_STAGE_EXTRACT ? Stage::kExtract
                                                   : Stage::kAnalyze;
  // A flag bit is known only from the minor that defines it on.
  const uint32_t known =
      out->abi_minor >= 4 ? ARCHIVUM_FLAGS_KNOWN : uint32_t{ARCHIVUM_FLAG_THREAD_SAFE};
  if ((d.flags & ~known) != 0) {
    return InvalidArgument("unknown flags " + std::to_string(d.flags & ~known));
  }
  out->thread_safe = (d.flags & ARCHIVUM_FLAG_THREAD_SAFE) != 0;
  out->opt_in = (d.flags & ARCHIVUM_FLAG_OPT_IN) != 0;
  ARCHIVUM_RETURN_IF_ERROR(CopyList(d.accept, d.accept_count, kMaxPatterns, kMaxPatternSize,
                                    "MIME pattern", IsPrintable, &out->accepts));
  if (out->accepts.empty()) return InvalidArgument("accepts no MIME types");
  ARCHIVUM_RETURN_IF_ERROR(CopyList(d.query_verbs, d.query_verb_count, kMaxVerbs, kMaxVerbSize,
                                    "query verb", IsVerbChar, &out->query_verbs));
  if (std::set<std::string>(out->query_verbs.begin(), out->query_verbs.end()).size() !=
      out->query_verbs.size()) {
    return Inconsistent("a query verb is declared twice");
  }
  if (d.create == nullptr) return Inconsistent("missing required entry point create");
  if (d.destroy == nullptr) return Inconsistent("missing required entry point destroy");
  if (d.process == nullptr) return Inconsistent("missing required entry point process");
  if (d.last_error == nullptr) return Inconsistent("missing required entry point last_error");
  if (!out->query_verbs.empty() && d.query == nullptr) {
    return Inconsistent("declares query verbs but no query entry point");
  }
  if (out->query_verbs.empty() && d.query != nullptr) {
    return Inconsistent("has a query entry point but declares no query verbs");
  }
  out->max_file_size = d.max_file_size;
  out->flushes = d.flush != nullptr;
  ARCHIVUM_RETURN_IF_ERROR(CopyList(d.tuning_keys, d.tuning_key_count, kMaxTuningKeys,
                                    kMaxTuningKeySize, "tuning key", IsNameChar,
                                    &out->tuning_keys));
  ARCHIVUM_RETURN_IF_ERROR(CopyList(d.path_keys, d.path_key_count, kMaxTuningKeys,
                                    kMaxTuningKeySize, "path key", IsNameChar, &out->path_keys));
  if (entry_points != nullptr) *entry_points = d;
  return Status::Ok();
}

}  // namespace archivum::plugins::inprocess
