// SPDX-License-Identifier: Apache-2.0
// Unit tests for ml/text.hpp: tidying, NFC, non-answers, list splitting and PII redaction,
// on answers shaped like those found in real survey exports.
#include "ml/text.hpp"
#include "ml/json_writer.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace ml {
namespace {

using list = std::vector<std::string>;

// ---------------------------------------------------------------------------------------------
// tidy_whitespace

TEST(TidyWhitespace, LeavesTidyAsciiUnchanged) {
  EXPECT_EQ(tidy_whitespace("More flexible hours, please."), "More flexible hours, please.");
  EXPECT_EQ(tidy_whitespace(""), "");
}

TEST(TidyWhitespace, CollapsesSpacesAndTabsAndTrims) {
  EXPECT_EQ(tidy_whitespace("  Better   pay\tand  \t more  staff  "), "Better pay and more staff");
}

TEST(TidyWhitespace, NormalisesLineEndings) {
  EXPECT_EQ(tidy_whitespace("Pay\r\nHours\rParking\nCanteen"), "Pay\nHours\nParking\nCanteen");
}

TEST(TidyWhitespace, RemovesSpacesAtLineEnds) {
  EXPECT_EQ(tidy_whitespace("Pay   \n   Hours  \r\n"), "Pay\n Hours");
}

TEST(TidyWhitespace, CollapsesBlankLinesToOne) {
  EXPECT_EQ(tidy_whitespace("\n\nFirst point.\n\n\n\n  \n\nSecond point.\n\n"),
            "First point.\n\nSecond point.");
}

TEST(TidyWhitespace, TurnsUnicodeSpacesIntoSpaces) {
  // NBSP, en quad, thin space, narrow NBSP, ideographic space, Ogham space mark.
  EXPECT_EQ(tidy_whitespace("100\u00a0\u20ac par mois"), "100 \u20ac par mois");
  EXPECT_EQ(tidy_whitespace("a\u2000b\u2009c\u202fd\u3000e\u1680f"), "a b c d e f");
  EXPECT_EQ(tidy_whitespace("\u00a0\u00a0Merci\u00a0!\u00a0"), "Merci !");
}

TEST(TidyWhitespace, TurnsLineAndParagraphSeparatorsIntoNewlines) {
  EXPECT_EQ(tidy_whitespace("Lohn\u2028Arbeitszeit\u2029Kantine"), "Lohn\nArbeitszeit\nKantine");
}

TEST(TidyWhitespace, RemovesZeroWidthAndBidiControls) {
  EXPECT_EQ(tidy_whitespace("\ufeffGood\u200b team\u2060work"), "Good teamwork");
  EXPECT_EQ(tidy_whitespace("\u202aok\u202c \u2066yes\u2069"), "ok yes");
}

TEST(TidyWhitespace, KeepsZeroWidthJoinerAndNonJoiner) {
  // Persian "mi-khaham" needs ZWNJ; Devanagari half forms and emoji sequences need ZWJ.
  EXPECT_EQ(tidy_whitespace("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"),
            "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645");
  EXPECT_EQ(tidy_whitespace("\u0915\u094d\u200d\u0937"), "\u0915\u094d\u200d\u0937");
  EXPECT_EQ(tidy_whitespace("Team \U0001F469\u200d\U0001F4BB  rocks"),
            "Team \U0001F469\u200d\U0001F4BB rocks");
  // The others still go, next to the kept ones.
  EXPECT_EQ(tidy_whitespace("\ufeffa\u200b\u200cb\u2060\u200dc"), "a\u200cb\u200dc");
}

TEST(TidyWhitespace, VerticalTabAndFormFeedBecomeLineBreaks) {
  // Word's soft line break (Shift+Enter) is exported as VT.
  EXPECT_EQ(tidy_whitespace("More staff\vFixed rota"), "More staff\nFixed rota");
  EXPECT_EQ(tidy_whitespace("Page one  \fPage two"), "Page one\nPage two");
  EXPECT_EQ(tidy_whitespace("a\v\v\vb"), "a\n\nb");
  EXPECT_EQ(tidy_whitespace("\vpay\f"), "pay");
}

TEST(TidyWhitespace, RemovesControlCharacters) {
  EXPECT_EQ(tidy_whitespace("Need\x01 more\x7F\x1B training"), "Need more training");
  EXPECT_EQ(tidy_whitespace(std::string_view("bell\x07\0 end", 10)), "bell end");
  EXPECT_EQ(tidy_whitespace("caf\xC3\xA9\xC2\x85!"), "caf\u00e9!");  // U+0085 is C1
}

TEST(TidyWhitespace, ReplacesInvalidUtf8) {
  EXPECT_EQ(tidy_whitespace("caf\xE9 au lait"), "caf\ufffd au lait");
  EXPECT_EQ(tidy_whitespace("end\xC3"), "end\ufffd");
}

TEST(TidyWhitespace, KeepsNonLatinText) {
  EXPECT_EQ(tidy_whitespace("  \u5de5\u4f5c\u65f6\u95f4\u592a"
                            "\u957f  "),
            "\u5de5\u4f5c\u65f6\u95f4\u592a\u957f");
  EXPECT_EQ(tidy_whitespace("M\u00e1s  formaci\u00f3n, por favor"),
            "M\u00e1s formaci\u00f3n, por favor");
}

TEST(TidyWhitespace, OnlyWhitespaceBecomesEmpty) {
  EXPECT_EQ(tidy_whitespace(" \t\r\n\u00a0\u200b \n"), "");
}

// ---------------------------------------------------------------------------------------------
// to_nfc

TEST(ToNfc, LeavesAsciiUnchanged) {
  EXPECT_EQ(to_nfc("Communication between teams"), "Communication between teams");
  EXPECT_EQ(to_nfc(""), "");
}

TEST(ToNfc, ComposesDecomposedAccents) {
  // "Cafe" + U+0301 COMBINING ACUTE ACCENT becomes "Café" with U+00E9.
  EXPECT_EQ(to_nfc("Cafe\u0301 gratuit"), "Caf\u00e9 gratuit");
  // "u" + U+0308 COMBINING DIAERESIS becomes "ü".
  EXPECT_EQ(to_nfc("Mu\u0308nchen"), "M\u00fcnchen");
}

TEST(ToNfc, LeavesComposedTextUnchanged) {
  EXPECT_EQ(to_nfc("Gr\u00f6\u00dfere B\u00fcros, s\u00ed"),
            "Gr\u00f6\u00dfere B\u00fcros, s\u00ed");
  EXPECT_EQ(to_nfc("\u5de5\u4f5c\u65f6\u95f4"), "\u5de5\u4f5c\u65f6\u95f4");
}

TEST(ToNfc, ComposesHangulJamo) {
  // U+1112 U+1161 U+11AB (conjoining jamo) compose to U+D55C "한".
  EXPECT_EQ(to_nfc("\u1112\u1161\u11ab"), "\ud55c");
}

TEST(ToNfc, RepairsInvalidUtf8) { EXPECT_EQ(to_nfc("Cafe\u0301 \xFF"), "Caf\u00e9 \ufffd"); }

// ---------------------------------------------------------------------------------------------
// is_non_answer

TEST(IsNonAnswer, EnglishNonAnswers) {
  for (std::string_view s : {"n/a", "N/A", "NA", "n.a.", "N.A", "None", "none.", "Nothing",
                             "nothing!", "No", "nope", "Nil", "NULL", "idk", "x", "X"}) {
    EXPECT_TRUE(is_non_answer(s)) << s;
  }
  for (std::string_view s : {"No comment", "no comments.", "No idea", "Not applicable", "No answer",
                             "Nothing to add", "nothing else", "Same as above"}) {
    EXPECT_TRUE(is_non_answer(s)) << s;
  }
  for (std::string_view s : {"Don't know", "dont know", "I don't know", "I don\u2019t know"}) {
    EXPECT_TRUE(is_non_answer(s)) << s;
  }
}

TEST(IsNonAnswer, PunctuationOnlyAnswers) {
  for (std::string_view s :
       {"-", "--", ".", "...", "?", "???", "!!", "\u2026", "----", "\u2014", "/"}) {
    EXPECT_TRUE(is_non_answer(s)) << s;
  }
}

TEST(IsNonAnswer, SpanishNonAnswers) {
  for (std::string_view s :
       {"Nada", "ninguno", "Ninguna.", "No s\u00e9", "NO S\u00c9", "no se", "Sin comentarios",
        "No aplica", "Nada m\u00e1s", "\u00bfNo s\u00e9?"}) {
    EXPECT_TRUE(is_non_answer(s)) << s;
  }
}

TEST(IsNonAnswer, FrenchNonAnswers) {
  for (std::string_view s : {"Rien", "aucun", "Aucune", "Sans objet", "Pas de commentaire",
                             "Aucun commentaire", "Je ne sais pas", "Rien \u00e0 signaler", "RAS",
                             "R.A.S.", "N\u00e9ant", "N\u00c9ANT", "Non", "\u00ab rien \u00bb"}) {
    EXPECT_TRUE(is_non_answer(s)) << s;
  }
}

TEST(IsNonAnswer, GermanNonAnswers) {
  for (std::string_view s :
       {"Nichts", "keine", "Kein", "Keine Angabe", "k.A.", "K. A.", "Wei\u00df nicht",
        "weiss nicht", "Keine Ahnung", "Nein", "\u201eNichts\u201c"}) {
    EXPECT_TRUE(is_non_answer(s)) << s;
  }
}

TEST(IsNonAnswer, PortugueseNonAnswers) {
  for (std::string_view s :
       {"Nada", "nenhum", "Nenhuma", "N\u00e3o sei", "N\u00c3O SEI", "nao sei",
        "Sem coment\u00e1rios", "sem comentario", "N\u00e3o se aplica", "N\u00e3o"}) {
    EXPECT_TRUE(is_non_answer(s)) << s;
  }
}

TEST(IsNonAnswer, ItalianNonAnswers) {
  for (std::string_view s : {"Niente", "nessuno", "Nulla", "Non so", "Nessun commento"}) {
    EXPECT_TRUE(is_non_answer(s)) << s;
  }
}

TEST(IsNonAnswer, DutchNonAnswers) {
  for (std::string_view s :
       {"Niets", "geen", "Geen idee", "Geen commentaar", "Nee", "Weet ik niet"}) {
    EXPECT_TRUE(is_non_answer(s)) << s;
  }
}

TEST(IsNonAnswer, IgnoresQuotesSpacesAndTrailingPunctuation) {
  for (std::string_view s :
       {"  \"None\"  ", "'n/a'", "(none)", "[N/A]", "No   comment.", "\u201cNothing.\u201d",
        "nothing...", "None!!", "\tno idea\n", "\u00a0none\u00a0", "Nothing\u2026"}) {
    EXPECT_TRUE(is_non_answer(s)) << s;
  }
}

TEST(IsNonAnswer, EmptyAnswerIsNonAnswer) {
  EXPECT_TRUE(is_non_answer(""));
  EXPECT_TRUE(is_non_answer("  \n\t "));
}

TEST(IsNonAnswer, RealAnswersAreNot) {
  for (std::string_view s :
       {"none of the managers listen", "No overtime pay", "nothing works here",
        "Nothing to add except thanks to HR", "No idea why they changed the rota",
        "Nada funciona bien", "Rien ne va plus", "Keine Kantine", "Nein, danke f\u00fcr alles",
        "Non so se restare", "Geen parkeerplaats", "?!? why is there no parking",
        "Nope, the pay is too low", "no-one listens", "N/A for me but my team needs laptops",
        "more pay", "\u5de5\u4f5c\u65f6\u95f4\u592a\u957f"}) {
    EXPECT_FALSE(is_non_answer(s)) << s;
  }
}

TEST(IsNonAnswer, LongAnswersAreNever) {
  EXPECT_FALSE(is_non_answer(std::string(200, '-')));
  EXPECT_FALSE(is_non_answer("nothing" + std::string(70, ' ') + "."));
  EXPECT_FALSE(is_non_answer("no no no no no no no no no no no no no no no no no no no no no"));
}

// ---------------------------------------------------------------------------------------------
// split_list

// split_if_list is ml-gather's way in: the same lists as split_list, and false (no copy) for
// the rest. Checked on answers built from list-like pieces, most of which are not lists.
TEST(SplitList, SplitIfListFindsWhatSplitListFinds) {
  const char* pieces[] = {"1) ", "2) ", "3) ", "a) ", "b) ", "B) ", "A) ", "(1) ", "(2) ", "1. ",
                          "2. ", "1 - ", "2 - ", "- ", "* ", "\u2022 ", "\u00b7 ", "\u25aa ",
                          "\u2013 ", "\n", "\r\n", "\r", "401(k) ", "(again) ", "pay ", "more ",
                          "12 ", "2024 ", "b", ")", "2", " "};
  std::uint32_t x = 2024;
  auto rnd = [&] { return x = x * 1664525u + 1013904223u, x >> 8; };
  int lists = 0, not_lists = 0;
  for (int t = 0; t < 100'000; ++t) {
    std::string s;
    const int n = 1 + static_cast<int>(rnd() % 9);
    for (int k = 0; k < n; ++k) s += pieces[rnd() % std::size(pieces)];
    if (trim(s).empty()) continue;
    const list all = split_list(s);
    list got;
    if (split_if_list(s, got)) {
      ++lists;
      ASSERT_GE(got.size(), 2u) << s;
      ASSERT_EQ(got, all) << s;
    } else {
      ++not_lists;
      ASSERT_EQ(all, list{s}) << s;
    }
  }
  EXPECT_GT(lists, 1000);  // both ways are exercised
  EXPECT_GT(not_lists, 1000);
  list got;
  EXPECT_FALSE(split_if_list("The 401(k) match is only 1%", got));
  EXPECT_FALSE(split_if_list("   ", got));
  EXPECT_TRUE(split_if_list("a) pay b) hours", got));
  EXPECT_EQ(got, (list{"pay", "hours"}));
}

TEST(SplitList, InlineNumberedWithParenthesis) {
  EXPECT_EQ(split_list("1) more pay 2) better hours 3) free parking"),
            (list{"more pay", "better hours", "free parking"}));
}

TEST(SplitList, NumberedOnePerLine) {
  EXPECT_EQ(split_list("1. Training for new staff\n2. Fewer meetings\r\n3. A proper canteen\n"),
            (list{"Training for new staff", "Fewer meetings", "A proper canteen"}));
}

TEST(SplitList, EnclosedNumbersAndDashNumbers) {
  EXPECT_EQ(split_list("(1) salaire (2) horaires"), (list{"salaire", "horaires"}));
  EXPECT_EQ(split_list("1 - Gehalt\n2 - Arbeitszeiten\n3 - Kantine"),
            (list{"Gehalt", "Arbeitszeiten", "Kantine"}));
}

TEST(SplitList, Lettered) {
  EXPECT_EQ(split_list("a) m\u00e1s sueldo b) menos horas"),
            (list{"m\u00e1s sueldo", "menos horas"}));
  EXPECT_EQ(split_list("(a) Lohn\n(b) Urlaub\n(c) Homeoffice"),
            (list{"Lohn", "Urlaub", "Homeoffice"}));
}

TEST(SplitList, KeepsLeadInAsFirstItem) {
  EXPECT_EQ(split_list("Two things: 1) the pay 2) the parking"),
            (list{"Two things:", "the pay", "the parking"}));
  EXPECT_EQ(split_list("Suggestions:\n- more breaks\n- a quieter office"),
            (list{"Suggestions:", "more breaks", "a quieter office"}));
}

TEST(SplitList, Bullets) {
  EXPECT_EQ(split_list("- better pay\n- more staff\n- newer laptops"),
            (list{"better pay", "more staff", "newer laptops"}));
  EXPECT_EQ(split_list("* Gehalt\n* Urlaub"), (list{"Gehalt", "Urlaub"}));
  EXPECT_EQ(split_list("\u2022 salaire\n\u2022 t\u00e9l\u00e9travail"),
            (list{"salaire", "t\u00e9l\u00e9travail"}));
  EXPECT_EQ(split_list("\u00b7 uno\n\u00b7 dos"), (list{"uno", "dos"}));
  EXPECT_EQ(split_list("\u2013 eins\n\u2014 zwei"), (list{"eins", "zwei"}));
  EXPECT_EQ(split_list("  -pay\n  -hours"), (list{"pay", "hours"}));
  EXPECT_EQ(split_list("\u25aa Lohn\n\u25aa Urlaub"), (list{"Lohn", "Urlaub"}));
}

TEST(SplitList, InlineBullets) {
  EXPECT_EQ(split_list("\u2022 more staff \u2022 fixed rota \u2022 a break room"),
            (list{"more staff", "fixed rota", "a break room"}));
  EXPECT_EQ(split_list("\u00b7 salaire \u00b7 horaires"), (list{"salaire", "horaires"}));
  EXPECT_EQ(split_list("\u25aa Lohn \u25aa Urlaub \u25aa Kantine"),
            (list{"Lohn", "Urlaub", "Kantine"}));
  EXPECT_EQ(split_list("  \u2022\tpay\t\u2022  hours  "), (list{"pay", "hours"}));
}

TEST(SplitList, InlineBulletsKeepTheLeadIn) {
  EXPECT_EQ(split_list("Two things: \u2022 pay \u2022 hours"),
            (list{"Two things:", "pay", "hours"}));
}

TEST(SplitList, InlineBulletsMixWithBulletLines) {
  EXPECT_EQ(split_list("\u2022 pay \u2022 hours\n\u2022 parking"),
            (list{"pay", "hours", "parking"}));
  EXPECT_EQ(split_list("Ideas:\n- canteen \u2022 gym \u2022 showers\n- bike racks"),
            (list{"Ideas:", "canteen", "gym", "showers", "bike racks"}));
  // A lone inline bullet stays inside its item.
  EXPECT_EQ(split_list("- pay \u00b7 hours\n- parking"), (list{"pay \u00b7 hours", "parking"}));
}

TEST(SplitList, InlineBulletsNeedTwoOfAKindWithBlanksAround) {
  for (std::string_view s :
       {"Pay \u2022 hours", "\u2022 just one thing", "Pay \u2022 hours \u00b7 parking",
        "col\u00b7laboraci\u00f3 i intel\u00b7lig\u00e8ncia", "a\u2022b\u2022c",
        "pay - hours - parking", "pay * hours * parking", "Pay \u2013 hours \u2013 parking"}) {
    EXPECT_EQ(split_list(s), (list{std::string(s)})) << s;
  }
}

TEST(SplitList, BulletContinuationLinesBelongToTheirItem) {
  EXPECT_EQ(split_list("- more pay, because\n  rents went up\n- fewer night shifts"),
            (list{"more pay, because\n rents went up", "fewer night shifts"}));
}

TEST(SplitList, TextAfterABlankLineFollowingTheLastItemIsItsOwnItem) {
  EXPECT_EQ(split_list("- pay\n- hours\n\nOtherwise I am happy here."),
            (list{"pay", "hours", "Otherwise I am happy here."}));
}

TEST(SplitList, CjkItems) {
  EXPECT_EQ(split_list("1. \u5de5\u8d44\n2. \u52a0\u73ed"), (list{"\u5de5\u8d44", "\u52a0\u73ed"}));
}

TEST(SplitList, NumberingMustBeConsecutive) {
  EXPECT_EQ(split_list("1) pay 3) hours"), (list{"1) pay 3) hours"}));
  EXPECT_EQ(split_list("2) pay 3) hours"), (list{"2) pay 3) hours"}));
  // A later marker out of sequence stays in the last item.
  EXPECT_EQ(split_list("1) pay 2) hours, see 5) above"), (list{"pay", "hours, see 5) above"}));
}

TEST(SplitList, SingleItemIsNoList) {
  EXPECT_EQ(split_list("rated 1) low"), (list{"rated 1) low"}));
  EXPECT_EQ(split_list("1. Better pay"), (list{"1. Better pay"}));
  EXPECT_EQ(split_list("- just one thing"), (list{"- just one thing"}));
}

TEST(SplitList, NumbersInProseAreNoList) {
  for (std::string_view s :
       {"I worked 2. shifts last week", "I worked 1. and then 3. shifts",
        "About 3.5 hours of overtime", "Since version 2.0 the app is slow",
        "From 2024-03-05 to 2024-04-01", "It was -5 degrees in the warehouse",
        "Temperatures of -1 and -2 are common", "Pay - and hours - need fixing",
        "Between 1 - 2 hours a day, 2 - 3 days a week", "The formula (a) is wrong",
        "Ask Ana) she knows", "Plan B) failed, plan C) too"}) {
    EXPECT_EQ(split_list(s), (list{std::string(s)})) << s;
  }
}

TEST(SplitList, DashesInProseAreNoBullets) {
  EXPECT_EQ(split_list("Pay is fine - hours are not\nParking - terrible"),
            (list{"Pay is fine - hours are not\nParking - terrible"}));
  EXPECT_EQ(split_list("Costs:\n-5% last year\n-3% this year"),
            (list{"Costs:\n-5% last year\n-3% this year"}));
}

TEST(SplitList, ItemsAreTidiedAndNeverEmpty) {
  EXPECT_EQ(split_list("1)   more\t pay  2) 3) canteen"), (list{"more pay", "canteen"}));
  EXPECT_EQ(split_list("-  \n- ok\n-   fine  "), (list{"ok", "fine"}));
}

TEST(SplitList, NotAListReturnsTheInputAsItIs) {
  EXPECT_EQ(split_list("  More  pay. "), (list{"  More  pay. "}));
  EXPECT_EQ(split_list("Line one\nLine two"), (list{"Line one\nLine two"}));
  EXPECT_EQ(split_list(""), (list{}));
  EXPECT_EQ(split_list(" \n "), (list{}));
}

// ---------------------------------------------------------------------------------------------
// redact_pii

TEST(RedactPii, Emails) {
  redaction_counts c;
  EXPECT_EQ(redact_pii("Mail me at jane.doe+survey@example.co.uk or j_smith@corp-mail.com.", &c),
            "Mail me at [email] or [email].");
  EXPECT_EQ(c.emails, 2);
  EXPECT_EQ(c.phones, 0);
}

TEST(RedactPii, EmailWithAccentedLocalPart) {
  redaction_counts c;
  EXPECT_EQ(redact_pii("Contactez jos\u00e9.garc\u00eda@empresa.es svp", &c),
            "Contactez [email] svp");
  EXPECT_EQ(c.emails, 1);
}

TEST(RedactPii, NotEmails) {
  redaction_counts c;
  for (std::string_view s : {"Meet @ 10 in room 4", "@manager please read this", "user@localhost",
                             "a@b.c", "twitter handle @acme", "price 5@ each"}) {
    EXPECT_EQ(redact_pii(s, &c), s);
  }
  EXPECT_EQ(c.emails, 0);
}

TEST(RedactPii, Phones) {
  struct sample {
    std::string_view in, out;
  };
  for (const sample& t : {
           sample{"Call +1 (555) 123-4567 today", "Call [phone] today"},
           sample{"my cell is 555-123-4567.", "my cell is [phone]."},
           sample{"(555) 123 4567", "[phone]"},
           sample{"Tel 0612345678, merci", "Tel [phone], merci"},
           sample{"Appelez le +33 6 12 34 56 78 svp", "Appelez le [phone] svp"},
           sample{"+33 (0)6 12 34 56 78", "[phone]"},
           sample{"London office +44 20 7946 0958", "London office [phone]"},
           sample{"555.123.4567", "[phone]"},
           sample{"ext. 555-1234 at the desk", "ext. [phone] at the desk"},
           sample{"Ruf an: 030 12345678!", "Ruf an: [phone]!"},
           sample{"m\u00f3vil 612 345 678", "m\u00f3vil [phone]"},
           sample{"\u7535\u8bdd13812345678", "\u7535\u8bdd[phone]"},
           sample{"call 555 123 4567 2 times", "call [phone] 2 times"},
           // National shapes.
           sample{"ring me on 07700 900123 after six", "ring me on [phone] after six"},
           sample{"(11) 98765-4321 \u00e9 meu celular", "[phone] \u00e9 meu celular"},
           sample{"celular: +55 (11) 98765-4321", "celular: [phone]"},
           sample{"fixo (21) 2345-6789.", "fixo [phone]."},
           sample{"office 020 7946 0958, ask for Sam", "office [phone], ask for Sam"},
           sample{"mon portable : 06 12 34 56 78", "mon portable : [phone]"},
           sample{"Telefon 030 1234567", "Telefon [phone]"},
           sample{"meine Nummer 0151 23456789", "meine Nummer [phone]"},
       }) {
    redaction_counts c;
    EXPECT_EQ(redact_pii(t.in, &c), t.out) << t.in;
    EXPECT_EQ(c.phones, 1) << t.in;
  }
}

TEST(RedactPii, NumbersThatAreNotPhones) {
  redaction_counts c;
  for (std::string_view s : {"Since 2024-03-05 nothing changed",
                             "In 2019-2020 we had 3 managers",
                             "Meeting at 9:30 or 14:45",
                             "We lost $1,500,000 last year",
                             "about 1,000 people",
                             "Only 45% agree",
                             "pi is 3.14159265",
                             "Update to version 10.0.19045.2364",
                             "Employee 12345678",
                             "Between 100-1000 people",
                             "On 2024-03-05 12 people left",
                             "In 2019-2020 12 staff quit",
                             "Budget 150.000.000 \u20ac",
                             "Il y a 100 000 000 de",
                             "We have 1000000000 problems",
                             "ISBN 978-3-16-148410-0",
                             "Score 4.5/5 and 7.5/10",
                             "Zip 75001 Paris",
                             "05.03.2024 10 Uhr",
                             "-5 to -10 degrees",
                             "\u20ac123456789",
                             "room 12, floor 3, 555 seats",
                             "Order 12345 678901 shipped",
                             "ref 07700-900123",
                             "Ticket 01234 5678901",
                             "(12) 34567 8901",
                             "(123) 98765-4321"}) {
    EXPECT_EQ(redact_pii(s, &c), s);
  }
  EXPECT_EQ(c.phones, 0);
}

TEST(RedactPii, CountsBothKinds) {
  redaction_counts c;
  EXPECT_EQ(redact_pii("HR: hr@acme.com, 555-123-4567; me: 555-1234 / me@acme.org", &c),
            "HR: [email], [phone]; me: [phone] / [email]");
  EXPECT_EQ(c.emails, 2);
  EXPECT_EQ(c.phones, 2);
}

TEST(RedactPii, NullCountsAndNoPii) {
  EXPECT_EQ(redact_pii("Call 555-123-4567"), "Call [phone]");
  EXPECT_EQ(redact_pii("Nothing to hide here"), "Nothing to hide here");
  EXPECT_EQ(redact_pii(""), "");
}

TEST(RedactPii, DigitsInEmailAreNotAPhone) {
  redaction_counts c;
  EXPECT_EQ(redact_pii("5551234567@sms.example.com", &c), "[email]");
  EXPECT_EQ(c.emails, 1);
  EXPECT_EQ(c.phones, 0);
}

// ---------------------------------------------------------------------------------------------
// ascii_lower, trim

TEST(AsciiLower, LowersAsciiOnly) {
  EXPECT_EQ(ascii_lower("N/A \u00c9T\u00c9 Stra\u00dfE"), "n/a \u00c9t\u00c9 stra\u00dfe");
}

TEST(Trim, TrimsAsciiWhitespaceOnly) {
  EXPECT_EQ(trim(" \t\r\n pay \n"), "pay");
  EXPECT_EQ(trim("\u00a0pay"), "\u00a0pay");
  EXPECT_EQ(trim("   "), "");
  EXPECT_EQ(trim(""), "");
}

}  // namespace
TEST(RedactPii, RunsOfSmallNumbersAreNotPhones) {
  redaction_counts c;
  EXPECT_EQ(redact_pii("22 16 46 1 2 4 8 10 19 20 21 29 30 33 39 46", &c),
            "22 16 46 1 2 4 8 10 19 20 21 29 30 33 39 46");
  EXPECT_EQ(c.phones, 0);
  EXPECT_EQ(redact_pii("scores 1 5 14 16 30 32 39"), "scores 1 5 14 16 30 32 39");
  EXPECT_EQ(redact_pii("call 06 12 34 56 78"), "call [phone]");
}

}  // namespace ml

