// SPDX-License-Identifier: Apache-2.0
// SHA256_CTX (see pseudonymizer::impl); must come before any OpenSSL header.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "ml/pseudonym.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>

#include "ml/error.hpp"
#include "ml/text.hpp"

namespace ml {

// HMAC-SHA256 with the key's inner and outer states computed once, so each pseudonym costs
// three SHA-256 compressions and no key set-up. The states are plain SHA256_CTX values,
// copied per call: OpenSSL 3 marks this low-level interface deprecated in favour of EVP, but
// EVP_MD_CTX_copy_ex allocates and frees a context on every copy, which made pseudonyms a
// tenth of ml-gather's time (one per row).
struct pseudonymizer::impl {
  SHA256_CTX inner{}, outer{};
};

pseudonymizer::pseudonymizer(std::string_view salt) : impl_(std::make_unique<impl>()) {
  if (salt.empty()) throw usage_error("the pseudonym salt is empty; give a non-empty --salt");
  unsigned char key[64] = {};
  if (salt.size() > 64) {
    unsigned int len = 0;
    EVP_Digest(salt.data(), salt.size(), key, &len, EVP_sha256(), nullptr);
  } else {
    std::memcpy(key, salt.data(), salt.size());
  }
  unsigned char ipad[64], opad[64];
  for (int i = 0; i < 64; ++i) {
    ipad[i] = static_cast<unsigned char>(key[i] ^ 0x36);
    opad[i] = static_cast<unsigned char>(key[i] ^ 0x5c);
  }
  SHA256_Init(&impl_->inner);
  SHA256_Update(&impl_->inner, ipad, 64);
  SHA256_Init(&impl_->outer);
  SHA256_Update(&impl_->outer, opad, 64);
}

pseudonymizer::~pseudonymizer() = default;

std::string pseudonymizer::normalise(std::string_view raw) {
  std::string_view t = trim(raw);
  if (t.find('@') != std::string_view::npos) return ascii_lower(t);
  return std::string(t);
}

std::string pseudonymizer::operator()(std::string_view raw) const {
  std::string out;
  assign(out, raw);
  return out;
}

void pseudonymizer::assign(std::string& out, std::string_view raw) const {
  // normalise(), fed to the hash without a string: an id as it is (trimmed), an e-mail
  // address lowercased a piece at a time.
  const std::string_view t = trim(raw);
  unsigned char inner_digest[32], mac[32];
  SHA256_CTX work = impl_->inner;
  if (t.find('@') == std::string_view::npos) {
    SHA256_Update(&work, t.data(), t.size());
  } else {
    char lower[128];
    for (std::size_t i = 0; i < t.size(); i += sizeof lower) {
      const std::size_t n = std::min(sizeof lower, t.size() - i);
      for (std::size_t k = 0; k < n; ++k) {
        const char c = t[i + k];
        lower[k] = c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c;
      }
      SHA256_Update(&work, lower, n);
    }
  }
  SHA256_Final(inner_digest, &work);
  work = impl_->outer;
  SHA256_Update(&work, inner_digest, 32);
  SHA256_Final(mac, &work);
  static constexpr char hex[] = "0123456789abcdef";
  char text[18] = {'r', '-'};
  for (int i = 0; i < 8; ++i) {
    text[2 + 2 * i] = hex[mac[i] >> 4];
    text[3 + 2 * i] = hex[mac[i] & 15];
  }
  out.assign(text, sizeof text);
}

salt_source resolve_salt(const std::string& option, const std::string& salt_file) {
  if (!option.empty()) return {option, "--salt", false};
  if (const char* env = std::getenv("ML_SALT"); env && *env) return {env, "ML_SALT", false};
  namespace fs = std::filesystem;
  fs::path path;
  if (!salt_file.empty()) {
    path = salt_file;
  } else if (const char* f = std::getenv("ML_SALT_FILE"); f && *f) {
    path = f;
  } else if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) {
    path = fs::path(x) / "massline" / "salt";
  } else if (const char* h = std::getenv("HOME"); h && *h) {
    path = fs::path(h) / ".config" / "massline" / "salt";
  } else {
    throw usage_error("no pseudonym salt: give --salt, set ML_SALT, or set HOME so a salt file "
                      "can be kept");
  }
  std::string p = path.string();
  std::ifstream in(path, std::ios::binary);
  if (in) {
    std::string salt((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string_view t = trim(salt);
    if (t.empty())
      throw data_error(p, 0, "the salt file is empty; delete it to have a new one made, or give "
                             "--salt");
    return {std::string(t), p, false};
  }
  std::error_code ec;
  if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1)
    throw error(exit_internal, "cannot get random bytes for a new salt");
  std::string salt;
  for (unsigned char b : bytes) salt += fmt::format("{:02x}", b);
  int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return resolve_salt(option, p);  // another run made it first
    throw cant_create_error(p, std::strerror(errno));
  }
  std::string line = salt + "\n";
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ok = (::fsync(fd) == 0) && ok;
  ::close(fd);
  if (!ok) {
    ::unlink(p.c_str());
    throw io_error(p, "cannot write the new salt file");
  }
  return {salt, p, true};
}

}  // namespace ml
