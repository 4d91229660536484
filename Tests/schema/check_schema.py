#!/usr/bin/env python3
"""Checks docs/task.schema.json against the task parser's rules and docs/FORMAT.md against both.

1. The schema is valid JSON Schema draft 2020-12.
2. Every drop in Tests/SpoolCoreTests/Fixtures/drops/good/ (tasks, chain and group documents) is valid under
   the schema.
3. Every drop in Tests/SpoolCoreTests/Fixtures/drops/bad/ that the parser rejects for a field (its reason in
   bad/EXPECTED.tsv starts with "<field>: ", or names a field a group document does not have) or as "not a
   JSON object", and that is strict JSON, is invalid under the schema, except the few listed in
   SCHEMA_CANNOT_EXPRESS.
4. Every ```json task and ```json group block in docs/FORMAT.md is valid (a group block as a group document),
   every ```json invalid <reason prefix> block invalid.
5. The ```sh producer and ```python producer blocks in docs/FORMAT.md leave a valid incoming/hello.json
   and nothing else in a fresh spool.

Run from anywhere: python3 Tests/schema/check_schema.py. Needs the jsonschema package; date-time formats
are checked when rfc3339-validator is installed (jsonschema's "format" extra).
Exit status 0 when everything holds, 1 otherwise, with one line per failure.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError

ROOT = Path(__file__).resolve().parent.parent.parent
SCHEMA = ROOT / "docs" / "task.schema.json"
FORMAT = ROOT / "docs" / "FORMAT.md"
DROPS = ROOT / "Tests" / "SpoolCoreTests" / "Fixtures" / "drops"

# Reasons that name a field the schema describes, or the whole value. Reasons such as "invalid JSON: ..."
# concern the bytes, which a schema does not see.
SCHEMA_REASONS = tuple(
    f"{field}: "
    for field in (
        "id", "queue", "type", "payload", "run_at", "delay", "max_attempts", "backoff", "timeout",
        "deadline", "retention", "unique_key", "key", "http", "traceparent", "tracestate", "created_at",
        "attempts", "result", "finished_at", "state_reason", "on_success", "on_failure", "pass_result", "parent",
        "workflow", "group", "group_index", "chain", "callback", "run_callback",
    )
) + ("not a JSON object",)

# Reasons a workflow document gives for a field it does not have, whatever the field's name.
SCHEMA_REASON_ENDINGS = (": not a field of a group document",)

# Bad drops the parser rejects by a rule JSON Schema cannot state. Each entry says why; an entry whose file
# the schema does reject, or that no longer exists, is reported as stale.
SCHEMA_CANNOT_EXPRESS = {
    # backoff.max must be at least backoff.initial: a comparison of two values in the instance, which JSON
    # Schema has no keyword for. (Without initial, the schema does require max >= 5, the default initial.)
    "80-backoff-max-below-initial.json": "backoff.max < backoff.initial",
    # Only the last step of a list may have its own on_success: JSON Schema can say what every item, or the
    # first items, must be, not what all items but the last must be.
    "364-on-success-before-the-last-step.json": "on_success in a step before the last of a list",
    # on_failure lists nest at most 8 deep: a bound on the depth of a recursive definition, which JSON Schema
    # can only state by writing the definition out 8 times.
    "368-on-failure-nested-9-deep.json": "on_failure nested more than 8 deep",
}

# Small cases that pin down details of the schema: (what, instance, valid under the parser).
EDGE_CASES = [
    ("id with a final newline", {"type": "t", "id": "a\n"}, False),
    ("queue with a final newline", {"type": "t", "queue": "q\n"}, False),
    ("run_at with a final newline", {"type": "t", "run_at": "2026-01-01T00:00:00Z\n"}, False),
    ("type with DEL", {"type": "a\u007fb"}, False),
    ("type with a C1 control", {"type": "a\u0085b"}, False),
    ("backoff max below the default initial", {"type": "t", "backoff": {"strategy": "exponential", "max": 4}}, False),
    ("run_at at Unix 253402300800", {"type": "t", "run_at": 253402300800}, False),
    ("created_at as Unix seconds", {"type": "t", "created_at": 0}, False),
    ("timeout 0", {"type": "t", "timeout": 0}, False),
    ("lower-case t and z", {"type": "t", "run_at": "2026-01-01t00:00:00z"}, True),
    ("max_attempts written 3.0", {"type": "t", "max_attempts": 3.0}, True),
    ("backoff initial above 3600 without max", {"type": "t", "backoff": {"strategy": "exponential", "initial": 7200}}, True),
    ("run_at at Unix 253402300799.999", {"type": "t", "run_at": 253402300799.999}, True),
    ("empty state_reason and unknown fields", {"type": "t", "state_reason": "", "x": [1]}, True),
    ("traceparent with a zero span id", {"type": "t", "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"}, False),
    ("traceparent with a final newline", {"type": "t", "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\n"}, False),
    ("tracestate of 33 entries", {"type": "t", "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "tracestate": ",".join(f"k{n}=v" for n in range(33))}, False),
    ("tracestate with spaces and a tenant key", {"type": "t", "traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", "tracestate": "a=1 ,\tt@sys=x y"}, True),
    ("a step that sets created_at", {"type": "t", "on_success": {"type": "u", "created_at": "2026-01-01T00:00:00Z"}}, False),
    ("a step with a unique key", {"type": "t", "on_failure": [{"type": "u", "unique_key": "k"}]}, False),
    ("a step with delay and run_at", {"type": "t", "on_success": {"type": "u", "delay": 1, "run_at": 0}}, False),
    ("pass_result null", {"type": "t", "pass_result": None}, False),
    ("group without group_index", {"type": "t", "group": "g"}, False),
    ("group_index 9999", {"type": "t", "group": "g", "group_index": 9999}, True),
    ("a chain's first task with fields Spool writes", {"chain": [{"type": "a", "created_at": "2026-01-01T00:00:00Z"}, {"type": "b"}]}, True),
    ("a chain's later step with fields Spool writes", {"chain": [{"type": "a"}, {"type": "b", "attempts": []}]}, False),
    ("a one-task chain with its own on_success", {"chain": [{"type": "a", "on_success": {"type": "b"}}]}, True),
    ("a chain's last step with its own on_success", {"chain": [{"type": "a"}, {"type": "b", "on_success": [{"type": "c"}]}]}, True),
    ("a chain document with a type is a task", {"type": "t", "chain": []}, True),
    ("a group member given as a chain", {"group": [[{"type": "a"}, {"type": "b"}]], "callback": [{"type": "c"}]}, True),
    ("a group member with a unique key", {"group": [{"type": "a", "unique_key": "k"}]}, False),
    ("a group callback null", {"group": [{"type": "a"}], "callback": None}, False),
    ("a group member list empty", {"group": [[]]}, False),
]

MAXIMUM_DEPTH = 64


class StrictJSONError(ValueError):
    pass


def _no_duplicate_keys(pairs):
    seen = set()
    for key, _ in pairs:
        if key in seen:
            raise StrictJSONError(f"duplicate key {key!r}")
        seen.add(key)
    return dict(pairs)


def _no_constants(name):
    raise StrictJSONError(f"{name} is not JSON")


def _check_strings_and_depth(value, depth=0):
    if isinstance(value, (list, dict)):
        depth += 1
        if depth > MAXIMUM_DEPTH:
            raise StrictJSONError(f"nesting deeper than {MAXIMUM_DEPTH}")
    items = []
    if isinstance(value, dict):
        items = list(value.keys()) + list(value.values())
    elif isinstance(value, list):
        items = value
    elif isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise StrictJSONError("lone surrogate in a string") from None
    for item in items:
        _check_strings_and_depth(item, depth)


def strict_load(data):
    """Parses bytes as Spool's parser does: UTF-8 without BOM, no NaN/Infinity, no duplicate keys,
    no lone surrogates, nesting at most 64. Raises ValueError otherwise."""
    if data.startswith(b"\xef\xbb\xbf"):
        raise StrictJSONError("byte order mark")
    text = data.decode("utf-8")
    value = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants)
    _check_strings_and_depth(value)
    return value


def describe(errors):
    first = min(errors, key=lambda error: len(list(error.absolute_path)))
    path = "/".join(str(part) for part in first.absolute_path) or "(top)"
    return f"{path}: {first.message}"[:200]


def fenced_blocks(markdown):
    """(info string, content, line number) of each fenced code block opened by ```."""
    blocks = []
    lines = markdown.split("\n")
    index = 0
    while index < len(lines):
        opening = re.match(r"^```(.*)$", lines[index])
        if opening:
            start = index
            index += 1
            body = []
            while index < len(lines) and not re.match(r"^```\s*$", lines[index]):
                body.append(lines[index])
                index += 1
            blocks.append((opening.group(1).strip(), "\n".join(body) + "\n", start + 1))
        index += 1
    return blocks


