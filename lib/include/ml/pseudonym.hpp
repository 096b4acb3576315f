// SPDX-License-Identifier: Apache-2.0
// Pseudonyms for respondents: a keyed hash (HMAC-SHA256) of the raw id or e-mail, so the
// same person gets the same pseudonym in every cycle run with the same salt, and nobody
// without the salt can go from a pseudonym back to a person.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace ml {

class pseudonymizer {
 public:
  /// Throws ml::error 64 when the salt is empty.
  explicit pseudonymizer(std::string_view salt);
  ~pseudonymizer();
  pseudonymizer(const pseudonymizer&) = delete;
  pseudonymizer& operator=(const pseudonymizer&) = delete;

  /// "r-" followed by the first 16 hex digits of HMAC-SHA256(salt, normalise(raw)).
  std::string operator()(std::string_view raw) const;
  /// The same into `out` (no allocation once `out` has room: for one call per row).
  void assign(std::string& out, std::string_view raw) const;

  /// The raw id as it is hashed: trimmed, and lowercased when it is an e-mail address, so
  /// "Ana@Example.org " and "ana@example.org" are the same person.
  static std::string normalise(std::string_view raw);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// Where the salt came from, for messages.
struct salt_source {
  std::string salt;
  std::string origin;  ///< "--salt", "ML_SALT", or the salt file's path
  bool created = false;  ///< a new salt file was written
};

/// The salt: `option` (from --salt) if set, else $ML_SALT, else the salt file given by
/// `salt_file` or $ML_SALT_FILE or $XDG_CONFIG_HOME/massline/salt or
/// $HOME/.config/massline/salt, created with 256 random bits (mode 0600) on first use.
/// Throws ml::error 73 when the file cannot be created, 65 when it is empty.
salt_source resolve_salt(const std::string& option, const std::string& salt_file);

}  // namespace ml
