// SPDX-License-Identifier: Apache-2.0
// What each column of a survey export holds: platform detection from headers, the platforms'
// own column names, metadata that must never become an idea, and value-based guesses.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fmt/format.h>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "gather_detail.hpp"
#include "ml/error.hpp"
#include "ml/text.hpp"
#include "ml/timefmt.hpp"

namespace ml::detail {

namespace {

struct platform_entry {
  platform p;
  std::string_view name;
};
constexpr platform_entry platform_table[] = {
    {platform::plain, "plain"},
    {platform::google_forms, "google-forms"},
    {platform::microsoft_forms, "microsoft-forms"},
    {platform::typeform, "typeform"},
    {platform::surveymonkey, "surveymonkey"},
    {platform::qualtrics, "qualtrics"},
    {platform::limesurvey, "limesurvey"},
    {platform::kobotoolbox, "kobotoolbox"},
    {platform::odk, "odk"},
    {platform::polis, "polis"},
    {platform::redcap, "redcap"},
    {platform::surveygizmo, "surveygizmo"},
};

std::string key_of(std::string_view s) { return ascii_lower(trim(s)); }

bool has(const std::unordered_set<std::string>& set, std::string_view k) {
  return set.count(std::string(k)) > 0;
}

// Lowercase words of a header ("Which unit/workplace are you in?" -> which unit workplace ...).
std::vector<std::string> words_of(std::string_view s) {
  std::vector<std::string> out;
  std::string w;
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c >= 0x80) {
      w.push_back(static_cast<char>(std::tolower(c)));
    } else if (!w.empty()) {
      out.push_back(std::move(w));
      w.clear();
    }
  }
  if (!w.empty()) out.push_back(std::move(w));
  return out;
}

bool contains_any(std::string_view hay, std::initializer_list<std::string_view> needles) {
  std::string h = ascii_lower(hay);
  for (auto n : needles)
    if (h.find(n) != std::string::npos) return true;
  return false;
}

// Metadata any platform may carry: never an idea, never a segment (privacy, or noise).
const std::unordered_set<std::string>& metadata_names() {
  static const std::unordered_set<std::string> names = {
      "ip address", "ipaddress", "ip", "ipaddr", "ip-adresse", "ip_address", "user agent",
      "useragent", "user_agent", "browser", "device", "deviceid", "device id", "operating system",
      "screen resolution", "referer", "referrer", "refurl", "latitude", "longitude",
      "locationlatitude", "locationlongitude", "locationaccuracy", "location latitude",
      "location longitude", "_geolocation", "geolocation", "network id", "session id",
      "sessionid", "contact id", "collector id", "recipientlastname", "recipientfirstname",
      "recipient last name", "recipient first name", "externalreference",
      "externaldatareference", "external reference", "external data reference",
      "distributionchannel", "distribution channel", "userlanguage", "user language",
      "first name", "last name", "name", "full name", "firstname", "lastname", "phone",
      "phone number", "phonenumber", "simserial", "subscriberid", "username", "duration",
      "duration (in seconds)", "progress", "responseset", "response set", "tags", "_tags",
      "_notes", "_attachments", "_validation_status", "_status", "_submitted_by",
      "_xform_id_string", "__version__", "_version_", "_version", "_id", "_index", "_uuid",
      "meta/instanceid", "meta/instancename", "meta/deprecatedid", "formhub/uuid",
      "meta-instanceid", "meta-instancename", "instanceid", "key", "parent_key", "submitterid",
      "submittername", "attachmentspresent", "attachmentsexpected", "reviewstate", "edits",
      "formversion", "deviceid", "start", "end", "today", "audit", "startdate", "enddate",
      "start date", "end date", "start time", "last modified time", "start date (utc)",
      "stage date (utc)", "seed", "startlanguage", "lastpage", "datestamp", "refurl",
      "language", "score", "total points", "quiz feedback", "custom data 1", "custom data",
      "comment-id", "datetime", "legacy comments", "referer", "sessionid", "country", "city",
      "state/region", "postal", "time started", "date started", "link name", "url variable",
      "ip", "redcap_survey_identifier", "redcap_event_name", "redcap_repeat_instrument",
      "redcap_repeat_instance", "redcap_data_access_group", "_submission__id",
      "_submission__uuid", "_submission__submission_time", "_submission__validation_status",
      "_submission__notes", "_submission__status", "_submission__submitted_by",
      "_submission__tags", "_parent_index", "_parent_table_name", "_index", "qualtrics id",
      "q_recaptchascore", "q_relevantidduplicate", "q_relevantidduplicatescore",
      "q_relevantidfraudscore", "q_relevantidlaststartdate", "q_ballotboxstuffing",
      "q_totalduration", "q_url", "respondent id_1"};
  return names;
}

bool is_email_name(std::string_view k) {
  std::string s = ascii_lower(k);
  return s.find("email") != std::string::npos || s.find("e-mail") != std::string::npos ||
         s.find("correo") != std::string::npos || s == "courriel" ||
         s.find("recipientemail") != std::string::npos;
}

