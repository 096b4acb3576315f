// SPDX-License-Identifier: Apache-2.0
// Unit tests for ml::read_xlsx: small workbooks built in memory with libzip, one behaviour each,
// including the errors damaged or hostile files must give instead of crashing.
#include "ml/xlsx.hpp"

#include <gtest/gtest.h>
#include <zip.h>

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "ml/error.hpp"

namespace {

using parts = std::map<std::string, std::string>;

/// A zip archive holding `files` (part name -> contents), as bytes.
std::string make_zip(const parts& files) {
  zip_error_t err;
  zip_error_init(&err);
  zip_source_t* src = zip_source_buffer_create(nullptr, 0, 0, &err);
  if (src == nullptr) throw std::runtime_error("zip_source_buffer_create failed");
  zip_t* za = zip_open_from_source(src, ZIP_TRUNCATE, &err);
  if (za == nullptr) {
    zip_source_free(src);
    throw std::runtime_error("zip_open_from_source failed");
  }
  zip_source_keep(src);  // read the bytes back after zip_close
  for (const auto& [name, text] : files) {
    zip_source_t* part = zip_source_buffer(za, text.data(), text.size(), 0);
    if (part == nullptr || zip_file_add(za, name.c_str(), part, ZIP_FL_ENC_UTF_8) < 0) {
      zip_source_free(part);
      zip_discard(za);
      zip_source_free(src);
      throw std::runtime_error("zip_file_add failed");
    }
  }
  if (zip_close(za) < 0) {
    zip_discard(za);
    zip_source_free(src);
    throw std::runtime_error("zip_close failed");
  }
  std::string out;
  if (zip_source_open(src) == 0) {
    zip_source_seek(src, 0, SEEK_END);
    const zip_int64_t size = zip_source_tell(src);
    zip_source_seek(src, 0, SEEK_SET);
    out.resize(static_cast<std::size_t>(size));
    zip_source_read(src, out.data(), out.size());
    zip_source_close(src);
  }
  zip_source_free(src);
  zip_error_fini(&err);
  return out;
}

const std::string main_ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const std::string rel_ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

std::string worksheet(const std::string& sheet_data) {
  return R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
         "<worksheet xmlns=\"" +
         main_ns + "\"><sheetData>" + sheet_data + "</sheetData></worksheet>";
}

std::string shared_strings(const std::string& items) {
  return "<sst xmlns=\"" + main_ns + "\">" + items + "</sst>";
}

/// styles.xml with the given custom <numFmt> elements and one <xf> per numFmtId.
std::string styles(const std::string& num_fmts, const std::vector<int>& xf_ids) {
  std::string xfs;
  for (int id : xf_ids) xfs += "<xf numFmtId=\"" + std::to_string(id) + "\"/>";
  return "<styleSheet xmlns=\"" + main_ns + "\"><numFmts>" + num_fmts + "</numFmts><cellXfs>" +
         xfs + "</cellXfs></styleSheet>";
}

/// A workbook whose sheets (name, part) are listed in order; targets are relative to xl/.
parts workbook(const std::vector<std::pair<std::string, std::string>>& sheets,
               const std::string& workbook_pr = "") {
  std::string list, rels;
  for (std::size_t i = 0; i < sheets.size(); ++i) {
    const auto id = "rId" + std::to_string(i + 1);
    list += "<sheet name=\"" + sheets[i].first + "\" sheetId=\"" + std::to_string(i + 1) +
            "\" r:id=\"" + id + "\"/>";
    rels += "<Relationship Id=\"" + id + "\" Type=\"" + rel_ns + "/worksheet\" Target=\"" +
            sheets[i].second + "\"/>";
  }
  rels += "<Relationship Id=\"rIdS\" Type=\"" + rel_ns +
          "/sharedStrings\" Target=\"sharedStrings.xml\"/>";
  rels += "<Relationship Id=\"rIdT\" Type=\"" + rel_ns + "/styles\" Target=\"styles.xml\"/>";
  const std::string pkg = "http://schemas.openxmlformats.org/package/2006/relationships";
  return {
      {"_rels/.rels", "<Relationships xmlns=\"" + pkg + "\"><Relationship Id=\"rId1\" Type=\"" +
                          rel_ns +
                          "/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"},
      {"xl/workbook.xml", "<workbook xmlns=\"" + main_ns + "\" xmlns:r=\"" + rel_ns + "\">" +
                              workbook_pr + "<sheets>" + list + "</sheets></workbook>"},
      {"xl/_rels/workbook.xml.rels",
       "<Relationships xmlns=\"" + pkg + "\">" + rels + "</Relationships>"},
  };
}

/// A one-sheet workbook with the given sheetData and optional extra parts.
std::string one_sheet(const std::string& sheet_data, const parts& extra = {},
                      const std::string& workbook_pr = "") {
  parts p = workbook({{"Sheet1", "worksheets/sheet1.xml"}}, workbook_pr);
  p["xl/worksheets/sheet1.xml"] = worksheet(sheet_data);
  for (const auto& [name, text] : extra) p[name] = text;
  return make_zip(p);
}

/// The cells of the only row, or a failure if there is not exactly one.
std::vector<std::string> only_row(const std::string& xlsx) {
  const auto sheet = ml::read_xlsx(xlsx, "book.xlsx");
  if (sheet.rows.size() != 1) {
    ADD_FAILURE() << "expected one row, got " << sheet.rows.size();
    return {};
  }
  return sheet.rows[0].cells;
}

/// The message of the ml::error that reading `xlsx` throws, checking its exit code is 65.
std::string error_of(const std::string& xlsx, const std::string& sheet = {}) {
  try {
    ml::read_xlsx(xlsx, "book.xlsx", sheet);
  } catch (const ml::error& e) {
    EXPECT_EQ(e.code(), ml::exit_data);
    return e.what();
  }
  ADD_FAILURE() << "expected an ml::error";
  return {};
}

using cells = std::vector<std::string>;

}  // namespace

