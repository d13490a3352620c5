#!/usr/bin/env python3
"""Gives a TrueType font an empty, zero-width glyph for U+200A HAIR SPACE.

The desktop app marks where Chinese and Japanese text may break between lines
with U+200A (ui/internal/kit/wrap.go): Fyne wraps words only at white space, and U+200A
is white space to Go's unicode.IsSpace. With no width in the UI's Chinese
fonts the mark is invisible. Used on assets/fonts/DroidSansFallbackFull.ttf
(which has no U+200A) and by scripts/cjk-bold-font.py. Needs Debian's fonttools.

    /usr/bin/python3 scripts/zero-width-hair-space.py assets/fonts/DroidSansFallbackFull.ttf
"""
import sys

from fontTools.ttLib import TTFont
from fontTools.ttLib.tables._g_l_y_f import Glyph

HAIR_SPACE = 0x200A


def add_hair_space(font):
    name = 'uni200A'
    if HAIR_SPACE in font.getBestCmap():
        name = font.getBestCmap()[HAIR_SPACE]
    else:
        order = font.getGlyphOrder()
        font['glyf'].glyphs[name] = Glyph()
        font['glyf'].glyphOrder = order + [name]
        font.setGlyphOrder(order + [name])
        if 'vmtx' in font:
            font['vmtx'].metrics[name] = (0, 0)
        for t in font['cmap'].tables:
            if t.isUnicode():
                t.cmap[HAIR_SPACE] = name
        if 'post' in font and hasattr(font['post'], 'extraNames'):
            pass  # glyph names are rebuilt from the glyph order on save
    font['hmtx'].metrics[name] = (0, 0)
    return font


if __name__ == '__main__':
    path = sys.argv[1]
    f = TTFont(path)
    add_hair_space(f)
    f.save(path)
    print(path, 'U+200A ->', f.getBestCmap()[HAIR_SPACE], f['hmtx'][f.getBestCmap()[HAIR_SPACE]])
