"""The YAML schema of `committee.yaml` and `meeting.yaml`, declared once.

The same declaration drives three things: validation (`Spec.check`), the JSON Schema for
editors (`Spec.json_schema`) and the commented skeleton a presenter fills in (`scaffold`).
Each field carries a description (English, for the JSON Schema) and a Norwegian hint (the
comment in the skeleton).

Validation walks PyYAML's node tree, so every problem can name its line.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import yaml

Problems = list[tuple[int, str, str]]  # (line, key path, message)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_TIME = re.compile(r"([01]?\d|2[0-3])[:.]([0-5]\d)")


def line_of(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def shown(node: yaml.Node) -> str:
    """How a node is quoted back to the user in a message."""
    if isinstance(node, yaml.ScalarNode):
        text = node.value if len(node.value) <= 60 else node.value[:57] + "..."
        return repr(text) if node.style or not node.value.lstrip("-").isdigit() else node.value
    return "a list" if isinstance(node, yaml.SequenceNode) else "a mapping"


def is_null(node: yaml.Node) -> bool:
    return (
        isinstance(node, yaml.ScalarNode)
        and node.tag == "tag:yaml.org,2002:null"
        and node.value in ("", "~", "null", "Null", "NULL")
    )


def _empty_block(node: yaml.Node) -> bool:
    """`key: |` with no text under it (as in a new-case skeleton): an optional text left empty."""
    return isinstance(node, yaml.ScalarNode) and node.style in ("|", ">") and not node.value.strip()


class Spec:
    """One kind of value. Subclasses check a node and return the Python value."""

    description: str = ""
    hint: str = ""
    nullable: bool = False

    def check(self, node: yaml.Node, path: str, problems: Problems) -> Any:
        raise NotImplementedError

    def json_schema(self) -> dict[str, Any]:
        raise NotImplementedError

    def _json(self, schema: dict[str, Any]) -> dict[str, Any]:
        if self.nullable:
            schema = {"anyOf": [schema, {"type": "null"}]}
        if self.description:
            # The Norwegian hint too: editors show it on hover, as the skeleton shows it as a comment
            schema["description"] = self.description + (f" ({self.hint})" if self.hint else "")
        return schema

    def _scalar(self, node: yaml.Node, path: str, problems: Problems, expected: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode):
            problems.append((line_of(node), path, f"expected {expected}; got {shown(node)}"))
            return None
        return node.value


@dataclass
class Text(Spec):
    """A string. Numbers and dates typed where text is expected are taken as written."""

    description: str = ""
    hint: str = ""
    nullable: bool = False
    max_length: int = 2000
    multiline: bool = False

    def check(self, node, path, problems):
        if self.nullable and (is_null(node) or _empty_block(node)):
            return None
        value = self._scalar(node, path, problems, "text")
        if value is None:
            return None
        if node.tag == "tag:yaml.org,2002:null" and not value:
            problems.append((line_of(node), path, "not filled in: expected text"))
            return None
        if not value.strip():
            problems.append((line_of(node), path, "not filled in: expected text"))
            return None
        bad = _CONTROL.search(value)
        if bad:
            problems.append(
                (line_of(node), path, f"contains the control character U+{ord(bad.group()):04X}")
            )
            return None
        if not self.multiline and "\n" in value.strip():
            value = " ".join(value.split())
        if len(value) > self.max_length:
            problems.append(
                (line_of(node), path, f"expected at most {self.max_length} characters; got {len(value)}")
            )
            return None
        return value.strip() if not self.multiline else value.strip("\n").rstrip()

    def json_schema(self):
        return self._json({"type": "string", "maxLength": self.max_length})


@dataclass
class Pattern(Text):
    """Text of a fixed form: an e-mail address, a web address, a variable name."""

    pattern: str = ".*"
    expected: str = "text"
    quote_back: bool = True  # False where a wrong value may be a secret (a password typed as its name)

    def check(self, node, path, problems):
        value = super().check(node, path, problems)
        if value is not None and not re.fullmatch(self.pattern, value):
            got = f"; got {shown(node)}" if self.quote_back else ""
            problems.append((line_of(node), path, f"expected {self.expected}{got}"))
            return None
        return value

    def json_schema(self):
        return self._json({"type": "string", "maxLength": self.max_length, "pattern": f"^{self.pattern}$"})


_SPACES = re.compile(r"[\s\u00a0\u202f\u2007]+")


def same_name(name: str) -> str:
    """A person's name as it is compared: NFC (a Mac editor may save 'å' as 'a' + ring),
    non-breaking spaces as plain ones, runs of spaces as one."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", name)).strip()


