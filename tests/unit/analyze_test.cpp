// SPDX-License-Identifier: Apache-2.0
// Unit tests for ml/analyze.hpp: segmentation, case folding, stopwords, stemming, bigrams and
// language detection of survey ideas, and the user stopword file.
#include "ml/analyze.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ml/error.hpp"
#include "temp_dir.hpp"

namespace ml {
namespace {

using list = std::vector<std::string>;

analyzer_options with_lang(std::string lang) {
  analyzer_options o;
  o.lang = std::move(lang);
  return o;
}

list terms_of(std::string_view text, const analyzer_options& o = {}) {
  analyzer a(o);
  list out;
  a.analyze(text, out);
  return out;
}

bool contains(const list& l, std::string_view s) {
  return std::find(l.begin(), l.end(), s) != l.end();
}

// ---------------------------------------------------------------------------------------------
// English: stopwords, stems, bigrams, surfaces

TEST(Analyzer, StemsEnglishAndDropsStopwords) {
  EXPECT_EQ(terms_of("The night shifts are too long"),
            (list{"night", "shift", "long", "night shift", "shift long"}));
}

TEST(Analyzer, ReturnsTheLanguageUsed) {
  analyzer a({});
  list out;
  EXPECT_EQ(a.analyze("The night shifts are too long", out), "en");
  EXPECT_EQ(a.analyze("Los turnos de noche son demasiado largos", out), "es");
}

TEST(Analyzer, GivesSurfacesAsWrittenButCaseFolded) {
  analyzer a({});
  std::vector<analyzed_term> out;
  a.analyze("Night Shifts are EXHAUSTING", out);
  ASSERT_EQ(out.size(), 5u);
  EXPECT_EQ(out[0].term, "night");
  EXPECT_EQ(out[0].surface, "night");
  EXPECT_EQ(out[1].term, "shift");
  EXPECT_EQ(out[1].surface, "shifts");
  EXPECT_EQ(out[2].term, "exhaust");
  EXPECT_EQ(out[2].surface, "exhausting");
  EXPECT_EQ(out[3].term, "night shift");
  EXPECT_EQ(out[3].surface, "night shifts");
  EXPECT_EQ(out[4].term, "shift exhaust");
  EXPECT_EQ(out[4].surface, "shifts exhausting");
}

TEST(Analyzer, SurfacesLeaveOutPossessivesAndElisions) {
  analyzer a({});
  std::vector<analyzed_term> out;
  a.analyze("The company's canteen", out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].term, "compani");
  EXPECT_EQ(out[0].surface, "company");
  EXPECT_EQ(out[2].surface, "company canteen");

  out.clear();
  analyzer fr(with_lang("fr"));
  fr.analyze("L'entreprise et l'ambiance", out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].term, "entrepris");
  EXPECT_EQ(out[0].surface, "entreprise");
  EXPECT_EQ(out[1].surface, "ambiance");
}

TEST(Analyzer, TermsAndSurfacesAgree) {
  const std::string_view text = "Más comunicación entre los equipos, por favor. ¡Gracias!";
  analyzer a({});
  list terms;
  std::vector<analyzed_term> full;
  EXPECT_EQ(a.analyze(text, terms), a.analyze(text, full));
  ASSERT_EQ(terms.size(), full.size());
  for (std::size_t i = 0; i < terms.size(); ++i) EXPECT_EQ(terms[i], full[i].term);
}

TEST(Analyzer, AppendsToTheOutput) {
  analyzer a({});
  list out{"kept"};
  a.analyze("parking", out);
  a.analyze("parking", out);  // the second time from the stem cache
  EXPECT_EQ(out, (list{"kept", "park", "park"}));
}

TEST(Analyzer, KeepsRepeatedWords) {
  EXPECT_EQ(terms_of("pay pay pay"), (list{"pay", "pay", "pay", "pay pay", "pay pay"}));
}

TEST(Analyzer, BigramsCanBeTurnedOff) {
  analyzer_options o;
  o.bigrams = false;
  EXPECT_EQ(terms_of("The night shifts are too long", o), (list{"night", "shift", "long"}));
}

TEST(Analyzer, BigramsJoinWordsAdjacentOnceStopwordsAreGone) {
  EXPECT_EQ(terms_of("parking for the staff"), (list{"park", "staff", "park staff"}));
}

