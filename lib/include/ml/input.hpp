// SPDX-License-Identifier: Apache-2.0
// Reading an input file or stdin as UTF-8 text in chunks, whatever its encoding: UTF-8 with
// or without BOM, UTF-16 LE/BE with BOM, Windows-1252 when the bytes are not UTF-8, or an
// encoding named by the user. Streams: memory stays bounded whatever the input size.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace ml {

/// Where warnings go (the tool prints them as `tool: warning: ...`).
using warn_fn = std::function<void(const std::string&)>;

/// Opens a file ("-" is stdin) for reading raw bytes. Throws ml::error 66 when it cannot.
class byte_input {
 public:
  explicit byte_input(const std::string& path);
  ~byte_input();
  byte_input(const byte_input&) = delete;
  byte_input& operator=(const byte_input&) = delete;

  /// Reads up to `max` bytes, appending to `out`; returns the count, 0 at end of input.
  /// Throws ml::error 74 on a read error.
  std::size_t read(std::string& out, std::size_t max);
  /// Reads everything that is left into `out`, refusing more than `limit` bytes (error 65).
  void read_all(std::string& out, std::size_t limit);
  /// Name for messages: the path, or "<stdin>".
  const std::string& name() const { return name_; }
  /// Size of a regular file, or -1 (pipes, terminals).
  long long size() const { return size_; }
  /// True if the input can be read again from the start (a regular file).
  bool rewindable() const { return size_ >= 0; }
  void rewind();
  /// Goes on reading from byte `offset` (a regular file).
  void seek(long long offset);
  long long consumed() const { return consumed_; }
  /// The descriptor, for reading at offsets (pread) of a regular file.
  int fd() const { return fd_; }

 private:
  std::string name_;
  int fd_ = 0;
  bool own_ = false;
  long long size_ = -1;
  long long consumed_ = 0;
};

/// Text input: detects and converts the encoding, yields UTF-8.
class text_input {
 public:
  /// `encoding` empty: detect (BOM, then UTF-8, falling back to Windows-1252 with a warning).
  /// Otherwise an encoding name ICU knows ("utf-8", "windows-1252", "latin1", "utf-16le",
  /// ...); an unknown name is a usage error (64).
  /// `prefix` holds bytes already read from `in` (format sniffing); they are read first.
  text_input(byte_input& in, std::string encoding, warn_fn warn, std::string prefix = {});
  ~text_input();
  text_input(const text_input&) = delete;
  text_input& operator=(const text_input&) = delete;

  /// Appends the next chunk of UTF-8 text to `out`; returns false at end of input.
  /// Throws ml::error 65 with file:line on bytes that are not valid in the encoding.
  bool next(std::string& out);
  /// The first chunk of text, without consuming it (format sniffing); empty for empty input.
  const std::string& peek();
  /// The whole text at once, where it lies: for a regular file of UTF-8 checked whole
  /// (detected, not declared) from which nothing was taken yet but the peek, a read-only
  /// mapping of the file from after its BOM to where the check ended, valid while this
  /// object lives; next() then goes on after it (bytes added to the file since). Empty
  /// where that is not so (then read with next()).
  std::string_view take_mapped();
  /// Keeps take_mapped's mapping alive as long as a copy is held (views into it may outlive
  /// this object, e.g. in rows still being worked on); null when there is none.
  std::shared_ptr<const void> mapping() const;
  /// Lets go of the mapping's pages before text offset `upto` (its whole pages): they leave
  /// the process's memory but not the page cache, and views into them stay valid (touched
  /// again, they are mapped again). Keeps the memory a big file takes bounded.
  void release_mapped(std::size_t upto);
  /// The encoding in use, as detected or given ("utf-8", "utf-8-bom", "utf-16le", ...).
  const std::string& encoding() const { return encoding_; }
  const std::string& name() const { return in_.name(); }

 private:
  struct impl;
  byte_input& in_;
  std::string encoding_;
  std::string peeked_;
  bool has_peeked_ = false;
  bool taken_ = false;  // next() handed out text (the peek's own read does not count)
  std::unique_ptr<impl> impl_;
};

}  // namespace ml
