#!/usr/bin/env python3
"""Reference implementation of OCA module_auto_update's addon checksum (addon_hash.py,
also used by click-odoo-update), used by the tests to check ours.

usage: addon_hash.py ADDON_DIR [LANG ...]
prints the hex SHA-1 of the addon, with module_auto_update's default exclude patterns.
"""
import fnmatch
import hashlib
import os
import sys

DEFAULT_EXCLUDE_PATTERNS = "*.pyc,*.pyo,i18n/*.pot,i18n_extra/*.pot,static/*,tests/*"


def _fnmatch(filename, patterns):
    for pattern in patterns:
        if fnmatch.fnmatch(filename, pattern):
            return True
    return False


def _walk(top, exclude_patterns, keep_langs):
    keep_langs = {lang.split("_")[0] for lang in keep_langs}
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames.sort()
        reldir = os.path.relpath(dirpath, top)
        if reldir == ".":
            reldir = ""
        for filename in sorted(filenames):
            filepath = os.path.join(reldir, filename)
            if _fnmatch(filepath, exclude_patterns):
                continue
            if keep_langs and reldir in {"i18n", "i18n_extra"}:
                basename, ext = os.path.splitext(filename)
                if ext == ".po":
                    basename = basename.split("_")[0]
                    if basename not in keep_langs:
                        continue
            yield filepath


def addon_hash(top, exclude_patterns, keep_langs):
    m = hashlib.sha1()
    for filepath in _walk(top, exclude_patterns, keep_langs):
        # hash filename so empty files influence the hash
        m.update(filepath.encode("utf-8"))
        # hash file content
        with open(os.path.join(top, filepath), "rb") as f:
            m.update(f.read())
    return m.hexdigest()


if __name__ == "__main__":
    print(addon_hash(sys.argv[1], DEFAULT_EXCLUDE_PATTERNS.split(","), sys.argv[2:]))