TEST(Analyzer, BigramsStopAtClauseBoundaries) {
  for (std::string_view sep : {".", "!", "?", ";", ":", ",", "\n", "\r\n", " (", ") ", " / ",
                               " \u2026 ", "\u3002", "\u00bf"}) {
    const std::string text = "pay" + std::string(sep) + " hours";
    EXPECT_EQ(terms_of(text, with_lang("en")), (list{"pay", "hour"})) << text;
  }
  // Hyphens, quotes and ampersands do not end a clause.
  EXPECT_EQ(terms_of("part-time"), (list{"part", "time", "part time"}));
  EXPECT_EQ(terms_of("\"canteen\" food"), (list{"canteen", "food", "canteen food"}));
  EXPECT_EQ(terms_of("Pay is low. Hours are long and rotas change"),
            (list{"pay", "low", "hour", "long", "rota", "chang", "pay low", "hour long",
                  "long rota", "rota chang"}));
}

TEST(Analyzer, DropsNumbersWithoutBreakingBigrams) {
  EXPECT_EQ(terms_of("3 night 12 shifts in 2024, 1,000.50 hours"),
            (list{"night", "shift", "hour", "night shift"}));
  // Words with digits in them are words.
  EXPECT_EQ(terms_of("covid19 10am"), (list{"covid19", "10am", "covid19 10am"}));
}

TEST(Analyzer, DropsSingleLatinLetters) {
  EXPECT_EQ(terms_of("x y vitamin d"), (list{"vitamin"}));
  // A single Chinese character is a word.
  EXPECT_TRUE(contains(terms_of("钱"), "钱"));
}

TEST(Analyzer, DropsNegationsAsStopwords) {
  EXPECT_EQ(terms_of("No parking, nothing at all"), (list{"park"}));
}

TEST(Analyzer, DropsWordsSharingAStopwordStemUnlessMarkedExact) {
  analyzer_options o;
  o.extra_stopwords = {"Hospital"};
  EXPECT_EQ(terms_of("hospitals and HOSPITAL wards", o), (list{"ward"}));
  // "quite" is a stopword, but "quit" shares its stem and is kept.
  EXPECT_EQ(terms_of("People quit because the pay is quite low"),
            (list{"peopl", "quit", "pay", "low", "peopl quit", "quit pay", "pay low"}));
}

TEST(Analyzer, HandlesContractionsWithAnyApostrophe) {
  EXPECT_EQ(terms_of("I don't like it"), list{});
  EXPECT_EQ(terms_of("I don\u2019t like it, it\u2019s ok"), list{});
  EXPECT_EQ(terms_of("dont know"), (list{"know"}));
}

TEST(Analyzer, AppliesExtraStopwordsToEveryLanguage) {
  analyzer_options o;
  o.extra_stopwords = {"  Empresa ", "firma", ""};
  EXPECT_EQ(terms_of("La empresa no paga bien", o), (list{"pag"}));
  EXPECT_EQ(terms_of("Die Firma zahlt uns schlecht", o),
            (list{"zahlt", "schlecht", "zahlt schlecht"}));
}

// ---------------------------------------------------------------------------------------------
// Other languages

TEST(Analyzer, StemsSpanishFrenchGermanPortugueseItalianDutch) {
  EXPECT_EQ(terms_of("Los turnos de noche son demasiado largos"),
            (list{"turn", "noch", "larg", "turn noch", "noch larg"}));
  EXPECT_EQ(terms_of("Les horaires de nuit sont trop longs"),
            (list{"horair", "nuit", "long", "horair nuit", "nuit long"}));
  EXPECT_EQ(terms_of("Die Nachtschichten sind zu lang"),
            (list{"nachtschicht", "lang", "nachtschicht lang"}));
  EXPECT_EQ(terms_of("Os turnos da noite são muito longos"),
            (list{"turn", "noit", "long", "turn noit", "noit long"}));
  EXPECT_EQ(terms_of("I turni di notte sono troppo lunghi"),
            (list{"turn", "nott", "lung", "turn nott", "nott lung"}));
  EXPECT_EQ(terms_of("De nachtdiensten zijn veel te lang"),
            (list{"nachtdienst", "lang", "nachtdienst lang"}));
}

TEST(Analyzer, StripsFrenchAndItalianElisions) {
  EXPECT_EQ(terms_of("C'est l'ambiance qu'il faut changer", with_lang("fr")),
            (list{"ambianc", "faut", "chang", "ambianc faut", "faut chang"}));
  EXPECT_EQ(terms_of("Il clima dell'azienda", with_lang("it")), (list{"clim", "azi", "clim azi"}));
}

