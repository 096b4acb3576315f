// SPDX-License-Identifier: Apache-2.0
// Text analysis for ml-concentrate: ICU word segmentation (with an ASCII fast path that splits
// the same way), NFKC case folding, per-text language detection, stopwords, Snowball stems
// cached per analyzer, and bigrams within a clause.
#include "ml/analyze.hpp"

#include <fmt/format.h>
#include <libstemmer.h>
#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/utext.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <limits>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "ml/error.hpp"
#include "ml/input.hpp"
#include "ml/text.hpp"
#include "ml/utf8.hpp"
#include "stopwords.hpp"

namespace ml {
namespace {

using uchar = unsigned char;
using lang_id = std::size_t;

// ---------------------------------------------------------------------------------------------
// Languages

struct language {
  std::string_view code;
  const char* stemmer;  // libstemmer algorithm, or nullptr for none
};

// The first kVoters are the Latin-script languages told apart by stopword votes; the next
// ones are found by their script; the rest only when named in the options.
constexpr language kLanguages[] = {
    {"en", "english"},    {"es", "spanish"},   {"fr", "french"},     {"de", "german"},
    {"pt", "portuguese"}, {"it", "italian"},   {"nl", "dutch"},      {"sv", "swedish"},
    {"da", "danish"},     {"no", "norwegian"}, {"fi", "finnish"},    {"ru", "russian"},
    {"el", "greek"},      {"ar", "arabic"},    {"he", nullptr},      {"hi", "hindi"},
    {"hy", "armenian"},   {"ta", "tamil"},     {"th", nullptr},      {"ko", nullptr},
    {"zh", nullptr},      {"ja", nullptr},     {"ca", "catalan"},    {"eu", "basque"},
    {"ga", "irish"},      {"hu", "hungarian"}, {"id", "indonesian"}, {"lt", "lithuanian"},
    {"ne", "nepali"},     {"ro", "romanian"},  {"sr", "serbian"},    {"tr", "turkish"},
    {"yi", "yiddish"},    {"und", nullptr},
};
constexpr std::size_t kLanguageCount = std::size(kLanguages);
constexpr std::size_t kVoters = 11;

constexpr lang_id id_of(std::string_view code) {
  for (lang_id i = 0; i < kLanguageCount; ++i)
    if (kLanguages[i].code == code) return i;
  return kLanguageCount;
}

constexpr lang_id kEn = id_of("en"), kEs = id_of("es"), kFr = id_of("fr"), kDe = id_of("de"),
                  kPt = id_of("pt"), kIt = id_of("it"), kNl = id_of("nl"), kSv = id_of("sv"),
                  kDa = id_of("da"), kNo = id_of("no"), kFi = id_of("fi"), kCa = id_of("ca"),
                  kUnd = id_of("und");
static_assert(kFi == kVoters - 1 && kUnd == kLanguageCount - 1);
static_assert(kVoters <= 16, "votes are a 16-bit mask");

// "pt-BR" -> "pt", "NB" -> "no"; nullopt for an unknown code.
std::optional<lang_id> parse_lang(std::string_view s) {
  std::string code;
  for (char c : s) {
    if (c == '-' || c == '_') break;
    code.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
  }
  if (code == "nb" || code == "nn") code = "no";
  lang_id id = id_of(code);
  if (id == kLanguageCount) return std::nullopt;
  return id;
}

std::string known_codes() {
  std::string out;
  for (const language& l : kLanguages) {
    if (!out.empty()) out += ", ";
    out += l.code;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

// A quick hash for short words, eight bytes at a time (std::hash showed in profiles). Output
// never depends on it: no table is iterated to produce terms.
struct word_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    const char* p = s.data();
    std::size_t n = s.size();
    std::uint64_t h = 0x9E3779B97F4A7C15ULL * (n + 1);
    for (; n >= 8; p += 8, n -= 8) {
      std::uint64_t w;
      std::memcpy(&w, p, 8);
      h = (h ^ w) * 0xFF51AFD7ED558CCDULL;
      h ^= h >> 32;
    }
    std::uint64_t w = 0;
    std::memcpy(&w, p, n);
    h = (h ^ w) * 0xC4CEB9FE1A85EC53ULL;
    return static_cast<std::size_t>(h ^ (h >> 29));
  }
};
using string_set = std::unordered_set<std::string, word_hash, std::equal_to<>>;

// Calls f(word, exact_only) for each word of a built-in list ('#' comments, '=' marks).
template <typename F>
void for_each_listed(std::string_view text, F f) {
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    const char c = text[i];
    if (c == '#') {
      while (i < n && text[i] != '\n') ++i;
    } else if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      ++i;
    } else {
      std::size_t j = i;
      while (j < n && text[j] != ' ' && text[j] != '\n' && text[j] != '\t' && text[j] != '\r') ++j;
      std::string_view w = text.substr(i, j - i);
      const bool exact = w.front() == '=';
      if (exact) w.remove_prefix(1);
      if (!w.empty()) f(w, exact);
      i = j;
    }
  }
}

