// SPDX-License-Identifier: Apache-2.0
// Unit tests for ml/output.hpp: a file output appears whole on commit() or not at all, an
// old file stays intact until then, and write errors carry the right exit codes.
#include "temp_dir.hpp"
#include "ml/output.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "ml/error.hpp"

namespace ml {
namespace {

using test::slurp;
using test::temp_dir;

void spit(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

// Sets the umask for the life of the object.
class umask_guard {
 public:
  explicit umask_guard(mode_t m) : old_(::umask(m)) {}
  ~umask_guard() { ::umask(old_); }

 private:
  mode_t old_;
};

TEST(Output, FileAppearsOnlyOnCommit) {
  temp_dir dir;
  std::string path = dir.file("out.jsonl");
  output out(path);
  out.line("{\"a\":1}");
  out.write("{\"b\":");
  out.put('2');
  out.put('}');
  out.put('\n');
  out.flush();
  EXPECT_FALSE(std::filesystem::exists(path));
  out.commit();
  EXPECT_EQ(slurp(path), "{\"a\":1}\n{\"b\":2}\n");
  EXPECT_EQ(dir.entries(), (std::set<std::string>{"out.jsonl"}));
  EXPECT_EQ(out.path(), path);
  EXPECT_EQ(out.display_name(), path);
  EXPECT_FALSE(out.is_stdout());
}

TEST(Output, NoCommitLeavesNoFileAndNoTemporary) {
  temp_dir dir;
  {
    output out(dir.file("out.jsonl"));
    out.write(std::string(200'000, 'x'));  // more than one buffer: the temporary has bytes
    out.flush();
    EXPECT_EQ(dir.entries().size(), 1u);  // the temporary, beside the target
  }
  EXPECT_TRUE(dir.entries().empty());
}

TEST(Output, ExistingFileIntactWithoutCommit) {
  temp_dir dir;
  std::string path = dir.file("ideas.jsonl");
  spit(path, "old contents\n");
  {
    output out(path);
    out.line("new contents");
    out.flush();
    EXPECT_EQ(slurp(path), "old contents\n");
  }
  EXPECT_EQ(slurp(path), "old contents\n");
  EXPECT_EQ(dir.entries(), (std::set<std::string>{"ideas.jsonl"}));
}

TEST(Output, CommitReplacesAnExistingFile) {
  temp_dir dir;
  std::string path = dir.file("ideas.jsonl");
  spit(path, "old contents that were longer\n");
  output out(path);
  out.line("new");
  EXPECT_EQ(slurp(path), "old contents that were longer\n");
  out.commit();
  EXPECT_EQ(slurp(path), "new\n");
  EXPECT_EQ(dir.entries(), (std::set<std::string>{"ideas.jsonl"}));
}

TEST(Output, PermissionsOfAnExistingFileAreKept) {
  temp_dir dir;
  std::string path = dir.file("kept.jsonl");
  spit(path, "x\n");
  ASSERT_EQ(::chmod(path.c_str(), 0640), 0);
  output out(path);
  out.line("y");
  out.commit();
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
}

TEST(Output, NewFileFollowsTheUmask) {
  temp_dir dir;
  umask_guard mask(022);
  std::string path = dir.file("new.jsonl");
  output out(path);
  out.line("y");
  out.commit();
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
}

TEST(Output, LargeOutputIsWrittenWhole) {
  temp_dir dir;
  std::string path = dir.file("big.txt");
  std::string expected;
  output out(path);
  for (int i = 0; i < 50'000; ++i) {
    std::string l = "line " + std::to_string(i);
    out.line(l);
    expected += l + "\n";
  }
  std::string huge(300'000, 'h');
  out.write(huge);
  expected += huge;
  out.commit();
  EXPECT_TRUE(slurp(path) == expected);
}

TEST(Output, CommitTwiceIsHarmless) {
  temp_dir dir;
  std::string path = dir.file("o");
  output out(path);
  out.line("a");
  out.commit();
  EXPECT_NO_THROW(out.commit());
  EXPECT_EQ(slurp(path), "a\n");
}

TEST(Output, DevFullIsAnIoError) {
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  try {
    output out("/dev/full");
    out.line("this cannot be written");
    out.commit();
    FAIL() << "expected ml::error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), 74);
    EXPECT_EQ(std::string(e.what()).rfind("/dev/full: ", 0), 0u) << e.what();
  }
}

TEST(Output, DevNullIsWrittenInPlace) {
  output out("/dev/null");
  out.line("gone");
  EXPECT_NO_THROW(out.commit());
}

TEST(Output, MissingDirectoryIsExit73) {
  temp_dir dir;
  std::string path = dir.file("no/such/dir/out.jsonl");
  try {
    output out(path);
    FAIL() << "expected ml::error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), 73);
    EXPECT_EQ(std::string(e.what()).rfind(path + ": cannot create: ", 0), 0u) << e.what();
  }
}

TEST(Output, DirectoryAsTargetIsExit73) {
  temp_dir dir;
  try {
    output out(dir.path());
    FAIL() << "expected ml::error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), 73);
  }
}

TEST(Output, DashAndEmptyAreStdout) {
  output a("-");
  EXPECT_TRUE(a.is_stdout());
  EXPECT_EQ(a.display_name(), "<stdout>");
  output b("");
  EXPECT_TRUE(b.is_stdout());
  EXPECT_EQ(b.path(), "-");
}

TEST(Output, RelativePathInTheCurrentDirectory) {
  temp_dir dir;
  auto old = std::filesystem::current_path();
  std::filesystem::current_path(dir.path());
  {
    output out("rel.jsonl");
    out.line("r");
    out.commit();
  }
  std::filesystem::current_path(old);
  EXPECT_EQ(slurp(dir.file("rel.jsonl")), "r\n");
  EXPECT_EQ(dir.entries(), (std::set<std::string>{"rel.jsonl"}));
}

// copy_from: in the kernel between two files, else (a FIFO here) read and written; either
// way exactly the bytes asked for, after what was written before.
TEST(Output, CopyFromAnotherFile) {
  temp_dir dir;
  std::string src(3 << 20, '\0');
  for (std::size_t i = 0; i < src.size(); ++i) src[i] = static_cast<char>('a' + i % 26);
  std::string src_path = dir.write("src", src);
  int fd = ::open(src_path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  const std::string expected = "head" + src.substr(5, (2 << 20) + 3) + "tail" + src.substr(7, 1);
  {
    output out(dir.file("out"));
    out.write("head");
    out.copy_from(fd, 5, (2 << 20) + 3, "src");
    out.write("tail");
    out.copy_from(fd, 7, 1, "src");
    out.copy_from(fd, 9, 0, "src");
    out.commit();
  }
  EXPECT_EQ(slurp(dir.file("out")), expected);
  ASSERT_EQ(::mkfifo(dir.file("fifo").c_str(), 0600), 0);
  std::string got;
  std::thread reader([&] { got = slurp(dir.file("fifo")); });
  {
    output out(dir.file("fifo"));
    out.write("head");
    out.copy_from(fd, 5, (2 << 20) + 3, "src");
    out.write("tail");
    out.copy_from(fd, 7, 1, "src");
    out.commit();
  }
  reader.join();
  EXPECT_EQ(got, expected);
  // Past the end of the source: an error naming it, not a short output.
  output out(dir.file("short"));
  try {
    out.copy_from(fd, static_cast<long long>(src.size()) - 10, 20, "src");
    FAIL() << "expected an error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), exit_io);
    EXPECT_NE(std::string(e.what()).find("src"), std::string::npos) << e.what();
  }
  ::close(fd);
}

// Standard output that is a socket: neither copy_file_range (files only) nor splice (a pipe
// on one side) applies, so copy_from reads and writes, and keeps doing so.
TEST(Output, CopyFromIntoASocketReadsAndWrites) {
  temp_dir dir;
  std::string src(3 << 20, '\0');
  for (std::size_t i = 0; i < src.size(); ++i) src[i] = static_cast<char>('a' + i % 26);
  const std::string src_path = dir.write("src", src);
  const int fd = ::open(src_path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
  std::string got;
  std::thread reader([&] {
    char buf[65536];
    ssize_t n;
    while ((n = ::read(sv[1], buf, sizeof buf)) > 0) got.append(buf, static_cast<std::size_t>(n));
  });
  std::fflush(stdout);
  const int saved = ::dup(1);
  ASSERT_GE(saved, 0);
  ASSERT_EQ(::dup2(sv[0], 1), 1);
  std::string failure;
  try {
    output out("-");
    out.write("head");
    out.copy_from(fd, 5, (2 << 20) + 3, "src");
    out.write("tail");
    out.copy_from(fd, 7, 1, "src");
    out.commit();
  } catch (const std::exception& e) {
    failure = e.what();
  }
  ::dup2(saved, 1);
  ::close(saved);
  ::close(sv[0]);
  reader.join();
  ::close(sv[1]);
  ::close(fd);
  EXPECT_EQ(failure, "");
  EXPECT_TRUE(got == "head" + src.substr(5, (2 << 20) + 3) + "tail" + src.substr(7, 1))
      << got.size() << " bytes";
}

}  // namespace
}  // namespace ml
