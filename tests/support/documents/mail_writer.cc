#include "support/documents/mail_writer.h"

#include <glib.h>
#include <iconv.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace archivum::testing {
namespace {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "mail_writer: %s\n", what.c_str());
  std::abort();
}

// `text` with each "\n" written as `newline`.
std::string Lines(std::string_view text, std::string_view newline) {
  if (newline == "\n") return std::string(text);
  std::string out;
  for (const char c : text) {
    if (c == '\n') {
      out.append(newline);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void Write(const MimeEntity& entity, std::string_view nl, std::string& out) {
  for (const auto& [name, value] : entity.fields) {
    out.append(name).append(": ").append(Lines(value, nl)).append(nl);
  }
  out.append(nl);
  out.append(Lines(entity.body, nl));
  if (entity.parts.empty()) return;
  for (const MimeEntity& part : entity.parts) {
    out.append("--").append(entity.boundary).append(nl);
    Write(part, nl, out);
    if (!out.ends_with(nl)) out.append(nl);
  }
  out.append("--").append(entity.boundary).append("--").append(nl);
}

}  // namespace

std::string WriteEntity(const MimeEntity& entity, bool crlf) {
  std::string out;
  Write(entity, crlf ? "\r\n" : "\n", out);
  return out;
}

MimeEntity TextPart(std::string_view subtype, std::string_view charset, std::string_view body,
                    std::string_view encoding) {
  MimeEntity e;
  e.fields = {
      {"Content-Type", "text/" + std::string(subtype) + "; charset=" + std::string(charset)},
      {"Content-Transfer-Encoding", std::string(encoding)}};
  if (encoding == "base64") {
    e.body = Base64(body);
  } else if (encoding == "quoted-printable") {
    e.body = QuotedPrintable(body);
  } else {
    e.body = std::string(body);
  }
  return e;
}

MimeEntity Attachment(std::string_view content_type, std::string_view filename,
                      std::string_view bytes) {
  MimeEntity e;
  e.fields = {{"Content-Type", std::string(content_type)}};
  if (!filename.empty()) {
    e.fields.push_back(
        {"Content-Disposition", "attachment; filename=\"" + std::string(filename) + "\""});
  }
  e.fields.push_back({"Content-Transfer-Encoding", "base64"});
  e.body = Base64(bytes);
  return e;
}

MimeEntity AttachedMessage(std::string_view message, std::string_view filename) {
  MimeEntity e;
  e.fields = {{"Content-Type", "message/rfc822"}};
  if (!filename.empty()) {
    e.fields.push_back(
        {"Content-Disposition", "inline; filename=\"" + std::string(filename) + "\""});
  }
  e.body = std::string(message);
  return e;
}

MimeEntity Multipart(std::string_view subtype, std::vector<MimeEntity> parts,
                     std::string_view boundary) {
  MimeEntity e;
  e.fields = {{"Content-Type", "multipart/" + std::string(subtype) + "; boundary=\"" +
                                   std::string(boundary) + "\""}};
  e.parts = std::move(parts);
  e.boundary = std::string(boundary);
  return e;
}

std::string MakeMessage(const MailFields& headers, const MimeEntity& body, bool crlf) {
  MimeEntity message = body;
  MailFields fields = headers;
  fields.push_back({"MIME-Version", "1.0"});
  fields.insert(fields.end(), body.fields.begin(), body.fields.end());
  message.fields = std::move(fields);
  return WriteEntity(message, crlf);
}

std::string Base64(std::string_view bytes) {
  gchar* encoded = g_base64_encode(reinterpret_cast<const guchar*>(bytes.data()), bytes.size());
  const std::string text(encoded);
  g_free(encoded);
  std::string out;
  for (size_t i = 0; i < text.size(); i += 76) out.append(text.substr(i, 76)).append("\n");
  return out;
}

std::string QuotedPrintable(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  size_t column = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c == '\n') {
      out.push_back('\n');
      column = 0;
      continue;
    }
    const bool before_newline = i + 1 == bytes.size() || bytes[i + 1] == '\n';
    const bool literal =
        (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !before_newline);
    const std::string token = literal ? std::string(1, static_cast<char>(c))
                                      : std::string{'=', kHex[c >> 4], kHex[c & 15]};
    if (column + token.size() > 75) {
      out.append("=\n");
      column = 0;
    }
    out.append(token);
    column += token.size();
  }
  return out;
}

std::string EncodedWord(std::string_view charset, std::string_view text) {
  std::string encoded = Base64(text);
  std::string joined;
  for (const char c : encoded) {
    if (c != '\n') joined.push_back(c);
  }
  return "=?" + std::string(charset) + "?B?" + joined + "?=";
}

std::string Recode(std::string_view utf8, const char* charset) {
  iconv_t cd = iconv_open(charset, "UTF-8");
  if (cd == reinterpret_cast<iconv_t>(-1)) Die(std::string("iconv_open ") + charset);
  std::string in(utf8);
  std::string out(in.size() * 4 + 16, '\0');
  char* inp = in.data();
  size_t inleft = in.size();
  char* outp = out.data();
  size_t outleft = out.size();
  if (iconv(cd, &inp, &inleft, &outp, &outleft) == static_cast<size_t>(-1)) {
    Die(std::string("iconv to ") + charset + ": errno " + std::to_string(errno));
  }
  iconv_close(cd);
  out.resize(out.size() - outleft);
  return out;
}

std::string PdfLikeBlob() {
  std::string pdf = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n";
  pdf.append(std::string("stream\n\x00\x01\x02\xFF\xFE\r\n\x00", 15));
  pdf.append("endstream\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");
  return pdf;
}

std::string MakeMbox(const std::vector<std::string>& messages) {
  std::string out;
  for (size_t n = 0; n < messages.size(); ++n) {
    out.append("From sender-" + std::to_string(n + 1) + "@example.org Mon Jan  1 00:00:00 2024\n");
    std::string_view rest = messages[n];
    while (!rest.empty()) {
      const size_t newline = rest.find('\n');
      const std::string_view line =
          rest.substr(0, newline == std::string_view::npos ? rest.size() : newline + 1);
      const size_t from = line.find_first_not_of('>');
      if (from != std::string_view::npos && line.substr(from).starts_with("From ")) {
        out.push_back('>');
      }
      out.append(line);
      rest.remove_prefix(line.size());
    }
    if (!out.ends_with("\n")) out.push_back('\n');
    out.push_back('\n');
  }
  return out;
}

std::string SampleMessage() {
  const std::string forwarded =
      MakeMessage({{"From", "Krill Watch <krill@example.net>"}, {"Subject", "Fwd: krill"}},
                  TextPart("plain", "utf-8", "Krill swarms were seen near the ice shelf.\n"));
  return MakeMessage(
      {{"From", "\"Jane Doe\" <jane@example.org>"},
       {"To", "Ann Lee <ann@example.org>, bob@example.org"},
       {"Cc", "Carl <carl@example.com>"},
       {"Subject", "Quarterly whales report"},
       {"Date", "Tue, 05 Mar 2024 10:15:00 +0100"},
       {"Message-ID", "<whales-42@example.org>"}},
      Multipart(
          "mixed",
          {Multipart("alternative",
                     {TextPart("plain", "utf-8", "The narwhal population grew.\n"),
                      TextPart("html", "utf-8",
                               "<html><body><p>The <b>narwhal</b> population "
                               "grew.</p></body></html>\n")},
                     "=_alt"),
           Attachment("application/pdf", "report.pdf", PdfLikeBlob()), AttachedMessage(forwarded)},
          "=_mixed"));
}

}  // namespace archivum::testing
