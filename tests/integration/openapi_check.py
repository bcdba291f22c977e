"""Checks answers against docs/openapi.yaml, the API description.

harness.Client passes every answer it receives to check_answer(): the operation is found by
method and path template, its status must be declared, and a JSON body must match the declared
schema (jsonschema, Draft 2020-12: Debian's python3-jsonschema). A mismatch raises
AssertionError naming the operation, the status and where the body differs, never a value
from the body (answers carry keys and tokens).

The document itself is checked once, when first loaded: against the OpenAPI 3.1 meta-schema
(openapi-3.1-schema.json, vendored), every $ref resolves, every operation has responses and
declares its path's parameters.
"""

import json
import os
import re
import sys
import threading

try:
    import jsonschema
    import yaml
except ImportError:  # a python3 of its own (pyenv) without them: Debian's packages (bootstrap)
    sys.path.append("/usr/lib/python3/dist-packages")
    import jsonschema
    import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
DOC_PATH = os.path.join(HERE, "..", "..", "docs", "openapi.yaml")
META_SCHEMA_PATH = os.path.join(HERE, "openapi-3.1-schema.json")
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# The transport's own answers, given before any route sees the request (docs/spec/API.md
# "Transport", and the description's info): any request may get them, with the error body.
TRANSPORT_STATUSES = {413, 417, 431}

_lock = threading.Lock()
_spec = None