TEST(Analyzer, UsesTheGivenLanguageForEveryText) {
  analyzer a(with_lang("es"));
  list out;
  EXPECT_EQ(a.analyze("The night shifts are too long", out), "es");
  EXPECT_TRUE(contains(out, "shifts"));  // not stemmed as English
  analyzer b(with_lang("pt-BR"));
  EXPECT_EQ(b.analyze("salários", out), "pt");
  analyzer c(with_lang("NB"));
  EXPECT_EQ(c.analyze("lønn", out), "no");
}

TEST(Analyzer, RejectsAnUnknownLanguage) {
  try {
    analyzer a(with_lang("xx"));
    FAIL() << "no error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), exit_usage);
    EXPECT_NE(std::string(e.what()).find("unknown language 'xx'"), std::string::npos);
  }
  analyzer_options o;
  o.fallback_lang = "klingon";
  EXPECT_THROW(analyzer{o}, error);
}

TEST(Analyzer, LeavesUndeterminedTextUnstemmed) {
  analyzer a(with_lang("und"));
  list out;
  EXPECT_EQ(a.analyze("The night shifts", out), "und");
  EXPECT_EQ(out, (list{"the", "night", "shifts", "the night", "night shifts"}));
}

TEST(Analyzer, SplitsChineseJapaneseAndThaiIntoWords) {
  const list zh = terms_of("我们需要更多的停车位");
  EXPECT_GE(zh.size(), 3u);
  EXPECT_TRUE(contains(zh, "停车位"));
  EXPECT_FALSE(contains(zh, "的"));  // a particle
  EXPECT_FALSE(contains(zh, "我们需要更多的停车位"));

  const list ja = terms_of("私たちはもっと駐車場が必要です");
  EXPECT_GE(ja.size(), 3u);
  EXPECT_TRUE(contains(ja, "必要"));
  EXPECT_FALSE(contains(ja, "は"));
  EXPECT_FALSE(contains(ja, "です"));

  const list th = terms_of("เราต้องการที่จอดรถมากขึ้น");
  EXPECT_GE(th.size(), 3u);
  EXPECT_TRUE(contains(th, "รถ"));
  EXPECT_FALSE(contains(th, "เรา"));
}

TEST(Analyzer, StemsRussian) {
  EXPECT_EQ(terms_of("Нам нужно больше парковочных мест"),
            (list{"нужн", "парковочн", "мест", "нужн парковочн", "парковочн мест"}));
}

// ---------------------------------------------------------------------------------------------
// Language detection

TEST(DetectLanguage, FindsLatinLanguagesByStopwordsAndLetters) {
  analyzer a({});
  EXPECT_EQ(a.detect_language("The canteen is closed in the evening"), "en");
  EXPECT_EQ(a.detect_language("La cantina está cerrada por la noche"), "es");
  EXPECT_EQ(a.detect_language("La cantine est fermée le soir"), "fr");
  EXPECT_EQ(a.detect_language("Die Kantine ist abends geschlossen"), "de");
  EXPECT_EQ(a.detect_language("A cantina está fechada à noite"), "pt");
  EXPECT_EQ(a.detect_language("La mensa è chiusa di sera"), "it");
  EXPECT_EQ(a.detect_language("De kantine is 's avonds gesloten"), "nl");
  EXPECT_EQ(a.detect_language("Kantinen är stängd på kvällen och det är dåligt"), "sv");
  EXPECT_EQ(a.detect_language("Mehr Wertschätzung"), "de");  // ä, ß-less ending -ung
  EXPECT_EQ(a.detect_language("Más comunicación"), "es");    // accents and -ción
  EXPECT_EQ(a.detect_language("¿Por qué?"), "es");
}

TEST(DetectLanguage, FallsBackWhenUnsure) {
  analyzer a({});
  EXPECT_EQ(a.detect_language("Salario"), "en");  // no votes
  analyzer_options o;
  o.fallback_lang = "es";
  analyzer b(o);
  EXPECT_EQ(b.detect_language("Salario"), "es");
  EXPECT_EQ(b.detect_language("in"), "es");  // a tie between English, German, Dutch, Italian
  list out;
  EXPECT_EQ(b.analyze("Salarios bajos", out), "es");
  EXPECT_EQ(out, (list{"salari", "baj", "salari baj"}));
  o.fallback_lang = "";
  analyzer c(o);
  EXPECT_EQ(c.detect_language("Salario"), "und");
}