@dataclass
class Name(Text):
    """A person's name: stored as `same_name` gives it, so it matches the roster however it was typed."""

    def check(self, node, path, problems):
        value = super().check(node, path, problems)
        return same_name(value) if value is not None else None


@dataclass
class Integer(Spec):
    description: str = ""
    hint: str = ""
    nullable: bool = False
    minimum: int = 0
    maximum: int = 10_000

    def check(self, node, path, problems):
        if self.nullable and is_null(node):
            return None
        value = self._scalar(node, path, problems, "a whole number")
        if value is None:
            return None
        if node.style or not re.fullmatch(r"[+-]?\d+", value):
            problems.append((line_of(node), path, f"expected a whole number; got {shown(node)}"))
            return None
        number = int(value)
        if not self.minimum <= number <= self.maximum:
            problems.append(
                (line_of(node), path,
                 f"expected a number from {self.minimum} to {self.maximum}; got {number}")
            )
            return None
        return number

    def json_schema(self):
        return self._json({"type": "integer", "minimum": self.minimum, "maximum": self.maximum})


@dataclass
class Boolean(Spec):
    description: str = ""
    hint: str = ""
    nullable: bool = False

    def check(self, node, path, problems):
        if self.nullable and is_null(node):
            return None
        value = self._scalar(node, path, problems, "true or false")
        if value is None:
            return None
        if node.tag != "tag:yaml.org,2002:bool" or node.style:
            problems.append((line_of(node), path, f"expected true or false; got {shown(node)}"))
            return None
        return value.lower() in ("true", "yes", "on", "y")

    def json_schema(self):
        return self._json({"type": "boolean"})


class _Written(Spec):
    """A value written in a fixed form (a date, a time): `form` names it in messages,
    `regex` reads it, `make` builds it (ValueError: the form is right but the value is not)."""

    form = ""
    regex: re.Pattern[str]

    def make(self, match: re.Match[str]) -> Any:
        raise NotImplementedError

    def check(self, node, path, problems):
        if self.nullable and is_null(node):
            return None
        value = self._scalar(node, path, problems, self.form)
        if value is None:
            return None
        match = self.regex.fullmatch(value.strip())
        if not match:
            problems.append((line_of(node), path, f"expected {self.form}; got {shown(node)}"))
            return None
        try:
            return self.make(match)
        except ValueError:
            problems.append((line_of(node), path, f"expected a real {self.form.removeprefix('a ')}; got {shown(node)}"))
            return None


@dataclass
class Date(_Written):
    """A calendar date written YYYY-MM-DD."""

    description: str = ""
    hint: str = ""
    nullable: bool = False
    form = "a date YYYY-MM-DD"
    regex = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")

    def make(self, match: re.Match[str]) -> dt.date:
        return dt.date(*map(int, match.groups()))

    def json_schema(self):
        return self._json({"type": "string", "format": "date"})


@dataclass
class Time(_Written):
    """A clock time HH:MM. Quoting is optional: YAML's base-60 reading of 09:00 is undone."""

    description: str = ""
    hint: str = ""
    nullable: bool = False
    form = "a time HH:MM"
    regex = _TIME

    def make(self, match: re.Match[str]) -> dt.time:
        return dt.time(int(match.group(1)), int(match.group(2)))

    def json_schema(self):
        return self._json({"type": "string", "pattern": r"^([01]?\d|2[0-3])[:.][0-5]\d$"})


