// SPDX-License-Identifier: Apache-2.0
// Making hostile text safe where people read it: HTML, Markdown, spreadsheet cells and file
// names. Text from respondents and organisations is never trusted; nothing here executes,
// fetches or interprets it.
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>

namespace ml {

/// Text fit for display: invalid UTF-8 becomes U+FFFD, control characters (C0, DEL, C1)
/// become spaces, bidirectional override and isolate characters (U+202A-U+202E,
/// U+2066-U+2069) are removed, so no text can reorder or hide what follows it.
/// `keep_newlines` keeps LF (CR LF and CR become LF) for multi-line text.
std::string display_text(std::string_view s, bool keep_newlines = false);

/// HTML text or attribute value: display_text() then & < > " ' as character references.
std::string html_escape(std::string_view s);

/// Markdown inline text: display_text() on one line, then every ASCII punctuation
/// character that Markdown or its HTML passes through could give meaning to
/// (\ ` * _ { } [ ] ( ) # + - . ! | < > ~ & and more) escaped with a backslash, so the
/// text shows as written and no link, image, heading or raw HTML comes of it.
std::string markdown_escape(std::string_view s);

/// One CSV field (comma-delimited, RFC 4180): display_text(), a cell that begins with
/// = + - @, tab or CR gets a leading apostrophe so that no spreadsheet reads it as a
/// formula, and the field is quoted when it holds a comma, quote or line break.
std::string csv_field(std::string_view s);

/// A file name stem made from a name given by people: letters and digits of any script are
/// kept, everything else (path separators, dots, spaces, control characters) becomes a
/// single '-', trimmed, cut to at most 60 bytes on a character boundary; an empty result is
/// "unit"; names Windows reserves (CON, PRN, AUX, NUL, COM1-9, LPT1-9) get a trailing "_".
/// Never contains '/', '\\', "..", or begins with '.' or '-'.
std::string safe_file_stem(std::string_view name);

/// Hands out unique file name stems: safe_file_stem(), then "-2", "-3", ... when a stem is
/// taken, compared without regard to ASCII case (file systems that fold case).
class file_stems {
 public:
  /// `reserved` stems are never handed out (e.g. "index").
  explicit file_stems(std::initializer_list<std::string_view> reserved = {});
  std::string make(std::string_view name);

 private:
  std::unordered_set<std::string> taken_;  // lower-cased
};

}  // namespace ml
