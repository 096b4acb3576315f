// SPDX-License-Identifier: Apache-2.0
// Errors that carry their exit code, the same in every massline tool (sysexits-style).
#pragma once

#include <stdexcept>
#include <string>

namespace ml {

/// Exit codes shared by every tool; documented in ml-records(5) and each man page.
enum exit_code : int {
  exit_ok = 0,
  exit_findings = 1,     ///< findings that need attention (per tool)
  exit_usage = 64,       ///< bad command line
  exit_data = 65,        ///< malformed input data
  exit_no_input = 66,    ///< an input file does not exist or cannot be opened
  exit_internal = 70,    ///< a bug in massline
  exit_cant_create = 73, ///< an output file cannot be created
  exit_io = 74,          ///< read or write error
  exit_interrupted = 130,
};

/// An error a tool reports as `tool: error: message` and exits with `code`.
class error : public std::runtime_error {
 public:
  error(int code, std::string message) : std::runtime_error(std::move(message)), code_(code) {}
  int code() const noexcept { return code_; }

 private:
  int code_;
};

/// Thrown when stdout's reader went away (EPIPE): the tool ends quietly with status 0.
class broken_pipe : public std::exception {
 public:
  const char* what() const noexcept override { return "broken pipe"; }
};

/// Named factories, so call sites read as what went wrong.
error usage_error(std::string message);
/// `file:line: message` (line 0 leaves the line out); exit 65.
error data_error(const std::string& file, long long line, const std::string& message);
error no_input_error(const std::string& file, const std::string& why);
error cant_create_error(const std::string& file, const std::string& why);
error io_error(const std::string& file, const std::string& why);

}  // namespace ml
