#include "mail/message_reader.h"

#include <gmime/gmime.h>

#include <string>
#include <string_view>
#include <vector>

#include "common/html_text.h"
#include "mail/child_names.h"
#include "mail/cookie_streams.h"
#include "mail/gmime_util.h"
#include "mail/message_headers.h"
#include "mail/parse_guard.h"
#include "mail/part_content.h"
#include "mail/text_output.h"

namespace archivum::bundled::mail {
namespace {

// Children and body text are read in pieces of this size.
constexpr size_t kPieceSize = size_t{64} << 10;

bool IsType(GMimeObject* object, const char* type, const char* subtype) {
  GMimeContentType* content_type = g_mime_object_get_content_type(object);
  return content_type != nullptr && g_mime_content_type_is_type(content_type, type, subtype);
}

std::string MimeType(GMimeObject* object) {
  GMimeContentType* content_type = g_mime_object_get_content_type(object);
  if (content_type == nullptr) return "application/octet-stream";
  const GChars text(g_mime_content_type_get_mime_type(content_type));
  return text == nullptr ? "application/octet-stream" : std::string(text.get());
}

// The file name the part states (Content-Disposition filename or Content-Type name, decoded).
std::string Filename(GMimeObject* object) {
  const char* name = GMIME_IS_PART(object)
                         ? g_mime_part_get_filename(GMIME_PART(object))
                         : g_mime_object_get_content_disposition_parameter(object, "filename");
  if (name == nullptr && !GMIME_IS_PART(object)) {
    name = g_mime_object_get_content_type_parameter(object, "name");
  }
  return name == nullptr ? std::string() : std::string(name);
}

bool IsAttachment(GMimeObject* object) {
  GMimeContentDisposition* disposition = g_mime_object_get_content_disposition(object);
  if (disposition != nullptr && g_mime_content_disposition_is_attachment(disposition)) return true;
  return !Filename(object).empty();
}

// The body text candidate of a multipart/alternative: the first text/plain alternative, else
// the last text/html or multipart one (RFC 2046 orders alternatives by increasing faithfulness).
// -1 if none.
int ChooseAlternative(GMimeMultipart* alternative) {
  int plain = -1;
  int richest = -1;
  const int count = g_mime_multipart_get_count(alternative);
  for (int i = 0; i < count; ++i) {
    GMimeObject* part = g_mime_multipart_get_part(alternative, i);
    if (GMIME_IS_MULTIPART(part)) {
      richest = i;
    } else if (GMIME_IS_PART(part) && !IsAttachment(part)) {
      if (IsType(part, "text", "plain") && plain < 0) plain = i;
      if (IsType(part, "text", "html")) richest = i;
    }
  }
  return plain >= 0 ? plain : richest;
}

class MessageWalker {
 public:
  MessageWalker(const sdk::File& file, sdk::Sink& sink, const MessageOptions& options)
      : file_(file), sink_(sink), text_(sink, options.max_text) {}

  archivum_rc Run(GMimeMessage* message) {
    const HeaderFindings headers = EmitHeaderFindings(message, sink_);
    truncated_ = headers.truncated;
    if (!headers.subject.empty()) text_.Append(headers.subject + "\n");
    if (GMimeObject* body = g_mime_message_get_mime_part(message)) {
      if (!Walk(body)) return ARCHIVUM_CANCELLED;
    }
    text_.Flush();
    if (truncated_ || text_.truncated()) EmitFinding(sink_, "truncated", "true");
    return ARCHIVUM_OK;
  }

