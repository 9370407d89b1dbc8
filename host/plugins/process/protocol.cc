#include "plugins/process/protocol.h"

#include <string>

namespace archivum::plugins::process {

void ToProto(const Manifest& m, worker::Manifest* out) {
  out->set_name(m.name);
  out->set_version(m.version);
  out->set_description(m.description);
  out->set_stage(static_cast<int32_t>(m.stage));
  out->set_abi_major(m.abi_major);
  out->set_abi_minor(m.abi_minor);
  out->set_thread_safe(m.thread_safe);
  out->set_flushes(m.flushes);
  for (const auto& a : m.accepts) out->add_accepts(a);
  for (const auto& v : m.query_verbs) out->add_query_verbs(v);
  for (const auto& k : m.tuning_keys) out->add_tuning_keys(k);
  for (const auto& k : m.path_keys) out->add_path_keys(k);
  out->set_opt_in(m.opt_in);
  out->set_max_file_size(m.max_file_size);
}

Manifest FromProto(const worker::Manifest& p) {
  Manifest m;
  m.name = p.name();
  m.version = p.version();
  m.description = p.description();
  switch (p.stage()) {
    case static_cast<int32_t>(Stage::kDetect): m.stage = Stage::kDetect; break;
    case static_cast<int32_t>(Stage::kExtract): m.stage = Stage::kExtract; break;
    default: m.stage = Stage::kAnalyze; break;
  }
  m.abi_major = static_cast<uint16_t>(p.abi_major());
  m.abi_minor = static_cast<uint16_t>(p.abi_minor());
  m.thread_safe = p.thread_safe();
  m.flushes = p.flushes();
  m.accepts.assign(p.accepts().begin(), p.accepts().end());
  m.query_verbs.assign(p.query_verbs().begin(), p.query_verbs().end());
  m.tuning_keys.assign(p.tuning_keys().begin(), p.tuning_keys().end());
  m.path_keys.assign(p.path_keys().begin(), p.path_keys().end());
  m.opt_in = p.opt_in();
  m.max_file_size = p.max_file_size();
  return m;
}

void ToProto(const Routing& r, worker::Routing* out) {
  for (const auto& a : r.accepts) out->add_accepts(a);
  out->set_accepts_any_mime(r.accepts_any_mime);
  for (const auto& a : r.rejects) out->add_rejects(a);
  out->set_max_file_size(r.max_file_size);
}

Routing FromProto(const worker::Routing& p) {
  Routing r;
  r.accepts.assign(p.accepts().begin(), p.accepts().end());
  r.accepts_any_mime = p.accepts_any_mime();
  r.rejects.assign(p.rejects().begin(), p.rejects().end());
  r.max_file_size = p.max_file_size();
  return r;
}

void ToProto(PluginOutput&& o, worker::Output* out,
             std::vector<std::shared_ptr<os::AnonymousFile>>* spools) {
  out->set_code(static_cast<int32_t>(o.code));
  out->set_error(std::move(o.error));
  if (o.mime) {
    out->set_has_mime(true);
    out->set_mime(std::move(*o.mime));
  }
  out->set_text(std::move(o.text));
  for (auto& span : o.text_spans) {
    auto* s = out->add_text_spans();
    s->set_offset(span.offset);
    s->set_size(span.size);
    s->set_kind(std::move(span.kind));
  }
  if (o.preview) {
    out->set_preview_mime(std::move(o.preview->mime));
    out->set_preview(std::move(o.preview->bytes));
  }
  for (auto& tag : o.tags) out->add_tags(std::move(tag));
  for (auto& [key, value] : o.findings) {
    auto* kv = out->add_findings();
    kv->set_key(std::move(key));
    kv->set_value(std::move(value));
  }
  for (auto& child : o.children) {
    auto* c = out->add_children();
    c->set_name(std::move(child.name));
    c->set_bytes(std::move(child.bytes));
    c->set_streamed(child.streamed);
    c->set_offset(child.offset);
    c->set_size(child.size);
    for (auto& [key, value] : child.findings) {
      auto* kv = c->add_findings();
      kv->set_key(std::move(key));
      kv->set_value(std::move(value));
    }
    for (auto& tag : child.tags) c->add_tags(std::move(tag));
  }
  out->set_spool_fd(-1);
  if (o.spool && !o.children.empty()) {
    out->set_spool_fd(static_cast<int32_t>(spools->size()));
    spools->push_back(std::move(o.spool));
  }
  out->set_refused(o.refused);
  out->set_children_refused_count(o.children_refused_count);
  out->set_children_refused_size(o.children_refused_size);
}

Status FromProto(worker::Output&& p, std::vector<os::UniqueFd>& fds, PluginOutput* out) {
  out->code = static_cast<CallCode>(p.code());
  out->error = std::move(*p.mutable_error());
  if (p.has_mime()) out->mime = std::move(*p.mutable_mime());
  out->text = std::move(*p.mutable_text());
  // A worker is as untrusted as its plugins: spans must lie in the text, and a preview passes the
  // same checks as in the sink.
  for (auto& s : *p.mutable_text_spans()) {
    if (s.offset() > out->text.size() || s.size() > out->text.size() - s.offset() ||
        s.kind().empty()) {
      return DataLoss("a reply's text span lies outside its text");
    }
    out->text_spans.push_back({s.offset(), s.size(), std::move(*s.mutable_kind())});
  }
  if (!p.preview_mime().empty()) {
    if (!LooksLikePreview(p.preview_mime(), p.preview()) || p.preview().size() > kMaxPreviewBytes) {
      return DataLoss("a reply's preview is not an image of its type within the size limit");
    }
    out->preview = PluginOutput::Preview{std::move(*p.mutable_preview_mime()),
                                         std::move(*p.mutable_preview())};
  }
  out->tags.reserve(p.tags_size());
  for (auto& tag : *p.mutable_tags()) out->tags.push_back(std::move(tag));
  out->findings.reserve(p.findings_size());
  for (auto& kv : *p.mutable_findings()) {
    out->findings.emplace_back(std::move(*kv.mutable_key()), std::move(*kv.mutable_value()));
  }
  out->refused = p.refused();
  out->children_refused_count = p.children_refused_count();
  out->children_refused_size = p.children_refused_size();
  if (p.finished_ns() != 0) out->finished = FromMonotonicNs(p.finished_ns());
  if (p.spool_fd() >= 0) {
    if (static_cast<size_t>(p.spool_fd()) >= fds.size() || !fds[p.spool_fd()].valid()) {
      return DataLoss("a reply names a spool descriptor it does not carry");
    }
    auto spool = os::AnonymousFile::Adopt(std::move(fds[p.spool_fd()]));
    if (!spool.ok()) return DataLoss("the spool of a reply: " + spool.status().message());
    out->spool = std::make_shared<os::AnonymousFile>(std::move(*spool));
  }
  out->children.reserve(p.children_size());
  for (auto& c : *p.mutable_children()) {
    ChildOutput child;
    child.name = std::move(*c.mutable_name());
    child.bytes = std::move(*c.mutable_bytes());
    child.streamed = c.streamed();
    child.offset = c.offset();
    child.size = c.size();
    if (child.streamed &&
        (!out->spool || child.offset % os::AnonymousFile::kPageSize != 0 ||
         child.offset > out->spool->size() || child.size > out->spool->size() - child.offset)) {
      return DataLoss("a streamed child lies outside its spool");
    }
    for (auto& kv : *c.mutable_findings()) {
      child.findings.emplace_back(std::move(*kv.mutable_key()), std::move(*kv.mutable_value()));
    }
    for (auto& tag : *c.mutable_tags()) child.tags.push_back(std::move(tag));
    out->children.push_back(std::move(child));
  }
  return Status::Ok();
}

void ToProto(const os::SandboxPolicy& policy, worker::Sandbox* out) {
  for (const auto& p : policy.read_only) out->add_read_only(p.string());
  for (const auto& p : policy.read_write) out->add_read_write(p.string());
  out->set_address_space(policy.address_space);
  out->set_data_size(policy.data_size);
  out->set_cpu_seconds(policy.cpu_seconds);
  out->set_file_size(policy.file_size);
  out->set_open_files(policy.open_files);
}

os::SandboxPolicy SandboxPolicyFromProto(const worker::Sandbox& p) {
  os::SandboxPolicy policy;
  for (const auto& s : p.read_only()) policy.read_only.emplace_back(s);
  for (const auto& s : p.read_write()) policy.read_write.emplace_back(s);
  // Its own /proc entry: the C library and the sanitizers read /proc/self/maps and the like.
  policy.read_only.emplace_back("/proc/self");
  policy.address_space = p.address_space();
  policy.data_size = p.data_size();
  policy.cpu_seconds = p.cpu_seconds();
  policy.file_size = p.file_size();
  policy.open_files = p.open_files();
  return policy;
}

std::chrono::steady_clock::time_point FromMonotonicNs(int64_t ns) {
  if (ns == INT64_MAX) return std::chrono::steady_clock::time_point::max();
  return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(ns));
}

}  // namespace archivum::plugins::process