// Header of a free-text prompt.
bool text_hint(std::string_view header) {
  return contains_any(header, {"please specify", "please explain", "other (", "comment",
                               "explain", "describe", "why", "suggest", "anything else",
                               "tell us", "feedback", "in your own words", "biggest problem",
                               "what should", "what would", "what is", "what are", "how can",
                               "how could", "idea", "concern", "issue", "improve", "opinion",
                               "thoughts", "open-ended", "free text", "_text"});
}

bool multiselect_hint(std::string_view header) {
  return contains_any(header, {"check all", "select all", "all that apply", "choose all",
                               "mark all", "tick all", "select one or more",
                               "todas las que", "toutes les"});
}

bool time_name(std::string_view header) {
  auto w = words_of(header);
  for (auto& x : w)
    if (x == "timestamp" || x == "time" || x == "date" || x == "submitted" ||
        x == "submissiondate" || x == "recordeddate" || x == "submitdate" || x == "datestamp" ||
        x == "completed" || x == "created")
      return true;
  return false;
}

const std::unordered_set<std::string>& unit_words() {
  static const std::unordered_set<std::string> w = {
      "unit", "units", "workplace", "site", "branch", "department", "dept", "team", "store",
      "shop", "office", "chapter", "local", "ward", "district", "region", "facility", "school",
      "campus", "building", "section", "precinct", "neighbourhood", "neighborhood", "depot",
      "plant", "warehouse", "clinic", "hospital", "sede", "sucursal", "unidad", "departamento",
      "barrio", "village", "community", "settlement", "estate", "block", "town", "agence", "filiale", "abteilung", "standort", "filial", "setor", "unidade"};
  return w;
}

// A number in either convention ("2,5" or "28,500"): the delimiter decides later which.
bool is_numeric(std::string_view v) {
  double d;
  return parse_number(v, d, false) || parse_number(v, d, true);
}

std::size_t word_count(std::string_view v) {
  std::size_t n = 0;
  bool in = false;
  for (char c : v) {
    bool sp = c == ' ' || c == '\n' || c == '\t' || c == '\r';
    if (!sp && !in) ++n;
    in = !sp;
  }
  return n;
}

struct platform_roles {
  std::unordered_map<std::string, role> by_name;  // lowercase header -> role
};

const platform_roles& roles_for(platform p) {
  static const std::map<platform, platform_roles> table = [] {
    std::map<platform, platform_roles> t;
    t[platform::google_forms].by_name = {{"timestamp", role::time},
                                         {"marca temporal", role::time},
                                         {"horodateur", role::time},
                                         {"zeitstempel", role::time},
                                         {"carimbo de data/hora", role::time},
                                         {"informazioni cronologiche", role::time},
                                         {"email address", role::respondent},
                                         {"dirección de correo electrónico", role::respondent},
                                         {"adresse e-mail", role::respondent},
                                         {"e-mail-adresse", role::respondent},
                                         {"endereço de e-mail", role::respondent},
                                         {"username", role::respondent},
                                         {"score", role::metadata}};
    t[platform::microsoft_forms].by_name = {{"id", role::respondent_fallback},
                                            {"start time", role::metadata},
                                            {"completion time", role::time},
                                            {"email", role::respondent},
                                            {"name", role::metadata},
                                            {"last modified time", role::metadata},
                                            {"total points", role::metadata},
                                            {"quiz feedback", role::metadata}};
    t[platform::typeform].by_name = {{"#", role::respondent},
                                     {"submit date (utc)", role::time},
                                     {"start date (utc)", role::metadata},
                                     {"stage date (utc)", role::metadata},
                                     {"network id", role::metadata},
                                     {"tags", role::metadata},
                                     {"response type", role::status}};
    t[platform::surveymonkey].by_name = {{"respondent id", role::respondent},
                                         {"collector id", role::metadata},
                                         {"start date", role::metadata},
                                         {"end date", role::time},
                                         {"ip address", role::metadata},
                                         {"email address", role::email},
                                         {"first name", role::metadata},
                                         {"last name", role::metadata},
                                         {"custom data 1", role::metadata}};
    t[platform::qualtrics].by_name = {{"responseid", role::respondent},
                                      {"_recordid", role::respondent},
                                      {"recordeddate", role::time},
                                      {"status", role::status},
                                      {"finished", role::finished},
                                      {"recipientemail", role::email},
                                      {"emailaddress", role::email},
                                      {"startdate", role::metadata},
                                      {"enddate", role::time},
                                      {"v1", role::respondent},
                                      {"responseset", role::metadata}};
    t[platform::limesurvey].by_name = {{"id", role::respondent_fallback},
                                       {"token", role::respondent},
                                       {"submitdate", role::submitted},
                                       {"lastpage", role::metadata},
                                       {"startlanguage", role::metadata},
                                       {"seed", role::metadata},
                                       {"startdate", role::metadata},
                                       {"datestamp", role::metadata},
                                       {"ipaddr", role::metadata},
                                       {"refurl", role::metadata}};
    t[platform::kobotoolbox].by_name = {{"_uuid", role::respondent},
                                        {"_submission_time", role::time},
                                        {"_validation_status", role::metadata}};
    t[platform::odk].by_name = {{"key", role::respondent},
                                {"meta-instanceid", role::respondent_fallback},
                                {"submissiondate", role::time},
                                {"reviewstate", role::status}};
    t[platform::polis].by_name = {{"comment-body", role::text},   {"author-id", role::respondent},
                                  {"moderated", role::moderated}, {"timestamp", role::time},
                                  {"agrees", role::rating},       {"disagrees", role::rating},
                                  {"passes", role::rating},       {"comment-id", role::metadata},
                                  {"datetime", role::metadata}};
    t[platform::redcap].by_name = {{"record_id", role::respondent},
                                   {"redcap_survey_identifier", role::metadata}};
    t[platform::surveygizmo].by_name = {{"response id", role::respondent},
                                        {"date submitted", role::time},
                                        {"time started", role::metadata},
                                        {"status", role::status},
                                        {"contact id", role::metadata},
                                        {"legacy comments", role::metadata},
                                        {"comments", role::metadata},
                                        {"language", role::metadata},
                                        {"referer", role::metadata},
                                        {"sessionid", role::metadata},
                                        {"user agent", role::metadata},
                                        {"tags", role::metadata},
                                        {"ip address", role::metadata},
                                        {"longitude", role::metadata},
                                        {"latitude", role::metadata},
                                        {"country", role::metadata},
                                        {"city", role::metadata},
                                        {"state/region", role::metadata},
                                        {"postal", role::metadata}};
    t[platform::plain].by_name = {{"respondent", role::respondent},
                                  {"respondent_id", role::respondent},
                                  {"respondent-id", role::respondent},
                                  {"author", role::respondent},
                                  {"author_id", role::respondent},
                                  {"respondent id", role::respondent},
                                  {"respondent_id", role::respondent},
                                  {"respondentid", role::respondent},
                                  {"participant", role::respondent},
                                  {"participant id", role::respondent},
                                  {"participant_id", role::respondent},
                                  {"user id", role::respondent},
                                  {"user_id", role::respondent},
                                  {"response id", role::respondent},
                                  {"response_id", role::respondent},
                                  {"email", role::respondent},
                                  {"email address", role::respondent},
                                  {"e-mail", role::respondent},
                                  {"id", role::respondent_fallback},
                                  {"timestamp", role::time},
                                  {"submitted", role::time},
                                  {"submitted at", role::time},
                                  {"submitted_at", role::time},
                                  {"created at", role::time},
                                  {"created_at", role::time},
                                  {"date submitted", role::time},
                                  {"submission date", role::time}};
    return t;
  }();
  return table.at(p);
}