@dataclass
class Choice(Spec):
    choices: tuple[str, ...] = ()
    description: str = ""
    hint: str = ""
    nullable: bool = False

    def check(self, node, path, problems):
        if self.nullable and is_null(node):
            return None
        value = self._scalar(node, path, problems, "one of " + ", ".join(self.choices))
        if value is None:
            return None
        if value not in self.choices:
            problems.append(
                (line_of(node), path,
                 f"expected one of {', '.join(self.choices)}; got {shown(node)}")
            )
            return None
        return value

    def json_schema(self):
        return self._json({"enum": list(self.choices)})


@dataclass
class ListOf(Spec):
    item: Spec = field(default_factory=Text)
    description: str = ""
    hint: str = ""
    nullable: bool = True  # an empty key (`absent:`) means an empty list

    def check(self, node, path, problems):
        if is_null(node):
            return []
        if not isinstance(node, yaml.SequenceNode):
            problems.append((line_of(node), path, f"expected a list; got {shown(node)}"))
            return []
        # Items that failed stay as None so positions keep matching the file's
        return [self.item.check(child, f"{path}[{i}]", problems) for i, child in enumerate(node.value)]

    def json_schema(self):
        schema = {"type": "array", "items": self.item.json_schema()}
        return self._json(schema)


@dataclass
class MapOf(Spec):
    """A mapping from free keys (names) to values of one kind."""

    value: Spec = field(default_factory=Text)
    description: str = ""
    hint: str = ""
    nullable: bool = True

    def check(self, node, path, problems):
        if is_null(node):
            return {}
        if not isinstance(node, yaml.MappingNode):
            problems.append((line_of(node), path, f"expected a mapping; got {shown(node)}"))
            return {}
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is None:
                problems.append((line_of(key_node), path, "expected a name as key"))
                continue
            if key in result:
                problems.append((line_of(key_node), f"{path}.{key}", "duplicate key"))
                continue
            result[key] = self.value.check(value_node, f"{path}.{key}", problems)
        return result

    def json_schema(self):
        return self._json({"type": "object", "additionalProperties": self.value.json_schema()})


@dataclass
class Key:
    """One key of a Record: its spec, whether it must be there, and its default."""

    spec: Spec
    required: bool = False
    default: Any = None


@dataclass
class Record(Spec):
    """A mapping with declared keys. Unknown keys are errors with a did-you-mean."""

    keys: dict[str, Key] = field(default_factory=dict)
    description: str = ""
    hint: str = ""
    nullable: bool = False
    # A plain string accepted in place of the mapping, stored under this key
    shorthand: str | None = None
    # When this key is given, the keys in `relaxed` are no longer required (they are elsewhere)
    relaxed_by: str | None = None
    relaxed: tuple[str, ...] = ()

    def check(self, node, path, problems):
        if self.nullable and is_null(node):
            return None
        if self.shorthand and isinstance(node, yaml.ScalarNode) and not is_null(node):
            value = self.keys[self.shorthand].spec.check(node, path, problems)
            result = {k: key.default for k, key in self.keys.items()}
            result[self.shorthand] = value
            return result
        if not isinstance(node, yaml.MappingNode):
            what = "a mapping" + (" or text" if self.shorthand else "")
            problems.append((line_of(node), path, f"expected {what}; got {shown(node)}"))
            return None
        seen: dict[str, Any] = {}
        prefix = f"{path}." if path else ""
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else ""
            where = f"{prefix}{key}"
            if key in seen:
                problems.append((line_of(key_node), where, "duplicate key"))
                continue
            if key not in self.keys:
                close = difflib.get_close_matches(key, self.keys, n=1, cutoff=0.6)
                hint = f"did you mean '{close[0]}'?" if close else "expected one of " + ", ".join(self.keys)
                problems.append((line_of(key_node), where, f"unknown key; {hint}"))
                seen[key] = None
                continue
            spec = self.keys[key].spec
            if self.keys[key].required and is_null(value_node) and not spec.nullable:
                # One message for an empty required field (a new-case skeleton), not two
                problems.append((line_of(value_node), where, f"not filled in: expected {_expected(spec)}"))
                seen[key] = None
                continue
            seen[key] = spec.check(value_node, where, problems)
        result = {}
        for name, key in self.keys.items():
            if name in seen:
                value = seen[name]
                result[name] = value if value is not None or not key.default else key.default
            elif key.required and not (name in self.relaxed and self.relaxed_by in seen):
                problems.append((line_of(node), f"{prefix}{name}", "missing required key"))
                result[name] = None
            else:
                result[name] = key.default() if callable(key.default) else key.default
        return result

    def json_schema(self):
        schema: dict[str, Any] = {
            "type": "object",
            "additionalProperties": False,
            "properties": {name: key.spec.json_schema() for name, key in self.keys.items()},
        }
        required = [name for name, key in self.keys.items() if key.required]
        if required and self.relaxed_by:
            schema["required"] = [name for name in required if name not in self.relaxed]
            elsewhere = [name for name in required if name in self.relaxed]
            schema["anyOf"] = [{"required": [self.relaxed_by]}, {"required": elsewhere}]
        elif required:
            schema["required"] = required
        if self.shorthand:
            schema = {"anyOf": [self.keys[self.shorthand].spec.json_schema(), schema]}
        return self._json(schema)


