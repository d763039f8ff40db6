"""Shared by the headless-browser tests: Debian's chromium driven by playwright-core (the
scripts of tests/browser/, whose launch code is tests/browser/launch.js).

    chromium_or_skip()        Skip when chromium or node cannot run here (a failure in CI)
    install()                 npm ci of tests/browser's pinned playwright-core (once per lock)
    png_colours(path)         (Counter of pixel values, pixel count) of a PNG chromium wrote
    check_not_blank(path)     fails on a screenshot of one flat colour; returns its colour count
    SHOTS, BROWSER_DIR        where screenshots go (BUILD/screenshots) and the scripts are
"""
import collections
import os
import shutil
import struct
import subprocess
import zlib

from harness import PIPIT, Skip, check

HERE = os.path.dirname(os.path.abspath(__file__))
BROWSER_DIR = os.path.join(HERE, "..", "browser")
CHROMIUM = os.environ.get("PIPIT_CHROMIUM", "/usr/bin/chromium")
SHOTS = os.path.join(os.path.dirname(os.path.abspath(PIPIT)), "screenshots")


def chromium_or_skip():
    """Skips (with the reason) only when chromium or node is truly unusable here; in CI, where
    ports/linux/setup.sh test installs both, that is a failure instead."""
    why = None
    if not shutil.which("node"):
        why = "node is not installed"
    elif not os.access(CHROMIUM, os.X_OK):
        why = f"{CHROMIUM} is not installed"
    else:
        try:
            p = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--version"], capture_output=True, text=True,
                               timeout=60)
            if p.returncode != 0:
                why = f"{CHROMIUM} --version failed: {(p.stderr or p.stdout).strip()[:300]}"
        except (OSError, subprocess.TimeoutExpired) as e:
            why = f"{CHROMIUM} cannot run: {e}"
    if why:
        why += " (ports/linux/setup.sh test installs it)"
        if os.environ.get("CI"):
            raise AssertionError(why)
        raise Skip(why)


def png_colours(path):
    """Counter of the RGB(A) pixel values of an 8-bit, non-interlaced PNG (what chromium writes)."""
    with open(path, "rb") as f:
        data = f.read()
    check(data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG")
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + n
    width, height, depth, ctype, _, _, interlace = ihdr
    check(depth == 8 and ctype in (2, 6) and interlace == 0, ihdr)
    bpp = 3 if ctype == 2 else 4
    raw, stride = zlib.decompress(idat), width * bpp
    prev, colours, off = bytearray(stride), collections.Counter(), 0
    for _ in range(height):
        ftype, line = raw[off], bytearray(raw[off + 1:off + 1 + stride])
        off += 1 + stride
        for i in range(stride):  # undo the row filter (PNG spec 9.2)
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 255
            elif ftype == 2:
                line[i] = (line[i] + b) & 255
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        colours.update(bytes(line[i:i + bpp]) for i in range(0, stride, bpp))
        prev = line
    return colours, width * height


def install():
    subprocess.run([os.path.join(BROWSER_DIR, "install.sh")], check=True)


def check_not_blank(path):
    colours, pixels = png_colours(path)
    top = colours.most_common(1)[0][1]
    check(len(colours) >= 3 and top < 0.98 * pixels, f"blank screenshot {path}: {len(colours)} colours, top {top}/{pixels}")
    return len(colours)