TEST(DetectLanguage, FindsOtherLanguagesByScript) {
  analyzer a({});
  EXPECT_EQ(a.detect_language("我们需要更多的停车位"), "zh");
  EXPECT_EQ(a.detect_language("駐車場が必要です"), "ja");
  EXPECT_EQ(a.detect_language("カフェテリア"), "ja");
  EXPECT_EQ(a.detect_language("주차 공간이 부족합니다"), "ko");
  EXPECT_EQ(a.detect_language("ที่จอดรถไม่พอ"), "th");
  EXPECT_EQ(a.detect_language("Нам нужно больше мест"), "ru");
  EXPECT_EQ(a.detect_language("Χρειαζόμαστε περισσότερο χώρο"), "el");
  EXPECT_EQ(a.detect_language("نحتاج إلى مواقف سيارات"), "ar");
  EXPECT_EQ(a.detect_language("Das Wort 停车位"), "zh");  // three Han count more than 7 letters
}

TEST(DetectLanguage, GivesUndWithoutLetters) {
  analyzer a({});
  EXPECT_EQ(a.detect_language(""), "und");
  EXPECT_EQ(a.detect_language("123 -- !!!"), "und");
  EXPECT_EQ(a.detect_language("\U0001F44D\U0001F44D"), "und");
}

// ---------------------------------------------------------------------------------------------
// Unicode

TEST(Analyzer, CaseFoldsFully) {
  const analyzer_options und = with_lang("und");
  EXPECT_EQ(terms_of("STRASSE Straße straße", und),
            (list{"strasse", "strasse", "strasse", "strasse strasse", "strasse strasse"}));
  // Greek capital sigma and final sigma both fold to sigma.
  EXPECT_EQ(terms_of("ΟΔΟΣ οδος", und), (list{"οδοσ", "οδοσ", "οδοσ οδοσ"}));
  // Full-width letters and ligatures fold to plain letters (NFKC).
  EXPECT_EQ(terms_of("\uff30\uff21\uff39 o\ufb03ce", und), (list{"pay", "office", "pay office"}));
  // Turkish dotted capital I folds either way; it must not crash.
  EXPECT_EQ(terms_of("\u0130stanbul", und).size(), 1u);
  // Decomposed input folds to the same term as composed input.
  EXPECT_EQ(terms_of("cafe\u0301", und), terms_of("caf\u00e9", und));
}

TEST(Analyzer, GermanSharpSMatchesSs) {
  EXPECT_EQ(terms_of("Straße", with_lang("de")), terms_of("STRASSE", with_lang("de")));
  EXPECT_EQ(terms_of("Ich weiß, dass es Spaß macht", with_lang("de")),
            terms_of("ich weiss, daß es spass macht", with_lang("de")));
}

TEST(Analyzer, SurvivesInvalidUtf8) {
  analyzer a({});
  list out;
  a.analyze("caf\xC3 \xFF\xFEparking \xE2\x80", out);
  EXPECT_TRUE(contains(out, "park"));
  out.clear();
  a.analyze("night\xFFshift", out);  // bad bytes separate words
  EXPECT_EQ(out, (list{"night", "shift", "night shift"}));
  out.clear();
  const std::string all_bytes = [] {
    std::string s;
    for (int i = 1; i < 256; ++i) s.push_back(static_cast<char>(i));
    return s + s;
  }();
  a.analyze(all_bytes, out);
  out.clear();
  a.analyze(std::string_view("night\0shift", 11), out);
  EXPECT_EQ(out, (list{"night", "shift", "night shift"}));
}

// ---------------------------------------------------------------------------------------------
// The ASCII fast path splits exactly as ICU does

// The terms of `text` from the ASCII fast path, and from ICU in `icu`.
list both_paths(std::string_view text, list* icu) {
  static analyzer fast = [] {
    analyzer_options o;
    return analyzer(o);
  }();
  static analyzer slow = [] {
    analyzer_options o;
    o.ascii_fast_path = false;
    return analyzer(o);
  }();
  list out;
  icu->clear();
  EXPECT_EQ(fast.analyze(text, out), slow.analyze(text, *icu)) << text;
  return out;
}

TEST(AsciiFastPath, GivesTheSameTermsAsIcu) {
  for (std::string_view text :
       {"The night shifts are too long", "Don't know, can't say; won't say!",
        "e.g. more staff (i.e. nurses) at U.S.A. sites", "example.com end.Start a:b x_y _x y_",
        "3.5 hours, 1,000 USD, 10am v1.2 x_1 1_ a.1 1.a a'b'c a''b 'quoted' rock'n'roll",
        "Pay/hours | rota [night] {day} well-being\r\nsecond line\vthird\fpage",
        "employees' lounge and the company's canteen", "a.b.1 1.2.3 1;2 a;b ab.cd.ef",
        "  multiple   spaces\t\ttabs  ", "", "!!!", "I", "a", "ok OK Ok oK",
        "mail jo@example.com or @team, @ @@ a@1 @'a"}) {
    list icu;
    EXPECT_EQ(both_paths(text, &icu), icu) << text;
  }
}