def _expected(spec: Spec) -> str:
    return {
        Text: "text", Integer: "a whole number", Date: "a date YYYY-MM-DD",
        Time: "a time HH:MM", Boolean: "true or false", ListOf: "a list",
    }.get(type(spec)) or (
        "one of " + ", ".join(spec.choices) if isinstance(spec, Choice)
        else f"a {spec.shorthand}, or {{" + ", ".join(f"{k}: …" for k in spec.keys) + "}"
        if isinstance(spec, Record) and spec.shorthand
        else "a mapping" if isinstance(spec, Record) else "a value")


# --- The committee: meetings/committee.yaml ---------------------------------------------

EMAIL = r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+"


def _email(description: str) -> Key:
    return Key(Pattern(nullable=True, pattern=EMAIL, expected="an e-mail address name@example.no",
                       description=description, max_length=254))

MEMBER = Record(
    description="A member of the committee, by role; with from/to when membership changed.",
    keys={
        "name": Key(Name(description="Full name.", hint="Fullt navn"), required=True),
        "role": Key(Text(nullable=True, description="The role that gives the seat.")),
        "unit": Key(Text(nullable=True, description="Short code of the unit (AD, IE, …).")),
        "unit_name": Key(Text(nullable=True, description="The unit's full name.")),
        "chair": Key(Boolean(description="True for the chair (møteleder)."), default=False),
        "substitute": Key(Name(nullable=True, description="Fixed substitute (fast stedfortreder).")),
        "from": Key(Date(nullable=True, description="First day of membership (inclusive).")),
        "to": Key(Date(nullable=True, description="Last day of membership (inclusive).")),
        "email": _email("E-mail address: notices and minutes go To it (alu-docs mail)."),
    },
)

OBSERVER = Record(
    description="An observer (observatør): role, and name when known.",
    keys={
        "role": Key(Text(description="The observer's role."), required=True),
        "name": Key(Text(nullable=True, description="Name, or null when not named.")),
        "from": Key(Date(nullable=True, description="First day (inclusive).")),
        "to": Key(Date(nullable=True, description="Last day (inclusive).")),
        "email": _email("E-mail address: notices and minutes go Cc to it (alu-docs mail)."),
    },
)

