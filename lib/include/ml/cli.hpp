// SPDX-License-Identifier: Apache-2.0
// The one exit funnel every tool's main() goes through: parse with CLI11, run the body, map
// errors to the documented exit codes, and make sure stdout really was written.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace ml::cli {

/// Creates the app with the options every tool shares: --version, -q/--quiet. `examples`
/// is shown at the end of --help.
void setup(CLI::App& app, const std::string& examples);

/// Parses argv, runs `body` and returns the exit status:
/// - `--help` and `--version` print to stdout and give 0;
/// - a usage error prints `tool: error: ...` plus a hint and gives 64 (CLI11's own codes
///   never leak);
/// - ml::error gives its code; ml::broken_pipe gives 0 quietly; anything else 70;
/// - a failure to flush stdout at the end gives 74.
int run(CLI::App& app, int argc, char** argv, const std::function<int()>& body);

}  // namespace ml::cli