def _pointer_get(doc, ref):
    if not ref.startswith("#/"):
        raise KeyError(ref)
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def _walk_refs(node, at="#"):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                yield at, v
            else:
                yield from _walk_refs(v, f"{at}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk_refs(v, f"{at}/{i}")


def document_problems(doc):
    """What is wrong with the document: a list of short sentences (empty: nothing)."""
    problems = []
    with open(META_SCHEMA_PATH, encoding="utf-8") as f:
        meta = json.load(f)
    for e in sorted(jsonschema.Draft202012Validator(meta).iter_errors(doc),
                    key=lambda e: list(e.absolute_path))[:5]:
        problems.append(f"meta-schema: at /{'/'.join(map(str, e.absolute_path))}: {e.message[:200]}")
    for at, ref in _walk_refs(doc):
        try:
            _pointer_get(doc, ref)
        except (KeyError, IndexError, ValueError, TypeError):
            problems.append(f"{at}: $ref {ref} does not resolve")
    for path, item in doc.get("paths", {}).items():
        names = set(re.findall(r"{([^}]+)}", path))
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            if not op.get("responses"):
                problems.append(f"{method.upper()} {path}: no responses")
            declared = set()
            for p in item.get("parameters", []) + op.get("parameters", []):
                if "$ref" in p:
                    p = _pointer_get(doc, p["$ref"])
                if p.get("in") == "path":
                    declared.add(p["name"])
            if declared != names:
                problems.append(f"{method.upper()} {path}: path parameters {sorted(declared)}, "
                                f"template has {sorted(names)}")
    return problems


class Spec:
    """docs/openapi.yaml, loaded and checked, with its routes compiled. Read-only once built."""

    def __init__(self, doc):
        self.doc = doc
        self.routes = []  # (specificity, regex, template)
        for template in doc["paths"]:
            segments = template.strip("/").split("/")
            pattern = "^/" + "/".join(
                "[^/]+" if re.fullmatch(r"{[^}]+}", s) else re.escape(s) for s in segments) + "$"
            literal = sum(1 for s in segments if not s.startswith("{"))
            self.routes.append((-literal, re.compile(pattern), template))
        self.routes.sort(key=lambda r: r[0])  # literal segments win, as in the server's router
        # Operations that also answer every path under a prefix, with any method
        # (x-2501-forwarded-prefix: the key check for Envoy's ext_authz).
        self.prefixes = [(op["x-2501-forwarded-prefix"], template, m)
                         for template, item in doc["paths"].items()
                         for m, op in item.items()
                         if isinstance(op, dict) and "x-2501-forwarded-prefix" in op]
        self._validators = {}

    def find(self, path):
        for _, regex, template in self.routes:
            if regex.match(path):
                return template
        return None

    def validator(self, pointer):
        """A validator of the schema at `pointer` ("#/..."), resolving $refs in the document."""
        v = self._validators.get(pointer)
        if v is None:
            # The document is the root schema, so every "#/components/..." resolves; "$ref"
            # picks the schema wanted (OpenAPI's own keywords are unknown ones: ignored).
            root = dict(self.doc)
            root["$ref"] = pointer
            root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
            v = jsonschema.Draft202012Validator(root)
            self._validators[pointer] = v
        return v


def spec():
    global _spec
    with _lock:
        if _spec is None:
            with open(DOC_PATH, encoding="utf-8") as f:
                doc = yaml.safe_load(f)
            problems = document_problems(doc)
            if problems:
                raise AssertionError("docs/openapi.yaml: " + "; ".join(problems[:5]))
            _spec = Spec(doc)
        return _spec


def _escape(part):
    return part.replace("~", "~0").replace("/", "~1")


def _describe(error):
    """Where and how a body fails, without any value taken from the body."""
    where = "/" + "/".join(str(p) for p in error.absolute_path)
    if error.validator in ("required", "additionalProperties", "unevaluatedProperties"):
        return f"at {where}: {error.message[:200]}"  # names fields, not values
    expected = json.dumps(error.validator_value)[:120]  # from the schema, not the body
    return f"at {where}: fails {error.validator} {expected}"


def answer_problem(method, target, status, headers, body):
    """None when the answer agrees with the description, else a short sentence."""
    s = spec()
    path = target.split("?", 1)[0]
    template = s.find(path)
    m = method.lower()
    for prefix, forwarded_to, forwarded_method in s.prefixes:
        if template is None and path.startswith(prefix):
            template, m = forwarded_to, forwarded_method
    api = path.startswith("/api/") or path in ("/healthz", "/metrics")
    if template is None:
        if not api:
            return None  # the console's files
        # The path is named only when it cannot be carrying a key (a test may put one there).
        shown = path if "tfzo_" not in path and len(path) <= 100 else "<path>"
        return _error_body_problem(s, f"{method} {shown}", status, headers, body, {404})
    item = s.doc["paths"][template]
    op = item.get("get" if m == "head" else m)
    name = f"{method} {template}"
    if op is None:
        return _error_body_problem(s, name, status, headers, body, {405})
    responses = op["responses"]
    if str(status) not in responses:
        if status in TRANSPORT_STATUSES or (status == 400 and _is_host_refusal(body)):
            return _error_body_problem(s, name, status, headers, body, {status})
        return f"{name}: status {status} is not declared"
    response = responses[str(status)]
    pointer = (f"#/paths/{_escape(template)}/{'get' if m == 'head' else m}/responses/{status}")
    if "$ref" in response:
        pointer = response["$ref"]
        response = _pointer_get(s.doc, pointer)
    for header, about in (response.get("headers") or {}).items():
        if about.get("required") and headers.get(header.lower()) is None:
            return f"{name}: status {status} came without its {header} header"
    content = response.get("content")
    if not body or m == "head":
        if content and m != "head" and status != 304:
            return f"{name}: status {status} declares a body and came without one"
        return None
    if not content:
        return f"{name}: status {status} declares no body and came with one"
    media = (headers.get("content-type") or "").split(";")[0].strip().lower()
    if media not in content:
        return f"{name}: status {status} came as {media or 'no content type'}, not {sorted(content)}"
    if media != "application/json":
        return None
    return _json_problem(s, name, status, body, f"{pointer}/content/application~1json/schema")


def _is_host_refusal(body):
    try:
        return json.loads(body)["error"]["message"].startswith("Host:")
    except (ValueError, KeyError, TypeError, AttributeError):
        return False


def _error_body_problem(s, name, status, headers, body, allowed):
    if status not in allowed:
        return f"{name}: no such operation in the description, answered {status}"
    return _json_problem(s, name, status, body, "#/components/schemas/Error")


def _json_problem(s, name, status, body, pointer):
    try:
        instance = json.loads(body)
    except ValueError:
        return f"{name}: status {status}: the body is not JSON"
    errors = list(s.validator(pointer).iter_errors(instance))
    # A Key missing a field also fails unevaluatedProperties for every field: name the cause.
    errors = [e for e in errors if e.validator != "unevaluatedProperties"] or errors
    error = jsonschema.exceptions.best_match(errors)
    if error is None:
        return None
    return f"{name}: status {status}: the body does not match: {_describe(error)}"


def check_answer(method, target, status, headers, body):
    """Raises AssertionError when the answer disagrees with docs/openapi.yaml."""
    problem = answer_problem(method, target, status, headers, body)
    if problem:
        raise AssertionError("openapi: " + problem)
