#!/usr/bin/env python3
"""Workbooks for the tests of `cartel import xlsx`, made from their parts
(Office Open XML as spreadsheets write it), so that each test says what
is in its file: shared and inline strings, dates as serial numbers and as
text, a merged header, empty and formatted rows, a formula; and hostile
ones: a zip bomb, an external entity, a billion laughs.

usage: xlsx_make.py KIND OUT      (KIND: sample, bomb, liar, xxe, laughs,
                                   formula_only, two_sheets,
                                   unnamed, nameless, million [ROWS])
"""
import struct
import sys
import zipfile
import zlib

NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
RNS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'
PKG = 'http://schemas.openxmlformats.org/package/2006/relationships'

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension='
    '"xml" ContentType="application/xml"/></Types>')
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" Type="{RNS}/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>')


def workbook(sheets, date1904=False):
    pr = '<workbookPr date1904="1"/>' if date1904 else '<workbookPr/>'
    s = ''.join(f'<sheet name="{n}" sheetId="{i + 1}" r:id="rId{i + 1}"/>'
                for i, n in enumerate(sheets))
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<workbook xmlns="{NS}"'
            f' xmlns:r="{RNS}">{pr}<sheets>{s}</sheets></workbook>')


def wb_rels(n):
    s = ''.join(f'<Relationship Id="rId{i + 1}" Type="{RNS}/worksheet" '
                f'Target="worksheets/sheet{i + 1}.xml"/>' for i in range(n))
    s += (f'<Relationship Id="rId{n + 1}" Type="{RNS}/sharedStrings" '
          'Target="sharedStrings.xml"/>'
          f'<Relationship Id="rId{n + 2}" Type="{RNS}/styles" '
          'Target="styles.xml"/>')
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<Relationships xmlns="{PKG}">{s}</Relationships>')


# xf 0: General; 1: a built-in date (14); 2: a custom date dd.mm.yyyy;
# 3: a number with a fill (trailing formatting); 4: text (@).
STYLES = (
    f'<?xml version="1.0" encoding="UTF-8"?>\n<styleSheet xmlns="{NS}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd\\.mm\\.yyyy"/>'
    '</numFmts><cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs>'
    '<cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="14"/>'
    '<xf numFmtId="164"/><xf numFmtId="0" fillId="2"/><xf numFmtId="49"/>'
    '</cellXfs></styleSheet>')


def esc(s):
    return s.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')


class Sheet:
    def __init__(self, shared):
        self.rows = []
        self.shared = shared
        self.merges = []

    def row(self, r, cells, attrs=''):
        self.rows.append((r, cells, attrs))

    def xml(self):
        out = [f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet '
               f'xmlns="{NS}" xmlns:r="{RNS}"><sheetData>']
        for r, cells, attrs in self.rows:
            out.append(f'<row r="{r}"{attrs}>')
            for c in cells:
                out.append(c)
            out.append('</row>')
        out.append('</sheetData>')
        if self.merges:
            out.append(f'<mergeCells count="{len(self.merges)}">')
            out.extend(f'<mergeCell ref="{m}"/>' for m in self.merges)
            out.append('</mergeCells>')
        out.append('</worksheet>')
        return ''.join(out)


class Shared:
    def __init__(self):
        self.v = []

    def add(self, s):
        self.v.append(s)
        return len(self.v) - 1

    def xml(self):
        items = []
        for s in self.v:
            if isinstance(s, tuple):  # rich text with a phonetic run
                items.append('<si>' + ''.join(
                    f'<r><rPr><b/></rPr><t xml:space="preserve">{esc(p)}</t>'
                    '</r>' for p in s) + '<rPh sb="0" eb="1"><t>x</t></rPh>'
                    '</si>')
            else:
                items.append(f'<si><t xml:space="preserve">{esc(s)}</t>'
                             '</si>')
        return (f'<?xml version="1.0" encoding="UTF-8"?>\n<sst xmlns="{NS}" '
                f'count="{len(self.v)}" uniqueCount="{len(self.v)}">'
                + ''.join(items) + '</sst>')