// Strips a Qualtrics ImportId cell ({"ImportId":"QID1"} or {'ImportId': 'QID1'}) to its id.
std::string import_id(std::string_view cell) {
  auto pos = cell.find("ImportId");
  if (pos == std::string_view::npos) return {};
  pos = cell.find(':', pos);
  if (pos == std::string_view::npos) return {};
  std::size_t a = cell.find_first_of("\"'", pos);
  if (a == std::string_view::npos) return {};
  std::size_t b = cell.find_first_of("\"'", a + 1);
  if (b == std::string_view::npos) return {};
  return std::string(cell.substr(a + 1, b - a - 1));
}

bool row_has(const std::vector<std::string>& row, std::string_view name) {
  for (auto& c : row)
    if (key_of(c) == name) return true;
  return false;
}

std::optional<platform> detect_from_first_row(const std::vector<std::string>& h) {
  if (h.empty()) return std::nullopt;
  std::string first = key_of(h[0]);
  if (row_has(h, "comment-body") && row_has(h, "author-id")) return platform::polis;
  if (row_has(h, "responseid") || (row_has(h, "startdate") && row_has(h, "status") &&
                                   row_has(h, "finished")))
    return platform::qualtrics;
  if (first == "v1" && h.size() > 1 && key_of(h[1]) == "v2") return platform::qualtrics;
  if (row_has(h, "respondent id") && (row_has(h, "collector id") || row_has(h, "start date")))
    return platform::surveymonkey;
  if (row_has(h, "submitdate") && row_has(h, "lastpage") && row_has(h, "startlanguage"))
    return platform::limesurvey;
  if (row_has(h, "id") && row_has(h, "start time") && row_has(h, "completion time"))
    return platform::microsoft_forms;
  if (first == "#" && (row_has(h, "submit date (utc)") || row_has(h, "network id")))
    return platform::typeform;
  if (row_has(h, "_uuid") || row_has(h, "_submission_time") || row_has(h, "_index"))
    return platform::kobotoolbox;
  if (row_has(h, "submissiondate") && (row_has(h, "key") || row_has(h, "meta-instanceid") ||
                                       row_has(h, "instanceid")))
    return platform::odk;
  if (row_has(h, "response id") && row_has(h, "date submitted")) return platform::surveygizmo;
  if (row_has(h, "record_id") && (row_has(h, "redcap_survey_identifier") ||
                                  std::any_of(h.begin(), h.end(), [](auto& c) {
                                    std::string k = key_of(c);
                                    return k.size() > 9 && k.ends_with("_complete");
                                  })))
    return platform::redcap;
  static const std::unordered_set<std::string> google_ts = {
      "timestamp", "marca temporal", "horodateur", "zeitstempel", "carimbo de data/hora",
      "informazioni cronologiche", "tijdstempel"};
  if (has(google_ts, first)) return platform::google_forms;
  // KoBo/ODK CSV without the underscore columns: group paths plus start/end.
  bool paths = std::any_of(h.begin(), h.end(), [](auto& c) { return c.find('/') != std::string::npos && c.find(' ') == std::string::npos; });
  if (paths && (row_has(h, "start") || row_has(h, "end") || row_has(h, "meta/instanceid")))
    return platform::kobotoolbox;
  return std::nullopt;
}

}  // namespace

