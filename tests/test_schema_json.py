"""`alu-docs schema`: the JSON Schema editors use, generated from the validator's declaration.

The YAML is loaded for jsonschema with yaml.safe_load and dates turned into ISO strings,
which is what an editor's YAML 1.2 parser (VS Code's YAML extension) sees: there a date
is a string and "09:00" is a string.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from alu_docs.scaffold import schema_text
from tests.conftest import ROOT, run_cli


def as_editor_sees_it(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: as_editor_sees_it(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_editor_sees_it(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


@pytest.fixture
def schema() -> dict[str, Any]:
    code, output = run_cli("schema")
    assert code == 0
    data = json.loads(output)
    jsonschema.Draft202012Validator.check_schema(data)
    return data


def test_schema_validates_the_sample_meetings(schema: dict[str, Any]) -> None:
    validator = jsonschema.Draft202012Validator(schema)
    for path in sorted((ROOT / "meetings").glob("*/meeting.yaml")):
        data = as_editor_sees_it(yaml.safe_load(path.read_text(encoding="utf-8")))
        errors = [f"{'.'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(data)]
        assert errors == [], path


def test_schema_rejects_what_check_rejects(schema: dict[str, Any]) -> None:
    validator = jsonschema.Draft202012Validator(schema)
    sample = as_editor_sees_it(yaml.safe_load((ROOT / "meetings/2025-08-27/meeting.yaml").read_text()))
    sample["cases"][0]["titel"] = "typo"
    sample["cases"][1]["type"] = "vedtak"
    sample["cases"][2]["duration"] = None
    messages = []

    def collect(errors: Any) -> None:  # anyOf (list or null) nests the real reasons in .context
        for error in errors:
            messages.append(error.message)
            collect(error.context)

    collect(validator.iter_errors(sample))
    assert any("'titel' was unexpected" in m for m in messages)
    assert any("'vedtak' is not one of" in m for m in messages)
    assert any("None is not of type 'integer'" in m for m in messages)


def test_schema_describes_every_field(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "meeting.yaml (alu-docs)"
    missing = []

    def walk(node: dict[str, Any], where: str) -> None:
        for name, sub in node.get("properties", {}).items():
            if not sub.get("description"):
                missing.append(f"{where}.{name}")
            walk(sub, f"{where}.{name}")
        for key in ("items", "additionalProperties"):
            if isinstance(node.get(key), dict):
                walk(node[key], where + "[]")
        for sub in node.get("anyOf", []):
            walk(sub, where)

    walk(schema, "")
    assert missing == []
    case = schema["properties"]["cases"]["anyOf"][0]["items"]["properties"]
    assert case["title"]["description"] == "Title of the case. (Sakens tittel)"


def test_committed_schema_file_is_up_to_date() -> None:
    path = ROOT / "meeting.schema.json"
    assert path.read_text(encoding="utf-8") == schema_text(), "run: make schema"


def test_vscode_settings_point_at_the_schema() -> None:
    settings = json.loads((ROOT / ".vscode/settings.json").read_text(encoding="utf-8"))
    assert settings["yaml.schemas"]["./meeting.schema.json"] == "meetings/*/meeting.yaml"
    assert Path(ROOT / "meeting.schema.json").exists()