TEST(XlsxReader, ReadsSharedStrings) {
  const auto xlsx = one_sheet(
      R"(<row r="1"><c r="A1" t="s"><v>1</v></c><c r="B1" t="s"><v>0</v></c></row>)",
      {{"xl/sharedStrings.xml", shared_strings("<si><t>alpha</t></si><si><t>b &amp; c</t></si>")}});
  EXPECT_EQ(only_row(xlsx), (cells{"b & c", "alpha"}));
}

TEST(XlsxReader, ReadsInlineStrings) {
  const auto xlsx =
      one_sheet(R"(<row r="1"><c r="A1" t="inlineStr"><is><t>hello</t></is></c></row>)");
  EXPECT_EQ(only_row(xlsx), (cells{"hello"}));
}

TEST(XlsxReader, ConcatenatesRichTextRunsAndKeepsSpacesExactly) {
  const auto xlsx = one_sheet(
      R"(<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>)",
      {{"xl/sharedStrings.xml",
        shared_strings(R"(<si><r><rPr><b/></rPr><t>bold</t></r><r><t xml:space="preserve"> and )"
                       R"(plain </t></r><rPh sb="0" eb="1"><t>reading</t></rPh></si>)"
                       R"(<si><t xml:space="preserve">  </t></si>)")}});
  EXPECT_EQ(only_row(xlsx), (cells{"bold and plain ", "  "}));
}

TEST(XlsxReader, DecodesEscapedControlCharacters) {
  const auto xlsx = one_sheet(
      R"(<row r="1"><c r="A1" t="inlineStr"><is><t>a_x000D_b_x005F_x0041_</t></is></c></row>)");
  EXPECT_EQ(only_row(xlsx), (cells{"a\rb_x0041_"}));
}

