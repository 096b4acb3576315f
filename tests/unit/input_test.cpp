// SPDX-License-Identifier: Apache-2.0
// Unit tests for ml/input.hpp: opening files and pipes, and reading them as UTF-8 whatever
// their encoding (UTF-8 with or without BOM, UTF-16 with or without BOM, Windows-1252, or a
// named encoding), with the warnings and errors each case calls for.
#include "temp_dir.hpp"
#include "ml/input.hpp"

#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "ml/error.hpp"
#include "ml/output.hpp"
#include "ml/utf8.hpp"

namespace ml {
namespace {

using test::temp_dir;

// A pipe whose read end is reachable by a path (/dev/fd/N), fed by a thread: input that
// cannot be rewound, as stdin usually is. Declare it before the byte_input that reads it.
class pipe_feeder {
 public:
  explicit pipe_feeder(std::string data) : data_(std::move(data)) {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
    read_fd_ = fds[0];
    int w = fds[1];
    writer_ = std::thread([this, w] {
      // A reader that stops early must not kill the test with SIGPIPE.
      sigset_t set;
      sigemptyset(&set);
      sigaddset(&set, SIGPIPE);
      pthread_sigmask(SIG_BLOCK, &set, nullptr);
      std::size_t off = 0;
      while (off < data_.size()) {
        ssize_t n = ::write(w, data_.data() + off, data_.size() - off);
        if (n <= 0) break;
        off += static_cast<std::size_t>(n);
      }
      ::close(w);
    });
  }
  ~pipe_feeder() {
    ::close(read_fd_);
    writer_.join();
  }
  pipe_feeder(const pipe_feeder&) = delete;
  pipe_feeder& operator=(const pipe_feeder&) = delete;
  std::string path() const { return "/dev/fd/" + std::to_string(read_fd_); }

