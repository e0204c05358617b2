#!/usr/bin/env python3
"""Reads an export of `hallq evaluations` as Excel would, with Python's csv
module (independent of hallq's writer), and prints it as JSON:
{"bom": bool, "crlf_only": bool, "rows": [{column: value}, ...]}.

  read_csv.py FILE
"""
import csv
import io
import json
import sys

raw = open(sys.argv[1], "rb").read()
bom = raw.startswith(b"\xef\xbb\xbf")
text = raw.decode("utf-8-sig")
# Every line end is CRLF: no LF without a CR before it (outside quotes too, as the test's values hold none).
crlf_only = text.count("\n") == text.count("\r\n") and text.endswith("\r\n")
rows = list(csv.DictReader(io.StringIO(text, newline=""), strict=True))
json.dump({"bom": bom, "crlf_only": crlf_only, "rows": rows}, sys.stdout, ensure_ascii=False)
