#!/usr/bin/env python3
"""Converts docs/openapi.yaml to the compact JSON the server embeds and serves at
GET /api/openapi.json. Run by CMake at build time: openapi_json.py IN.yaml OUT.json.
Refuses a document that is not a mapping or that JSON cannot carry (YAML dates, binary)."""
import json
import sys

try:
    import yaml
except ImportError:  # a python3 of its own (pyenv) without PyYAML: use Debian's python3-yaml
    sys.path.append("/usr/lib/python3/dist-packages")
    import yaml


def main(src, dst):
    with open(src, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    if not isinstance(doc, dict) or not str(doc.get("openapi", "")).startswith("3.1"):
        sys.exit(f"{src}: not an OpenAPI 3.1 document")
    try:
        text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as e:
        sys.exit(f"{src}: cannot be JSON: {e}")
    with open(dst, "w", encoding="utf-8") as f:
        f.write(text + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: openapi_json.py IN.yaml OUT.json")
    main(sys.argv[1], sys.argv[2])
