#!/usr/bin/env python3
"""Writes a YARA rule set for bench/run's yara section: about 300 rules of the kinds real rule
sets hold, spread over a few files (as a rules directory is), deterministic for a given seed.

  make_rules.py OUT_DIR [--rules N] [--seed S]

Kinds, in roughly these shares: text strings (plain, nocase, wide, with counts), hex strings
with jumps and wildcards, a few regular expressions, and conditions on filesize and on the
leading bytes (uint16(0), uint32(0)). Some strings are words of C headers, so that a tree such
as /usr/include has matches; the rest are random tokens that match nothing. No externals, so
that the yara command line compiles the same files unchanged.
"""
import argparse
import os
import random

HEADER_WORDS = [
    "typedef", "extern", "#include", "#define", "struct", "union", "enum", "const", "static",
    "inline", "__attribute__", "__restrict", "size_t", "uint32_t", "int64_t", "pthread_mutex_t",
    "sockaddr", "errno", "malloc", "free", "memcpy", "strlen", "namespace", "template",
    "operator", "virtual", "noexcept", "constexpr", "#ifndef", "#endif", "__BEGIN_DECLS",
    "Copyright", "License", "GNU", "Free Software Foundation", "std::", "nullptr", "volatile",
]


def token(rng, n):
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"
    return "".join(rng.choice(alphabet) for _ in range(n))


def hex_bytes(rng, n):
    return " ".join("%02X" % rng.randrange(256) for _ in range(n))


def text_rule(rng, i):
    strings, names = [], []
    for j in range(rng.randint(2, 4)):
        if rng.random() < 0.35:
            word = rng.choice(HEADER_WORDS) + " " + token(rng, 3)
        else:
            word = token(rng, rng.randint(8, 16))
        modifier = rng.choice(["", " nocase", " wide ascii", " ascii", " fullword"])
        names.append("$s%d" % j)
        strings.append('    $s%d = "%s"%s' % (j, word, modifier))
    condition = rng.choice(["any of them", "all of them", "2 of them", "#s0 > 2 or 2 of them"])
    return strings, condition


def header_rule(rng, i):
    word = rng.choice(HEADER_WORDS)
    strings = ['    $w = "%s"' % word]
    condition = rng.choice(["#w > %d" % rng.randint(1, 20), "$w in (0..1024)", "$w"])
    return strings, condition


def hex_rule(rng, i):
    parts = [hex_bytes(rng, rng.randint(3, 5))]
    for _ in range(rng.randint(1, 3)):
        a = rng.randint(0, 8)
        parts.append(rng.choice(["[%d-%d]" % (a, a + rng.randint(1, 24)), "??", "?? ??"]))
        parts.append(hex_bytes(rng, rng.randint(2, 4)))
    return ["    $h = { %s }" % " ".join(parts)], "$h"


def regex_rule(rng, i):
    patterns = [
        r"/struct\s+%s[a-z_]{2,20}\s*\{/" % token(rng, 2).lower(),
        r"/#define\s+%s[A-Z0-9_]{3,30}\s+0x[0-9a-fA-F]{4,8}/" % token(rng, 2).upper(),
        r"/[a-z_]{3,12}\(void\)\s*__attribute__\(\(%s/" % token(rng, 3).lower(),
        r"/https?:\/\/[a-z0-9.]{4,40}\/%s/" % token(rng, 4).lower(),
    ]
    return ["    $r = %s" % rng.choice(patterns)], "$r"


def header_condition_rule(rng, i):
    choices = [
        "uint16(0) == 0x2A2F and filesize < %dKB" % rng.randint(4, 512),  # "/*"
        "uint16(0) == 0x2F2F and filesize > %d" % rng.randint(100, 5000),  # "//"
        "uint32(0) == 0x%08X" % rng.randrange(1 << 32),
        "filesize < %d and uint8(0) == 0x23" % rng.randint(200, 20000),  # "#"
        "uint32be(0) == 0x7F454C46",  # ELF
    ]
    return [], rng.choice(choices)


KINDS = [(text_rule, 0.45), (header_rule, 0.1), (hex_rule, 0.25), (regex_rule, 0.07),
         (header_condition_rule, 0.13)]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out_dir")
    parser.add_argument("--rules", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--files", type=int, default=6)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.out_dir, exist_ok=True)
    files = [[] for _ in range(args.files)]
    for i in range(args.rules):
        r, kind = rng.random(), None
        for k, share in KINDS:
            r -= share
            if r < 0:
                kind = k
                break
        kind = kind or KINDS[-1][0]
        strings, condition = kind(rng, i)
        tags = " : bench %s" % kind.__name__.replace("_rule", "") if i % 3 == 0 else ""
        lines = ["rule bench_%03d%s {" % (i, tags),
                 "  meta:", '    kind = "%s"' % kind.__name__, "    index = %d" % i]
        if strings:
            lines += ["  strings:"] + strings
        lines += ["  condition:", "    " + condition, "}", ""]
        files[i % args.files].append("\n".join(lines))
    for n, rules in enumerate(files):
        with open(os.path.join(args.out_dir, "bench_%02d.yar" % n), "w") as f:
            f.write("\n".join(rules))


if __name__ == "__main__":
    main()
