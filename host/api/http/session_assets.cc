// Session: embedded files (static_assets.h).
#include "api/http/response_head.h"
#include "api/http/session.h"

namespace archivum::api::gateway {

namespace http = boost::beast::http;

void Session::ServeAsset() {
  const auto& req = body_parser_->get();
  if (req.method() != http::verb::get && req.method() != http::verb::head) {
    return SendReply(
        ErrorReply(405, Unimplemented(std::string(req.method_string()) + " is not allowed on " +
                                      path_ + "; allowed: GET, HEAD")),
        false, "GET, HEAD");
  }
  const AssetReply reply = StaticAssets::Respond(*asset_, req.method(), req);
  if (closed_) return;
  const bool keep = keep_alive_ && !draining_;
  reply_body_.clear();
  reply_static_ = reply.body;
  reply_head_.clear();
  ReplyHead head;
  head.version = version_;
  head.status = reply.status;
  head.keep_alive = keep;
  head.content_type = reply.content_type;
  head.extra_fields = reply.fields;
  head.content_length = reply.content_length;
  AppendReplyHead(head, &reply_head_);
  close_after_write_ = !keep;
  WriteReply();
}

}  // namespace archivum::api::gateway