// The code point at s[i] of valid UTF-8, advancing i.
char32_t next_code_point(std::string_view s, std::size_t& i) noexcept {
  const auto* p = reinterpret_cast<const uchar*>(s.data());
  const uchar c = p[i];
  std::size_t len = 1;
  char32_t cp = c;
  if (c >= 0xF0) {
    len = 4;
    cp = c & 0x07u;
  } else if (c >= 0xE0) {
    len = 3;
    cp = c & 0x0Fu;
  } else if (c >= 0xC0) {
    len = 2;
    cp = c & 0x1Fu;
  }
  if (i + len > s.size()) {  // cannot happen on valid UTF-8; stay safe anyway
    i = s.size();
    return 0xFFFD;
  }
  for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (p[i + k] & 0x3Fu);
  i += len;
  return cp;
}

bool is_han_kana_hangul(char32_t cp) noexcept {
  return (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x31F0 && cp <= 0x31FF) ||
         (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
         (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3FFFF) ||
         (cp >= 0xAC00 && cp <= 0xD7AF) || (cp >= 0x1100 && cp <= 0x11FF) ||
         (cp >= 0x3130 && cp <= 0x318F) || (cp >= 0xFF66 && cp <= 0xFF9F);
}

// A single code point that is not a CJK character: a lone letter, too short to be a term.
bool is_single_letter(std::string_view w) noexcept {
  if (w.empty()) return false;
  std::size_t i = 0;
  const char32_t cp = next_code_point(w, i);
  return i == w.size() && !is_han_kana_hangul(cp);
}

// ASCII characters as UAX #29 word breaking (ICU's root rules) sees them.
enum ascii_class : std::uint8_t {
  a_other,
  a_letter,
  a_at,  // '@' is a letter to ICU's root rules (for e-mail addresses), if not to us
  a_digit,
  a_extend,     // '_' (ExtendNumLet) joins letters and digits
  a_midnumlet,  // '.' and '\'' join letter.letter and digit.digit
  a_midnum,     // ',' and ';' join digit,digit
};
constexpr std::uint8_t kBreakBit = 0x80;

constexpr std::array<std::uint8_t, 128> kAscii = [] {
  std::array<std::uint8_t, 128> t{};
  for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] = a_letter;
  for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<std::size_t>(c)] = a_letter;
  for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = a_digit;
  t['@'] = a_at;
  t['_'] = a_extend;
  t['\''] = a_midnumlet;
  t['.'] = a_midnumlet;
  t[','] = a_midnum;
  t[';'] = a_midnum;
  for (char c : std::string_view(".!?;:,()[]{}/|\n\r\v\f")) t[static_cast<uchar>(c)] |= kBreakBit;
  return t;
}();

constexpr std::uint8_t ascii_class_of(uchar c) noexcept {
  return c < 128 ? static_cast<std::uint8_t>(kAscii[c] & ~kBreakBit) : std::uint8_t{a_other};
}

// Punctuation that ends a clause: bigrams are not formed across it.
bool is_clause_break(char32_t cp) noexcept {
  if (cp < 0x80) return (kAscii[cp] & kBreakBit) != 0;
  // NEL, ¡ ¿, Greek question mark, Arabic comma, semicolon, question mark and full stop,
  // Devanagari dandas, bullet, ellipsis, line and paragraph separators, ‼ ⁇ ⁈ ⁉, CJK
  // comma, full stop and brackets, and the full-width and half-width forms of . ! ( ) , : ; ?
  static constexpr char32_t kBreaks[] = {
      0x85,   0xA1,   0xBF,   0x37E,  0x60C,  0x61B,  0x61F,  0x6D4,  0x964,
      0x965,  0x2022, 0x2026, 0x2028, 0x2029, 0x203C, 0x2047, 0x2048, 0x2049,
      0x3001, 0x3002, 0x300C, 0x300D, 0x300E, 0x300F, 0x3010, 0x3011, 0xFF01,
      0xFF08, 0xFF09, 0xFF0C, 0xFF0E, 0xFF1A, 0xFF1B, 0xFF1F, 0xFF61, 0xFF64};
  return std::binary_search(std::begin(kBreaks), std::end(kBreaks), cp);
}

bool has_clause_break(std::string_view s) noexcept {
  for (std::size_t i = 0; i < s.size();)
    if (is_clause_break(next_code_point(s, i))) return true;
  return false;
}

