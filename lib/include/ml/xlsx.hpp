// SPDX-License-Identifier: Apache-2.0
// XLSX (Office Open XML spreadsheet) reading: one sheet into rows of strings. An XLSX is a
// zip of XML parts, so it is read whole (the only input format that is not streamed).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ml {

struct xlsx_row {
  long long number = 0;            ///< the spreadsheet's own row number (1-based, `r` attribute)
  std::vector<std::string> cells;  ///< column A first; missing cells are empty strings
};

struct xlsx_sheet {
  std::string name;            ///< the sheet's name as the workbook lists it
  std::vector<xlsx_row> rows;  ///< rows that hold at least one non-empty cell, in order
};

/// Reads sheet `sheet` (by name; empty: the first sheet in workbook order) from the XLSX
/// bytes in `data`. Cells come out as text: shared and inline strings as written (rich text
/// runs concatenated), numbers in their shortest round-trip form ("3", "2.5"), booleans
/// "TRUE"/"FALSE", error cells as their code ("#N/A"), and cells whose number format is a
/// date or time as ISO 8601 ("2024-03-05", "2024-03-05T11:27:32", "11:27:32"; the 1900 and
/// 1904 date systems). `file` names the input in messages.
/// Throws ml::error with exit 65 (`file: not an XLSX file (not a zip archive)`, missing or
/// malformed parts, an unknown sheet name listing the sheets there are).
xlsx_sheet read_xlsx(std::string_view data, const std::string& file, const std::string& sheet = {});

/// True if `data` starts like a zip archive (the only container XLSX uses).
bool looks_like_zip(std::string_view data) noexcept;

}  // namespace ml
