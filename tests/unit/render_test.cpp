// SPDX-License-Identifier: Apache-2.0
// Show that hostile text is made safe wherever people read it: HTML, Markdown, spreadsheet
// cells and file names.
#include "ml/render.hpp"

#include <gtest/gtest.h>

namespace ml {
namespace {

TEST(DisplayText, ControlAndBidiCharactersCannotHideText) {
  EXPECT_EQ(display_text("a\x01" "b\x7f" "c"), "a b c");
  EXPECT_EQ(display_text("evil\xE2\x80\xAE" "txt.exe"), "eviltxt.exe");  // U+202E
  EXPECT_EQ(display_text("x\xE2\x81\xA6y\xE2\x81\xA9"), "xy");           // U+2066, U+2069
  EXPECT_EQ(display_text("line\r\nnext\rlast"), "line next last");
  EXPECT_EQ(display_text("line\r\nnext", true), "line\nnext");
  EXPECT_EQ(display_text("bad \xff byte"), "bad \xEF\xBF\xBD byte");
  EXPECT_EQ(display_text("caf\xC3\xA9 \xE5\xB7\xA5\xE4\xBD\x9C"), "caf\xC3\xA9 \xE5\xB7\xA5\xE4\xBD\x9C");
}

TEST(HtmlEscape, EscapesMarkupAndQuotes) {
  EXPECT_EQ(html_escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
  EXPECT_EQ(html_escape("<img src=x onerror=alert(1)>"), "&lt;img src=x onerror=alert(1)&gt;");
}

TEST(MarkdownEscape, NoLinksImagesHtmlOrHeadings) {
  EXPECT_EQ(markdown_escape("[click](http://evil)"), "\\[click\\](http://evil)");
  EXPECT_EQ(markdown_escape("![x](y)"), "!\\[x\\](y)");
  EXPECT_EQ(markdown_escape("<b>hi</b>"), "&lt;b&gt;hi&lt;/b&gt;");
  EXPECT_EQ(markdown_escape("# not a heading"), "\\# not a heading");
  EXPECT_EQ(markdown_escape("- not a list"), "\\- not a list");
  EXPECT_EQ(markdown_escape("1. not a list"), "1\\. not a list");
  EXPECT_EQ(markdown_escape("*bold* _it_ `code` a|b"), "\\*bold\\* \\_it\\_ \\`code\\` a\\|b");
  EXPECT_EQ(markdown_escape("a\\*b"), "a\\\\\\*b");
  EXPECT_EQ(markdown_escape("two\nlines"), "two lines");
  // Ordinary punctuation stays readable.
  EXPECT_EQ(markdown_escape("Fix the toilets (now), please."), "Fix the toilets (now), please.");
}

TEST(CsvField, NeutralisesFormulasAndQuotes) {
  EXPECT_EQ(csv_field("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"");
  EXPECT_EQ(csv_field("+1"), "'+1");
  EXPECT_EQ(csv_field("-2"), "'-2");
  EXPECT_EQ(csv_field("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(csv_field(""), "");
}

TEST(SafeFileStem, NoPathsNoDotsNoControlCharacters) {
  EXPECT_EQ(safe_file_stem("../../etc/passwd"), "etc-passwd");
  EXPECT_EQ(safe_file_stem("..\\..\\x"), "x");
  EXPECT_EQ(safe_file_stem(".hidden"), "hidden");
  EXPECT_EQ(safe_file_stem("North region"), "North-region");
  EXPECT_EQ(safe_file_stem("a\x01\nb"), "a-b");
  EXPECT_EQ(safe_file_stem(""), "unit");
  EXPECT_EQ(safe_file_stem("../"), "unit");
  EXPECT_EQ(safe_file_stem("CON"), "CON_");
  EXPECT_EQ(safe_file_stem("com1"), "com1_");
  EXPECT_EQ(safe_file_stem("Lpt9"), "Lpt9_");
  EXPECT_EQ(safe_file_stem("COM10"), "COM10");
  EXPECT_EQ(safe_file_stem("S\xC3\xA3o Paulo"), "S\xC3\xA3o-Paulo");
  EXPECT_EQ(safe_file_stem("\xE5\x8C\x97\xE4\xBA\xAC"), "\xE5\x8C\x97\xE4\xBA\xAC");
  std::string longname(200, 'x');
  EXPECT_EQ(safe_file_stem(longname).size(), 60u);
  // Cut on a character boundary: 30 two-byte letters and one more do not fit in 60 bytes.
  std::string wide;
  for (int i = 0; i < 31; ++i) wide += "\xC3\xA9";
  EXPECT_EQ(safe_file_stem(wide).size(), 60u);
}

TEST(FileStems, UniqueWithoutRegardToCase) {
  file_stems stems({"index"});
  EXPECT_EQ(stems.make("Ashby"), "Ashby");
  EXPECT_EQ(stems.make("ashby"), "ashby-2");
  EXPECT_EQ(stems.make("ASHBY"), "ASHBY-3");
  EXPECT_EQ(stems.make("Index"), "Index-2");
  EXPECT_EQ(stems.make("a/b"), "a-b");
  EXPECT_EQ(stems.make("a b"), "a-b-2");
}

}  // namespace
}  // namespace ml