TEST(XlsxReader, WritesNumbersInShortestRoundTripForm) {
  const auto xlsx = one_sheet(
      R"(<row r="1"><c r="A1"><v>3</v></c><c r="B1" t="n"><v>2.5</v></c>)"
      R"(<c r="C1"><v>0.10000000000000001</v></c><c r="D1"><v>3.0</v></c>)"
      R"(<c r="E1"><v>-1E-3</v></c><c r="F1"><v>1234567</v></c><c r="G1"><v>1.5E-7</v></c>)"
      R"(<c r="H1"><v>41800000.01</v></c></row>)");
  EXPECT_EQ(only_row(xlsx),
            (cells{"3", "2.5", "0.1", "3", "-0.001", "1234567", "1.5e-07", "41800000.01"}));
}

TEST(XlsxReader, ReadsBooleansAsTrueAndFalse) {
  const auto xlsx =
      one_sheet(R"(<row r="1"><c r="A1" t="b"><v>1</v></c><c r="B1" t="b"><v>0</v></c></row>)");
  EXPECT_EQ(only_row(xlsx), (cells{"TRUE", "FALSE"}));
}

TEST(XlsxReader, ReadsErrorCellsAsTheirCode) {
  const auto xlsx = one_sheet(
      R"(<row r="1"><c r="A1" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="B1" t="e"><v>#N/A</v></c>)"
      R"(</row>)");
  EXPECT_EQ(only_row(xlsx), (cells{"#DIV/0!", "#N/A"}));
}

TEST(XlsxReader, ReadsFormulaStringResults) {
  const auto xlsx =
      one_sheet(R"(<row r="1"><c r="A1" t="str"><f>A2&amp;"x"</f><v>text result</v></c></row>)");
  EXPECT_EQ(only_row(xlsx), (cells{"text result"}));
}

TEST(XlsxReader, ConvertsBuiltinDateFormatToIsoDate) {
  const auto xlsx = one_sheet(R"(<row r="1"><c r="A1" s="1"><v>45356</v></c>)"
                              R"(<c r="B1" s="0"><v>45356</v></c></row>)",
                              {{"xl/styles.xml", styles("", {0, 14})}});
  EXPECT_EQ(only_row(xlsx), (cells{"2024-03-05", "45356"}));
}

TEST(XlsxReader, ConvertsCustomDateTimeFormatToIsoDateTime) {
  const auto xlsx = one_sheet(
      R"(<row r="1"><c r="A1" s="1"><v>45356.477453703701</v></c><c r="B1" s="1"><v>45356</v></c>)"
      R"(<c r="C1" s="2"><v>45356.5</v></c></row>)",
      {{"xl/styles.xml", styles(R"(<numFmt numFmtId="164" formatCode="yyyy\-mm\-dd\ hh:mm:ss"/>)"
                                R"(<numFmt numFmtId="165" formatCode="[$-409]d\ mmmm\ yyyy;@"/>)",
                                {0, 164, 165})}});
  EXPECT_EQ(only_row(xlsx),
            (cells{"2024-03-05T11:27:32", "2024-03-05T00:00:00", "2024-03-05T12:00:00"}));
}

TEST(XlsxReader, ConvertsTimeFormatBelowOneDayToTime) {
  const auto xlsx =
      one_sheet(R"(<row r="1"><c r="A1" s="1"><v>0.5</v></c><c r="B1" s="2"><v>0.75</v></c>)"
                R"(<c r="C1" s="1"><v>1.25</v></c></row>)",
                {{"xl/styles.xml",
                  styles(R"(<numFmt numFmtId="164" formatCode="h:mm AM/PM"/>)", {0, 21, 164})}});
  EXPECT_EQ(only_row(xlsx), (cells{"12:00:00", "18:00:00", "1900-01-01T06:00:00"}));
}