MAIL = Record(
    nullable=True,
    description="E-mail of notices and approved minutes (alu-docs mail).",
    keys={
        "smtp_host": Key(Text(nullable=True, description="SMTP server for --send.")),
        "smtp_port": Key(Integer(minimum=1, maximum=65535, description="SMTP port (587: submission)."), default=587),
        "starttls": Key(Boolean(description="Encrypt the connection with STARTTLS before logging in."),
                        default=True),
        "user": Key(Text(nullable=True, description="SMTP user name; null: send without logging in.")),
        "password_env": Key(Pattern(
            pattern=r"[A-Za-z_][A-Za-z0-9_]*", quote_back=False,
            expected="the NAME of an environment variable holding the password, e.g. ALU_SMTP_PASSWORD "
                     "(never the password itself)",
            description="Name of the environment variable holding the SMTP password (never the password)."),
            default="ALU_SMTP_PASSWORD"),
        "from": _email("Sender address; default: the secretary's e-mail."),
        "attach_limit_mb": Key(Integer(minimum=0, maximum=100, description=(
            "Largest PDF (MB) sent as an attachment; a larger one is linked (archive_url)."),
        ), default=10),
        "archive_url": Key(Pattern(nullable=True, pattern=r"https?://[^\s]+", expected="a web address https://…",
                                   description="Where archive/ is published: links to PDFs above the limit.")),
    },
)

COMMITTEE = Record(
    description="The committee: names, defaults for meetings, and the people.",
    keys={
        "name": Key(Text(description="The committee's full name."), required=True),
        "short": Key(Text(description="Short name used in case numbers (ALU)."), required=True),
        "organisation": Key(Text(description="Organisation (NTNU)."), required=True),
        "language": Key(Choice(("nb", "en"), description="Output language: nb (bokmål) or en."), default="nb"),
        "place": Key(Text(nullable=True, description="Default meeting place.")),
        "weekday": Key(Choice(("monday", "tuesday", "wednesday", "thursday", "friday"),
                              description="Usual meeting weekday."), default="wednesday"),
        "start": Key(Time(description="Usual start time."), default=dt.time(9, 0)),
        "end": Key(Time(description="Usual end time."), default=dt.time(11, 30)),
        "cadence_weeks": Key(Integer(minimum=1, maximum=12, description="Weeks between meetings."), default=3),
        "members": Key(ListOf(MEMBER, description="Fixed members."), required=True),
        "observers": Key(ListOf(OBSERVER, description="Observers."), default=list),
        "secretary": Key(Record(nullable=True, description="The committee's secretary (referent).", keys={
            "name": Key(Text(nullable=True, description="Name, or null: printed as the role.")),
            "email": _email("Where apologies are sent; the sender of alu-docs mail."),
        }), default=None),
        "mail": Key(MAIL, default=None),
        "signing": Key(Record(nullable=True, description=(
            "The key and certificate that sign approved minutes (PAdES). Paths are relative to the "
            "project folder and must not be in git. Without this block a self-signed test certificate is "
            "made in internal/signing/: it proves integrity only, not identity."), keys={
            "key": Key(Text(description="Private key: PEM, or PKCS#12 (.p12/.pfx) with the certificate in it. "
                            "A password is read from the environment variable ALU_SIGNING_PASSWORD."),
                       required=True),
            "certificate": Key(Text(nullable=True, description="The signer's certificate (PEM; its chain may "
                                    "follow it); not needed with PKCS#12.")),
        }), default=None),
    },
)

# --- One meeting: meetings/YYYY-MM-DD/meeting.yaml ---------------------------------------

PERSON = Record(
    description="A roster name, or a guest written as {name:, unit:}.",
    hint="Navn fra medlemslisten, eller gjest som {name: …, unit: …}",
    shorthand="name",
    keys={
        "name": Key(Name(description="Full name."), required=True),
        "unit": Key(Text(nullable=True, description="The guest's unit.")),
    },
)

ACTION = Record(
    description="A follow-up action (oppfølgingspunkt).",
    keys={
        "task": Key(Text(description="What is to be done.", hint="Hva skal gjøres"), required=True),
        "owner": Key(Name(description="Who is responsible (a name or a unit).", hint="Ansvarlig"), required=True),
        "due": Key(Date(nullable=True, description="Deadline.", hint="Frist (ÅÅÅÅ-MM-DD)")),
        "done": Key(Date(nullable=True, description="Date the action was completed.")),
    },
)