 private:
  // Visits the MIME tree in document order. Returns false if cancelled.
  bool Walk(GMimeObject* root) {
    struct Pending {
      GMimeObject* object;
      bool text;  // its text parts are body text (false: an alternative not chosen)
    };
    std::vector<Pending> stack{{root, true}};
    while (!stack.empty()) {
      if (cancelled_ || file_.cancelled()) return false;
      const Pending next = stack.back();
      stack.pop_back();
      GMimeObject* object = next.object;
      if (object == nullptr) continue;
      if (GMIME_IS_MULTIPART_ENCRYPTED(object)) {
        Tag("encrypted");
      } else if (GMIME_IS_MULTIPART_SIGNED(object)) {
        // The signed content; the signature is no document of its own.
        auto* multipart = GMIME_MULTIPART(object);
        if (g_mime_multipart_get_count(multipart) > GMIME_MULTIPART_SIGNED_CONTENT) {
          stack.push_back(
              {g_mime_multipart_get_part(multipart, GMIME_MULTIPART_SIGNED_CONTENT), next.text});
        }
      } else if (GMIME_IS_MULTIPART(object)) {
        auto* multipart = GMIME_MULTIPART(object);
        const int chosen =
            IsType(object, "multipart", "alternative") ? ChooseAlternative(multipart) : -2;
        for (int i = g_mime_multipart_get_count(multipart) - 1; i >= 0; --i) {
          stack.push_back({g_mime_multipart_get_part(multipart, i),
                           next.text && (chosen == -2 || chosen == i)});
        }
      } else if (GMIME_IS_MESSAGE_PART(object)) {
        AttachedMessage(GMIME_MESSAGE_PART(object));
      } else if (GMIME_IS_APPLICATION_PKCS7_MIME(object) &&
                 IsEnveloped(GMIME_APPLICATION_PKCS7_MIME(object))) {
        Tag("encrypted");
      } else if (GMIME_IS_PART(object)) {
        Leaf(GMIME_PART(object), next.text);
      }
    }
    return !cancelled_;
  }

  static bool IsEnveloped(GMimeApplicationPkcs7Mime* pkcs7) {
    return g_mime_application_pkcs7_mime_get_smime_type(pkcs7) ==
           GMIME_SECURE_MIME_TYPE_ENVELOPED_DATA;
  }

  void Leaf(GMimePart* part, bool text) {
    GMimeObject* object = GMIME_OBJECT(part);
    if (g_mime_part_get_openpgp_data(part) == GMIME_OPENPGP_DATA_ENCRYPTED) Tag("encrypted");
    const bool plain = IsType(object, "text", "plain");
    const bool html = IsType(object, "text", "html");
    if ((plain || html) && !IsAttachment(object)) {
      if (text) BodyText(part, html);
      return;
    }
    Attachment(part);
  }

  void BodyText(GMimePart* part, bool html) {
    if (text_.full()) return;
    if (!text_.at_line_start()) text_.Append("\n");
    if (!html) {
      ReadContent(part, true, kPieceSize,
                  [this](std::string_view piece) { return !Cancelled() && text_.Append(piece); });
      text_.EndRun();
      return;
    }
    std::string markup;
    ReadContent(part, true, kPieceSize, [this, &markup](std::string_view piece) {
      if (Cancelled()) return false;
      if (markup.size() + piece.size() > kMaxHtmlBodyBytes) {
        markup.append(piece.substr(0, kMaxHtmlBodyBytes - markup.size()));
        truncated_ = true;
        return false;
      }
      markup.append(piece);
      return true;
    });
    if (cancelled_) return;
    text_.Append(HtmlToText(markup).text);
    text_.EndRun();
  }

  void Attachment(GMimePart* part) {
    GMimeObject* object = GMIME_OBJECT(part);
    if (!BeginChild(Filename(object), MimeType(object))) return;
    ReadContent(part, false, kPieceSize,
                [this](std::string_view piece) { return WriteChild(piece); });
    EndChild();
  }

  void AttachedMessage(GMimeMessagePart* part) {
    GMimeMessage* message = g_mime_message_part_get_message(part);
    if (message == nullptr) return;  // an empty message/rfc822 part
    GMimeObject* object = GMIME_OBJECT(part);
    if (!BeginChild(Filename(object), MimeType(object))) return;
    {
      // GMime writes the message back as it read it (its raw header fields and the content of
      // its parts as they were encoded).
      PieceWriter writer(kPieceSize, [this](std::string_view piece) { return WriteChild(piece); });
      g_mime_object_write_to_stream(GMIME_OBJECT(message), nullptr, writer.stream());
      writer.Finish();
    }
    EndChild();
  }