TEST(XlsxReader, IgnoresDateLettersInQuotesBracketsAndEscapes) {
  const auto xlsx = one_sheet(
      R"(<row r="1"><c r="A1" s="1"><v>2</v></c><c r="B1" s="2"><v>3.5</v></c>)"
      R"(<c r="C1" s="3"><v>4</v></c></row>)",
      {{"xl/styles.xml", styles(R"(<numFmt numFmtId="164" formatCode="0 &quot;days&quot;"/>)"
                                R"(<numFmt numFmtId="165" formatCode="[Red]0.00;[Blue]-0.00"/>)"
                                R"(<numFmt numFmtId="166" formatCode="0\h\s"/>)",
                                {0, 164, 165, 166})}});
  EXPECT_EQ(only_row(xlsx), (cells{"2", "3.5", "4"}));
}

TEST(XlsxReader, Uses1904DateSystemWhenWorkbookSaysSo) {
  const auto styles_part = parts{{"xl/styles.xml", styles("", {0, 14})}};
  const std::string row =
      R"(<row r="1"><c r="A1" s="1"><v>0</v></c><c r="B1" s="1"><v>366</v></c></row>)";
  EXPECT_EQ(only_row(one_sheet(row, styles_part, R"(<workbookPr date1904="1"/>)")),
            (cells{"1904-01-01", "1905-01-01"}));
  EXPECT_EQ(only_row(one_sheet(row, styles_part, R"(<workbookPr date1904="true"/>)")),
            (cells{"1904-01-01", "1905-01-01"}));
  EXPECT_EQ(only_row(one_sheet(row, styles_part, R"(<workbookPr date1904="0"/>)")),
            (cells{"1899-12-31", "1900-12-31"}));
}

TEST(XlsxReader, Handles1900LeapYearBug) {
  const auto xlsx =
      one_sheet(R"(<row r="1"><c r="A1" s="1"><v>1</v></c><c r="B1" s="1"><v>59</v></c>)"
                R"(<c r="C1" s="1"><v>60</v></c><c r="D1" s="1"><v>61</v></c></row>)",
                {{"xl/styles.xml", styles("", {0, 14})}});
  // Serial 60 is the 1900-02-29 that never was: it stays a number.
  EXPECT_EQ(only_row(xlsx), (cells{"1900-01-01", "1900-02-28", "60", "1900-03-01"}));
}

TEST(XlsxReader, CountsColumnsAndRowsWhenReferencesAreMissing) {
  const auto xlsx = one_sheet(
      R"(<row><c><v>1</v></c><c><v>2</v></c></row>)"
      R"(<row r="5"><c r="C5"><v>3</v></c><c><v>4</v></c></row><row><c><v>5</v></c></row>)");
  const auto sheet = ml::read_xlsx(xlsx, "book.xlsx");
  ASSERT_EQ(sheet.rows.size(), 3U);
  EXPECT_EQ(sheet.rows[0].number, 1);
  EXPECT_EQ(sheet.rows[0].cells, (cells{"1", "2"}));
  EXPECT_EQ(sheet.rows[1].number, 5);
  EXPECT_EQ(sheet.rows[1].cells, (cells{"", "", "3", "4"}));
  EXPECT_EQ(sheet.rows[2].number, 6);
  EXPECT_EQ(sheet.rows[2].cells, (cells{"5"}));
}

TEST(XlsxReader, PadsMissingCellsAndDropsEmptyRows) {
  const auto xlsx =
      one_sheet(R"(<row r="1"><c r="B1"><v>1</v></c><c r="D1"><v>2</v></c><c r="E1" s="0"/></row>)"
                R"(<row r="2"><c r="A2" s="0"/><c r="B2" t="inlineStr"><is><t></t></is></c></row>)"
                R"(<row r="3"><c r="A3"><v>3</v></c></row>)");
  const auto sheet = ml::read_xlsx(xlsx, "book.xlsx");
  ASSERT_EQ(sheet.rows.size(), 2U);
  EXPECT_EQ(sheet.rows[0].cells, (cells{"", "1", "", "2"}));
  EXPECT_EQ(sheet.rows[1].number, 3);
  EXPECT_EQ(sheet.rows[1].cells, (cells{"3"}));
}

