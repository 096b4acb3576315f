// SPDX-License-Identifier: Apache-2.0
// Unit tests for ml/diag.hpp: messages that carry text from the input cannot drive the
// terminal.
#include "ml/diag.hpp"

#include <gtest/gtest.h>

namespace ml {
namespace {

TEST(TerminalSafe, ControlCharactersBecomeVisibleEscapes) {
  EXPECT_EQ(diag::terminal_safe("\x1b[31mred\x1b]0;title\x07"), "\\x1b[31mred\\x1b]0;title\\x07");
  EXPECT_EQ(diag::terminal_safe(std::string("a\0b\rc\x7f", 6)), "a\\x00b\\x0dc\\x7f");
  // Newline and tab are kept: messages and the --columns table use them.
  EXPECT_EQ(diag::terminal_safe("a\tb\nc"), "a\tb\nc");
}

TEST(TerminalSafe, C1AndBidiControlsBecomeEscapesOtherTextIsKept) {
  EXPECT_EQ(diag::terminal_safe("x\xc2\x9by"), "x\\u009by");  // CSI as a C1 character
  EXPECT_EQ(diag::terminal_safe("\xe2\x80\xae" "evil" "\xe2\x80\xac"), "\\u202eevil\\u202c");
  EXPECT_EQ(diag::terminal_safe("\xe2\x81\xa6x\xe2\x81\xa9\xe2\x80\x8f"), "\\u2066x\\u2069\\u200f");
  // Letters, accents, other punctuation in the same ranges and invalid bytes pass through.
  EXPECT_EQ(diag::terminal_safe("Ashby \xc3\xa9t\xc3\xa9 \xe2\x80\x94 \xe2\x80\xa6 \xff"),
            "Ashby \xc3\xa9t\xc3\xa9 \xe2\x80\x94 \xe2\x80\xa6 \xff");
}

}  // namespace
}  // namespace ml
