// cli/text.h: what the CLI prints is safe for a terminal (control characters neutralized, code
// points never split) and readable (sizes, durations, timestamps, scores, aligned tables), and
// the ingest progress line is drawn only on a terminal.
#include "cli/text.h"

#include <gtest/gtest.h>

#include "cli/ingest_command.h"

namespace archivum::cli {
namespace {

TEST(CliTextTest, OneLineCollapsesWhitespaceAndNeutralizesControls) {
  EXPECT_EQ(OneLine("a\n\tb  \r\nc"), "a b c");
  EXPECT_EQ(OneLine("red\x1b[31mtext"), "red?[31mtext");
  EXPECT_EQ(OneLine("del\x7f"), "del?");
  // U+009B (CSI) is a C1 control; U+00E9 (é) is not.
  EXPECT_EQ(OneLine("x\xc2\x9by \xc3\xa9"), "x?y \xc3\xa9");
}

TEST(CliTextTest, SafeTextKeepsNewlines) {
  EXPECT_EQ(SafeText("line one\nline\ttwo\x07"), "line one\nline two?");
}

TEST(CliTextTest, DisplayWidthCountsCodePoints) {
  EXPECT_EQ(DisplayWidth(""), 0u);
  EXPECT_EQ(DisplayWidth("abc"), 3u);
  EXPECT_EQ(DisplayWidth("caf\xc3\xa9"), 4u);
}

TEST(CliTextTest, TruncateKeepsShortTextAndElidesLongText) {
  EXPECT_EQ(Truncate("short", 10), "short");
  EXPECT_EQ(Truncate("exactly10!", 10), "exactly10!");
  EXPECT_EQ(Truncate("0123456789abc", 10), "0123456...");
  EXPECT_EQ(Truncate("/very/long/path/file.txt", 12, Elide::kStart), ".../file.txt");
  EXPECT_EQ(Truncate("anything", 0), "anything");
  EXPECT_EQ(Truncate("abcdef", 2), "ab");
  // The trailing space of the cut is dropped rather than shown before the dots.
  EXPECT_EQ(Truncate("word word word", 8), "word...");
}

TEST(CliTextTest, TruncateNeverSplitsACodePoint) {
  const std::string text = "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9";  // six é
  EXPECT_EQ(Truncate(text, 5), "\xc3\xa9\xc3\xa9...");
  EXPECT_EQ(Truncate(text, 5, Elide::kStart), "...\xc3\xa9\xc3\xa9");
}

TEST(CliTextTest, FormatBytes) {
  EXPECT_EQ(FormatBytes(0), "0 B");
  EXPECT_EQ(FormatBytes(1023), "1023 B");
  EXPECT_EQ(FormatBytes(1024), "1.0 KiB");
  EXPECT_EQ(FormatBytes(1536), "1.5 KiB");
  EXPECT_EQ(FormatBytes(1024 * 1024 - 1), "1.0 MiB");
  EXPECT_EQ(FormatBytes(5ull << 30), "5.0 GiB");
  EXPECT_EQ(FormatBytes(UINT64_MAX), "16.0 EiB");
}

TEST(CliTextTest, FormatDuration) {
  using std::chrono::microseconds;
  EXPECT_EQ(FormatDuration(microseconds(0)), "0 us");
  EXPECT_EQ(FormatDuration(microseconds(999)), "999 us");
  EXPECT_EQ(FormatDuration(microseconds(12'345)), "12.3 ms");
  EXPECT_EQ(FormatDuration(std::chrono::milliseconds(1234)), "1.23 s");
  EXPECT_EQ(FormatDuration(std::chrono::seconds(123)), "2m 03s");
  EXPECT_EQ(FormatDuration(std::chrono::seconds(3723)), "1h 02m 03s");
}

TEST(CliTextTest, FormatTimestampIsUtcAndZeroIsUnknown) {
  EXPECT_EQ(FormatTimestampNs(0), "-");
  EXPECT_EQ(FormatTimestampNs(1'700'000'000'123'456'789), "2023-11-14T22:13:20Z");
  EXPECT_EQ(FormatTimestampNs(-1), "1969-12-31T23:59:59Z");
}

TEST(CliTextTest, FormatScore) {
  EXPECT_EQ(FormatScore(12.5), "12.500");
  EXPECT_EQ(FormatScore(0), "0.000");
}

TEST(CliTextTest, TableAlignsColumnsWithoutTrailingBlanks) {
  Table table({{"NAME"}, {"N", Table::Align::kRight}, {"NOTE", Table::Align::kLeft, 8}});
  table.AddRow({"alpha", "1", "short"});
  table.AddRow({"b", "1234", ""});
  table.AddNote("why\nit failed");
  table.AddRow({"c\td", "5", "much too long for it"});
  EXPECT_EQ(table.rows(), 3u);
  EXPECT_EQ(table.Render(),
            "NAME      N  NOTE\n"
            "alpha     1  short\n"
            "b      1234\n"
            "  why it failed\n"
            "c d       5  much...\n");
  EXPECT_EQ(table.Render("> ").substr(0, 20), "> NAME      N  NOTE\n");
}

}  // namespace
}  // namespace archivum::cli

namespace archivum::cli {
namespace {

TEST(CliProgress, FormatsBarCountsRateAndElapsed) {
  EXPECT_EQ(FormatProgress(50, 200, 10.0, 10), "[##--------] 50/200 files  25%  5 files/s  0:10");
  EXPECT_EQ(FormatProgress(0, 0, 0.0, 4), "[####] 0/0 files  100%  0 files/s  0:00");
  EXPECT_EQ(FormatProgress(7, 7, 125.0, 2), "[##] 7/7 files  100%  0 files/s  2:05");
}

TEST(CliProgress, OnlyForATerminalWithoutJsonOrQuiet) {
  IngestOptions options;
  GlobalOptions globals;
  EXPECT_TRUE(WantsProgress(options, globals, true));
  EXPECT_FALSE(WantsProgress(options, globals, false));
  globals.json = true;
  EXPECT_FALSE(WantsProgress(options, globals, true));
  globals.json = false;
  options.quiet = true;
  EXPECT_FALSE(WantsProgress(options, globals, true));
  options.quiet = false;
  options.no_progress = true;
  EXPECT_FALSE(WantsProgress(options, globals, true));
}

}  // namespace
}  // namespace archivum::cli