TEST(XlsxReader, ChoosesSheetByNameInAnyCaseAndFirstSheetByDefault) {
  parts p = workbook({{"First", "worksheets/sheet1.xml"}, {"Second", "worksheets/sheet2.xml"}});
  p["xl/worksheets/sheet1.xml"] = worksheet(R"(<row r="1"><c r="A1"><v>1</v></c></row>)");
  p["xl/worksheets/sheet2.xml"] = worksheet(R"(<row r="1"><c r="A1"><v>2</v></c></row>)");
  const auto xlsx = make_zip(p);
  const auto first = ml::read_xlsx(xlsx, "book.xlsx");
  EXPECT_EQ(first.name, "First");
  EXPECT_EQ(first.rows.at(0).cells, (cells{"1"}));
  const auto second = ml::read_xlsx(xlsx, "book.xlsx", "Second");
  EXPECT_EQ(second.name, "Second");
  EXPECT_EQ(second.rows.at(0).cells, (cells{"2"}));
  // Excel's sheet names are case-insensitive; an exact match wins, any case will do.
  EXPECT_EQ(ml::read_xlsx(xlsx, "book.xlsx", "SECOND").name, "Second");
}

TEST(XlsxReader, UnknownSheetNameErrorListsTheSheets) {
  parts p = workbook({{"A", "worksheets/sheet1.xml"}, {"B", "worksheets/sheet2.xml"}});
  p["xl/worksheets/sheet1.xml"] = worksheet("");
  p["xl/worksheets/sheet2.xml"] = worksheet("");
  EXPECT_EQ(error_of(make_zip(p), "X"),
            "book.xlsx: no sheet named 'X' (sheets: 'A', 'B'); use --sheet with one of these");
}

TEST(XlsxReader, FollowsAbsoluteRelationshipTargets) {
  parts p = workbook({{"Data", "/xl/worksheets/data.xml"}});
  p["xl/worksheets/data.xml"] = worksheet(R"(<row r="1"><c r="A1"><v>7</v></c></row>)");
  EXPECT_EQ(only_row(make_zip(p)), (cells{"7"}));
}

TEST(XlsxReader, RejectsNonZipInput) {
  EXPECT_EQ(error_of("a,b\n1,2\n"),
            "book.xlsx: not an XLSX file (not a zip archive); if this is a CSV export, check the "
            "file name");
  EXPECT_EQ(error_of(""),
            "book.xlsx: not an XLSX file (not a zip archive); if this is a CSV export, check the "
            "file name");
}

