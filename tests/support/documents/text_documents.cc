#include "support/documents/text_documents.h"

#include <unicode/ucnv.h>
#include <unicode/ucnv_err.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace archivum::testing {
namespace {

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "text_documents: %s\n", what.c_str());
  std::abort();
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view Bom(std::string_view charset) {
  const std::string name = Lower(charset);
  if (name == "utf-8") return "\xEF\xBB\xBF";
  if (name == "utf-16le") return "\xFF\xFE";
  if (name == "utf-16be") return "\xFE\xFF";
  if (name == "utf-32le") return std::string_view("\xFF\xFE\0\0", 4);
  if (name == "utf-32be") return std::string_view("\0\0\xFE\xFF", 4);
  Fail("no byte-order mark for " + std::string(charset));
}

}  // namespace

std::string_view SampleText(Language language) {
  switch (language) {
    case Language::kRussian:
      return "Вчера вечером мы гуляли по старому парку возле реки. Листья уже пожелтели, и ветер "
             "приносил запах дождя. Дети смеялись, а собака бегала за мячом по мокрой траве.\n";
    case Language::kJapanese:
      return "昨日の夕方、私たちは川の近くにある古い公園を散歩しました。木の葉はもう黄色くなってい"
             "て"
             "、風が雨の匂いを運んできました。子供たちは笑い、犬はぬれた芝生の上でボールを追いかけ"
             "てい"
             "ました。\n";
    case Language::kChineseSimplified:
      return "昨天傍晚，我们在河边的老公园里散步。树叶已经变黄了，风带来了雨的味道。孩子们在笑，小"
             "狗在"
             "湿漉漉的草地上追着球跑。\n";
    case Language::kChineseTraditional:
      return "昨天傍晚，我們在河邊的老公園裡散步。樹葉已經變黃了，風帶來了雨的味道。孩子們在笑，小"
             "狗在"
             "濕漉漉的草地上追著球跑。\n";
    case Language::kKorean:
      return "어제 저녁에 우리는 강 근처의 오래된 공원을 산책했습니다. 나뭇잎은 벌써 노랗게 변했고 "
             "바람이 비 냄새를 실어 왔습니다. 아이들은 웃었고 강아지는 젖은 잔디 위에서 공을 쫓아 "
             "뛰어다녔습니다.\n";
    case Language::kFrench:
      return "Hier soir, nous nous sommes promenés dans le vieux parc près de la rivière. Les "
             "feuilles étaient déjà jaunies, et le vent apportait l'odeur de la pluie. Les enfants "
             "riaient, et le chien courait après la balle sur l'herbe mouillée. Où êtes-vous allés "
             "ensuite ? À la gare, où l'on a bu un café crème.\n";
    case Language::kGerman:
      return "Gestern Abend sind wir durch den alten Park am Fluss spaziert. Die Blätter waren "
             "schon gelb, und der Wind brachte den Geruch von Regen. Die Kinder lachten, und der "
             "Hund rannte über das nasse Gras hinter dem Ball her. Später aßen wir Äpfel und "
             "tranken süßen Tee.\n";
  }
  Fail("unknown language");
}

std::string EncodeText(std::string_view utf8, std::string_view charset, bool bom) {
  const std::string name(charset);
  UErrorCode error = U_ZERO_ERROR;
  const std::unique_ptr<UConverter, decltype(&ucnv_close)> from(ucnv_open("UTF-8", &error),
                                                                &ucnv_close);
  const std::unique_ptr<UConverter, decltype(&ucnv_close)> to(ucnv_open(name.c_str(), &error),
                                                              &ucnv_close);
  if (U_FAILURE(error)) Fail("cannot open a converter for " + name + ": " + u_errorName(error));
  // A character without an encoding must fail the fixture, not turn into a substitute.
  ucnv_setFromUCallBack(to.get(), UCNV_FROM_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &error);
  ucnv_setToUCallBack(from.get(), UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &error);
  std::string out(bom ? Bom(charset) : std::string_view());
  const size_t start = out.size();
  out.resize(start + utf8.size() * 4 + 16);
  char* target = out.data() + start;
  const char* source = utf8.data();
  ucnv_convertEx(to.get(), from.get(), &target, out.data() + out.size(), &source,
                 utf8.data() + utf8.size(), nullptr, nullptr, nullptr, nullptr, true, true, &error);
  if (U_FAILURE(error)) Fail("cannot encode the text in " + name + ": " + u_errorName(error));
  out.resize(static_cast<size_t>(target - out.data()));
  return out;
}

std::string MakeHtml(const HtmlPage& page) {
  std::string html = "<!DOCTYPE html>\n<html";
  if (!page.lang.empty()) html += " lang=\"" + page.lang + "\"";
  html += ">\n<head>\n";
  if (!page.charset.empty()) html += "<meta charset=\"" + page.charset + "\">\n";
  if (!page.title.empty()) html += "<title>" + page.title + "</title>\n";
  if (!page.author.empty()) html += "<meta name=\"author\" content=\"" + page.author + "\">\n";
  if (!page.keywords.empty()) {
    html += "<meta name=\"keywords\" content=\"" + page.keywords + "\">\n";
  }
  if (!page.description.empty()) {
    html += "<meta name=\"description\" content=\"" + page.description + "\">\n";
  }
  html += page.head;
  html += "</head>\n<body>\n" + page.body + "\n</body>\n</html>\n";
  return html;
}

std::string BillionLaughsXml(int levels) {
  std::string xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol0 \"lol\">\n";
  for (int level = 1; level <= levels; ++level) {
    xml += " <!ENTITY lol" + std::to_string(level) + " \"";
    for (int i = 0; i < 10; ++i) xml += "&lol" + std::to_string(level - 1) + ";";
    xml += "\">\n";
  }
  xml += "]>\n<lolz>start &lol" + std::to_string(levels) + "; end</lolz>\n";
  return xml;
}

std::string QuadraticBlowupXml(size_t entity_bytes, size_t references) {
  std::string xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE r [\n <!ENTITY big \"";
  xml.append(entity_bytes, 'a');
  xml += "\">\n]>\n<r>start ";
  for (size_t i = 0; i < references; ++i) xml += "&big;";
  xml += " end</r>\n";
  return xml;
}

std::string ExternalEntityXml(std::string_view url) {
  return "<?xml version=\"1.0\"?>\n<!DOCTYPE r [\n <!ENTITY xxe SYSTEM \"" + std::string(url) +
         "\">\n]>\n<r>before &xxe; after</r>\n";
}

std::string ExternalDtdXml(std::string_view url) {
  return "<?xml version=\"1.0\"?>\n<!DOCTYPE r SYSTEM \"" + std::string(url) +
         "\">\n<r>before &dtdent; after</r>\n";
}

std::string ExternalParameterEntityXml(std::string_view url) {
  return "<?xml version=\"1.0\"?>\n<!DOCTYPE r [\n <!ENTITY % ext SYSTEM \"" + std::string(url) +
         "\">\n %ext;\n]>\n<r>before &dtdent; after</r>\n";
}

}  // namespace archivum::testing
