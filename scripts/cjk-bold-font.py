#!/usr/bin/env python3
"""Makes assets/fonts/NotoSansSC-Bold-subset.ttf, the bold Chinese face of the
desktop app's Chinese headings and of the Chinese headings on the PDF cover and
letter (Droid Sans Fallback, the regular face, has no bold).

Source: the npm package @fontsource-variable/noto-sans-sc 5.3.1 (Noto Sans SC,
variable weight, TrueType outlines, in 101 woff2 parts; SIL Open Font License
1.1). Each part is cut to the characters of GB 2312 (its 6,763 hanzi and its
symbols and full-width forms), printable ASCII, CJK punctuation and every
character of the app's Chinese texts; set to weight 700; stripped of layout
and vertical tables; and the parts are merged into one TrueType font (glyf
outlines, which pdfcpu can embed) named Noto Sans SC Bold, with a zero-width
U+200A (see zero-width-hair-space.py).

Needs Debian's fonttools and python3-brotli. Run from the repository:
    npm pack @fontsource-variable/noto-sans-sc@5.3.1 && tar xzf fontsource-variable-noto-sans-sc-5.3.1.tgz
    /usr/bin/python3 scripts/cjk-bold-font.py package/files assets/fonts/NotoSansSC-Bold-subset.ttf
"""
import glob
import importlib.util
import json
import os
import sys
import tempfile

from fontTools import merge, subset
from fontTools.ttLib import TTFont
from fontTools.varLib import instancer


def wanted_characters(repo):
    chars = set()
    for hi in range(0xA1, 0xF8):  # GB 2312: symbols (rows 1-9) and hanzi (rows 16-87)
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes([hi, lo]).decode('gb2312')))
            except UnicodeDecodeError:
                pass
    chars |= set(range(0x20, 0x7F)) | set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFF66))
    chars |= {0x00B7, 0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2026, 0x2022, 0x00D7}
    for path in glob.glob(os.path.join(repo, 'assets/translations/**/zh-Hans.json'), recursive=True):
        with open(path, encoding='utf-8') as f:
            for text in json.load(f).values():
                if isinstance(text, str):
                    chars |= {ord(c) for c in text if ord(c) > 0x7F}
    return chars


def main(src, out):
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    chars = wanted_characters(repo)
    with tempfile.TemporaryDirectory() as tmp:
        parts = []
        for fn in sorted(glob.glob(os.path.join(src, 'noto-sans-sc-*-wght-normal.woff2'))):
            f = TTFont(fn)
            have = set(f.getBestCmap()) & chars
            if not have:
                continue
            s = subset.Subsetter(subset.Options(layout_features=[], name_IDs=['*'], notdef_outline=True,
                                                glyph_names=False, hinting=False))
            s.populate(unicodes=have)
            s.subset(f)
            f = instancer.instantiateVariableFont(f, {'wght': 700})
            for tag in ('GSUB', 'GPOS', 'BASE', 'STAT', 'vhea', 'vmtx'):
                if tag in f:
                    del f[tag]
            f.flavor = None
            p = os.path.join(tmp, 'part-%03d.ttf' % len(parts))
            f.save(p)
            parts.append(p)
        font = merge.Merger().merge(parts)
    names = {1: 'Noto Sans SC', 2: 'Bold', 3: 'NotoSansSC-Bold-subset', 4: 'Noto Sans SC Bold',
             6: 'NotoSansSC-Bold'}
    for rec in font['name'].names:
        if rec.nameID in names:
            rec.string = names[rec.nameID]
        elif rec.nameID in (16, 17, 21, 22, 25):
            rec.string = ''
    font['name'].names = [r for r in font['name'].names if r.nameID not in (16, 17, 21, 22, 25)]
    font['OS/2'].usWeightClass = 700
    font['OS/2'].fsSelection = (font['OS/2'].fsSelection & ~0x40) | 0x20  # not REGULAR, BOLD
    font['head'].macStyle |= 1
    # The app's mark for where Chinese text may break (see zero-width-hair-space.py).
    spec = importlib.util.spec_from_file_location('zwhs', os.path.join(repo, 'scripts/zero-width-hair-space.py'))
    zwhs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(zwhs)
    zwhs.add_hair_space(font)
    font.save(out)
    print(out, len(font.getBestCmap()), 'characters,', len(font.getGlyphOrder()), 'glyphs')


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