std::string_view platform_name(platform p) {
  for (auto& e : platform_table)
    if (e.p == p) return e.name;
  return "plain";
}

std::optional<platform> platform_from_name(std::string_view name) {
  std::string k = key_of(name);
  for (auto& e : platform_table)
    if (e.name == k) return e.p;
  if (k == "google" || k == "googleforms") return platform::google_forms;
  if (k == "msforms" || k == "microsoft" || k == "forms") return platform::microsoft_forms;
  if (k == "kobo" || k == "kobotoolbox") return platform::kobotoolbox;
  if (k == "pol.is" || k == "polis") return platform::polis;
  if (k == "alchemer") return platform::surveygizmo;
  if (k == "csv") return platform::plain;
  return std::nullopt;
}

std::string_view role_name(role r) {
  switch (r) {
    case role::unknown: return "unknown";
    case role::text: return "text";
    case role::other_text: return "other-text";
    case role::option: return "option";
    case role::unit: return "unit";
    case role::respondent: return "respondent";
    case role::respondent_fallback: return "respondent-fallback";
    case role::time: return "time";
    case role::segment: return "segment";
    case role::rating: return "rating";
    case role::consent: return "consent";
    case role::status: return "status";
    case role::finished: return "finished";
    case role::submitted: return "submitted";
    case role::moderated: return "moderated";
    case role::email: return "email";
    case role::metadata: return "metadata";
    case role::skip: return "skip";
  }
  return "unknown";
}

bool column_matches(const column& c, std::string_view want) {
  std::string w = key_of(want);
  return key_of(c.name) == w || key_of(c.question) == w;
}

header_plan analyse_headers(const std::vector<std::vector<std::string>>& rows,
                            std::optional<platform> forced) {
  header_plan plan;
  if (rows.empty()) return plan;
  const auto& h1 = rows[0];
  auto detected = detect_from_first_row(h1);
  plan.p = forced ? *forced : detected.value_or(platform::plain);
  auto at = [&](std::size_t r, std::size_t c) -> std::string {
    return r < rows.size() && c < rows[r].size() ? std::string(trim(rows[r][c])) : std::string();
  };
  plan.columns.resize(h1.size());

  if (plan.p == platform::qualtrics) {
    bool legacy = key_of(at(0, 0)) == "v1";
    if (legacy) {
      plan.header_rows = 2;
    } else if (rows.size() > 2 && !import_id(at(2, 0)).empty()) {
      plan.header_rows = 3;  // names, question text, ImportIds
    } else if (rows.size() > 1) {
      // Names and question text without the ImportId row, unless row 2 is already a response
      // (its StartDate parses as a time).
      bool data = false;
      for (std::size_t c = 0; c < h1.size() && c < rows[1].size(); ++c) {
        std::string k = key_of(h1[c]);
        if ((k == "startdate" || k == "enddate" || k == "recordeddate") &&
            !parse_time(at(1, c)).empty())
          data = true;
      }
      plan.header_rows = data ? 1 : 2;
    }
    for (std::size_t c = 0; c < h1.size(); ++c) {
      auto& col = plan.columns[c];
      if (legacy) {
        // V1..V10 are metadata whose real names are in row 2; questions keep their code.
        std::string n1 = at(0, c), n2 = at(1, c);
        bool meta = n1.size() >= 2 && (n1[0] == 'V' || n1[0] == 'v') &&
                    std::all_of(n1.begin() + 1, n1.end(), [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); });
        col.name = meta ? n2 : n1;
        col.question = n2.empty() ? n1 : n2;
      } else {
        col.name = at(0, c);
        std::string label = plan.header_rows >= 2 ? at(1, c) : std::string();
        // "Q5 - Selected Choice": the suffix names Qualtrics' column kind, not the question.
        for (std::string_view suffix : {" - Selected Choice", " - Selected Choices"})
          if (label.size() > suffix.size() && label.ends_with(suffix))
            label.resize(label.size() - suffix.size());
        col.question = label.empty() ? col.name : label;
      }
    }
    return plan;
  }

  if (plan.p == platform::surveymonkey && rows.size() > 1) {
    const auto& h2 = rows[1];
    bool sub_row = row_has(h2, "response") || row_has(h2, "open-ended response") ||
                   (h2.size() > 0 && trim(h2[0]).empty());
    if (sub_row) {
      plan.header_rows = 2;
      std::string q;
      int group_first = -1;
      for (std::size_t c = 0; c < h1.size(); ++c) {
        auto& col = plan.columns[c];
        std::string top = at(0, c), sub = at(1, c);
        if (!top.empty()) {
          q = top;
          group_first = static_cast<int>(c);
        }
        col.question = q;
        col.name = sub.empty() ? q : (top.empty() ? q + " - " + sub : q);
        std::string ks = key_of(sub);
        if (ks.empty() || ks == "response") continue;
        if (ks == "open-ended response") {
          col.r = role::text;
          col.why = "SurveyMonkey open-ended response";
        } else if (ks.rfind("other (please specify)", 0) == 0 || ks == "other" ||
                   ks.rfind("other (", 0) == 0) {
          col.r = role::other_text;
          col.parent = group_first;
          col.name = q + " - " + sub;
          col.why = "SurveyMonkey \"Other (please specify)\"";
        } else {
          col.r = role::option;
          col.parent = group_first;
          col.name = q + " - " + sub;
          col.why = "SurveyMonkey answer option";
        }
      }
      // A group whose first column is an option makes the first column the group's key.
      return plan;
    }
  }

  plan.header_rows = 1;
  for (std::size_t c = 0; c < h1.size(); ++c) {
    plan.columns[c].name = at(0, c);
    plan.columns[c].question = at(0, c);
  }
  return plan;
}

