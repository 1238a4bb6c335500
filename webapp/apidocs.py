"""The API's contract: ``webapp/openapi.yaml`` served as JSON and as a readable page.

The YAML file is the one place the API is described; a test checks that every
``/api/v1`` route is in it (and nothing else), and that real responses match
the documented schemas. docs/api.md says how to add an endpoint.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from flask import Blueprint, Flask, render_template

SPEC_PATH = Path(__file__).with_name("openapi.yaml")
METHODS = ("get", "post", "put", "patch", "delete")

bp = Blueprint("apidocs", __name__)


@lru_cache(maxsize=1)
def load_spec() -> dict[str, Any]:
    """The OpenAPI document, parsed once per process."""
    with open(SPEC_PATH, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def resolve(spec: dict[str, Any], node: Any) -> Any:
    """``node`` with a top-level ``$ref`` followed (one level)."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _schema_label(schema: dict[str, Any] | None) -> str:
    if not schema:
        return ""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "allOf" in schema:
        return " + ".join(_schema_label(s) or "…" for s in schema["allOf"])
    kind = schema.get("type", "")
    return "/".join(kind) if isinstance(kind, list) else str(kind)


def operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every operation, flattened for the docs page."""
    out = []
    for path, item in spec["paths"].items():
        shared = [resolve(spec, p) for p in item.get("parameters", [])]
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            params = shared + [resolve(spec, p) for p in op.get("parameters", [])]
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            responses = []
            for status, response in op["responses"].items():
                response = resolve(spec, response)
                schema = response.get("content", {}).get("application/json", {}).get("schema")
                responses.append({"status": status, "description": response["description"],
                                  "schema": _schema_label(schema)})
            out.append({
                "method": method.upper(), "path": path, "id": op.get("operationId", ""),
                "summary": op.get("summary", ""), "description": op.get("description", ""),
                "login": bool(op.get("security")), "tags": op.get("tags", []),
                "parameters": [{"name": p["name"], "in": p["in"],
                                "required": p.get("required", False),
                                "type": _schema_label(p.get("schema")),
                                "description": p.get("description", "")} for p in params],
                "body": _schema_label(body.get("schema")), "responses": responses,
            })
    return out


@bp.get("/api/v1/openapi.json")
def openapi_json():
    return load_spec()


@bp.get("/api/docs")
def docs_page():
    spec = load_spec()
    schemas = {name: json.dumps(schema, indent=2, ensure_ascii=False)
               for name, schema in spec["components"]["schemas"].items()}
    return render_template("api_docs.html", info=spec["info"], ops=operations(spec),
                           schemas=schemas)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