TEST(AsciiFastPath, GivesTheSameTermsAsIcuOnRandomText) {
  // Words and punctuation mixed at random, from a fixed seed so the test is deterministic.
  static constexpr std::string_view kPieces[] = {
      "pay", "Night", "shift", "the", "don",  "t",  "e",   "g",  "1", "22", "x",
      "_",   ".",     ",",     ";",   ":",    "'",  "-",   " ",  " ", " ",  "\n",
      "!",   "?",     "(",     ")",   "/",    "\"", "&",   "#",  "$", "a",  "I",
      "s",   "co",    "op",    "3rd", "well", "@",  "Les", "de", "\t"};
  std::uint64_t state = 0x9E3779B97F4A7C15ULL;
  auto next = [&state] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    const std::uint64_t len = next() % 24;
    for (std::uint64_t i = 0; i < len; ++i) text += kPieces[next() % std::size(kPieces)];
    list icu;
    ASSERT_EQ(both_paths(text, &icu), icu) << '"' << text << '"';
  }
}

// ---------------------------------------------------------------------------------------------
// Stopword lists

TEST(Stopwords, BuiltInListsAreCaseFoldedAndUnique) {
  for (std::string_view lang :
       {"en", "es", "fr", "de", "pt", "it", "nl", "sv", "da", "no", "fi", "ru", "zh", "ja", "th"}) {
    const list words = detail::builtin_stopwords(lang);
    EXPECT_GE(words.size(), 30u) << lang;
    std::set<std::string> seen;
    for (const std::string& w : words) {
      // Thai is stored as typed: NFKC folding decomposes its vowel sara am.
      if (lang != "th") {
        EXPECT_EQ(detail::fold_word(w), w) << lang;
      }
      EXPECT_TRUE(seen.insert(detail::fold_word(w)).second) << lang << ": " << w << " twice";
    }
  }
  EXPECT_GE(detail::builtin_stopwords("en").size(), 300u);
  for (std::string_view lang : {"es", "fr", "de", "pt", "it", "nl"})
    EXPECT_GE(detail::builtin_stopwords(lang).size(), 150u) << lang;
  EXPECT_TRUE(detail::builtin_stopwords("xx").empty());
}

TEST(Stopwords, ListsTheLanguagesWithStopwordsAndStemmer) {
  EXPECT_EQ(analyzer_languages(),
            (list{"en", "es", "fr", "de", "pt", "it", "nl", "sv", "da", "no", "fi", "ru"}));
}

TEST(StopwordFile, ReadsWordsSkippingCommentsAndBlankLines) {
  test::temp_dir dir;
  const std::string path =
      dir.write("stop.txt",
                "\xEF\xBB\xBF# our words\r\nHospital\r\n\r\n   ward   # a comment\n"
                "c#\n\tKrankenhaus\n# the end");
  EXPECT_EQ(analyzer::read_stopword_file(path), (list{"Hospital", "ward", "c#", "Krankenhaus"}));
  EXPECT_TRUE(analyzer::read_stopword_file(dir.write("empty.txt", "")).empty());
}

TEST(StopwordFile, ReportsAMissingFile) {
  test::temp_dir dir;
  const std::string path = dir.file("missing.txt");
  try {
    analyzer::read_stopword_file(path);
    FAIL() << "no error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), exit_no_input);
    EXPECT_EQ(std::string(e.what()), path + ": cannot open: No such file or directory");
  }
}

TEST(StopwordFile, ReportsBadLinesWithTheirNumber) {
  test::temp_dir dir;
  try {
    analyzer::read_stopword_file(dir.write("two.txt", "one\n# two\nnight shift\n"));
    FAIL() << "no error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), exit_data);
    EXPECT_EQ(
        std::string(e.what()),
        dir.file("two.txt") + ":3: \"night shift\" is more than one word; write one word per line");
  }
  try {
    analyzer::read_stopword_file(dir.write("latin1.txt", "ok\ncaf\xE9\n"));
    FAIL() << "no error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), exit_data);
    EXPECT_EQ(std::string(e.what()),
              dir.file("latin1.txt") + ":2: invalid UTF-8; save the stopword file as UTF-8");
  }
}

}  // namespace
}  // namespace ml