platform detect_json_platform(const std::vector<std::string>& keys) {
  auto d = detect_from_first_row(keys);
  if (d) return *d;
  // Group paths alone are any nested JSON; KoboToolbox also writes its own keys.
  for (auto& k : keys)
    if (k == "formhub/uuid" || k == "meta/instanceID" || k == "__version__" || k == "_xform_id_string")
      return platform::kobotoolbox;
  return platform::plain;
}

namespace {

// The value-based guess for a column nobody named.
void guess_from_values(column& c, const std::vector<std::string_view>& values,
                       platform platform_hint) {
  std::size_t n = values.size();
  if (n == 0) {
    if (text_hint(c.question) || c.question.find('?') != std::string::npos) {
      c.r = role::text;
      c.why = "empty in the sample; the header reads like an open question";
    } else {
      c.r = role::segment;
      c.why = "empty in the sample";
    }
    return;
  }
  std::size_t numeric = 0, times = 0, words = 0;
  std::unordered_set<std::string_view> distinct;
  std::unordered_map<std::string, std::size_t> tokens;
  std::size_t token_total = 0;
  for (auto v : values) {
    if (is_numeric(v)) ++numeric;
    if (v.size() >= 8 && !parse_time(v).empty()) ++times;
    words += word_count(v);
    distinct.insert(v);
    // Multiple-choice answers joined by ", " or ";" come from a small set of options. (Only
    // the first 64 KiB of a value are split: options are short, and a huge answer, which is
    // free text anyway, made this a map of hundreds of thousands of tokens.)
    if (v.size() > (64u << 10)) v = v.substr(0, 64u << 10);
    std::size_t start = 0;
    while (start <= v.size()) {
      std::size_t end = v.find_first_of(",;", start);
      if (end == std::string_view::npos) end = v.size();
      std::string tok = key_of(v.substr(start, end - start));
      if (!tok.empty()) {
        ++tokens[tok];
        ++token_total;
      }
      start = end + 1;
    }
  }
  double mean_words = static_cast<double>(words) / static_cast<double>(n);
  double distinct_ratio = static_cast<double>(distinct.size()) / static_cast<double>(n);
  // An id column nobody named (every value different, one token, a header like "Employee
  // No."): personal data, never a segment.
  {
    bool id_words = false;
    for (auto& w : words_of(c.question))
      if (w == "id" || w == "no" || w == "nr" || w == "code" ||
          w == "identifier" || w == "uuid" || w == "ssn" || w == "badge" || w == "employee")
        id_words = true;
    if (id_words && n >= 3 && distinct.size() == n && mean_words <= 1.0) {
      c.r = role::metadata;
      c.why = "an identifier (every value different)";
      return;
    }
  }
  if (numeric * 10 >= n * 9) {
    c.r = role::rating;
    c.why = "numeric values";
    return;
  }
  if (times * 10 >= n * 9) {
    c.r = time_name(c.question) ? role::time : role::segment;
    c.why = "date or time values";
    return;
  }
  // KoboToolbox/ODK select_multiple: choice names separated by spaces ("rota safety").
  if (platform_hint == platform::kobotoolbox || platform_hint == platform::odk) {
    std::unordered_set<std::string> names;
    bool codes = true;
    for (auto v : values) {
      std::size_t start = 0;
      while (start < v.size() && codes) {
        std::size_t end = v.find(' ', start);
        if (end == std::string_view::npos) end = v.size();
        std::string_view tok = v.substr(start, end - start);
        for (char ch : tok)
          if (!(std::islower(static_cast<unsigned char>(ch)) || std::isdigit(static_cast<unsigned char>(ch)) || ch == '_'))
            codes = false;
        if (!tok.empty()) names.insert(std::string(tok));
        start = end + 1;
      }
      if (!codes) break;
    }
    if (codes && names.size() <= 40 && mean_words <= 4) {
      c.r = role::segment;
      c.why = "KoboToolbox choice names";
      return;
    }
  }
  // A checkbox exported as its label: one value, repeated ("3. Python." -> "Python").
  if (n >= 10 && distinct.size() <= 2) {
    c.r = role::segment;
    c.why = fmt::format("{} distinct value{} in {} answers", distinct.size(),
                        distinct.size() == 1 ? "" : "s", n);
    return;
  }
  if (multiselect_hint(c.question)) {
    c.r = role::segment;
    c.why = "multiple-choice question (\"all that apply\")";
    return;
  }
  bool few_options = n >= 20 && tokens.size() <= 40 && token_total >= 3 * tokens.size();
  if (few_options && mean_words < 25) {
    c.r = role::segment;
    c.why = fmt::format("{} distinct options in {} answers", tokens.size(), n);
    return;
  }
  bool hint = text_hint(c.question);
  bool text;
  if (mean_words >= 5)
    text = true;
  else if (n >= 20)
    text = (distinct_ratio > 0.5 && mean_words >= 2) || (hint && distinct_ratio > 0.3);
  else
    text = (mean_words >= 3 && distinct.size() == n) || (hint && mean_words >= 1.5);
  c.r = text ? role::text : role::segment;
  c.why = fmt::format("{}: {:.1f} words per answer, {:.0f}% distinct", text ? "free text" : "categories",
                      mean_words, distinct_ratio * 100);
}

}  // namespace

