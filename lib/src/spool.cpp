// SPDX-License-Identifier: Apache-2.0
#include "ml/spool.hpp"

#include <cerrno>
#include <cstring>
#include <fmt/format.h>

#include "ml/error.hpp"
#include "ml/output.hpp"

namespace ml {

namespace {

[[noreturn]] void fail(std::string_view what) {
  throw io_error("temporary file", fmt::format("{} ({}); set TMPDIR to a folder with free space",
                                               what, std::strerror(errno)));
}

}  // namespace

spool::spool() : buffer_(1 << 20) {
  file_ = std::tmpfile();
  if (!file_) fail("cannot create one");
  std::setvbuf(file_, buffer_.data(), _IOFBF, buffer_.size());
}

spool::~spool() {
  if (file_) std::fclose(file_);
}

void spool::append(std::string_view bytes) {
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) fail("cannot write");
}

void spool::start_reading() {
  if (std::fflush(file_) != 0) fail("cannot write");
  if (std::fseek(file_, 0, SEEK_SET) != 0) fail("cannot read back");
}

void spool::read(std::string& out, std::size_t size) {
  out.resize(size);
  if (size && std::fread(out.data(), 1, size, file_) != size) fail("cannot read back");
}

void spool::copy_to(output& out) {
  start_reading();
  std::string buf(1 << 16, '\0');
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), file_)) > 0) out.write({buf.data(), n});
  if (std::ferror(file_)) fail("cannot read back");
}

}  // namespace ml