TEST(XlsxReader, RejectsOldXlsAndEncryptedWorkbooks) {
  const std::string ole2("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + std::string(512, '\0'));
  EXPECT_EQ(error_of(ole2),
            "book.xlsx: old .xls and encrypted workbooks are not supported (this is an OLE2 "
            "compound file, not a zip archive); save it as .xlsx without a password, or as CSV");
}

TEST(XlsxReader, RejectsDamagedZip) {
  const auto message = error_of(std::string("PK\x03\x04", 4) + std::string(100, 'x'));
  EXPECT_NE(message.find("book.xlsx: not a readable XLSX file (damaged zip archive: "),
            std::string::npos)
      << message;
}

TEST(XlsxReader, RejectsZipWithoutWorkbook) {
  EXPECT_EQ(error_of(make_zip({{"content.xml", "<x/>"}})),
            "book.xlsx: not an XLSX workbook (no xl/workbook.xml in the zip archive); if this is "
            "an .ods, .docx or other zip file, save it as .xlsx or CSV");
}

TEST(XlsxReader, RejectsMalformedXml) {
  parts p = workbook({{"Sheet1", "worksheets/sheet1.xml"}});
  p["xl/worksheets/sheet1.xml"] = "<worksheet><sheetData><row></sheetData>";
  const auto message = error_of(make_zip(p));
  EXPECT_NE(message.find("book.xlsx: malformed XML in part 'xl/worksheets/sheet1.xml' at byte "),
            std::string::npos)
      << message;
}

TEST(XlsxReader, SharedStringIndexOutOfRangeIsAnError) {
  const auto sst = parts{{"xl/sharedStrings.xml", shared_strings("<si><t>only</t></si>")}};
  EXPECT_EQ(error_of(one_sheet(R"(<row r="3"><c r="B3" t="s"><v>57</v></c></row>)", sst)),
            "book.xlsx: sheet 'Sheet1': cell B3 refers to shared string 57, but the workbook has "
            "1; the file is damaged; re-save it from the spreadsheet program");
  EXPECT_NE(error_of(one_sheet(R"(<row r="1"><c r="A1" t="s"><v>-1</v></c></row>)", sst))
                .find("malformed shared string index '-1'"),
            std::string::npos);
  EXPECT_NE(error_of(one_sheet(R"(<row r="1"><c r="A1" t="s"><v>0</v></c></row>)"))
                .find("refers to shared string 0, but the workbook has 0"),
            std::string::npos);
}

TEST(XlsxReader, CellReferenceBeyondSheetLimitsIsAnError) {
  EXPECT_EQ(error_of(one_sheet(R"(<row r="1"><c r="XFD99999999"><v>1</v></c></row>)")),
            "book.xlsx: sheet 'Sheet1': cell reference 'XFD99999999' is out of range (columns end "
            "at XFD, rows at 1048576); the file is damaged; re-save it from the spreadsheet "
            "program");
  EXPECT_NE(error_of(one_sheet(R"(<row r="1"><c r="XFE1"><v>1</v></c></row>)"))
                .find("cell reference 'XFE1' is out of range"),
            std::string::npos);
  EXPECT_NE(error_of(one_sheet(R"(<row r="1"><c r="AAAAAAAAAAAAAAAA1"><v>1</v></c></row>)"))
                .find("is out of range"),
            std::string::npos);
  EXPECT_NE(error_of(one_sheet(R"(<row r="1"><c r="1A"><v>1</v></c></row>)"))
                .find("malformed cell reference '1A'"),
            std::string::npos);
  EXPECT_NE(error_of(one_sheet(R"(<row r="99999999999999999999"><c><v>1</v></c></row>)"))
                .find("row number '99999999999999999999' is out of range"),
            std::string::npos);
  // XFD1048576 itself is the last cell there is.
  const auto sheet = ml::read_xlsx(
      one_sheet(R"(<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>)"), "book.xlsx");
  ASSERT_EQ(sheet.rows.size(), 1U);
  EXPECT_EQ(sheet.rows[0].cells.size(), 16384U);
}

TEST(XlsxReader, ChartSheetIsAnError) {
  parts p = workbook({{"Chart1", "chartsheets/sheet1.xml"}});
  auto& rels = p["xl/_rels/workbook.xml.rels"];
  rels.replace(rels.find("/worksheet\""), 11, "/chartsheet\"");
  p["xl/chartsheets/sheet1.xml"] = "<chartsheet/>";
  EXPECT_EQ(error_of(make_zip(p)),
            "book.xlsx: sheet 'Chart1' is a chart sheet, which holds no cells (sheets: 'Chart1'); "
            "use --sheet with a worksheet");
}

TEST(XlsxReader, LooksLikeZipChecksTheSignature) {
  EXPECT_TRUE(ml::looks_like_zip(make_zip({{"a", "b"}})));
  EXPECT_TRUE(ml::looks_like_zip(std::string("PK\x05\x06", 4)));
  EXPECT_FALSE(ml::looks_like_zip("PK"));
  EXPECT_FALSE(ml::looks_like_zip("a,b,c\n"));
}