void assign_roles(std::vector<column>& cols, platform p, const std::vector<owned_row>& sample,
                  const gather_options& o, const std::function<void(std::string)>& warn,
                  const std::string& file) {
  // 1. The user's flags.
  std::vector<std::string> unmatched_text;
  auto apply = [&](const std::string& want, role r, const char* flag) {
    bool found = false;
    for (auto& c : cols) {
      if (column_matches(c, want)) {
        c.r = r;
        c.explicit_role = true;
        c.why = fmt::format("{} {}", flag, want);
        found = true;
      }
    }
    if (!found && r == role::text) {
      unmatched_text.push_back(want);  // said below: an error if no --text matched at all
    } else if (!found)
      warn(fmt::format("{}: no column matches {} '{}'{}; columns are named by their header text "
                       "or internal name (see --columns)",
                       file, flag, want,
                       r == role::consent ? ", so every row of this file is rejected as no-consent"
                                          : ""));
  };
  for (auto& t : o.text_columns) apply(t, role::text, "--text");
  for (auto& t : o.segment_columns) apply(t, role::segment, "--segment");
  for (auto& t : o.rating_columns) apply(t, role::rating, "--rating");
  for (auto& t : o.skip_columns) apply(t, role::skip, "--skip");
  if (!o.unit_column.empty()) apply(o.unit_column, role::unit, "--unit");
  if (!o.respondent_column.empty()) apply(o.respondent_column, role::respondent, "--respondent");
  if (!o.time_column.empty()) apply(o.time_column, role::time, "--time");
  if (!o.consent_column.empty()) apply(o.consent_column, role::consent, "--consent");
  bool have_respondent = std::any_of(cols.begin(), cols.end(), [](auto& c) { return c.explicit_role && c.r == role::respondent; });
  bool have_time = std::any_of(cols.begin(), cols.end(), [](auto& c) { return c.explicit_role && c.r == role::time; });

  // 2. What the platform's headers say, then metadata names.
  const auto& proles = roles_for(p).by_name;
  const auto& meta = metadata_names();
  for (std::size_t i = 0; i < cols.size(); ++i) {
    auto& c = cols[i];
    if (c.explicit_role || c.r != role::unknown) continue;
    std::string k = key_of(c.name);
    std::string kq = key_of(c.question);
    auto it = proles.find(k);
    if (it == proles.end()) it = proles.find(kq);
    if (it != proles.end()) {
      role r = it->second;
      if ((r == role::respondent || r == role::respondent_fallback) && have_respondent) r = role::metadata;
      if (r == role::time && have_time) r = role::metadata;
      c.r = r;
      c.why = fmt::format("{} column", platform_name(p));
      continue;
    }
    if (p == platform::qualtrics) {
      // Text iQ topics and sentiment columns are Qualtrics' own analysis, not answers.
      if (k.ends_with(" - topics") || k.ends_with("_topics") || k.ends_with(" - sentiment") ||
          k.ends_with(" - parent topics") || k.ends_with(" - sentiment score") ||
          k.ends_with(" - sentiment polarity") || k.ends_with(" - actionability")) {
        c.r = role::metadata;
        c.why = "Qualtrics Text iQ analysis";
        continue;
      }
      // Q5_4_TEXT is the "Other" text of Q5.
      auto pos = c.name.rfind("_TEXT");
      if (pos != std::string::npos && pos + 5 == c.name.size()) {
        std::string stem = c.name.substr(0, pos);
        auto us = stem.rfind('_');
        if (us != std::string::npos &&
            std::all_of(stem.begin() + static_cast<long>(us) + 1, stem.end(), [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); })) {
          std::string base = stem.substr(0, us);
          for (std::size_t j = 0; j < cols.size(); ++j)
            if (j != i && cols[j].name == base) {
              c.r = role::other_text;
              c.parent = static_cast<int>(j);
              c.why = fmt::format("Qualtrics text entry of {}", base);
            }
          if (c.r == role::other_text) continue;
        }
      }
    }
    if (p == platform::limesurvey || p == platform::plain) {
      // code[other] / code[comment] (LimeSurvey).
      auto lb = c.name.rfind('[');
      if (lb != std::string::npos && c.name.back() == ']') {
        std::string base = c.name.substr(0, lb);
        std::string sub = key_of(c.name.substr(lb + 1, c.name.size() - lb - 2));
        if (sub == "other") {
          for (std::size_t j = 0; j < cols.size(); ++j)
            if (j != i && (cols[j].name == base || cols[j].name.rfind(base + "[", 0) == 0)) {
              c.r = role::other_text;
              c.parent = static_cast<int>(j);
              c.why = fmt::format("LimeSurvey \"other\" text of {}", base);
              break;
            }
          if (c.r == role::other_text) continue;
          c.r = role::text;
          c.why = "LimeSurvey \"other\" text";
          continue;
        }
        if (sub.ends_with("comment")) {
          c.r = role::text;
          c.why = "LimeSurvey comment";
          continue;
        }
      }
    }
    if (has(meta, k) || has(meta, kq) || (k.size() > 9 && k.ends_with("_complete") && p == platform::redcap) ||
        (p == platform::kobotoolbox && !k.empty() && k[0] == '_')) {
      c.r = is_email_name(k) ? role::email : role::metadata;
      c.why = "metadata";
      continue;
    }
    if (is_email_name(k) || is_email_name(kq)) {
      c.r = role::email;
      c.why = "e-mail address (personal data)";
      continue;
    }
  }

  // 3. The values: what the rest look like.
  std::vector<std::vector<std::string_view>> values(cols.size());
  for (auto& row : sample)
    for (auto& [ci, v] : row.cells)
      if (ci >= 0 && static_cast<std::size_t>(ci) < cols.size() && !trim(v).empty())
        values[static_cast<std::size_t>(ci)].push_back(trim(v));
  // LimeSurvey multiple choice: code[SQ001], code[SQ002]... hold "Y" when ticked; they are
  // one question, whose value is the list of ticked codes.
  for (std::size_t i = 0; i < cols.size(); ++i) {
    auto& c = cols[i];
    if (c.r != role::unknown || (p != platform::limesurvey && p != platform::plain)) continue;
    auto lb = c.name.rfind('[');
    if (lb == std::string::npos || lb == 0 || c.name.back() != ']') continue;
    bool ticks = std::all_of(values[i].begin(), values[i].end(), [](std::string_view v) {
      std::string k = key_of(v);
      return k == "y" || k == "yes" || k == "1" || k == "x";
    });
    if (!ticks) continue;
    std::string base = c.name.substr(0, lb);
    std::size_t first = i;
    for (std::size_t j = 0; j < i; ++j)
      if (cols[j].r == role::option && cols[j].name.rfind(base + "[", 0) == 0) {
        first = j;
        break;
      }
    c.r = role::option;
    c.parent = static_cast<int>(first);
    c.option_label = c.name.substr(lb + 1, c.name.size() - lb - 2);
    c.why = fmt::format("LimeSurvey option of {}", base);
    if (first == i) c.question = base;
  }
  // "Other" text of such a group belongs to the group.
  for (auto& c : cols) {
    if (c.r != role::other_text || c.parent < 0) continue;
    const auto& parent = cols[static_cast<std::size_t>(c.parent)];
    if (parent.r == role::option && parent.parent >= 0) c.parent = parent.parent;
  }
  bool explicit_text = !o.text_columns.empty();
  bool any_text = std::any_of(cols.begin(), cols.end(), [](const column& c) {
    return c.explicit_role && c.r == role::text;
  });
  if (any_text)
    for (auto& t : unmatched_text)
      warn(fmt::format("{}: no column matches --text '{}'; columns are named by their header "
                       "text or internal name (see --columns)",
                       file, t));
  if (explicit_text && !any_text)
    throw usage_error(fmt::format("{}: no column matches --text{}; columns are named by their "
                                  "header text or internal name (see --columns)",
                                  file, o.text_columns.size() == 1 ? " '" + o.text_columns[0] + "'" : ""));
  for (std::size_t i = 0; i < cols.size(); ++i) {
    auto& c = cols[i];
    if (c.r != role::unknown) continue;
    guess_from_values(c, values[i], p);
    if (explicit_text && c.r == role::text) {
      c.r = role::skip;
      c.why = "free text not named by --text";
    }
  }

  // 4. The unit: a column of categories whose header names a kind of unit.
  bool have_unit = std::any_of(cols.begin(), cols.end(), [](auto& c) { return c.r == role::unit; });
  if (!have_unit && o.unit_column.empty()) {
    for (std::size_t i = 0; i < cols.size(); ++i) {
      auto& c = cols[i];
      bool short_text = false;
      if (c.r == role::text && !c.explicit_role && !values[i].empty()) {
        std::size_t words = 0;
        for (auto v : values[i]) words += word_count(v);
        std::unordered_set<std::string_view> d(values[i].begin(), values[i].end());
        // Unit names repeat; answers to an open question do not.
        short_text = words <= 4 * values[i].size() &&
                     (values[i].size() < 10 || d.size() * 2 <= values[i].size());
      }
      if (c.r != role::segment && !short_text) continue;
      // "Did you find the site?" names a site but answers yes or no: not a unit.
      bool yes_no = !values[i].empty() && std::all_of(values[i].begin(), values[i].end(), [](std::string_view v) {
        std::string k = key_of(v);
        return k == "yes" || k == "no" || k == "true" || k == "false" || k == "y" || k == "n" ||
               k == "0" || k == "1" || k == "si" || k == "sí" || k == "oui" || k == "non" ||
               k == "ja" || k == "nein" || k == "sim" || k == "não";
      });
      if (yes_no) continue;
      bool match = false;
      auto hw = words_of(c.question);
      // A short header or a question about where ("Which site?"), not any sentence that
      // happens to hold "local" or "team".
      bool asks_where = hw.size() <= 8 || (!hw.empty() && (hw[0] == "which" || hw[0] == "what" ||
                                                           hw[0] == "where" || hw[0] == "your"));
      for (auto& w : hw)
        if (asks_where && unit_words().count(w)) match = true;
      if (match) {
        c.r = role::unit;
        c.why = "categories under a header that names a unit (give --unit to choose another)";
        break;
      }
    }
  }
  for (auto& c : cols) {
    std::string k = key_of(c.name);
    if (k.find("utc") != std::string::npos || k == "_submission_time" ||
        k == "submissiondate" || (p == platform::polis && k == "timestamp"))
      c.utc = true;
  }
  // Day-first dates: one "15/3/2024" in the sample settles the order for the column.
  for (std::size_t i = 0; i < cols.size(); ++i)
    if (cols[i].r == role::time || cols[i].r == role::submitted)
      for (auto v : values[i])
        if (looks_day_first(v)) cols[i].day_first = true;
  // Only one time column: the first; the others become segments.
  bool seen_time = false;
  for (auto& c : cols) {
    if (c.r != role::time) continue;
    if (seen_time && !c.explicit_role) {
      c.r = role::metadata;
      c.why = "a second timestamp";
    }
    seen_time = true;
  }
  // A consent-looking column the user did not name deserves a word.
  if (o.consent_column.empty()) {
    for (auto& c : cols)
      if (contains_any(c.question, {"consent", "consentimiento", "consentement", "einwilligung"}) &&
          c.r == role::segment)
        warn(fmt::format("{}: column '{}' looks like a consent question; give --consent '{}' to "
                         "reject rows without a yes",
                         file, c.name, c.name));
  }
}