def main():
    failures = []
    notes = []

    try:
        schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"{SCHEMA.relative_to(ROOT)}: cannot read: {error}")
        return 1
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as error:
        print(f"{SCHEMA.relative_to(ROOT)}: not a valid draft 2020-12 schema: {error.message}")
        return 1
    checker = FormatChecker()
    if "date-time" not in checker.checkers:
        failures.append("date-time format is not checked: install rfc3339-validator")
    validator = Draft202012Validator(schema, format_checker=checker)

    def errors_of(instance):
        return list(validator.iter_errors(instance))

    # Good drops.
    good = sorted((DROPS / "good").glob("*.json"))
    if not good:
        failures.append(f"{(DROPS / 'good').relative_to(ROOT)}: no drops found")
    for path in good:
        name = path.relative_to(ROOT)
        try:
            instance = strict_load(path.read_bytes())
        except ValueError as error:
            failures.append(f"{name}: good drop is not strict JSON: {error}")
            continue
        errors = errors_of(instance)
        if errors:
            failures.append(f"{name}: good drop is invalid under the schema: {describe(errors)}")

    # Bad drops.
    expected = {}
    for line in (DROPS / "bad" / "EXPECTED.tsv").read_text(encoding="utf-8").splitlines():
        if "\t" in line:
            file, reason = line.split("\t", 1)
            expected[file] = reason
    checked = skipped = allowed = 0
    for file, reason in sorted(expected.items()):
        path = DROPS / "bad" / file
        name = path.relative_to(ROOT)
        if not reason.startswith(SCHEMA_REASONS) and not reason.endswith(SCHEMA_REASON_ENDINGS):
            skipped += 1
            continue
        try:
            instance = strict_load(path.read_bytes())
        except OSError as error:
            failures.append(f"{name}: cannot read: {error}")
            continue
        except ValueError:
            skipped += 1
            continue
        rejected = bool(errors_of(instance))
        if file in SCHEMA_CANNOT_EXPRESS:
            if rejected:
                failures.append(f"{name}: listed in SCHEMA_CANNOT_EXPRESS but the schema rejects it: remove the entry")
            else:
                allowed += 1
                notes.append(f"not expressible in JSON Schema, allowed: {file} ({SCHEMA_CANNOT_EXPRESS[file]})")
            continue
        checked += 1
        if not rejected:
            failures.append(f"{name}: parser rejects it ({reason.strip()}) but the schema accepts it")
    for file in SCHEMA_CANNOT_EXPRESS:
        if file not in expected:
            failures.append(f"SCHEMA_CANNOT_EXPRESS names {file}, which is not in bad/EXPECTED.tsv")

    # Edge cases.
    for what, instance, valid in EDGE_CASES:
        if bool(errors_of(instance)) == valid:
            failures.append(f"edge case {what!r}: schema says {'invalid' if valid else 'valid'}, parser says {'valid' if valid else 'invalid'}")

    # FORMAT.md examples.
    try:
        markdown = FORMAT.read_text(encoding="utf-8")
    except OSError as error:
        failures.append(f"{FORMAT.relative_to(ROOT)}: cannot read: {error}")
        markdown = ""
    tasks = invalids = groups = 0
    producers = {}
    for info, content, line in fenced_blocks(markdown):
        words = info.split(None, 2)
        where = f"{FORMAT.relative_to(ROOT)}:{line}"
        if words[:2] == ["json", "group"]:
            groups += 1
            try:
                instance = strict_load(content.encode("utf-8"))
            except ValueError as error:
                failures.append(f"{where}: json group block is not strict JSON: {error}")
                continue
            errors = errors_of(instance)
            if errors or "group" not in instance or "type" in instance:
                failures.append(f"{where}: json group block is not a valid group document: {describe(errors) if errors else 'no group'}")
        elif words[:2] == ["json", "task"]:
            tasks += 1
            try:
                instance = strict_load(content.encode("utf-8"))
            except ValueError as error:
                failures.append(f"{where}: json task block is not strict JSON: {error}")
                continue
            errors = errors_of(instance)
            if errors:
                failures.append(f"{where}: json task block is invalid: {describe(errors)}")
        elif words[:2] == ["json", "invalid"]:
            invalids += 1
            prefix = words[2] if len(words) > 2 else ""
            if not prefix:
                failures.append(f"{where}: json invalid block names no reason prefix")
            try:
                instance = strict_load(content.encode("utf-8"))
            except ValueError:
                if not prefix.startswith("invalid JSON"):
                    failures.append(f"{where}: json invalid block is not JSON, but its prefix is {prefix!r}")
                continue
            if not errors_of(instance):
                failures.append(f"{where}: json invalid block ({prefix}) is valid under the schema")
        elif len(words) >= 2 and words[1] == "producer":
            producers[words[0]] = (content, where)
    if tasks == 0:
        failures.append(f"{FORMAT.relative_to(ROOT)}: no json task blocks")
    if invalids > 3:
        failures.append(f"{FORMAT.relative_to(ROOT)}: {invalids} json invalid blocks (at most 3)")

    # Producer examples.
    commands = {"sh": ["sh", "-c"], "python": [sys.executable, "-c"]}
    if "sh" not in producers:
        failures.append(f"{FORMAT.relative_to(ROOT)}: no sh producer block")
    for language, (content, where) in sorted(producers.items()):
        if language not in commands:
            failures.append(f"{where}: unknown producer language {language!r}")
            continue
        if language == "sh" and len(content.strip().splitlines()) > 5:
            failures.append(f"{where}: sh producer block is longer than five lines")
        with tempfile.TemporaryDirectory() as spool:
            os.mkdir(os.path.join(spool, "incoming"))
            environment = dict(os.environ, SPOOL=spool)
            run = subprocess.run(commands[language] + [content], env=environment, capture_output=True, text=True)
            if run.returncode != 0:
                failures.append(f"{where}: {language} producer exits with {run.returncode}: {run.stderr.strip()[:200]}")
                continue
            names = sorted(os.listdir(os.path.join(spool, "incoming")))
            if names != ["hello.json"] or sorted(os.listdir(spool)) != ["incoming"]:
                failures.append(f"{where}: {language} producer leaves {sorted(os.listdir(spool))} and incoming/{names}, not incoming/hello.json alone")
                continue
            try:
                with open(os.path.join(spool, "incoming", "hello.json"), "rb") as file:
                    instance = strict_load(file.read())
            except ValueError as error:
                failures.append(f"{where}: {language} producer writes a file that is not strict JSON: {error}")
                continue
            errors = errors_of(instance)
            if errors:
                failures.append(f"{where}: {language} producer writes an invalid task: {describe(errors)}")

    if failures:
        for failure in failures:
            print(failure)
        return 1
    print(f"schema: valid draft 2020-12")
    print(f"good drops valid: {len(good)}")
    print(f"bad drops invalid: {checked} (plus {allowed} allowed, {skipped} skipped: their reason concerns the bytes, not the value)")
    print(f"edge cases: {len(EDGE_CASES)}")
    print(f"FORMAT.md: {tasks} task blocks valid, {groups} group blocks valid, {invalids} invalid blocks invalid, producers run: {', '.join(sorted(producers))}")
    for note in notes:
        print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