TEST(OwnedVariants, AgreeWithTheViewFunctions) {
  for (std::string s : {"Plain answer", "Cafe\xCC\x81 hours", "1) pay 2) hours", "mail a@b.org now",
                        "call +1 (555) 123-4567"}) {
    EXPECT_EQ(ml::to_nfc_owned(std::string(s)), ml::to_nfc(s)) << s;
    ml::redaction_counts a, b;
    // ml-gather redacts only what may_hold_pii lets through: the same as redacting all.
    const std::string fast = ml::may_hold_pii(s) ? ml::redact_pii(s, &a) : s;
    EXPECT_EQ(fast, ml::redact_pii(s, &b)) << s;
    EXPECT_EQ(a.emails, b.emails);
    EXPECT_EQ(a.phones, b.phones);
    std::vector<std::string> items{"stale"};
    ml::split_list_into(std::string(s), items);
    EXPECT_EQ(items, ml::split_list(s)) << s;
  }
}

// ml-gather passes an answer that already_tidy accepts as it is, without tidying or NFC: so
// already_tidy(s) must imply that both leave s unchanged (tidying by its general path). Random strings from an alphabet that
// mixes what the fast path accepts with its near misses (NBSP, C1 controls, U+2000 and U+2126,
// which NFC changes, U+2028, a combining acute, bidi marks, a lone continuation byte, a
// truncated emoji, tabs, line breaks, double spaces) check that, and that the fast path is
// taken for typical Latin-script answers.
TEST(AlreadyTidy, ImpliesTidyingAndNfcChangeNothing) {
  const std::vector<std::string> pieces = {
      "a", "Z", "7", " ", "  ", "!", "\"", "~", "\xC3\xA9" /* é */, "\xC3\xB1" /* ñ */,
      "\xC2\xBF" /* ¿ */, "\xC2\xA1" /* ¡ */, "\xCB\xBF" /* U+02FF */, "\xC5\x93" /* œ */,
      "\xE2\x80\x93" /* – */, "\xE2\x80\x94" /* — */, "\xE2\x80\x99" /* ’ */, "\xE2\x80\xA2" /* • */,
      "\xE2\x80\xA6" /* … */, "\xE2\x80\x8D" /* ZWJ */, "\xE2\x9C\x94" /* ✔ */,
      "\xEF\xB8\x8F" /* VS16 */, "\xF0\x9F\x99\x8F" /* 🙏 */, "\xF0\x9F\x94\xA5" /* 🔥 */,
      // near misses: each must send the answer down the general path or be unchanged by it
      "\xC2\xA0" /* NBSP */, "\xC2\x85" /* NEL */, "\xC2\x9F", "\xE2\x80\x80" /* U+2000 */,
      "\xE2\x80\x8B" /* ZWSP */, "\xE2\x80\xA8" /* U+2028 */, "\xE2\x80\xAA" /* LRE */,
      "\xE2\x80\xAF" /* NNBSP */, "\xE2\x84\xA6" /* U+2126 */, "\xCC\x81" /* combining acute */,
      "\xE2\x80\x8F" /* RLM */, "\x80", "\xF0\x9F\x99", "\xF0\x9F\xAC\x80" /* U+1FB00 */, "\t",
      "\n", "\r", "\x7F", "\x01", "\xE3\x80\x80" /* ideographic space */, "\xEF\xBB\xBF" /* BOM */};
  std::mt19937 rng(20261202);
  int tidy = 0;
  for (int k = 0; k < 40000; ++k) {
    std::string s;
    const int n = 1 + static_cast<int>(rng() % 8);
    for (int i = 0; i < n; ++i) {
      // Mostly the accepted pieces, so that accepted strings are common.
      const std::size_t pick = rng() % 4 != 0 ? rng() % 24 : rng() % pieces.size();
      s += pieces[pick];
    }
    if (!ml::already_tidy(s)) continue;
    ++tidy;
    // tidy_whitespace(s) would take the fast path under test; a control byte at the end (which
    // tidying drops) sends the same text down the general path.
    ASSERT_EQ(ml::tidy_whitespace(s + "\x01"), s) << "already_tidy accepted what tidying changes: " << s;
    ASSERT_EQ(ml::to_nfc(s), s) << "already_tidy accepted what NFC changes: " << s;
  }
  EXPECT_GT(tidy, 10000);
  for (const char* s : {"No hay respeto de parte de los jefes", "Qu\xC3\xA9 m\xC3\xA1s \xC2\xBFpor qu\xC3\xA9?",
                        "Fa\xC3\xA7on d\xE2\x80\x99\xC3\xAAtre \xE2\x80\x93 \xC3\xA0 revoir\xE2\x80\xA6",
                        "Gro\xC3\x9F" "e Sorgen", "Great job organizing this \xF0\x9F\x91\x8D"})
    EXPECT_TRUE(ml::already_tidy(s)) << s;
  for (const char* s : {"a\xC2\xA0" "b", "a  b", " a", "a ", "a\nb", "Cafe\xCC\x81", "\xE2\x84\xA6", "x\xF0\x9F\x99",
                        "a\xE2\x80\xA8" "b", ""})
    EXPECT_FALSE(ml::already_tidy(s)) << s;
}