ATTACHMENT = Record(
    description="A PDF attached to the case, relative to the meeting folder.",
    keys={
        "file": Key(Text(description="Path of the PDF, relative to the meeting folder.",
                         hint="Sti til PDF, relativt til møtemappen, f.eks. vedlegg/notat.pdf"), required=True),
        "title": Key(Text(description="Title shown in the list of attachments.", hint="Tittel på vedlegget"),
                     required=True),
    },
)

CASE = Record(
    description="A case (sak) on the agenda.",
    keys={
        "title": Key(Text(max_length=300, description="Title of the case.", hint="Sakens tittel"), required=True),
        "type": Key(Choice(("decision", "discussion", "information"),
                           description="decision (V), discussion (D) or information (O).",
                           hint="decision (vedtak/råd) | discussion (drøfting) | information (orientering)"),
                    required=True),
        "presenter": Key(PERSON, required=True),
        "duration": Key(Integer(minimum=1, maximum=480, description="Minutes on the agenda.",
                                hint="Tidsbruk i minutter"), required=True),
        "number": Key(Integer(nullable=True, minimum=1, maximum=999,
                              description="Case number in the year; written by alu-docs when the notice is issued.")),
        "summary": Key(Text(multiline=True, max_length=20000, description="Background and summary.",
                            hint="Bakgrunn / sammendrag: hva saken gjelder og hvorfor den kommer til ALU nå"),
                       required=True),
        "assessment": Key(Text(nullable=True, multiline=True, max_length=20000, description="Assessment (vurdering).",
                               hint="Vurdering (valgfritt)")),
        "proposal": Key(Text(nullable=True, multiline=True, max_length=5000,
                             description="Proposed conclusion or advice.",
                             hint="Forslag til konklusjon/råd, f.eks. «ALU gir råd om …»")),
        "attachments": Key(ListOf(ATTACHMENT, description="Attached PDFs.", hint="Vedlegg (PDF)"), default=list),
        "confidential": Key(Text(nullable=True, max_length=200,
                                 description="Legal basis for exemption from public access, e.g. 'offl. § 14'.",
                                 hint="Hjemmel hvis saken er unntatt offentlighet, f.eks. offl. § 14; lag den da "
                                      "med: alu-docs new-case DATO --confidential 'offl. § 14'")),
        "content": Key(Text(nullable=True, max_length=300, description=(
            "Confidential case: the git-ignored YAML file (e.g. unntatt/sak-5.yaml, inside the meeting folder) "
            "that holds its title, type, presenter, texts, attachments, guests and actions; meeting.yaml then "
            "keeps only what may be public (number, legal basis, duration)."))),
        "withdrawn": Key(Text(nullable=True, max_length=300, description=(
            "Why the case was withdrawn (trukket). It keeps its number and shows as withdrawn; an issued case "
            "is withdrawn, never deleted."))),
        "notes": Key(Text(nullable=True, multiline=True, max_length=20000,
                          description="Secretary: short account of the discussion, for the minutes.")),
        "conclusion": Key(Text(nullable=True, multiline=True, max_length=5000,
                               description="Secretary: the conclusion, for the minutes.")),
        "actions": Key(ListOf(ACTION, description="Secretary: follow-up actions."), default=list),
    },
    relaxed_by="content",
    relaxed=("title", "type", "presenter", "summary"),
)

# What a confidential case's content file (cases[n].content) holds: everything that may not be
# public, the guests who attended for it included. Its attachments are relative to the meeting folder.
CONFIDENTIAL_KEYS = ("title", "type", "presenter", "summary", "assessment", "proposal", "attachments", "notes",
                     "conclusion", "actions")
CONTENT = Record(
    description="The confidential part of a case, in a git-ignored file (meetings/DATE/unntatt/…).",
    keys={
        **{name: CASE.keys[name] for name in CONFIDENTIAL_KEYS},
        "guests": Key(ListOf(Record(description="A guest who attended for this case.", keys={
            "name": Key(Name(description="Full name."), required=True),
            "unit": Key(Text(nullable=True, description="Unit.")),
        }), description="Guests who attended for this case (shown only in the internal minutes).",
            hint="Gjester som deltok under saken (vises bare i intern utgave)"), default=list),
    },
)