void assign_late_role(column& c, platform p, std::string_view first_value,
                      const gather_options& o) {
  std::vector<column> one{c};
  std::vector<owned_row> sample;
  owned_row r;
  r.cells.emplace_back(0, std::string(first_value));
  sample.push_back(std::move(r));
  gather_options quiet = o;
  quiet.unit_column.clear();
  // --text: a late column is text only if it is named; the others are skipped below.
  bool named = std::any_of(o.text_columns.begin(), o.text_columns.end(),
                           [&](const std::string& t) { return column_matches(c, t); });
  quiet.text_columns.clear();
  if (named) quiet.text_columns.push_back(c.name);
  assign_roles(one, p, sample, quiet, [](std::string) {}, {});
  c = one[0];
  if (!o.text_columns.empty() && !named && c.r == role::text) {
    c.r = role::skip;
    c.why = "free text not named by --text";
  }
  if (c.r == role::unit) c.r = role::segment;
  if (c.r == role::time) c.r = role::metadata;
}

// A number as exports write it. In a ';'-delimited file the comma is the decimal mark
// ("2,5"); elsewhere "28,500" and "1,234.5" have thousands separators.
bool parse_number(std::string_view v, double& out, bool decimal_comma) {
  v = trim(v);
  if (v.empty() || v.size() > 32) return false;
  // Most ratings are small whole numbers: no copy, no strtod.
  if (v.size() <= 15) {
    long long n = 0;
    bool digits = true;
    for (char c : v) {
      if (c < '0' || c > '9') {
        digits = false;
        break;
      }
      n = n * 10 + (c - '0');
    }
    if (digits) {
      out = static_cast<double>(n);
      return true;
    }
  }
  std::string s(v);
  if (decimal_comma) {
    for (char& c : s)
      if (c == ',') c = '.';
  } else if (s.find(',') != std::string::npos) {
    // Thousands groups: every comma is followed by exactly three digits.
    for (std::size_t i = s.find(','); i != std::string::npos; i = s.find(',', i + 1)) {
      std::size_t d = 0;
      while (i + 1 + d < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1 + d]))) ++d;
      if (d != 3) return false;
    }
    s.erase(std::remove(s.begin(), s.end(), ','), s.end());
  }
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() && std::isfinite(out) &&
         !std::isalpha(static_cast<unsigned char>(s[0]));
}

}  // namespace ml::detail
