#include "plugins/inprocess/c_tables.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <exception>

#include "common/utf8.h"

namespace archivum::plugins::inprocess {
namespace {

std::string_view View(archivum_str s) {
  return s.data == nullptr ? std::string_view() : std::string_view(s.data, s.size);
}

// A plugin string is acceptable if its pointer is consistent with its size and it is UTF-8.
bool ValidText(archivum_str s) {
  if (s.size > 0 && s.data == nullptr) return false;
  return IsValidUtf8(View(s));
}

spdlog::level::level_enum ToSpdlog(archivum_log_level level) {
  switch (level) {
    case ARCHIVUM_LOG_TRACE: return spdlog::level::trace;
    case ARCHIVUM_LOG_DEBUG: return spdlog::level::debug;
    case ARCHIVUM_LOG_INFO: return spdlog::level::info;
    case ARCHIVUM_LOG_WARN: return spdlog::level::warn;
    default: return spdlog::level::err;
  }
}

}  // namespace

void LogFromPlugin(std::string_view plugin, archivum_log_level level, std::string_view message) {
  try {
    spdlog::log(ToSpdlog(level), "plugin {}: {}", plugin, message);
  } catch (...) {  // Logging must never throw into a plugin.
  }
}

int64_t ToMonotonicNs(std::chrono::steady_clock::time_point t) {
  if (t == std::chrono::steady_clock::time_point::max()) return INT64_MAX;
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

HostApi::HostApi(std::string plugin_name, std::string data_dir)
    : plugin_name_(std::move(plugin_name)), data_dir_(std::move(data_dir)) {
  table_.struct_size = sizeof(table_);
  table_.abi_major = ARCHIVUM_ABI_VERSION_MAJOR;
  table_.abi_minor = ARCHIVUM_ABI_VERSION_MINOR;
  table_.ctx = this;
  table_.plugin_name = {plugin_name_.data(), plugin_name_.size()};
  table_.data_dir = {data_dir_.data(), data_dir_.size()};
  table_.log = &HostApi::Log;
}

void HostApi::Log(void* ctx, archivum_log_level level, archivum_str message) {
  if (ctx == nullptr || (message.size > 0 && message.data == nullptr)) return;
  LogFromPlugin(static_cast<HostApi*>(ctx)->plugin_name_, level, View(message));
}

ProcessSink::ProcessSink(std::string_view plugin_name, bool may_set_mime, uint64_t max_bytes,
                         const ChildBudget& budget, const std::filesystem::path& spool_dir,
                         PluginOutput* output)
    : plugin_name_(plugin_name),
      may_set_mime_(may_set_mime),
      max_bytes_(max_bytes),
      budget_(budget),
      spool_dir_(spool_dir),
      output_(output) {
  table_.struct_size = sizeof(table_);
  table_.ctx = this;
  table_.emit_finding = &ProcessSink::EmitFinding;
  table_.emit_text = &ProcessSink::EmitText;
  table_.emit_tag = &ProcessSink::EmitTag;
  table_.emit_child = &ProcessSink::EmitChild;
  table_.set_mime = &ProcessSink::SetMime;
  table_.log = &ProcessSink::Log;
  table_.begin_child = &ProcessSink::BeginChild;
  table_.write_child = &ProcessSink::WriteChild;
  table_.child_finding = &ProcessSink::ChildFinding;
  table_.child_tag = &ProcessSink::ChildTag;
  table_.end_child = &ProcessSink::EndChild;
  table_.emit_preview = &ProcessSink::EmitPreview;
  table_.emit_text_as = &ProcessSink::EmitTextAs;
}

void ProcessSink::Finish() {
  std::lock_guard lock(mu_);
  if (open_) DropOpenChild();
  output_->refused = refused_.load(std::memory_order_relaxed);
  output_->children_refused_count = refused_count_;
  output_->children_refused_size = refused_size_;
}

bool ProcessSink::TakeChildSlot() {
  if (!budget_.allowed || children_ >= budget_.max_children) {
    ++refused_count_;
    return false;
  }
  ++children_;
  return true;
}

void ProcessSink::DropOpenChild() {
  if (!open_dropped_ && output_->spool) (void)output_->spool->Truncate(open_->offset);
  open_.reset();
  open_dropped_ = false;
  --children_;
}

bool ProcessSink::Charge(uint64_t n) {
  if (n > max_bytes_ - used_bytes_) return false;
  used_bytes_ += n;
  return true;
}

archivum_rc ProcessSink::Refuse(archivum_rc rc) {
  refused_.fetch_add(1, std::memory_order_relaxed);
  return rc;
}

// Each callback catches everything: an exception (e.g. bad_alloc) must not unwind through C.
archivum_rc ProcessSink::EmitFinding(void* ctx, archivum_str key, archivum_str value) {
  auto* self = static_cast<ProcessSink*>(ctx);
  if (key.size == 0 || !ValidText(key) || !ValidText(value))
    return self->Refuse(ARCHIVUM_INVALID_ARGUMENT);
  try {
    std::lock_guard lock(self->mu_);
    if (!self->Charge(key.size + value.size)) return self->Refuse(ARCHIVUM_RESOURCE_EXHAUSTED);
    self->output_->findings.emplace_back(std::string(View(key)), std::string(View(value)));
    return ARCHIVUM_OK;
  } catch (...) {
    return self->Refuse(ARCHIVUM_RESOURCE_EXHAUSTED);
  }
}

archivum_rc ProcessSink::EmitText(void* ctx, archivum_str text) {
  auto* self = static_cast<ProcessSink*>(ctx);
  if (!ValidText(text)) return self->Refuse(ARCHIVUM_INVALID_ARGUMENT);
  try {
    std::lock_guard lock(self->mu_);
    if (!self->Charge(text.size)) return self->Refuse(ARCHIVUM_RESOURCE_EXHAUSTED);
    self->output_->text.append(View(text));
    return ARCHIVUM_OK;
  } catch (...) {
    return self->Refuse(ARCHIVUM_RESOURCE_EXHAUSTED);
  }
}

archivum_rc ProcessSink::EmitTextAs(void* ctx, archivum_str kind, archivum_str text) {
  auto* self = static_cast<ProcessSink*>(ctx);
  const std::string_view k = View(kind);
  const bool kind_ok =
      !k.empty() && k.size() <= 32 && kind.data != nullptr &&
      std::all_of(k.begin(), k.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
      });
  if (!kind_ok || !ValidText(text)) return self->Refuse(ARCHIVUM_INVALID_ARGUMENT);
  try {
    std::lock_guard lock(self->mu_);
    if (!self->Charge(text.size)) return self->Refuse(ARCHIVUM_RESOURCE_EXHAUSTED);
    auto& spans = self->output_->text_spans;
    const uint64_t offset = self->output_->text.size();
    // Consecutive parts of one kind make one span.
    if (!spans.empty() && spans.back().kind == k &&
        spans.back().offset + spans.back().size == offset) {
      spans.back().size += text.size;
    } else if (text.size > 0) {
      spans.push_back({offset, text.size, std::string(k)});
    }
    self->output_->text.append(View(text));
    return ARCHIVUM_OK;
  } catch (...) {
    return self->Refuse(ARCHIVUM_RESOURCE_EXHAUSTED);
  }
}

archivum_rc ProcessSink::EmitPreview(void* ctx, archivum_str mime, archivum_bytes bytes) {
  auto* self = static_cast<ProcessSink*>(ctx);
  if (mime.size > 0 && mime.data == nullptr) return self->Refuse(ARCHIVUM_INVALID_ARGUMENT);
  if (bytes.size > 0 && bytes.data == nullptr) return self->Refuse(ARCHIVUM_INVALID_ARGUMENT);
  const std::string_view data(reinterpret_cast<const char*>(bytes.data), bytes.size);
  if (!LooksLikePreview(View(mime), data)) return self->Refuse(ARCHIVUM_INVALID_ARGUMENT);
  if (bytes.size > kMaxPreviewBytes) return self->Refuse(ARCHIVUM_RESOURCE_EXHAUSTED);
  try {
    std::lock_guard lock(self->mu_);
    const uint64_t previous = self->output_->preview ? self->output_->preview->bytes.size() : 0;
    self->used_bytes_ -= previous;  // a second preview replaces the first
    if (!self->Charge(bytes.size)) {
      self->used_bytes_ += previous;
      return self->Refuse(ARCHIVUM_RESOURCE_EXHAUSTED);
    }
    self->output_->preview = PluginOutput::Preview{std::string(View(mime)), std::string(data)};
    return ARCHIVUM_OK;
  } catch (...) {
    return self->Refuse(ARCHIVUM_RESOURCE_EXHAUSTED);
  }
}

archivum_rc ProcessSink::EmitTag(void* ctx, archivum_str tag) {
  auto* self = static_cast<ProcessSink*>(ctx);
  if (tag.size == 0 || !ValidText(tag)) return self->Refuse(ARCHIVUM_INVALID_ARGUMENT);
  try {
    std::lock_guard lock(self->mu_);
    if (!self->Charge(tag.size)) return self->Refuse(ARCHIVUM_RESOURCE_EXHAUSTED);
    self->output_->tags.emplace_back(View(tag));
    return ARCHIVUM_OK;
  } catch (...) {
    return self->Refuse(ARCHIVUM_RESOURCE_EXHAUSTED);
  }
}

archivum_rc ProcessSink::EmitChild(void* ctx, archivum_str name, archivum_bytes bytes) {
  auto* self = static_cast<ProcessSink*>(ctx);
  if (name.size == 0 || !ValidText(name) || (bytes.size > 0 && bytes.data == nullptr)) {
    return self->Refuse(ARCHIVUM_INVALID_ARGUMENT);
  }
  try {
    std::lock_guard lock(self->mu_);
    if (self->open_) return self->Refuse(ARCHIVUM_INVALID_ARGUMENT);
    if (!self->TakeChildSlot()) return self->Refuse(ARCHIVUM_RESOURCE_EXHAUSTED);
    if (bytes.size > self->budget_.max_bytes - self->child_bytes_) {
      --self->children_;
      ++self->refused_size_;
      return self->Refuse(ARCHIVUM_RESOURCE_EXHAUSTED);
    }
    if (!self->Charge(name.size + bytes.size)) {
      --self->children_;
      return self->Refuse(ARCHIVUM_RESOURCE_EXHAUSTED);
    }
    const char* data = reinterpret_cast<const char*>(bytes.data);
    ChildOutput child;
    child.name = std::string(View(name));
    if (data != nullptr) child.bytes.assign(data, bytes.size);
    self->child_bytes_ += bytes.size;
    self->output_->children.push_back(std::move(child));
    return ARCHIVUM_OK;
  } catch (...) {
    return self->Refuse(ARCHIVUM_RESOURCE_EXHAUSTED);
  }
}

archivum_rc ProcessSink::BeginChild(void* ctx, archivum_str name) {
  auto* self = static_cast<ProcessSink*>(ctx);
  if (name.size == 0 || !ValidText(name)) return self->Refuse(ARCHIVUM_INVALID_ARGUMENT);
  try {
    std::lock_guard lock(self->mu_);
    if (self->open_) return self->Refuse(ARCHIVUM_INVALID_ARGUMENT);
    if (!self->TakeChildSlot()) return self->Refuse(ARCHIVUM_RESOURCE_EXHAUSTED);
    if (!self->Charge(name.size)) {
      --self->children_;
      return self->Refuse(ARCHIVUM_RESOURCE_EXHAUSTED);
    }
    PluginOutput& out = *self->output_;
    if (!out.spool) {
      auto spool = os::AnonymousFile::Create(self->spool_dir_);
      if (!spool.ok()) {
        --self->children_;
        spdlog::error("plugin {}: cannot spool a child document: {}", self->plugin_name_,
                      spool.status().message());
        return self->Refuse(ARCHIVUM_RESOURCE_EXHAUSTED);
      }
      out.spool = std::make_shared<os::AnonymousFile>(std::move(*spool));
    }
    if (Status s = out.spool->AlignEnd(); !s.ok()) {
      --self->children_;
      spdlog::error("plugin {}: {}", self->plugin_name_, s.message());
      return self->Refuse(ARCHIVUM_RESOURCE_EXHAUSTED);
    }
    ChildOutput child;
    child.name = std::string(View(name));
    child.streamed = true;
    child.offset = out.spool->size();
    self->open_ = std::move(child);
    self->open_dropped_ = false;
    return ARCHIVUM_OK;
  } catch (...) {
    return self->Refuse(ARCHIVUM_RESOURCE_EXHAUSTED);
  }
}

archivum_rc ProcessSink::WriteChild(void* ctx, archivum_bytes bytes) {
  auto* self = static_cast<ProcessSink*>(ctx);
  if (bytes.size > 0 && bytes.data == nullptr) return self->Refuse(ARCHIVUM_INVALID_ARGUMENT);
  try {
    std::lock_guard lock(self->mu_);
    if (!self->open_) return self->Refuse(ARCHIVUM_INVALID_ARGUMENT);
    if (self->open_dropped_) return ARCHIVUM_RESOURCE_EXHAUSTED;
    ChildOutput& child = *self->open_;
    PluginOutput& out = *self->output_;
    if (bytes.size > self->budget_.max_bytes - self->child_bytes_ - child.size) {
      (void)out.spool->Truncate(child.offset);
      self->open_dropped_ = true;
      ++self->refused_size_;
      return self->Refuse(ARCHIVUM_RESOURCE_EXHAUSTED);
    }
    Status s =
        out.spool->Append(std::string_view(reinterpret_cast<const char*>(bytes.data), bytes.size));
    if (!s.ok()) {
      spdlog::error("plugin {}: child {} dropped: {}", self->plugin_name_, child.name, s.message());
      (void)out.spool->Truncate(child.offset);
      self->open_dropped_ = true;
      return self->Refuse(ARCHIVUM_RESOURCE_EXHAUSTED);
    }
    child.size += bytes.size;
    return ARCHIVUM_OK;
  } catch (...) {
    return self->Refuse(ARCHIVUM_RESOURCE_EXHAUSTED);
  }
}

archivum_rc ProcessSink::ChildFinding(void* ctx, archivum_str key, archivum_str value) {
  auto* self = static_cast<ProcessSink*>(ctx);
  if (key.size == 0 || !ValidText(key) || !ValidText(value))
    return self->Refuse(ARCHIVUM_INVALID_ARGUMENT);
  try {
    std::lock_guard lock(self->mu_);
    if (!self->open_) return self->Refuse(ARCHIVUM_INVALID_ARGUMENT);
    if (!self->Charge(key.size + value.size)) return self->Refuse(ARCHIVUM_RESOURCE_EXHAUSTED);
    self->open_->findings.emplace_back(std::string(View(key)), std::string(View(value)));
    return ARCHIVUM_OK;
  } catch (...) {
    return self->Refuse(ARCHIVUM_RESOURCE_EXHAUSTED);
  }
}

archivum_rc ProcessSink::ChildTag(void* ctx, archivum_str tag) {
  auto* self = static_cast<ProcessSink*>(ctx);
  if (tag.size == 0 || !ValidText(tag)) return self->Refuse(ARCHIVUM_INVALID_ARGUMENT);
  try {
    std::lock_guard lock(self->mu_);
    if (!self->open_) return self->Refuse(ARCHIVUM_INVALID_ARGUMENT);
    if (!self->Charge(tag.size)) return self->Refuse(ARCHIVUM_RESOURCE_EXHAUSTED);
    self->open_->tags.emplace_back(View(tag));
    return ARCHIVUM_OK;
  } catch (...) {
    return self->Refuse(ARCHIVUM_RESOURCE_EXHAUSTED);
  }
}

archivum_rc ProcessSink::EndChild(void* ctx) {
  auto* self = static_cast<ProcessSink*>(ctx);
  try {
    std::lock_guard lock(self->mu_);
    if (!self->open_) return self->Refuse(ARCHIVUM_INVALID_ARGUMENT);
    if (self->open_dropped_) {
      self->DropOpenChild();
      return ARCHIVUM_RESOURCE_EXHAUSTED;
    }
    self->child_bytes_ += self->open_->size;
    self->output_->children.push_back(std::move(*self->open_));
    self->open_.reset();
    return ARCHIVUM_OK;
  } catch (...) {
    return self->Refuse(ARCHIVUM_RESOURCE_EXHAUSTED);
  }
}

archivum_rc ProcessSink::SetMime(void* ctx, archivum_str mime) {
  auto* self = static_cast<ProcessSink*>(ctx);
  if (!self->may_set_mime_ || mime.size == 0 || mime.size > 255 || !ValidText(mime)) {
    return self->Refuse(ARCHIVUM_INVALID_ARGUMENT);
  }
  try {
    std::lock_guard lock(self->mu_);
    self->output_->mime.emplace(View(mime));
    return ARCHIVUM_OK;
  } catch (...) {
    return self->Refuse(ARCHIVUM_RESOURCE_EXHAUSTED);
  }
}

void ProcessSink::Log(void* ctx, archivum_log_level level, archivum_str message) {
  if (message.size > 0 && message.data == nullptr) return;
  LogFromPlugin(static_cast<ProcessSink*>(ctx)->plugin_name_, level, View(message));
}

QueryCollector::QueryCollector(std::string plugin_name, size_t max_hits)
    : plugin_name_(std::move(plugin_name)), max_hits_(max_hits) {
  table_.struct_size = sizeof(table_);
  table_.ctx = this;
  table_.emit_hit = &QueryCollector::EmitHit;
  table_.log = &QueryCollector::Log;
}

archivum_rc QueryCollector::EmitHit(void* ctx, archivum_str path, double score,
                                    archivum_str detail) {
  auto* self = static_cast<QueryCollector*>(ctx);
  if (path.size == 0 || !ValidText(path) || !ValidText(detail) || !std::isfinite(score)) {
    return ARCHIVUM_INVALID_ARGUMENT;
  }
  try {
    std::lock_guard lock(self->mu_);
    if (self->hits_.size() >= self->max_hits_) return ARCHIVUM_RESOURCE_EXHAUSTED;
    self->hits_.push_back(
        {self->plugin_name_, std::string(View(path)), score, std::string(View(detail))});
    return ARCHIVUM_OK;
  } catch (...) {
    return ARCHIVUM_RESOURCE_EXHAUSTED;
  }
}

void QueryCollector::Log(void* ctx, archivum_log_level level, archivum_str message) {
  if (message.size > 0 && message.data == nullptr) return;
  LogFromPlugin(static_cast<QueryCollector*>(ctx)->plugin_name_, level, View(message));
}

// Every field is set explicitly: zero-initializing the 136-byte struct first (`file_{}`) compiles
// to a `rep stos` that cost more than the rest of a cheap plugin's dispatch. If this fails, a field
// was appended to archivum_file: initialize it below.
static_assert(offsetof(archivum_file, release_ctx) + sizeof(void*) == sizeof(archivum_file),
              "archivum_file grew: set the new field in FileView::FileView");

FileView::FileView(const PluginInput& input)
    : file_{
          .struct_size = sizeof(archivum_file),
          .path = {input.file->path.data(), input.file->path.size()},
          .display_name = {input.file->display_name.data(), input.file->display_name.size()},
          .size = input.file->size,
          .mime = {input.mime.data(), input.mime.size()},
          .bytes = {reinterpret_cast<const uint8_t*>(input.file->bytes.data()),
                    input.file->bytes.size()},
          .text = {input.text.data(), input.text.size()},
          .deadline_ns = ToMonotonicNs(input.deadline),
          .is_cancelled = &FileView::IsCancelled,
          .cancel_ctx = const_cast<FileInput*>(input.file),
          .release_bytes = input.file->release ? &FileView::Release : nullptr,
          .release_ctx = input.file->release ? const_cast<FileInput*>(input.file) : nullptr,
      } {}

void FileView::Release(void* ctx, uint64_t offset, uint64_t length) {
  const auto* input = static_cast<const FileInput*>(ctx);
  try {
    input->release(offset, length);
  } catch (...) {
    // A hint: failing to drop pages only costs memory.
  }
}

int32_t FileView::IsCancelled(void* ctx) {
  const auto* input = static_cast<const FileInput*>(ctx);
  try {
    return input->cancelled && input->cancelled() ? 1 : 0;
  } catch (...) {
    return 1;
  }
}

}  // namespace archivum::plugins::inprocess