GUEST = Record(
    description="A guest at the meeting, with the cases (by position, 1 = first case) attended.",
    keys={
        "name": Key(Name(description="Full name."), required=True),
        "unit": Key(Text(nullable=True, description="Unit.")),
        "cases": Key(ListOf(Integer(minimum=1, maximum=99), description="Cases attended, by position."),
                     default=list),
    },
)

ATTENDANCE = Record(
    description="Who was there; written by the secretary.",
    keys={
        "absent": Key(ListOf(Name(), description="Members who sent apologies (forfall)."), default=list),
        "substitutes": Key(MapOf(Name(), description="Member -> the substitute who met (vara)."), default=dict),
        "guests": Key(ListOf(GUEST, description="Guests and staff (fra administrasjonen)."), default=list),
        "partial": Key(MapOf(Text(), description="Name -> partial attendance, e.g. 'til kl. 10.30'."),
                       default=dict),
        "observers": Key(ListOf(Name(), description="Observers present, by name or role."), default=None),
        "referent": Key(Name(nullable=True, description="Who wrote the minutes; default the secretary.")),
    },
)

MINUTES = Record(
    description="State of the minutes (referat).",
    keys={
        "status": Key(Choice(("none", "draft", "approved", "not-written"),
                             description="none (not started) | draft | approved | not-written"),
                      default="draft"),
        "note": Key(Text(nullable=True, description="A note shown in the archive, e.g. 'Referat ble ikke skrevet.'")),
        "any_other_business": Key(Text(nullable=True, multiline=True,
                                       description="What came up under 'Eventuelt'.")),
        "approved_on": Key(Date(nullable=True, description="Written by alu-docs: the day the minutes were approved.")),
        "approved_sha256": Key(Text(nullable=True, max_length=64,
                                    description="Written by alu-docs: the sha256 of the approved minutes' PDF, "
                                                "so they can never be replaced unnoticed. Do not edit.")),
    },
)

MEETING = Record(
    description="One meeting of the committee.",
    keys={
        "date": Key(Date(description="Meeting date; must match the folder name."), required=True),
        "end_date": Key(Date(nullable=True, description="Last day, for a meeting over several days.")),
        "start": Key(Time(nullable=True, description="Start time; default from committee.yaml.")),
        "end": Key(Time(nullable=True, description="End time; default from committee.yaml.")),
        "place": Key(Text(nullable=True, description="Place; default from committee.yaml.")),
        "kind": Key(Choice(("ordinary", "seminar", "cancelled"), description=(
            "ordinary, seminar (samling), or cancelled (avlyst; the same as `cancelled:` without a reason).")),
                    default="ordinary"),
        "cancelled": Key(Text(nullable=True, max_length=300, description=(
            "Why the meeting is cancelled (avlyst): an issued notice is issued again as 'Møtet er avlyst'."))),
        "moved_from": Key(ListOf(Date(), description=(
            "Written by alu-docs move: the dates this meeting had before (its issued case numbers keep the "
            "first one's year).")), default=list),
        "title": Key(Text(nullable=True, description="Title of a seminar, e.g. 'Samling på Baardshaug'.")),
        "cases": Key(ListOf(CASE, description="The cases, in agenda order."), default=list),
        "attendance": Key(ATTENDANCE, default=None),
        "minutes": Key(MINUTES, default=None),
        "legacy": Key(Record(nullable=True, description="Documents from before alu-docs, held elsewhere.", keys={
            "notice": Key(Boolean(description="A notice was published but is not in this archive."),
                          default=False),
            "minutes": Key(Boolean(description="Minutes were published but are not in this archive."),
                           default=False),
        }), default=None),
    },
)


def format_problems(path_label: str, problems: Problems) -> list[str]:
    """Problems as `file:line: key.path: message`, in file order."""
    ordered = sorted(problems, key=lambda p: p[0])
    return [f"{path_label}:{line}: {key}: {message}" if key else f"{path_label}:{line}: {message}"
            for line, key, message in ordered]