 private:
  std::string data_;
  int read_fd_ = -1;
  std::thread writer_;
};

struct decoded {
  std::string text;
  std::string encoding;
  std::vector<std::string> warnings;
  std::vector<std::string> chunks;
};

decoded decode(const std::string& path, const std::string& encoding = "") {
  decoded d;
  byte_input bytes(path);
  text_input text(bytes, encoding, [&](const std::string& w) { d.warnings.push_back(w); });
  std::string chunk;
  while (text.next(chunk)) {
    d.chunks.push_back(chunk);
    d.text += chunk;
    chunk.clear();
  }
  d.encoding = text.encoding();
  return d;
}

std::string utf16(std::u16string_view s, bool little_endian, bool bom) {
  std::string out;
  if (bom) out += little_endian ? "\xFF\xFE" : "\xFE\xFF";
  for (char16_t c : s) {
    char lo = static_cast<char>(c & 0xFF), hi = static_cast<char>(c >> 8);
    if (little_endian) {
      out.push_back(lo);
      out.push_back(hi);
    } else {
      out.push_back(hi);
      out.push_back(lo);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// byte_input

TEST(ByteInput, MissingFileIsExit66) {
  temp_dir dir;
  std::string path = dir.path() + "/no-such-file.csv";
  try {
    byte_input in(path);
    FAIL() << "expected ml::error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), 66);
    EXPECT_EQ(std::string(e.what()), path + ": cannot open: No such file or directory");
  }
}

TEST(ByteInput, DirectoryIsExit66) {
  temp_dir dir;
  try {
    byte_input in(dir.path());
    FAIL() << "expected ml::error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), exit_no_input);
  }
}

TEST(ByteInput, RegularFileIsRewindable) {
  temp_dir dir;
  byte_input in(dir.write("f", "hello"));
  EXPECT_TRUE(in.rewindable());
  EXPECT_EQ(in.size(), 5);
  std::string out;
  EXPECT_EQ(in.read(out, 3), 3u);
  EXPECT_EQ(out, "hel");
  EXPECT_EQ(in.consumed(), 3);
  in.rewind();
  out.clear();
  in.read_all(out, 100);
  EXPECT_EQ(out, "hello");
}

TEST(ByteInput, ReadAllRefusesMoreThanTheLimit) {
  temp_dir dir;
  byte_input in(dir.write("f", std::string(3 << 20, 'x')));
  std::string out;
  try {
    in.read_all(out, 1 << 20);
    FAIL() << "expected ml::error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), 65);
  }
}

TEST(ByteInput, DashIsStdin) {
  byte_input in("-");
  EXPECT_EQ(in.name(), "<stdin>");
}

TEST(ByteInput, PipeIsNotRewindable) {
  pipe_feeder feed("abc");
  byte_input in(feed.path());
  EXPECT_FALSE(in.rewindable());
  EXPECT_EQ(in.size(), -1);
  std::string out;
  in.read_all(out, 100);
  EXPECT_EQ(out, "abc");
}

// ---------------------------------------------------------------------------------------------
// UTF-8

TEST(TextInput, Utf8WithoutBom) {
  temp_dir dir;
  auto d = decode(dir.write("u.csv", "caf\u00e9,\u20ac\n"));
  EXPECT_EQ(d.text, "caf\u00e9,\u20ac\n");
  EXPECT_EQ(d.encoding, "utf-8");
  EXPECT_TRUE(d.warnings.empty());
}

TEST(TextInput, Utf8BomIsStripped) {
  temp_dir dir;
  auto d = decode(dir.write("u.csv", "\xEF\xBB\xBFname,town\nAda,K\u00f6ln\n"));
  EXPECT_EQ(d.text, "name,town\nAda,K\u00f6ln\n");
  EXPECT_EQ(d.encoding, "utf-8-bom");
  EXPECT_TRUE(d.warnings.empty());
}

TEST(TextInput, Utf8BomIsStrippedWhenUtf8IsDeclared) {
  temp_dir dir;
  auto d = decode(dir.write("u.csv", "\xEF\xBB\xBFx\n"), "UTF-8");
  EXPECT_EQ(d.text, "x\n");
}

TEST(TextInput, OnlyABom) {
  temp_dir dir;
  auto d = decode(dir.write("u.csv", "\xEF\xBB\xBF"));
  EXPECT_EQ(d.text, "");
}

TEST(TextInput, EmptyFile) {
  temp_dir dir;
  auto d = decode(dir.write("e.csv", ""));
  EXPECT_EQ(d.text, "");
  EXPECT_TRUE(d.warnings.empty());
}

TEST(TextInput, PeekDoesNotConsume) {
  temp_dir dir;
  byte_input bytes(dir.write("p.csv", "a,b\n1,2\n"));
  text_input text(bytes, "", [](const std::string&) {});
  EXPECT_EQ(text.peek(), "a,b\n1,2\n");
  EXPECT_EQ(text.peek(), "a,b\n1,2\n");
  std::string all, chunk;
  while (text.next(chunk)) {
    all += chunk;
    chunk.clear();
  }
  EXPECT_EQ(all, "a,b\n1,2\n");
}

TEST(TextInput, PrefixBytesAreReadFirst) {
  temp_dir dir;
  byte_input bytes(dir.write("p.csv", "\xEF\xBB\xBFhead\nbody\n"));
  std::string prefix;
  bytes.read(prefix, 6);
  text_input text(
      bytes, "", [](const std::string&) {}, prefix);
  std::string all, chunk;
  while (text.next(chunk)) {
    all += chunk;
    chunk.clear();
  }
  EXPECT_EQ(all, "head\nbody\n");
  EXPECT_EQ(text.encoding(), "utf-8-bom");
}

TEST(TextInput, DeclaredUtf8WithInvalidBytesIsADataErrorWithTheLine) {
  temp_dir dir;
  std::string path = dir.write("bad.csv", "one\ntwo\ncaf\xE9\nfour\n");
  try {
    decode(path, "utf-8");
    FAIL() << "expected ml::error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), 65);
    std::string msg = e.what();
    EXPECT_EQ(msg.rfind(path + ":3: invalid UTF-8 byte 0xE9", 0), 0u) << msg;
  }
}

// The first chunk ends at 64 KiB and the next ones are 1 MiB: split a two-byte and a
// three-byte sequence across those edges.
std::string straddling_text() {
  std::string s(65535, 'a');
  s += "\u00e9";                   // bytes 65535 and 65536
  s += std::string(1048574, 'b');  // up to 65536 + 1 MiB - 1
  s += "\u20ac";                   // bytes 1114111 .. 1114113
  s += "tail\n";
  return s;
}

TEST(TextInput, SequenceSplitAcrossChunksDetected) {
  temp_dir dir;
  std::string s = straddling_text();
  auto d = decode(dir.write("big.csv", s));
  EXPECT_TRUE(d.text == s);
  EXPECT_EQ(d.encoding, "utf-8");
  EXPECT_TRUE(d.warnings.empty());
}

TEST(TextInput, SequenceSplitAcrossChunksDeclared) {
  temp_dir dir;
  std::string s = straddling_text();
  auto d = decode(dir.write("big.csv", s), "utf-8");
  EXPECT_TRUE(d.text == s);
  for (auto& c : d.chunks) EXPECT_EQ(utf8_find_invalid(c), std::string_view::npos);
}

TEST(TextInput, SequenceSplitAcrossChunksFromAPipe) {
  std::string s = straddling_text();
  decoded d;
  {
    pipe_feeder feed(s);
    d = decode(feed.path());
  }
  EXPECT_TRUE(d.text == s);
  EXPECT_EQ(d.encoding, "utf-8");
  EXPECT_TRUE(d.warnings.empty());
  for (auto& c : d.chunks) EXPECT_EQ(utf8_find_invalid(c), std::string_view::npos);
}

TEST(TextInput, TruncatedSequenceAtTheEndIsADataError) {
  temp_dir dir;
  std::string path = dir.write("cut.csv", "a\nb\xE2\x82");
  try {
    decode(path, "utf-8");
    FAIL() << "expected ml::error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), 65);
    EXPECT_EQ(std::string(e.what()).rfind(path + ":2: ", 0), 0u) << e.what();
  }
}

// ---------------------------------------------------------------------------------------------
// UTF-16

TEST(TextInput, Utf16LeWithBom) {
  temp_dir dir;
  auto d = decode(dir.write("u16.csv", utf16(u"q,a\n1,caf\u00e9 \U0001F600\n", true, true)));
  EXPECT_EQ(d.text, "q,a\n1,caf\u00e9 \U0001F600\n");
  EXPECT_EQ(d.encoding, "utf-16le");
  EXPECT_TRUE(d.warnings.empty());
}

TEST(TextInput, Utf16BeWithBom) {
  temp_dir dir;
  auto d = decode(dir.write("u16.csv", utf16(u"q,a\n1,\u00fcber \u20ac\n", false, true)));
  EXPECT_EQ(d.text, "q,a\n1,\u00fcber \u20ac\n");
  EXPECT_EQ(d.encoding, "utf-16be");
  EXPECT_TRUE(d.warnings.empty());
}

TEST(TextInput, Utf16LeWithoutBomIsDetectedWithAWarning) {
  temp_dir dir;
  std::string path =
      dir.write("u16.csv", utf16(u"name,comment\nAda,tr\u00e8s bien\n", true, false));
  auto d = decode(path);
  EXPECT_EQ(d.text, "name,comment\nAda,tr\u00e8s bien\n");
  EXPECT_EQ(d.encoding, "utf-16le");
  ASSERT_EQ(d.warnings.size(), 1u);
  EXPECT_EQ(d.warnings[0].rfind(path + ": ", 0), 0u) << d.warnings[0];
  EXPECT_NE(d.warnings[0].find("UTF-16LE"), std::string::npos) << d.warnings[0];
}

TEST(TextInput, Utf16BeWithoutBomIsDetectedWithAWarning) {
  temp_dir dir;
  auto d = decode(dir.write("u16.csv", utf16(u"name,comment\nBo,fine\n", false, false)));
  EXPECT_EQ(d.text, "name,comment\nBo,fine\n");
  EXPECT_EQ(d.encoding, "utf-16be");
  EXPECT_EQ(d.warnings.size(), 1u);
}

TEST(TextInput, DeclaredUtf16LeNeedsNoWarning) {
  temp_dir dir;
  auto d = decode(dir.write("u16.csv", utf16(u"a,b\n", true, false)), "utf-16le");
  EXPECT_EQ(d.text, "a,b\n");
  EXPECT_TRUE(d.warnings.empty());
}

TEST(TextInput, Utf16LargerThanAChunk) {
  temp_dir dir;
  std::u16string s;
  for (int i = 0; s.size() < 1'500'000; ++i)
    s += u"r\u00e9ponse \U0001F600 " + std::u16string(1, static_cast<char16_t>(u'0' + i % 10)) +
         u"\n";
  auto d = decode(dir.write("u16.csv", utf16(s, true, true)));
  // Re-encode what came back and compare with the source.
  std::u16string back;
  {
    // Minimal UTF-8 -> UTF-16 for the check.
    const std::string& t = d.text;
    for (std::size_t i = 0; i < t.size();) {
      unsigned char c = static_cast<unsigned char>(t[i]);
      char32_t cp;
      std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
      for (std::size_t k = 1; k < len; ++k)
        cp = (cp << 6) | (static_cast<unsigned char>(t[i + k]) & 0x3F);
      i += len;
      if (cp >= 0x10000) {
        back.push_back(static_cast<char16_t>(0xD800 + ((cp - 0x10000) >> 10)));
        back.push_back(static_cast<char16_t>(0xDC00 + ((cp - 0x10000) & 0x3FF)));
      } else {
        back.push_back(static_cast<char16_t>(cp));
      }
    }
  }
  EXPECT_TRUE(back == s);
  EXPECT_EQ(utf8_find_invalid(d.text), std::string_view::npos);
}

TEST(TextInput, Utf16CutInsideACharacterIsADataError) {
  temp_dir dir;
  std::string bytes = utf16(u"a,b\n1,2\n", true, true) + "x";  // one byte too many
  std::string path = dir.write("odd.csv", bytes);
  try {
    decode(path);
    FAIL() << "expected ml::error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), 65);
    EXPECT_EQ(std::string(e.what()).rfind(path + ":", 0), 0u) << e.what();
  }
}

// ---------------------------------------------------------------------------------------------
// Windows-1252 and other named encodings

TEST(TextInput, Windows1252IsDetectedWithOneWarningNamingTheLine) {
  temp_dir dir;
  std::string path = dir.write("w.csv",
                               "id,comment\n1,caf\xE9 \x93quoted\x94 costs \x80"
                               "5\n2,na\xEFve\n");
  auto d = decode(path);
  EXPECT_EQ(d.text, "id,comment\n1,caf\u00e9 \u201cquoted\u201d costs \u20ac5\n2,na\u00efve\n");
  EXPECT_EQ(d.encoding, "windows-1252");
  ASSERT_EQ(d.warnings.size(), 1u);
  EXPECT_EQ(d.warnings[0].rfind(path + ":2: ", 0), 0u) << d.warnings[0];
  EXPECT_NE(d.warnings[0].find("Windows-1252"), std::string::npos) << d.warnings[0];
}

TEST(TextInput, Windows1252InvalidBytesLateInALargeFile) {
  temp_dir dir;
  std::string s;
  for (int i = 0; i < 100'000; ++i) s += "line " + std::to_string(i) + "\n";
  s += "caf\xE9\n";
  std::string path = dir.write("w.csv", s);
  auto d = decode(path);
  EXPECT_EQ(d.encoding, "windows-1252");
  ASSERT_EQ(d.warnings.size(), 1u);
  EXPECT_EQ(d.warnings[0].rfind(path + ":100001: ", 0), 0u) << d.warnings[0];
  EXPECT_EQ(d.text.substr(d.text.size() - 6), "caf\u00e9\n");
}

// A file of 16 MB and more is checked for UTF-8 in parts at once (one per core, each
// beginning at an ASCII byte): the answer must be the one a single pass gives.
std::string big_utf8_lines(std::size_t bytes) {
  std::string s;
  for (int i = 0; s.size() < bytes; ++i)
    s += "row " + std::to_string(i) + ",caf\u00e9 \u20ac\U0001F600 na\u00efve\n";
  return s;
}

long long line_at(const std::string& s, std::size_t pos) {
  return 1 + std::count(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(pos), '\n');
}

// `d` was read as Windows-1252, with one warning, which names `path`:`line`.
void expect_1252_at(const decoded& d, const std::string& path, long long line) {
  EXPECT_EQ(d.encoding, "windows-1252");
  ASSERT_EQ(d.warnings.size(), 1u);
  const std::string want = path + ":" + std::to_string(line) + ": ";
  EXPECT_EQ(d.warnings[0].rfind(want, 0), 0u) << d.warnings[0] << " (want " << want << ")";
}

TEST(TextInput, LargeFileCheckedInPartsIsUtf8) {
  temp_dir dir;
  const std::string s = big_utf8_lines(std::size_t{20} << 20);
  auto d = decode(dir.write("big.csv", s));
  EXPECT_EQ(d.encoding, "utf-8");
  EXPECT_TRUE(d.warnings.empty());
  EXPECT_TRUE(d.text == s);
}

TEST(TextInput, LargeFileCheckedInPartsFindsTheFirstInvalidByte) {
  temp_dir dir;
  std::string s = big_utf8_lines(std::size_t{20} << 20);
  // Invalid bytes in the last part and in the first: the first one is named.
  const std::size_t late = s.find('\n', s.size() * 9 / 10) + 5;
  s[late] = '\xE9';
  const std::size_t early = s.find('\n', s.size() / 10) + 3;
  s[early] = '\xFF';
  const std::string path = dir.write("big.csv", s);
  auto d = decode(path);
  expect_1252_at(d, path, line_at(s, early));

  // Only the late one: found by the part that checks the end.
  s[early] = 'x';
  const std::string late_path = dir.write("late.csv", s);
  auto l = decode(late_path);
  expect_1252_at(l, late_path, line_at(s, late));
}

TEST(TextInput, LargeFileCheckedInPartsUnfinishedCharacterBeforeAPart) {
  temp_dir dir;
  // Two halves around 32 KiB of non-ASCII text that ends in a lead byte without its
  // continuation: the second part begins at the newline after it, so the first part must
  // not take that lead byte for one that goes on in the next chunk.
  const std::string half = big_utf8_lines(std::size_t{10} << 20);
  std::string wide;
  while (wide.size() < (std::size_t{32} << 10)) wide += "\u00e9";
  const std::string s = half + wide + "\xC3\n" + half;
  const std::string path = dir.write("lead.csv", s);
  auto d = decode(path);
  expect_1252_at(d, path, line_at(s, half.size()));
  // Without the lone lead byte it is all UTF-8.
  auto ok = decode(dir.write("ok.csv", half + wide + "\n" + half));
  EXPECT_EQ(ok.encoding, "utf-8");
  EXPECT_TRUE(ok.warnings.empty());
}

TEST(TextInput, LargeFileCheckedInPartsInvalidInTheMiddleOfLongNonAscii) {
  temp_dir dir;
  // Around the middle, 2 MB without an ASCII byte (no part can begin there), with a stray
  // continuation byte in it; and a file that ends inside a character.
  std::string s = big_utf8_lines(std::size_t{9} << 20);
  std::string wide;
  while (wide.size() < (std::size_t{2} << 20)) wide += "\u00e9\u4e2d";
  const std::size_t start = s.size();
  s += wide;
  // A lead byte (of 'é') made a continuation byte, in the middle of that run.
  const std::size_t stray = s.find('\xC3', start + wide.size() / 2);
  ASSERT_LT(stray, start + wide.size());
  s += "\n" + big_utf8_lines(std::size_t{9} << 20);
  const std::string ok = dir.write("ok.csv", s);
  auto good = decode(ok);
  EXPECT_EQ(good.encoding, "utf-8");
  EXPECT_TRUE(good.warnings.empty());

  std::string bad = s;
  bad[stray] = '\x80';
  const std::string path = dir.write("stray.csv", bad);
  auto d = decode(path);
  expect_1252_at(d, path, line_at(bad, stray));

  const std::string cut = dir.write("cut.csv", s + "end \xC3");
  auto e = decode(cut);
  expect_1252_at(e, cut, line_at(s, s.size()));
}

// A file that grows after the check (an export still being written): what was added is
// checked as it is read, and an invalid byte in it is an error naming its line.
TEST(TextInput, FileThatGrowsAfterTheCheck) {
  temp_dir dir;
  const std::string first = "id,comment\n1,caf\u00e9\n";
  for (const bool bad : {false, true}) {
    const std::string path = dir.write(bad ? "bad.csv" : "good.csv", first);
    byte_input bytes(path);
    std::vector<std::string> warnings;
    text_input text(bytes, "", [&](const std::string& w) { warnings.push_back(w); });
    {
      std::ofstream more(path, std::ios::app | std::ios::binary);
      more << "2,na\u00efve\n" << (bad ? "3,caf\xE9\n" : "3,ok\n");
    }
    std::string all, chunk;
    try {
      while (text.next(chunk)) {
        all += chunk;
        chunk.clear();
      }
      EXPECT_FALSE(bad) << "expected an error for the invalid byte added";
      EXPECT_EQ(all, first + "2,na\u00efve\n3,ok\n");
    } catch (const error& e) {
      EXPECT_TRUE(bad) << e.what();
      EXPECT_EQ(e.code(), 65);
      EXPECT_NE(std::string(e.what()).find(":4"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(warnings.empty());
    EXPECT_EQ(text.encoding(), "utf-8");
  }
}

// A file cut short between being opened and being checked: what is left is read (as
// before the check was split), and a character cut in two at the new end is not UTF-8.
TEST(TextInput, FileCutShortAfterItWasOpened) {
  temp_dir dir;
  const std::string s = big_utf8_lines(std::size_t{20} << 20);
  const std::size_t keep = s.find('\n', std::size_t{12} << 20) + 1;
  for (const bool mid_char : {false, true}) {
    const std::string path = dir.write(mid_char ? "cut-mid.csv" : "cut.csv", s);
    byte_input bytes(path);
    // Cut at a line's end, or inside the next line's 'é' (after "row N,caf" and its lead byte).
    const std::size_t at = mid_char ? s.find('\xC3', keep) + 1 : keep;
    ASSERT_EQ(::truncate(path.c_str(), static_cast<off_t>(at)), 0);
    std::vector<std::string> warnings;
    text_input text(bytes, "", [&](const std::string& w) { warnings.push_back(w); });
    std::string all, chunk;
    while (text.next(chunk)) {
      all += chunk;
      chunk.clear();
    }
    if (!mid_char) {
      EXPECT_TRUE(warnings.empty());
      EXPECT_EQ(text.encoding(), "utf-8");
      EXPECT_TRUE(all == s.substr(0, at)) << all.size() << " bytes";
    } else {
      EXPECT_EQ(text.encoding(), "windows-1252");
      ASSERT_EQ(warnings.size(), 1u);
      const std::string want = path + ":" + std::to_string(line_at(s, at - 1)) + ": ";
      EXPECT_EQ(warnings[0].rfind(want, 0), 0u) << warnings[0] << " (want " << want << ")";
    }
  }
}

// The fast check (simdjson's validator) must agree with the byte-by-byte definition: every
// sequence that utf8_sequence_length accepts, nothing else.
TEST(Utf8, FindInvalidAgreesWithTheSequenceRules) {
  std::uint32_t x = 12345;
  auto rnd = [&] { return x = x * 1664525u + 1013904223u, x >> 8; };
  const unsigned char pool[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1,
                                0xC2, 0xDF, 0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF};
  for (int t = 0; t < 200'000; ++t) {
    std::string s(static_cast<std::size_t>(rnd() % 40), 'a');
    for (auto& c : s) c = static_cast<char>(rnd() % 3 ? pool[rnd() % sizeof pool] : 'a' + rnd() % 26);
    std::size_t want = std::string_view::npos;
    for (std::size_t i = 0; i < s.size();) {
      const std::size_t len = utf8_sequence_length(s, i);
      if (len == 0) {
        want = i;
        break;
      }
      i += len;
    }
    ASSERT_EQ(utf8_find_invalid(s), want) << testing::PrintToString(s);
  }
}

TEST(TextInput, Windows1252FromAPipe) {
  decoded d;
  {
    pipe_feeder feed("a\n\x93hi\x94\n");
    d = decode(feed.path());
  }
  EXPECT_EQ(d.text, "a\n\u201chi\u201d\n");
  EXPECT_EQ(d.encoding, "windows-1252");
  ASSERT_EQ(d.warnings.size(), 1u);
  EXPECT_NE(d.warnings[0].find(":2: "), std::string::npos) << d.warnings[0];
}

TEST(TextInput, DeclaredWindows1252GivesNoWarning) {
  temp_dir dir;
  std::string bytes = "caf\xE9 \x80\n";
  EXPECT_EQ(decode(dir.write("w.csv", bytes), "windows-1252").text, "caf\u00e9 \u20ac\n");
  auto d = decode(dir.write("w2.csv", bytes), "cp1252");
  EXPECT_EQ(d.text, "caf\u00e9 \u20ac\n");
  EXPECT_TRUE(d.warnings.empty());
  EXPECT_EQ(d.encoding, "windows-1252");
  EXPECT_EQ(decode(dir.write("w3.csv", "\xE9t\xE9\n"), "latin1").text, "\u00e9t\u00e9\n");
}

TEST(TextInput, DeclaredIcuEncoding) {
  temp_dir dir;
  // ISO-8859-15 has the euro sign at 0xA4.
  auto d = decode(dir.write("l9.csv", "prix \xA4\n"), "ISO-8859-15");
  EXPECT_EQ(d.text, "prix \u20ac\n");
  EXPECT_TRUE(d.warnings.empty());
}

TEST(TextInput, UnknownEncodingIsAUsageError) {
  temp_dir dir;
  byte_input bytes(dir.write("x.csv", "a\n"));
  try {
    text_input text(bytes, "klingon-8", [](const std::string&) {});
    FAIL() << "expected ml::error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), 64);
    EXPECT_NE(std::string(e.what()).find("klingon-8"), std::string::npos) << e.what();
  }
}

TEST(TextInput, PipeWithBom) {
  decoded d;
  {
    pipe_feeder feed("\xEF\xBB\xBFx,y\n1,2\n");
    d = decode(feed.path());
  }
  EXPECT_EQ(d.text, "x,y\n1,2\n");
  EXPECT_EQ(d.encoding, "utf-8-bom");
}

TEST(TextInput, PipeWithInvalidBytesAfterTheFirstMegabyteIsADataError) {
  std::string s;
  for (int i = 0; s.size() < (3u << 20); ++i) s += "row " + std::to_string(i) + "\n";
  long long lines = static_cast<long long>(std::count(s.begin(), s.end(), '\n'));
  s += "caf\xE9\n";
  pipe_feeder feed(s);
  try {
    decode(feed.path());
    FAIL() << "expected ml::error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), 65);
    std::string want = ":";
    want.append(std::to_string(lines + 1)).append(": invalid UTF-8");
    EXPECT_NE(std::string(e.what()).find(want), std::string::npos) << e.what();
  }
}

// A checked UTF-8 file is read where it lies (a mapping). Cut short by another program while
// it is read, the next page past its new end raises SIGBUS: that must end the run with a
// message naming the file, exit 74 and no temporary output left, not a crash.
TEST(TextInputDeathTest, FileCutShortWhileMappedEndsTheRunWithExit74) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  temp_dir dir;
  const std::string s = big_utf8_lines(std::size_t{4} << 20);
  const std::string path = dir.write("cut-while-read.csv", s);
  const std::string out_path = dir.file("out.jsonl");
  EXPECT_EXIT(
      {
        output out(out_path);
        out.write("{\"type\":\"header\"}\n");
        out.flush();
        byte_input bytes(path);
        text_input text(bytes, "", [](const std::string&) {});
        const std::string_view v = text.take_mapped();
        if (v.size() != s.size()) std::_Exit(3);  // not mapped: nothing tested
        if (::truncate(path.c_str(), 4096) != 0) std::_Exit(4);
        volatile char last = v[v.size() - 1];
        (void)last;
        std::_Exit(5);  // read past the end without a signal
      },
      ::testing::ExitedWithCode(74),
      "cut-while-read.csv: the file was cut short while it was being read");
  // The output's temporary file went with it, and no output file was made.
  for (const auto& e : std::filesystem::directory_iterator(dir.path()))
    EXPECT_EQ(e.path().filename().string(), "cut-while-read.csv");
}

// What take_mapped hands out is the text: from after the BOM, to where the check ended;
// next() then gives only what was added to the file since.
TEST(TextInput, TakeMappedIsTheTextAfterTheBomAndNextGoesOnAfterIt) {
  temp_dir dir;
  const std::string body = big_utf8_lines(std::size_t{1} << 20);
  const std::string path = dir.write("bom.csv", "\xEF\xBB\xBF" + body);
  byte_input bytes(path);
  text_input text(bytes, "", [](const std::string&) {});
  EXPECT_EQ(text.peek().substr(0, 10), body.substr(0, 10));
  const std::string_view v = text.take_mapped();
  EXPECT_TRUE(v == body) << v.size() << " bytes";
  EXPECT_EQ(text.encoding(), "utf-8-bom");
  {
    std::ofstream app(path, std::ios::app | std::ios::binary);
    app << "added,caf\xC3\xA9\n";
  }
  std::string rest, chunk;
  while (text.next(chunk)) {
    rest += chunk;
    chunk.clear();
  }
  EXPECT_EQ(rest, "added,caf\xC3\xA9\n");
  EXPECT_TRUE(text.take_mapped().empty());  // once only
}

// Not mapped: a file not valid UTF-8 (read as Windows-1252), text already taken by next().
TEST(TextInput, TakeMappedIsEmptyWhereTheTextMustBeConverted) {
  temp_dir dir;
  const std::string p1252 = dir.write("latin.csv", "a,b\ncaf\xE9,1\n");
  byte_input b1(p1252);
  text_input t1(b1, "", [](const std::string&) {});
  EXPECT_TRUE(t1.take_mapped().empty());
  const std::string putf8 = dir.write("plain.csv", "a,b\n1,2\n");
  byte_input b2(putf8);
  text_input t2(b2, "", [](const std::string&) {});
  std::string chunk;
  ASSERT_TRUE(t2.next(chunk));
  EXPECT_TRUE(t2.take_mapped().empty());
  byte_input b3(putf8);
  text_input t3(b3, "utf-8", [](const std::string&) {});  // declared: not checked, read
  EXPECT_TRUE(t3.take_mapped().empty());
}


// The Rss of the mapping that holds `p`, from /proc/self/smaps (KiB), or -1.
long long mapping_rss_kib(const void* p) {
  std::ifstream in("/proc/self/smaps");
  std::string line;
  const auto at = reinterpret_cast<std::uintptr_t>(p);
  bool inside = false;
  while (std::getline(in, line)) {
    unsigned long lo = 0, hi = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx ", &lo, &hi) == 2) inside = at >= lo && at < hi;
    if (inside && line.rfind("Rss:", 0) == 0) return std::stoll(line.substr(4));
  }
  return -1;
}

// release_mapped lets go of the pages before an offset: they leave the process's memory,
// and the text read through the view afterwards is still the file's.
TEST(TextInput, ReleaseMappedLetsGoOfPagesAndTheViewStillReads) {
  temp_dir dir;
  const std::string s = big_utf8_lines(std::size_t{16} << 20);
  const std::string path = dir.write("big.csv", s);
  byte_input bytes(path);
  text_input text(bytes, "", [](const std::string&) {});
  const std::string_view v = text.take_mapped();
  ASSERT_EQ(v.size(), s.size());
  std::size_t sum = 0;
  for (std::size_t i = 0; i < v.size(); i += 4096) sum += static_cast<unsigned char>(v[i]);
  EXPECT_GT(sum, 0u);
  const long long before = mapping_rss_kib(v.data());
  ASSERT_GE(before, 15 * 1024) << "all 16 MiB touched";
  text.release_mapped(std::size_t{12} << 20);
  const long long after = mapping_rss_kib(v.data());
  EXPECT_LE(after, 4 * 1024 + 64) << "12 MiB let go of";
  EXPECT_TRUE(v == s);  // touched again: mapped again, the same bytes
}
}  // namespace
}  // namespace ml
