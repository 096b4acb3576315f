// SPDX-License-Identifier: Apache-2.0
// Unit tests for ml/pseudonym.hpp: pseudonyms are HMAC-SHA256 of the normalised raw id,
// checked against OpenSSL's own HMAC; and where the salt comes from.
#include "temp_dir.hpp"
#include "ml/pseudonym.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "ml/error.hpp"

namespace ml {
namespace {

using test::temp_dir;

// Sets (or unsets, with nullopt) an environment variable for the life of the object.
class env_var {
 public:
  env_var(std::string name, std::optional<std::string> value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) old_ = old;
    if (value)
      ::setenv(name_.c_str(), value->c_str(), 1);
    else
      ::unsetenv(name_.c_str());
  }
  ~env_var() {
    if (old_)
      ::setenv(name_.c_str(), old_->c_str(), 1);
    else
      ::unsetenv(name_.c_str());
  }
  env_var(const env_var&) = delete;
  env_var& operator=(const env_var&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

// The environment resolve_salt reads, cleared so that only what a test sets counts.
struct clean_salt_env {
  env_var salt{"ML_SALT", std::nullopt};
  env_var file{"ML_SALT_FILE", std::nullopt};
  env_var xdg;
  explicit clean_salt_env(std::optional<std::string> xdg_home) : xdg("XDG_CONFIG_HOME", xdg_home) {}
};

std::string hmac_hex(const std::string& key, const std::string& msg) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), md, &len);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(hex[md[i] >> 4]);
    out.push_back(hex[md[i] & 15]);
  }
  return out;
}

bool is_pseudonym(const std::string& s) {
  if (s.size() != 18 || s.rfind("r-", 0) != 0) return false;
  for (std::size_t i = 2; i < s.size(); ++i)
    if (!std::isxdigit(static_cast<unsigned char>(s[i])) ||
        std::isupper(static_cast<unsigned char>(s[i])))
      return false;
  return true;
}

// ---------------------------------------------------------------------------------------------

TEST(Pseudonymizer, FormatIsRDashAndSixteenHexDigits) {
  pseudonymizer p("test-salt");
  for (const char* raw : {"ana@example.org", "P-0042", "1", "\u00e9l\u00e8ve 7", ""})
    EXPECT_TRUE(is_pseudonym(p(raw))) << raw << " -> " << p(raw);
}

TEST(Pseudonymizer, KnownValue) {
  // printf '%s' 'ana@example.org' | openssl dgst -sha256 -hmac 'test-salt'
  //   -> 134f82137980a61af1750045bccb285b12c2186b3c899064df5a31de2a5d913c
  pseudonymizer p("test-salt");
  EXPECT_EQ(p("ana@example.org"), "r-134f82137980a61a");
  // printf '%s' 'P-0042' | openssl dgst -sha256 -hmac 'test-salt'
  EXPECT_EQ(p("P-0042"), "r-8a68bbd09727d1a6");
}

TEST(Pseudonymizer, MatchesOpenSslHmac) {
  for (const std::string& salt :
       std::vector<std::string>{"test-salt", "k", std::string(64, 's'), std::string(65, 'L'),
                                std::string(200, 'x') + "tail"}) {
    pseudonymizer p(salt);
    for (const std::string& raw :
         std::vector<std::string>{"ana@example.org", "P-0042", "respondent 17", "\u00fc\u00df"}) {
      SCOPED_TRACE(salt + " / " + raw);
      EXPECT_EQ(p(raw), "r-" + hmac_hex(salt, raw).substr(0, 16));
    }
  }
}

TEST(Pseudonymizer, SameIdSamePseudonym) {
  pseudonymizer a("test-salt");
  pseudonymizer b("test-salt");
  EXPECT_EQ(a("P-0042"), a("P-0042"));
  EXPECT_EQ(a("P-0042"), b("P-0042"));
  EXPECT_NE(a("P-0042"), a("P-0043"));
}

TEST(Pseudonymizer, DifferentSaltsDiffer) {
  pseudonymizer a("test-salt");
  pseudonymizer b("other-salt");
  EXPECT_NE(a("P-0042"), b("P-0042"));
  // printf '%s' 'P-0042' | openssl dgst -sha256 -hmac 'other-salt'
  EXPECT_EQ(b("P-0042"), "r-ed776171d12d66d8");
}

TEST(Pseudonymizer, EmailsAreCaseAndSpaceInsensitive) {
  pseudonymizer p("test-salt");
  EXPECT_EQ(p("Ana@Example.org "), p("ana@example.org"));
  EXPECT_EQ(p("  ANA@EXAMPLE.ORG\t"), p("ana@example.org"));
  EXPECT_EQ(pseudonymizer::normalise(" Ana@Example.ORG\n"), "ana@example.org");
}