bool has_letter(std::string_view s) noexcept {
  for (std::size_t i = 0; i < s.size();)
    if (u_isalpha(static_cast<UChar32>(next_code_point(s, i)))) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Case folding

const icu::Normalizer2& casefold() {
  static const icu::Normalizer2* const instance = [] {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* n = icu::Normalizer2::getNFKCCasefoldInstance(status);
    if (U_FAILURE(status) || n == nullptr)
      throw error(exit_internal,
                  fmt::format("ICU NFKC_Casefold data is missing: {}", u_errorName(status)));
    return n;
  }();
  return *instance;
}

// Appends the case-folded `word` to `out`. NFKC_Casefold is full Unicode case folding ("ß" to
// "ss", final sigma to sigma) plus NFKC, so full-width letters, ligatures and text that was
// not normalised fold to the same form. Curly apostrophes become "'" so that "don’t" is
// "don't"; the rare spaces that NFKC introduces (in some Arabic ligatures) are removed.
void fold_append(std::string& out, std::string_view word) {
  const std::size_t start = out.size();
  if (is_ascii(word)) {
    for (char c : word) out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
    return;
  }
  UErrorCode status = U_ZERO_ERROR;
  icu::StringByteSink<std::string> sink(&out);
  casefold().normalizeUTF8(0, icu::StringPiece(word.data(), static_cast<std::int32_t>(word.size())),
                           sink, nullptr, status);
  if (U_FAILURE(status)) {
    out.resize(start);
    out.append(word);
  }
  std::size_t w = start;
  for (std::size_t r = start; r < out.size();) {
    if (out[r] == ' ') {
      ++r;
    } else if (out.compare(r, 3, "\u2019") == 0 || out.compare(r, 3, "\u2018") == 0) {
      out[w++] = '\'';
      r += 3;
    } else {
      out[w++] = out[r++];
    }
  }
  out.resize(w);
}

// ---------------------------------------------------------------------------------------------
// Language detection

enum script : std::uint8_t {
  s_latin,
  s_cyrillic,
  s_greek,
  s_arabic,
  s_hebrew,
  s_devanagari,
  s_armenian,
  s_tamil,
  s_thai,
  s_hangul,
  s_han,
  s_kana,
  s_other,
  s_count
};

script script_of(char32_t cp) noexcept {
  if (cp < 0x80) return ((cp | 0x20) - 'a' < 26) ? s_latin : s_other;
  if (cp < 0x250) return (cp >= 0xC0 && cp != 0xD7 && cp != 0xF7) ? s_latin : s_other;
  if (cp >= 0x370 && cp <= 0x3FF) return s_greek;
  if (cp >= 0x400 && cp <= 0x52F) return s_cyrillic;
  if (cp >= 0x531 && cp <= 0x58F) return s_armenian;
  if (cp >= 0x590 && cp <= 0x5FF) return s_hebrew;
  if ((cp >= 0x600 && cp <= 0x6FF) || (cp >= 0x750 && cp <= 0x77F) ||
      (cp >= 0xFB50 && cp <= 0xFDFF) || (cp >= 0xFE70 && cp <= 0xFEFF))
    return s_arabic;
  if (cp >= 0x900 && cp <= 0x97F) return s_devanagari;
  if (cp >= 0xB80 && cp <= 0xBFF) return s_tamil;
  if (cp >= 0xE00 && cp <= 0xE7F) return s_thai;
  if ((cp >= 0x1100 && cp <= 0x11FF) || (cp >= 0x3130 && cp <= 0x318F) ||
      (cp >= 0xAC00 && cp <= 0xD7AF))
    return s_hangul;
  if (cp >= 0x1E00 && cp <= 0x1EFF) return s_latin;
  if (cp >= 0x1F00 && cp <= 0x1FFF) return s_greek;
  if ((cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0x31F0 && cp <= 0x31FF) ||
      (cp >= 0xFF66 && cp <= 0xFF9F))
    return s_kana;
  if ((cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
      (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3FFFF))
    return s_han;
  if ((cp >= 0xFF21 && cp <= 0xFF3A) || (cp >= 0xFF41 && cp <= 0xFF5A)) return s_latin;
  return s_other;
}

using votes = std::array<int, kVoters>;

constexpr std::uint16_t bit(lang_id l) { return static_cast<std::uint16_t>(1u << l); }

struct letter_vote {
  char32_t letter;      // lower case
  std::uint16_t langs;  // voting languages
  int weight;
};

// Letters that point to languages: two votes for a letter of one language, one for a letter
// that a few share.
constexpr letter_vote kLetterVotes[] = {
    {U'ñ', bit(kEs), 2},
    {U'¿', bit(kEs), 2},
    {U'¡', bit(kEs), 2},
    {U'ß', bit(kDe), 2},
    {U'ẞ', bit(kDe), 2},
    {U'ü', bit(kDe), 2},
    {U'ã', bit(kPt), 2},
    {U'õ', bit(kPt), 2},
    {U'ì', bit(kIt), 2},
    {U'ò', bit(kIt), 2},
    {U'î', bit(kFr), 2},
    {U'û', bit(kFr), 2},
    {U'œ', bit(kFr), 2},
    {U'ç', bit(kFr) | bit(kPt), 1},
    {U'ä', bit(kDe) | bit(kSv) | bit(kFi), 1},
    {U'ö', bit(kDe) | bit(kSv) | bit(kFi), 1},
    {U'å', bit(kSv) | bit(kDa) | bit(kNo), 1},
    {U'æ', bit(kDa) | bit(kNo), 1},
    {U'ø', bit(kDa) | bit(kNo), 1},
    {U'à', bit(kFr) | bit(kIt) | bit(kPt), 1},
    {U'è', bit(kFr) | bit(kIt), 1},
    {U'ù', bit(kFr) | bit(kIt), 1},
    {U'â', bit(kFr) | bit(kPt), 1},
    {U'ê', bit(kFr) | bit(kPt), 1},
    {U'ô', bit(kFr) | bit(kPt), 1},
    {U'ë', bit(kFr) | bit(kNl), 1},
    {U'ï', bit(kFr) | bit(kNl), 1},
    {U'á', bit(kEs) | bit(kPt), 1},
    {U'í', bit(kEs) | bit(kPt), 1},
    {U'ó', bit(kEs) | bit(kPt), 1},
    {U'ú', bit(kEs) | bit(kPt), 1},
};

void letter_votes(char32_t cp, votes& v) noexcept {
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
    cp += 0x20;  // Latin-1 capitals
  else if (cp == 0x152)
    cp = 0x153;  // Œ
  for (const letter_vote& lv : kLetterVotes) {
    if (lv.letter != cp) continue;
    for (unsigned m = lv.langs; m != 0; m &= m - 1) v[std::countr_zero(m)] += lv.weight;
    return;
  }
}

struct suffix_vote {
  std::string_view suffix;
  lang_id lang;
};

// Word endings typical of one language, one vote each, for words of six bytes or more.
constexpr suffix_vote kSuffixVotes[] = {
    {"ing", kEn},    {"ness", kEn}, {"ful", kEn},  {"ción", kEs}, {"ciones", kEs}, {"idad", kEs},
    {"idades", kEs}, {"ção", kPt},  {"ções", kPt}, {"dade", kPt}, {"dades", kPt},  {"ée", kFr},
    {"ées", kFr},    {"eux", kFr},  {"euse", kFr}, {"ité", kFr},  {"ités", kFr},   {"ung", kDe},
    {"ungen", kDe},  {"keit", kDe}, {"heit", kDe}, {"lich", kDe}, {"schaft", kDe}, {"zione", kIt},
    {"zioni", kIt},  {"ità", kIt},  {"heid", kNl}, {"lijk", kNl}, {"lijke", kNl},
};

// Which voting languages list each word as a stopword.
using vote_map = std::unordered_map<std::string_view, std::uint16_t, word_hash, std::equal_to<>>;

const vote_map& stopword_votes() {
  static const vote_map table = [] {
    vote_map m;
    for (lang_id l = 0; l < kVoters; ++l)
      for_each_listed(
          detail::builtin_stopword_text(kLanguages[l].code),
          [&](std::string_view w, bool) { m[w] |= static_cast<std::uint16_t>(1u << l); });
    return m;
  }();
  return table;
}

// ---------------------------------------------------------------------------------------------
// Per-language stopwords, stemmer and stem cache

// What a folded word becomes in one language.
struct stem_entry {
  std::string stem;
  std::uint16_t front = 0;  // bytes cut at the front for the surface (an elision "l'")
  std::uint16_t back = 0;   // bytes cut at the back (a possessive "'s")
  bool drop = false;        // a stopword, or shares a stopword's stem
};

// Elided articles and prepositions written before an apostrophe ("l'entreprise").
bool is_elision(lang_id lang, std::string_view p) noexcept {
  static constexpr std::string_view kFrench[] = {"l",      "d",      "j",      "m",     "n",
                                                 "s",      "t",      "c",      "qu",    "jusqu",
                                                 "lorsqu", "puisqu", "quoiqu", "presqu"};
  static constexpr std::string_view kItalian[] = {
      "l",    "d",   "c",    "s",    "m",    "t",    "v",     "n",     "un",
      "dell", "all", "dall", "nell", "sull", "coll", "quest", "quell", "nessun"};
  static constexpr std::string_view kCatalan[] = {"l", "d", "s", "m", "t", "n"};
  auto in = [&](const auto& list) {
    return std::find(std::begin(list), std::end(list), p) != std::end(list);
  };
  if (lang == kFr) return in(kFrench);
  if (lang == kIt) return in(kItalian);
  if (lang == kCa) return in(kCatalan);
  return false;
}

class lang_state {
 public:
  lang_state(lang_id id, const std::vector<std::string>& extras) : id_(id) {
    if (const char* algorithm = kLanguages[id].stemmer) {
      stemmer_ = sb_stemmer_new(algorithm, "UTF_8");
      if (stemmer_ == nullptr)
        throw error(exit_internal, fmt::format("libstemmer has no {} stemmer", algorithm));
    }
    for_each_listed(detail::builtin_stopword_text(kLanguages[id].code),
                    [&](std::string_view w, bool exact) {
                      // Folded here too: NFKC decomposes the Thai vowel sara am (U+0E33).
                      std::string f;
                      fold_append(f, w);
                      if (!exact) stop_stems_.insert(stem(f));
                      stop_.insert(std::move(f));
                    });
    for (const std::string& w : extras) {
      stop_.insert(w);
      stop_stems_.insert(stem(w));
    }
  }
  ~lang_state() {
    if (stemmer_ != nullptr) sb_stemmer_delete(stemmer_);
  }
  lang_state(const lang_state&) = delete;
  lang_state& operator=(const lang_state&) = delete;

  // What `word` (case-folded) becomes in this language.
  stem_entry compute(std::string_view word) {
    stem_entry e;
    if (stop_.find(word) != stop_.end()) {
      e.drop = true;
      return e;
    }
    std::string_view w = word;
    if (const std::size_t q = w.find('\''); q != std::string_view::npos && q > 0 &&
                                            q + 1 < w.size() && is_elision(id_, w.substr(0, q))) {
      w.remove_prefix(q + 1);
      e.front = static_cast<std::uint16_t>(q + 1);
    }
    // Snowball's English stemmer strips "'s" itself; cutting it here keeps it out of surfaces.
    if (id_ == kEn && w.size() > 2 && w.ends_with("'s")) {
      w.remove_suffix(2);
      e.back = 2;
    }
    if (w.size() != word.size() && (stop_.find(w) != stop_.end() || is_single_letter(w))) {
      e.drop = true;
      return e;
    }
    e.stem = stem(w);
    e.drop = stop_stems_.find(e.stem) != stop_stems_.end();
    return e;
  }

 private:
  std::string stem(std::string_view w) {
    if (stemmer_ == nullptr || w.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
      return std::string(w);
    const sb_symbol* s = sb_stemmer_stem(stemmer_, reinterpret_cast<const sb_symbol*>(w.data()),
                                         static_cast<int>(w.size()));
    if (s == nullptr) return std::string(w);  // out of memory in libstemmer: keep the word
    return std::string(reinterpret_cast<const char*>(s),
                       static_cast<std::size_t>(sb_stemmer_length(stemmer_)));
  }

  lang_id id_;
  sb_stemmer* stemmer_ = nullptr;
  string_set stop_;
  string_set stop_stems_;
};

constexpr std::uint8_t kNoLang = 0xFF;
static_assert(kLanguageCount < kNoLang);

// What the analyzer knows of one folded word: its language votes, and its stem entry in each
// language it was seen in (nearly always one).
struct word_info {
  std::string word;                // case-folded
  std::uint16_t stop_votes = 0;    // voting languages that list it as a stopword
  std::uint16_t suffix_votes = 0;  // voting languages its ending points to
  std::uint8_t lang0 = kNoLang;    // the language of form0
  stem_entry form0;
  std::vector<std::pair<std::uint8_t, stem_entry>> more;

  const stem_entry& form(lang_id lang, lang_state& st) {
    if (lang0 == lang) return form0;
    if (lang0 == kNoLang) {
      lang0 = static_cast<std::uint8_t>(lang);
      form0 = st.compute(word);
      return form0;
    }
    for (auto& [l, e] : more)
      if (l == lang) return e;
    // Within one text a word has one language, so this never moves an entry handed out for
    // the same text.
    more.emplace_back(static_cast<std::uint8_t>(lang), st.compute(word));
    return more.back().second;
  }
};

word_info make_word_info(std::string_view w) {
  word_info info;
  info.word = w;
  const vote_map& table = stopword_votes();
  if (auto it = table.find(w); it != table.end()) info.stop_votes = it->second;
  if (w.size() >= 6)
    for (const suffix_vote& sv : kSuffixVotes)
      if (w.ends_with(sv.suffix)) info.suffix_votes |= static_cast<std::uint16_t>(1u << sv.lang);
  return info;
}

// The words an analyzer has seen: open addressing over a flat array of slots, as the lookup
// of each word is the hot path and std::unordered_map costs a division and two dependent
// pointer loads per lookup. Entries live in a deque, so references stay valid as it grows.
class word_table {
 public:
  word_table() : slots_(1024) {}

  word_info& get(std::string_view w) {
    if (slots_.size() < 2 * (infos_.size() + 1)) grow();
    const std::uint64_t h = word_hash{}(w);
    const auto tag = static_cast<std::uint32_t>(h >> 32);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = static_cast<std::size_t>(h) & mask;; i = (i + 1) & mask) {
      slot& s = slots_[i];
      if (s.index == 0) {
        infos_.push_back(make_word_info(w));
        s = {tag, static_cast<std::uint32_t>(infos_.size())};
        return infos_.back();
      }
      if (s.tag == tag && infos_[s.index - 1].word == w) return infos_[s.index - 1];
    }
  }

  std::size_t size() const noexcept { return infos_.size(); }

  void clear() {
    infos_.clear();
    slots_.assign(1024, slot{});
  }

 private:
  struct slot {
    std::uint32_t tag = 0;    // high half of the hash
    std::uint32_t index = 0;  // 1 + index into infos_; 0 for an empty slot
  };

  void grow() {
    std::vector<slot> bigger(slots_.size() * 2);
    const std::size_t mask = bigger.size() - 1;
    for (std::size_t k = 0; k < infos_.size(); ++k) {
      const std::uint64_t h = word_hash{}(infos_[k].word);
      std::size_t i = static_cast<std::size_t>(h) & mask;
      while (bigger[i].index != 0) i = (i + 1) & mask;
      bigger[i] = {static_cast<std::uint32_t>(h >> 32), static_cast<std::uint32_t>(k + 1)};
    }
    slots_.swap(bigger);
  }

  std::vector<slot> slots_;
  std::deque<word_info> infos_;
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// analyzer

struct analyzer::impl {
  struct token {
    std::uint32_t off, len;  // in buf
    std::uint32_t clause;
    bool tiny;  // a single letter: votes for a language, but is no term
    word_info* info;
  };
  struct content {
    const stem_entry* entry;
    std::uint32_t off, len, clause;
  };

  bool auto_lang = true;
  lang_id fixed = kEn;
  lang_id fallback = kEn;
  bool bigrams = true;
  bool ascii_fast_path = true;
  std::vector<std::string> extras;  // folded
  std::array<std::unique_ptr<lang_state>, kLanguageCount> states;
  // Every word seen, cleared between texts when it grows past kWordLimit to bound memory.
  word_table words;
  static constexpr std::size_t kWordLimit = std::size_t{1} << 18;

  UBreakIterator* breaker = nullptr;
  UText* utext = nullptr;

  std::string buf;  // folded tokens of the current text, back to back
  std::vector<token> tokens;
  std::vector<content> contents;
  std::string repaired;
  std::uint32_t clause = 0;

  explicit impl(const analyzer_options& o)
      : bigrams(o.bigrams), ascii_fast_path(o.ascii_fast_path) {
    if (!o.lang.empty() && o.lang != "auto") {
      auto id = parse_lang(o.lang);
      if (!id)
        throw usage_error(fmt::format("unknown language '{}' (expected auto or one of: {})", o.lang,
                                      known_codes()));
      auto_lang = false;
      fixed = *id;
    }
    if (o.fallback_lang.empty()) {
      fallback = kUnd;
    } else {
      auto id = parse_lang(o.fallback_lang);
      if (!id)
        throw usage_error(fmt::format("unknown fallback language '{}' (expected one of: {})",
                                      o.fallback_lang, known_codes()));
      fallback = *id;
    }
    for (const std::string& w : o.extra_stopwords) {
      std::string f;
      fold_append(f, trim(w));
      if (!f.empty()) extras.push_back(std::move(f));
    }
  }

  ~impl() {
    if (breaker != nullptr) ubrk_close(breaker);
    if (utext != nullptr) utext_close(utext);
  }
  impl(const impl&) = delete;
  impl& operator=(const impl&) = delete;

  lang_state& state(lang_id id) {
    if (!states[id]) states[id] = std::make_unique<lang_state>(id, extras);
    return *states[id];
  }

  void push_token(std::size_t start, bool tiny) {
    tokens.push_back({static_cast<std::uint32_t>(start),
                      static_cast<std::uint32_t>(buf.size() - start), clause, tiny, nullptr});
  }

  // Splits pure ASCII as ICU's word rules would: letters, '@', digits and '_' run together;
  // "'" and "." join letters ("don't", "e.g"), and "'", ".", "," and ";" join digits
  // ("1,000"). A token without a letter (a number, "_", "@") is no word.
  void tokenize_ascii(std::string_view text) {
    const auto* p = reinterpret_cast<const uchar*>(text.data());
    const std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
      std::uint8_t k = ascii_class_of(p[i]);
      if (k != a_letter && k != a_at && k != a_digit && k != a_extend) {
        if (kAscii[p[i]] & kBreakBit) ++clause;
        ++i;
        continue;
      }
      const std::size_t start = i;
      bool letters = k == a_letter;
      std::uint8_t prev = k;
      for (++i; i < n; ++i) {
        k = ascii_class_of(p[i]);
        if (k == a_letter || k == a_at || k == a_digit || k == a_extend) {
          letters |= k == a_letter;
          prev = k;
          continue;
        }
        if (i + 1 >= n) break;
        const std::uint8_t next = ascii_class_of(p[i + 1]);
        const auto alpha = [](std::uint8_t c) { return c == a_letter || c == a_at; };
        if (k == a_midnumlet && alpha(prev) && alpha(next)) {
          letters |= next == a_letter;
          ++i;
        } else if ((k == a_midnumlet || k == a_midnum) && prev == a_digit && next == a_digit) {
          ++i;
        } else {
          break;
        }
      }
      if (!letters) continue;  // a number
      const std::size_t off = buf.size();
      for (std::size_t j = start; j < i; ++j) {
        const char c = text[j];
        buf.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
      }
      push_token(off, i - start == 1);
    }
  }

  void tokenize_icu(std::string_view text) {
    UErrorCode status = U_ZERO_ERROR;
    if (breaker == nullptr) {
      breaker = ubrk_open(UBRK_WORD, "", nullptr, 0, &status);
      if (U_FAILURE(status)) {
        breaker = nullptr;
        throw error(exit_internal,
                    fmt::format("ICU word break iterator unavailable: {}", u_errorName(status)));
      }
    }
    utext = utext_openUTF8(utext, text.data(), static_cast<std::int64_t>(text.size()), &status);
    ubrk_setUText(breaker, utext, &status);
    if (U_FAILURE(status))
      throw error(exit_internal, fmt::format("ICU word breaking failed: {}", u_errorName(status)));
    std::int32_t start = ubrk_first(breaker);
    for (std::int32_t end = ubrk_next(breaker); end != UBRK_DONE;
         start = end, end = ubrk_next(breaker)) {
      const std::string_view seg =
          text.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(end - start));
      const std::int32_t status_tag = ubrk_getRuleStatus(breaker);
      if (status_tag < UBRK_WORD_NONE_LIMIT) {
        if (has_clause_break(seg)) ++clause;
        continue;
      }
      // Numbers, and "_" or "@" on their own, are no words.
      if (status_tag < UBRK_WORD_LETTER_LIMIT && !has_letter(seg)) continue;
      const std::size_t off = buf.size();
      fold_append(buf, seg);
      if (buf.size() == off) continue;
      push_token(off, is_single_letter(std::string_view(buf).substr(off)));
    }
  }

  struct split_text {
    std::string_view text;  // valid UTF-8
    bool ascii;
  };

  split_text tokenize(std::string_view text) {
    buf.clear();
    tokens.clear();
    clause = 0;
    if (text.size() > std::numeric_limits<std::int32_t>::max() / 2)
      text = text.substr(0, std::numeric_limits<std::int32_t>::max() / 2);
    const bool ascii = is_ascii(text);
    if (!ascii && utf8_find_invalid(text) != std::string_view::npos) {
      repaired = utf8_repair(text);  // bad bytes become U+FFFD, which separates words
      text = repaired;
    }
    if (ascii && ascii_fast_path)
      tokenize_ascii(text);
    else
      tokenize_icu(text);
    if (words.size() >= kWordLimit) words.clear();
    for (token& t : tokens) {
      const std::string_view w = std::string_view(buf).substr(t.off, t.len);
      t.info = &words.get(w);
    }
    return {text, ascii};
  }

  lang_id decide_latin(votes& v) const {
    for (const token& t : tokens) {
      for (unsigned m = t.info->stop_votes; m != 0; m &= m - 1) v[std::countr_zero(m)] += 2;
      for (unsigned m = t.info->suffix_votes; m != 0; m &= m - 1) ++v[std::countr_zero(m)];
    }
    const int best = *std::max_element(v.begin(), v.end());
    if (best == 0 || std::count(v.begin(), v.end(), best) > 1) return fallback;
    return static_cast<lang_id>(std::find(v.begin(), v.end(), best) - v.begin());
  }

  lang_id detect(const split_text& s) {
    votes v{};
    if (s.ascii) return tokens.empty() ? kUnd : decide_latin(v);
    std::array<int, s_count> letters{};
    for (std::size_t i = 0; i < s.text.size();) {
      const char32_t cp = next_code_point(s.text, i);
      if (cp < 0x80) {
        if ((cp | 0x20) - 'a' < 26) ++letters[s_latin];
        continue;
      }
      letter_votes(cp, v);  // before the letter test: ¿ and ¡ vote too
      if (u_isalpha(static_cast<UChar32>(cp))) ++letters[script_of(cp)];
    }
    // One CJK character carries about as much as a short word.
    letters[s_han] *= 3;
    letters[s_kana] *= 3;
    letters[s_hangul] *= 2;
    letters[s_other] = 0;
    const auto top = std::max_element(letters.begin(), letters.end());
    if (*top == 0) return kUnd;
    switch (static_cast<script>(top - letters.begin())) {
      case s_latin:
        return decide_latin(v);
      case s_cyrillic:
        return id_of("ru");
      case s_greek:
        return id_of("el");
      case s_arabic:
        return id_of("ar");
      case s_hebrew:
        return id_of("he");
      case s_devanagari:
        return id_of("hi");
      case s_armenian:
        return id_of("hy");
      case s_tamil:
        return id_of("ta");
      case s_thai:
        return id_of("th");
      case s_hangul:
        return id_of("ko");
      case s_han:
      case s_kana:
        return letters[s_kana] > 0 ? id_of("ja") : id_of("zh");
      default:
        return kUnd;
    }
  }

  // Tokenizes, picks the language and fills `contents` with the words that become terms.
  lang_id prepare(std::string_view text) {
    const split_text s = tokenize(text);
    const lang_id lang = auto_lang ? detect(s) : fixed;
    lang_state& st = state(lang);
    contents.clear();
    for (const token& t : tokens) {
      if (t.tiny) continue;
      const stem_entry& e = t.info->form(lang, st);
      if (e.drop) continue;
      contents.push_back({&e, t.off, t.len, t.clause});
    }
    return lang;
  }

  std::string_view surface(const content& c) const {
    return std::string_view(buf).substr(c.off + c.entry->front,
                                        c.len - c.entry->front - c.entry->back);
  }
};

analyzer::analyzer(const analyzer_options& o) : impl_(std::make_unique<impl>(o)) {}
analyzer::~analyzer() = default;
analyzer::analyzer(analyzer&&) noexcept = default;
analyzer& analyzer::operator=(analyzer&&) noexcept = default;

std::string analyzer::detect_language(std::string_view text) {
  return std::string(kLanguages[impl_->detect(impl_->tokenize(text))].code);
}

std::string analyzer::analyze(std::string_view text, std::vector<std::string>& terms) {
  impl& m = *impl_;
  const lang_id lang = m.prepare(text);
  for (const impl::content& c : m.contents) terms.push_back(c.entry->stem);
  if (m.bigrams) {
    for (std::size_t i = 1; i < m.contents.size(); ++i) {
      const impl::content& a = m.contents[i - 1];
      const impl::content& b = m.contents[i];
      if (a.clause != b.clause) continue;
      std::string& t = terms.emplace_back();
      t.reserve(a.entry->stem.size() + 1 + b.entry->stem.size());
      t.append(a.entry->stem).append(1, ' ').append(b.entry->stem);
    }
  }
  return std::string(kLanguages[lang].code);
}

std::string analyzer::analyze(std::string_view text, std::vector<analyzed_term>& out) {
  impl& m = *impl_;
  const lang_id lang = m.prepare(text);
  for (const impl::content& c : m.contents)
    out.push_back({c.entry->stem, std::string(m.surface(c))});
  if (m.bigrams) {
    for (std::size_t i = 1; i < m.contents.size(); ++i) {
      const impl::content& a = m.contents[i - 1];
      const impl::content& b = m.contents[i];
      if (a.clause != b.clause) continue;
      analyzed_term& t = out.emplace_back();
      t.term.append(a.entry->stem).append(1, ' ').append(b.entry->stem);
      t.surface.append(m.surface(a)).append(1, ' ').append(m.surface(b));
    }
  }
  return std::string(kLanguages[lang].code);
}

std::vector<std::string> analyzer::read_stopword_file(const std::string& path) {
  byte_input in(path);
  std::string data;
  in.read_all(data, std::size_t{64} << 20);
  std::vector<std::string> words;
  std::string_view rest = data;
  if (rest.starts_with("\xEF\xBB\xBF")) rest.remove_prefix(3);
  long long line_no = 0;
  while (!rest.empty()) {
    ++line_no;
    const std::size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
    if (utf8_find_invalid(line) != std::string_view::npos)
      throw data_error(in.name(), line_no, "invalid UTF-8; save the stopword file as UTF-8");
    // '#' starts a comment at the start of a line or after a blank, so "c#" stays a word.
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
        line = line.substr(0, i);
        break;
      }
    }
    line = trim(line);
    if (line.empty()) continue;
    if (line.find_first_of(" \t") != std::string_view::npos)
      throw data_error(in.name(), line_no,
                       fmt::format("\"{}\" is more than one word; write one word per line", line));
    words.emplace_back(line);
  }
  return words;
}

std::vector<std::string> analyzer_languages() {
  std::vector<std::string> out;
  for (const language& l : kLanguages)
    if (l.stemmer != nullptr && !detail::builtin_stopword_text(l.code).empty())
      out.emplace_back(l.code);
  return out;
}

namespace detail {

std::vector<std::string> builtin_stopwords(std::string_view lang) {
  std::vector<std::string> out;
  for_each_listed(builtin_stopword_text(lang),
                  [&](std::string_view w, bool) { out.emplace_back(w); });
  return out;
}

std::string fold_word(std::string_view word) {
  std::string out;
  fold_append(out, word);
  return out;
}

}  // namespace detail

}  // namespace ml
