// SPDX-License-Identifier: Apache-2.0
// Text analysis for ml-concentrate: one idea's text becomes index terms (case-folded, stemmed
// words without stopwords, and bigrams of adjacent words), in the language detected per text.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ml {

/// How an analyzer turns text into terms.
struct analyzer_options {
  /// "" or "auto": detect the language of each text; else an ISO 639-1 code ("en", "es", ...),
  /// used for every text. A region ("pt-BR") is ignored; "nb" and "nn" mean "no"; "und" means
  /// no stemming and no built-in stopwords.
  std::string lang;
  /// The language used when detection is unsure (the caller may set the corpus majority);
  /// "" or "und" leaves such texts unstemmed.
  std::string fallback_lang = "en";
  /// The user's stopwords, any language, applied to all languages; compared case-folded, and
  /// words that share the stem of one of them are dropped too.
  std::vector<std::string> extra_stopwords;
  /// Also emit bigrams of adjacent content words.
  bool bigrams = true;
  /// Pure-ASCII text is split without ICU (the same terms, several times faster); false sends
  /// every text through ICU, for tests and benchmarks.
  bool ascii_fast_path = true;
};

/// One index term and the case-folded words it came from.
struct analyzed_term {
  std::string term;     ///< "night shift": stems, a space between the two of a bigram
  std::string surface;  ///< "night shifts": the case-folded words as written
};

/// Turns texts into index terms. Not thread-safe (the stemmers and caches hold state): use one
/// per thread; construction is cheap (no ICU or stemmer work until the first text needs it).
class analyzer {
 public:
  /// Throws ml::error (usage) for a `lang` or `fallback_lang` that is not a known language code.
  explicit analyzer(const analyzer_options& o);
  ~analyzer();
  analyzer(analyzer&&) noexcept;
  analyzer& operator=(analyzer&&) noexcept;
  analyzer(const analyzer&) = delete;
  analyzer& operator=(const analyzer&) = delete;

  /// The language of `text`, whatever options.lang says: by script first (Han without kana
  /// "zh", kana "ja", Hangul "ko", Thai "th", Cyrillic "ru", Greek "el", Arabic "ar", Hebrew
  /// "he", Devanagari "hi", Armenian "hy", Tamil "ta"), then for Latin script by votes of
  /// stopwords, letters (ñ, ß, ã, ...) and word endings among en, es, fr, de, pt, it, nl, sv,
  /// da, no and fi. No clear winner (a tie or no votes) gives options.fallback_lang; text
  /// without letters, or in another script, gives "und".
  std::string detect_language(std::string_view text);

  /// Appends the index terms of `text`: first the stems of its words in order (stopwords,
  /// numbers and single letters left out; a single CJK character is a word), then if
  /// options.bigrams the bigrams "stemA stemB" of words adjacent once those are left out,
  /// within one clause (none across . ! ? ; : , / ( ) [ ] { } | …, their CJK and other-script
  /// forms, or line breaks). A word repeated gives its term again. `surface` is the
  /// case-folded word (French and Italian elisions and the English possessive 's removed).
  /// Invalid UTF-8 bytes separate words. Returns the language used: options.lang, or the
  /// detected language.
  std::string analyze(std::string_view text, std::vector<analyzed_term>& out);

  /// The same, terms only: the hot path, which builds no surfaces.
  std::string analyze(std::string_view text, std::vector<std::string>& terms);

  /// Reads a user stopword file: UTF-8, one word per line, '#' at the start of a line or
  /// after a blank starts a comment, blank lines ignored, a BOM and CRs tolerated. Returns the
  /// words as written (the analyzer folds them). Throws ml::error: no_input_error if the file
  /// cannot be opened, data_error(file, line, ...) for invalid UTF-8 or two words on a line,
  /// io_error if reading fails.
  static std::vector<std::string> read_stopword_file(const std::string& path);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// The languages with both built-in stopwords and a stemmer, as ISO 639-1 codes, for --help
/// and the man page. Chinese, Japanese, Korean and Thai are split into words but not stemmed.
std::vector<std::string> analyzer_languages();

namespace detail {
/// The built-in stopwords of `lang`, case-folded, in list order; empty if it has none.
std::vector<std::string> builtin_stopwords(std::string_view lang);
/// Case-folds one word as the analyzer does (NFKC_Casefold; curly apostrophes become ').
std::string fold_word(std::string_view word);
}  // namespace detail

}  // namespace ml