  // Opens a child; false if the host takes no more children (then none is opened again).
  bool BeginChild(const std::string& filename, const std::string& mime_type) {
    if (children_closed_) return false;
    const std::string name = namer_.Next(filename, mime_type);
    const archivum_rc rc = sink_.BeginChild(name);
    if (rc == ARCHIVUM_RESOURCE_EXHAUSTED) {
      children_closed_ = true;
      return false;
    }
    if (rc != ARCHIVUM_OK) {
      throw sdk::Error(ARCHIVUM_ERROR, "the host refused the child \"" + name + "\" (code " +
                                           std::to_string(rc) + ")");
    }
    child_dropped_ = false;
    return true;
  }

  // Passes a piece of the open child on; false to stop reading it (dropped, or cancelled).
  bool WriteChild(std::string_view piece) {
    if (Cancelled() || child_dropped_) return false;
    const archivum_rc rc = sink_.WriteChild(piece);
    if (rc == ARCHIVUM_OK) return true;
    if (rc != ARCHIVUM_RESOURCE_EXHAUSTED) {
      throw sdk::Error(ARCHIVUM_ERROR,
                       "the host refused child content (code " + std::to_string(rc) + ")");
    }
    child_dropped_ = true;  // over the host's size budget; a smaller one may still fit
    return false;
  }

  void EndChild() {
    const archivum_rc rc = sink_.EndChild();
    if (rc != ARCHIVUM_OK && rc != ARCHIVUM_RESOURCE_EXHAUSTED) {
      throw sdk::Error(ARCHIVUM_ERROR,
                       "the host refused to close a child (code " + std::to_string(rc) + ")");
    }
  }

  void Tag(std::string_view tag) {
    if (tagged_encrypted_) return;
    tagged_encrypted_ = true;
    const archivum_rc rc = sink_.Tag(tag);
    if (rc != ARCHIVUM_OK && rc != ARCHIVUM_RESOURCE_EXHAUSTED) {
      throw sdk::Error(ARCHIVUM_ERROR, "the host refused the tag \"" + std::string(tag) +
                                           "\" (code " + std::to_string(rc) + ")");
    }
  }

  bool Cancelled() {
    if (!cancelled_ && file_.cancelled()) cancelled_ = true;
    return cancelled_;
  }

  const sdk::File& file_;
  sdk::Sink& sink_;
  TextOutput text_;
  ChildNamer namer_;
  bool truncated_ = false;
  bool cancelled_ = false;
  bool children_closed_ = false;
  bool child_dropped_ = false;
  bool tagged_encrypted_ = false;
};

}  // namespace

archivum_rc ReadMessage(const sdk::File& file, sdk::Sink& sink, const MessageOptions& options,
                        bool sniffed) {
  EnsureGMime();
  const std::string_view bytes = file.bytes();
  ParseGuard guard(bytes, /*mbox=*/false);
  InputFile input(bytes, &guard, [&file] { return file.cancelled(); });
  GRef<GMimeMessage> message;  // released before `input` (its parts read through it)
  {
    GRef<GMimeStream> stream = input.Open(0);
    GRef<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
    g_mime_parser_set_format(parser.get(), GMIME_FORMAT_MESSAGE);
    message.reset(g_mime_parser_construct_message(parser.get(), nullptr));
  }
  input.EndParse();
  if (input.cancelled()) return ARCHIVUM_CANCELLED;
  if (input.failed()) throw sdk::Error(ARCHIVUM_ERROR, "out of memory while parsing the message");
  if (guard.tripped()) {
    throw sdk::Error(ARCHIVUM_RESOURCE_EXHAUSTED,
                     "the message is beyond the mail plugin's limits: " + guard.reason());
  }
  const bool has_headers =
      message != nullptr &&
      g_mime_header_list_get_count(g_mime_object_get_header_list(GMIME_OBJECT(message.get()))) > 0;
  if (!has_headers) {
    if (sniffed) return ARCHIVUM_UNSUPPORTED;
    throw sdk::Error(ARCHIVUM_ERROR,
                     bytes.empty() ? std::string("not an e-mail message: the file is empty")
                                   : std::string("not an e-mail message: it does not begin with "
                                                 "header fields (\"Name: value\" lines)"));
  }
  MessageWalker walker(file, sink, options);
  return walker.Run(message.get());
}

}  // namespace archivum::bundled::mail