// An address is lowercased a piece at a time into the hash: one longer than a piece (and than
// any short buffer) must hash as its whole lowercased form does.
TEST(Pseudonymizer, LongEmailsAreLoweredWhole) {
  pseudonymizer p("test-salt");
  std::string upper, lower;
  for (int i = 0; i < 300; ++i) {
    upper.push_back(static_cast<char>('A' + i % 26));
    lower.push_back(static_cast<char>('a' + i % 26));
  }
  upper += "@EXAMPLE.ORG";
  lower += "@example.org";
  EXPECT_EQ(p(" " + upper + " "), "r-" + hmac_hex("test-salt", lower).substr(0, 16));
  std::string into = "something else";
  p.assign(into, upper);
  EXPECT_EQ(into, p(lower));
}

TEST(Pseudonymizer, OtherIdsAreCaseSensitiveButTrimmed) {
  pseudonymizer p("test-salt");
  EXPECT_NE(p("AbC-12"), p("abc-12"));
  EXPECT_EQ(p(" AbC-12 "), p("AbC-12"));
  EXPECT_EQ(pseudonymizer::normalise("  AbC-12 "), "AbC-12");
}

TEST(Pseudonymizer, EmptySaltIsAUsageError) {
  try {
    pseudonymizer p("");
    FAIL() << "expected ml::error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), 64);
  }
}

// ---------------------------------------------------------------------------------------------
// resolve_salt

TEST(ResolveSalt, OptionWins) {
  temp_dir dir;
  clean_salt_env env(dir.path());
  env_var salt("ML_SALT", "from-env");
  auto s = resolve_salt("from-option", dir.path() + "/salt");
  EXPECT_EQ(s.salt, "from-option");
  EXPECT_EQ(s.origin, "--salt");
  EXPECT_FALSE(s.created);
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/salt"));
}

TEST(ResolveSalt, EnvironmentBeatsTheFile) {
  temp_dir dir;
  clean_salt_env env(dir.path());
  env_var salt("ML_SALT", "from-env");
  auto s = resolve_salt("", "");
  EXPECT_EQ(s.salt, "from-env");
  EXPECT_EQ(s.origin, "ML_SALT");
  EXPECT_FALSE(s.created);
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/massline"));
}

TEST(ResolveSalt, EmptyEnvironmentVariableIsIgnored) {
  temp_dir dir;
  clean_salt_env env(dir.path());
  env_var salt("ML_SALT", "");
  auto s = resolve_salt("", "");
  EXPECT_EQ(s.origin, dir.path() + "/massline/salt");
  EXPECT_TRUE(s.created);
}

TEST(ResolveSalt, FileIsCreatedWithMode0600AndReused) {
  temp_dir dir;
  clean_salt_env env(dir.path());
  std::string expected = dir.path() + "/massline/salt";

  auto first = resolve_salt("", "");
  EXPECT_TRUE(first.created);
  EXPECT_EQ(first.origin, expected);
  EXPECT_EQ(first.salt.size(), 64u);  // 256 random bits in hex
  for (char c : first.salt) EXPECT_TRUE(std::isxdigit(static_cast<unsigned char>(c))) << first.salt;
  struct stat st {};
  ASSERT_EQ(::stat(expected.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  auto second = resolve_salt("", "");
  EXPECT_FALSE(second.created);
  EXPECT_EQ(second.origin, expected);
  EXPECT_EQ(second.salt, first.salt);
}

TEST(ResolveSalt, ExplicitFileAndMlSaltFile) {
  temp_dir dir;
  clean_salt_env env(dir.path() + "/unused");
  std::string path = dir.path() + "/my-salt";
  {
    std::ofstream out(path);
    out << "  kept secret \n";
  }
  auto s = resolve_salt("", path);
  EXPECT_EQ(s.salt, "kept secret");
  EXPECT_EQ(s.origin, path);
  EXPECT_FALSE(s.created);

  env_var file("ML_SALT_FILE", path);
  EXPECT_EQ(resolve_salt("", "").salt, "kept secret");
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/unused"));
}

TEST(ResolveSalt, HomeConfigWhenNoXdg) {
  temp_dir dir;
  clean_salt_env env(std::nullopt);
  env_var home("HOME", dir.path());
  auto s = resolve_salt("", "");
  EXPECT_TRUE(s.created);
  EXPECT_EQ(s.origin, dir.path() + "/.config/massline/salt");
}

TEST(ResolveSalt, EmptySaltFileIsADataError) {
  temp_dir dir;
  clean_salt_env env(dir.path());
  std::string path = dir.path() + "/empty";
  { std::ofstream out(path); }
  try {
    resolve_salt("", path);
    FAIL() << "expected ml::error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), 65);
  }
}

TEST(ResolveSalt, UncreatableFileIsExit73) {
  temp_dir dir;
  clean_salt_env env(dir.path());
  // A regular file where the directory should be.
  std::string blocker = dir.path() + "/blocker";
  { std::ofstream out(blocker); }
  try {
    resolve_salt("", blocker + "/salt");
    FAIL() << "expected ml::error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), 73);
  }
}

}  // namespace
}  // namespace ml
