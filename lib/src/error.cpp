// SPDX-License-Identifier: Apache-2.0
#include "ml/error.hpp"

#include <fmt/format.h>

namespace ml {

error usage_error(std::string message) { return error(exit_usage, std::move(message)); }

error data_error(const std::string& file, long long line, const std::string& message) {
  if (line > 0) return error(exit_data, fmt::format("{}:{}: {}", file, line, message));
  return error(exit_data, fmt::format("{}: {}", file, message));
}

error no_input_error(const std::string& file, const std::string& why) {
  return error(exit_no_input, fmt::format("{}: cannot open: {}", file, why));
}

error cant_create_error(const std::string& file, const std::string& why) {
  return error(exit_cant_create, fmt::format("{}: cannot create: {}", file, why));
}

error io_error(const std::string& file, const std::string& why) {
  return error(exit_io, fmt::format("{}: {}", file, why));
}

}  // namespace ml
