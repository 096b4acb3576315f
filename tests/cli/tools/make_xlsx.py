#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Writes a small Google Forms export as .xlsx (the way Sheets downloads it): shared strings,
# an inline string, numbers and a date-time serial with a date style. Usage: make_xlsx.py OUT
import sys
import zipfile

rows = [
    # (kind, value) per cell: s = shared string, n = number, d = date serial, i = inline string
    [("s", "Timestamp"), ("s", "Which site do you work at?"), ("s", "How safe do you feel at work? (1-5)"),
     ("s", "What should change first?")],
    [("d", 45355.375), ("s", "Harbour Road"), ("n", 2), ("s", "Fix the broken lift in block B & the stairs light")],
    [("d", 45355.5104166667), ("s", "Mill Lane"), ("n", 4), ("i", "Rotas two weeks ahead, not on Friday night")],
    [("d", 45356.75), ("s", "Harbour Road"), ("n", 1), ("s", "A panic alarm at the night desk")],
]

shared = []
for r in rows:
    for kind, v in r:
        if kind == "s" and v not in shared:
            shared.append(v)


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def col(i):
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[i]


sheet_rows = []
for ri, r in enumerate(rows, start=1):
    cells = []
    for ci, (kind, v) in enumerate(r):
        ref = f"{col(ci)}{ri}"
        if kind == "s":
            cells.append(f'<c r="{ref}" t="s"><v>{shared.index(v)}</v></c>')
        elif kind == "i":
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{esc(v)}</t></is></c>')
        elif kind == "d":
            cells.append(f'<c r="{ref}" s="1"><v>{v}</v></c>')
        else:
            cells.append(f'<c r="{ref}"><v>{v}</v></c>')
    sheet_rows.append(f'<row r="{ri}">{"".join(cells)}</row>')

files = {
    "[Content_Types].xml":
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '</Types>',
    "_rels/.rels":
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        '</Relationships>',
    "xl/workbook.xml":
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Form Responses 1" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels":
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
        '</Relationships>',
    "xl/styles.xml":
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<numFmts count="1"><numFmt numFmtId="164" formatCode="m/d/yyyy h:mm:ss"/></numFmts>'
        '<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs>'
        '</styleSheet>',
    "xl/sharedStrings.xml":
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{len(shared)}" uniqueCount="{len(shared)}">'
        + "".join(f"<si><t>{esc(s)}</t></si>" for s in shared) + "</sst>",
    "xl/worksheets/sheet1.xml":
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<sheetData>{"".join(sheet_rows)}</sheetData></worksheet>',
}

with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for name, data in files.items():
        # A fixed date keeps the bytes the same on every run.
        z.writestr(zipfile.ZipInfo(name, date_time=(2024, 3, 6, 0, 0, 0)), data)