def s_cell(ref, sh, text, style=None):
    st = f' s="{style}"' if style is not None else ''
    return f'<c r="{ref}" t="s"{st}><v>{sh.add(text)}</v></c>'


def inline(ref, text):
    return f'<c r="{ref}" t="inlineStr"><is><t>{esc(text)}</t></is></c>'


def num(ref, v, style=0):
    return f'<c r="{ref}" s="{style}"><v>{v}</v></c>'


def write(out, parts, compress=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(out, 'w', compress) as z:
        for name, data in parts:
            z.writestr(name, data)


def book(out, sheets, shared, date1904=False):
    parts = [('[Content_Types].xml', CONTENT_TYPES),
             ('_rels/.rels', ROOT_RELS),
             ('xl/workbook.xml', workbook([n for n, _ in sheets], date1904)),
             ('xl/_rels/workbook.xml.rels', wb_rels(len(sheets))),
             ('xl/styles.xml', STYLES),
             ('xl/sharedStrings.xml', shared.xml())]
    for i, (_, s) in enumerate(sheets):
        parts.append((f'xl/worksheets/sheet{i + 1}.xml', s.xml()))
    write(out, parts)


def sample(out):
    """A clerk's list: a merged header cell over an empty column, an empty
    row, a formatted empty row, serial dates in two date formats, a text
    date, shared, rich and inline strings, a formula with its cached
    value, a formula-like text, formatted cells past the last column."""
    sh = Shared()
    s = Sheet(sh)
    s.merges.append('B1:C1')
    s.row(1, [s_cell('A1', sh, 'id'), s_cell('B1', sh, 'Прізвище'),
              s_cell('D1', sh, 'given_name'), s_cell('E1', sh, 'birth_date'),
              s_cell('F1', sh, 'captured_on'), s_cell('G1', sh, 'status'),
              s_cell('H1', sh, 'held_by'), '<c r="I1" s="3"/>'])
    # 1990-05-17 is serial 33010; 2024-02-29 is 45351.
    s.row(2, [inline('A2', 'UA-1'), s_cell('B2', sh, ('Ковал', 'енко')),
              inline('D2', 'Олександр'), num('E2', 33010, 1),
              num('F2', 45351, 2), inline('G2', 'confirmed_captive'),
              inline('H2', 'RU'), '<c r="I2" s="3"/>'])
    s.row(3, ['<c r="A3" s="3"/>', '<c r="E3" s="3"/>'])  # formatted only
    # Row 4 is missing: an empty row.
    s.row(5, [inline('A5', 'UA-2'), s_cell('B5', sh, '=HYPERLINK("x")'),
              s_cell('D5', sh, '+380 Сергій'), s_cell('E5', sh, '1991-02-03'),
              '<c r="F5" t="str"><f>TEXT(45000,"yyyy")</f><v>2023</v></c>',
              inline('G5', 'confirmed_captive'), inline('H5', 'RU')])
    # A bad date: the import rejects this row by its own rule (row 6).
    s.row(6, [inline('A6', 'UA-3'), s_cell('B6', sh, 'Бондар'),
              inline('E6', '1990-02-30'), inline('G6', 'confirmed_captive'),
              inline('H6', 'RU')])
    s.row(7, [inline('A7', 'UA-4'), s_cell('B7', sh, 'Мельник'),
              '<c r="E7" t="n" s="1"><v>29221.75</v></c>',
              inline('G7', 'confirmed_captive'), inline('H7', 'RU')], ' ht="20"')
    s.row(9, [f'<c r="{c}9" s="3"/>' for c in 'ABCDEFGHI'])
    book(out, [('Список', s)], sh)


def two_sheets(out):
    sh = Shared()
    a = Sheet(sh)
    a.row(1, [inline('A1', 'note')])
    a.row(2, [inline('A2', 'cover sheet')])
    b = Sheet(sh)
    b.row(1, [inline('A1', 'id'), inline('B1', 'family_name')])
    b.row(2, [inline('A2', 'RU-7'), inline('B2', 'Иванов')])
    book(out, [('Cover', a), ('Persons', b)], sh)


def unnamed(out):
    """Data under an empty header cell: refused, nothing imported."""
    sh = Shared()
    s = Sheet(sh)
    s.merges.append('B1:C1')
    s.row(1, [inline('A1', 'id'), inline('B1', 'family_name'),
              inline('D1', 'given_name')])
    s.row(2, [inline('A2', 'UA-1'), inline('B2', 'Шевченко'),
              inline('C2', 'Тарас')])
    book(out, [('Sheet1', s)], sh)


def nameless(out):
    """A sheet with no name column (id, consent): refused as the CSV is."""
    sh = Shared()
    s = Sheet(sh)
    s.row(1, [inline('A1', 'id'), inline('B1', 'consent')])
    s.row(2, [inline('A2', 'UA-9'), inline('B2', 'willing')])
    book(out, [('Sheet1', s)], sh)


def bomb(out):
    """A sheet inflating to 600 MiB of the same rows, in a small file: one
    deflated megabyte, flushed so that it stands alone, repeated; with
    `lie`, the archive says the part inflates to 1,000 bytes."""
    lie = len(sys.argv) > 3 and sys.argv[3] == 'lie'
    head = (f'<?xml version="1.0"?><worksheet xmlns="{NS}"><sheetData>'
            .encode())
    unit = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 20000
    n = 8 if lie else (600 << 20) // len(unit)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = comp.compress(head) + comp.flush(zlib.Z_FULL_FLUSH)
    seg = comp.compress(unit) + comp.flush(zlib.Z_FULL_FLUSH)
    data = first + seg * n + b'\x03\x00'
    crc = zlib.crc32(head)
    for _ in range(n):
        crc = zlib.crc32(unit, crc)
    size = len(head) + n * len(unit)
    base = [('[Content_Types].xml', CONTENT_TYPES), ('_rels/.rels', ROOT_RELS),
            ('xl/workbook.xml', workbook(['Sheet1'])),
            ('xl/_rels/workbook.xml.rels', wb_rels(1))]
    raw_zip(out, base, ('xl/worksheets/sheet1.xml', data, crc, size),
            lie=lie)


def million(out):
    """A sheet of a million persons under a header with an empty cell
    (D1), every row valid but the last, which holds data under that empty
    header cell: the whole sheet is read before the reader refuses it.
    The rows are deflated as they are made, so that the script stays
    small in memory. ROWS (argv[3]) makes it smaller."""
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 1000000
    sh = Shared()
    head = (f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{NS}"'
            f' xmlns:r="{RNS}"><sheetData><row r="1">'
            + inline('A1', 'id') + inline('B1', 'family_name')
            + inline('C1', 'birth_date') + inline('E1', 'unit') + '</row>')
    comp = zlib.compressobj(1, zlib.DEFLATED, -15)
    chunks = [comp.compress(head.encode())]
    crc = zlib.crc32(head.encode())
    size = len(head.encode())
    row = ('<row r="%d"><c r="A%d" t="inlineStr"><is><t>M-%d</t></is></c>'
           '<c r="B%d" t="inlineStr"><is><t>Шевченко</t></is></c>'
           '<c r="C%d" s="1"><v>33010</v></c></row>')
    for first in range(2, n + 2, 10000):
        last = min(first + 10000, n + 2)
        b = ''.join(row % (r, r, r, r, r) for r in range(first, last))
        if last == n + 2:
            r = n + 1
            b = b[:-len('</row>')] + inline(f'D{r}', 'x') + '</row>'
        b = b.encode()
        chunks.append(comp.compress(b))
        crc = zlib.crc32(b, crc)
        size += len(b)
    tail = b'</sheetData></worksheet>'
    chunks.append(comp.compress(tail))
    chunks.append(comp.flush())
    crc = zlib.crc32(tail, crc)
    size += len(tail)
    base = [('[Content_Types].xml', CONTENT_TYPES), ('_rels/.rels', ROOT_RELS),
            ('xl/workbook.xml', workbook(['Sheet1'])),
            ('xl/_rels/workbook.xml.rels', wb_rels(1)),
            ('xl/styles.xml', STYLES), ('xl/sharedStrings.xml', sh.xml())]
    raw_zip(out, base, ('xl/worksheets/sheet1.xml', b''.join(chunks), crc,
                        size))


def raw_zip(out, parts, big, lie=False):
    """A zip written by hand, so that the big part's sizes may lie."""
    entries = [(n, zlib.compress(d.encode(), 9)[2:-4], zlib.crc32(d.encode()),
                len(d.encode())) for n, d in parts]
    entries.append(big)
    blob = bytearray()
    central = bytearray()
    for name, data, crc, size in entries:
        nb = name.encode()
        usize = 1000 if lie and data is big[1] else size
        off = len(blob)
        blob += struct.pack('<IHHHHHIIIHH', 0x04034b50, 20, 0, 8, 0, 0, crc,
                            len(data), usize, len(nb), 0) + nb + data
        central += struct.pack('<IHHHHHHIIIHHHHHII', 0x02014b50, 20, 20, 0,
                               8, 0, 0, crc, len(data), usize, len(nb), 0, 0,
                               0, 0, 0, off) + nb
    end = struct.pack('<IHHHHIIH', 0x06054b50, 0, 0, len(entries),
                      len(entries), len(central), len(blob), 0)
    with open(out, 'wb') as f:
        f.write(blob + central + end)


def hostile_xml(out, doctype):
    sh = Shared()
    s = Sheet(sh)
    s.row(1, [inline('A1', 'id'), inline('B1', 'family_name')])
    s.row(2, [inline('A2', 'UA-1'), '<c r="B2" t="inlineStr"><is><t>&e;'
              '</t></is></c>'])
    xml = s.xml().replace('<worksheet', doctype + '<worksheet', 1)
    xml = xml.replace('<?xml version="1.0" encoding="UTF-8"?>\n', '', 1)
    xml = '<?xml version="1.0" encoding="UTF-8"?>\n' + xml
    parts = [('[Content_Types].xml', CONTENT_TYPES), ('_rels/.rels', ROOT_RELS),
             ('xl/workbook.xml', workbook(['Sheet1'])),
             ('xl/_rels/workbook.xml.rels', wb_rels(1)),
             ('xl/styles.xml', STYLES), ('xl/sharedStrings.xml', sh.xml()),
             ('xl/worksheets/sheet1.xml', xml)]
    write(out, parts)


def main():
    kind, out = sys.argv[1], sys.argv[2]
    if kind == 'sample':
        sample(out)
    elif kind == 'two_sheets':
        two_sheets(out)
    elif kind == 'unnamed':
        unnamed(out)
    elif kind == 'nameless':
        nameless(out)
    elif kind == 'bomb':
        bomb(out)
    elif kind == 'million':
        million(out)
    elif kind == 'xxe':
        hostile_xml(out, '<!DOCTYPE worksheet [<!ENTITY e SYSTEM '
                    '"file:///etc/passwd">]>')
    elif kind == 'laughs':
        d = '<!ENTITY a0 "ha">' + ''.join(
            f'<!ENTITY a{i} "' + f'&a{i - 1};' * 10 + '">' for i in range(1, 10))
        hostile_xml(out, f'<!DOCTYPE worksheet [{d}<!ENTITY e "&a9;">]>')
    else:
        sys.exit('unknown kind ' + kind)


if __name__ == '__main__':
    main()
