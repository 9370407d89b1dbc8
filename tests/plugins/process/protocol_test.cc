// The worker protocol's decoding of a reply, which comes from a process as untrusted as its
// plugins: what it carries of ABI 1.4 (text spans, a preview) must pass the checks the in-process
// sink makes, or the reply is refused as DATA_LOSS.
#include "plugins/process/protocol.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace archivum::plugins::process {
namespace {

const std::string kPng("\x89PNG\r\n\x1A\n\0\0\0\rIHDR", 16);

Status Decode(worker::Output output, PluginOutput* out) {
  std::vector<os::UniqueFd> fds;
  output.set_spool_fd(-1);
  return FromProto(std::move(output), fds, out);
}

TEST(WorkerProtocolTest, TextSpansAndPreviewRoundTrip) {
  PluginOutput sent;
  sent.text = "plain recognized";
  sent.text_spans = {{6, 10, "ocr"}};
  sent.preview = PluginOutput::Preview{"image/png", kPng};
  worker::Output wire;
  std::vector<std::shared_ptr<os::AnonymousFile>> spools;
  ToProto(std::move(sent), &wire, &spools);
  PluginOutput got;
  ASSERT_TRUE(Decode(wire, &got).ok());
  ASSERT_EQ(got.text_spans.size(), 1u);
  EXPECT_EQ(got.text.substr(got.text_spans[0].offset, got.text_spans[0].size), "recognized");
  EXPECT_EQ(got.text_spans[0].kind, "ocr");
  ASSERT_TRUE(got.preview.has_value());
  EXPECT_EQ(got.preview->bytes, kPng);
}

TEST(WorkerProtocolTest, BrokenSpansAndPreviewsAreRefused) {
  auto with_span = [](uint64_t offset, uint64_t size, std::string kind) {
    worker::Output o;
    o.set_text("0123456789");
    auto* s = o.add_text_spans();
    s->set_offset(offset);
    s->set_size(size);
    s->set_kind(std::move(kind));
    return o;
  };
  PluginOutput out;
  EXPECT_EQ(Decode(with_span(8, 3, "ocr"), &out).code(), StatusCode::kDataLoss);
  EXPECT_EQ(Decode(with_span(11, 0, "ocr"), &out).code(), StatusCode::kDataLoss);
  EXPECT_EQ(Decode(with_span(UINT64_MAX, 2, "ocr"), &out).code(), StatusCode::kDataLoss);
  EXPECT_EQ(Decode(with_span(0, 2, ""), &out).code(), StatusCode::kDataLoss);
  EXPECT_TRUE(Decode(with_span(8, 2, "ocr"), &out).ok());

  auto with_preview = [](std::string mime, std::string bytes) {
    worker::Output o;
    o.set_preview_mime(std::move(mime));
    o.set_preview(std::move(bytes));
    return o;
  };
  EXPECT_EQ(Decode(with_preview("image/png", "<html>"), &out).code(), StatusCode::kDataLoss);
  EXPECT_EQ(Decode(with_preview("text/html", kPng), &out).code(), StatusCode::kDataLoss);
  EXPECT_EQ(Decode(with_preview("image/png", kPng + std::string(512 * 1024, 'x')), &out).code(),
            StatusCode::kDataLoss);
  EXPECT_TRUE(Decode(with_preview("image/png", kPng), &out).ok());
}

}  // namespace
}  // namespace archivum::plugins::process
