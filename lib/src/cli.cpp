// SPDX-License-Identifier: Apache-2.0
#include "ml/cli.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>
#include <iostream>

#include "ml/diag.hpp"
#include "ml/error.hpp"

namespace ml::cli {

namespace {
bool g_quiet_flag = false;

// Checks that what went to stdout really got there (jq does the same): 0, or 74 with a message.
int finish_stdout() {
  errno = 0;
  std::cout.flush();
  if (std::fflush(stdout) != 0 || !std::cout) {
    if (errno == EPIPE) return exit_ok;
    diag::error(fmt::format("<stdout>: write failed: {}",
                            std::strerror(errno ? errno : EIO)));
    return exit_io;
  }
  return exit_ok;
}

class formatter : public CLI::Formatter {
 public:
  std::string make_usage(const CLI::App* app, std::string name) const override {
    return CLI::Formatter::make_usage(app, std::move(name));
  }
};
}  // namespace

void setup(CLI::App& app, const std::string& examples) {
  app.set_version_flag("--version", std::string(app.get_name()) + " (massline) " ML_VERSION);
  app.add_flag("-q,--quiet", g_quiet_flag, "Print no tally, notes or progress on stderr");
  app.footer(examples);
  app.formatter(std::make_shared<formatter>());
  app.get_formatter()->column_width(34);
}

int run(CLI::App& app, int argc, char** argv, const std::function<int()>& body) {
  diag::set_program(app.get_name());
  ::signal(SIGPIPE, SIG_IGN);  // a closed pipe shows up as EPIPE, which ends us quietly
  int status = exit_ok;
  try {
    try {
      app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
      std::cout << app.help();
      return finish_stdout();
    } catch (const CLI::CallForAllHelp&) {
      std::cout << app.help("", CLI::AppFormatMode::All);
      return finish_stdout();
    } catch (const CLI::CallForVersion&) {
      std::cout << app.version() << "\n";
      return finish_stdout();
    } catch (const CLI::ParseError& e) {
      std::string msg = e.what();
      if (!msg.empty() && msg.back() == '\n') msg.pop_back();
      if (!msg.empty()) msg[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(msg[0])));
      diag::error(fmt::format("{}; try '{} --help'", msg, app.get_name()));
      return exit_usage;
    }
    diag::set_quiet(g_quiet_flag);
    status = body();
  } catch (const broken_pipe&) {
    return exit_ok;
  } catch (const error& e) {
    diag::error(e.what());
    return e.code();
  } catch (const std::bad_alloc&) {
    diag::error("out of memory");
    return exit_internal;
  } catch (const std::exception& e) {
    diag::error(fmt::format("internal error: {}; please report this as a bug", e.what()));
    return exit_internal;
  }
  int flushed = finish_stdout();
  return flushed != exit_ok ? flushed : status;
}

}  // namespace ml::cli