// scan_answer answers in one pass what ml-gather would otherwise ask five functions: each of
// its fields must be what that function says, for strings of every length around the 16-byte
// steps, with the bytes each test looks for placed anywhere, at the steps' edges too.
TEST(ScanAnswer, AgreesWithTheFunctionsItStandsFor) {
  const std::vector<std::string> pieces = {
      "a", "Q", "z", " ", "  ", "1", "1.", "1 ", ")", "@", "0", "5", "9", "\"", "\\", "\n", "\r",
      "\t", "-", ".", "\xC3\xA9", "\xC2\xB7" /* · */, "\xE2\x80\xA2" /* • */, "\xE2\x96\xAA" /* ▪ */,
      "\xE2\x80\x93", "\xF0\x9F\x94\xA5", "\xC2\xA0", "\xCC\x81", "\x7F", "\x01", "\x80", "n/a",
      "none", "\xE2\x80\xA8", "x@y.org", "555 123 4567"};
  std::mt19937 rng(1202);
  for (int k = 0; k < 60000; ++k) {
    std::string s;
    const std::size_t want = rng() % 72;
    while (s.size() < want) s += pieces[rng() % pieces.size()];
    const ml::answer_shape a = ml::scan_answer(s);
    ASSERT_EQ(a.tidy, ml::already_tidy(s)) << s;
    ASSERT_EQ(a.maybe_list, ml::may_be_list(s)) << s;
    ASSERT_EQ(a.maybe_pii, ml::may_hold_pii(s)) << s;
    std::size_t letters = 0;
    for (char c : s) letters += std::isalpha(static_cast<unsigned char>(c)) ? 1 : 0;
    ASSERT_EQ(a.ascii_letters, letters) << s;
    if (a.json_plain) {
      std::string json;
      ml::append_json_string(json, s);
      ASSERT_EQ(json, "\"" + s + "\"") << s;
    }
    const std::string_view t = ml::trim(s);
    ASSERT_EQ(ml::is_non_answer_counted(t, ml::scan_answer(t).ascii_letters), ml::is_non_answer(s)) << s;
  }
  // Exact at the boundaries: "1." across a 16-byte step, two spaces across one.
  EXPECT_TRUE(ml::scan_answer(std::string(15, 'a') + "1.x").maybe_list);
  EXPECT_FALSE(ml::scan_answer(std::string(15, 'a') + " " + " b").tidy);
  EXPECT_TRUE(ml::scan_answer("Pay us " + std::string(20, 'x') + " 555 1234").maybe_pii);
  EXPECT_FALSE(ml::scan_answer("say \"no\"").json_plain);
}
