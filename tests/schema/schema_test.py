#!/usr/bin/env python3
"""The JSON Schemas in schemas/ must agree with berth's parser.

Checked with the real validator (Draft202012Validator, formats asserted):
  * every schema is a valid draft 2020-12 schema;
  * every document of every example and of tests/corpus/valid is accepted;
  * every per-document file of tests/corpus/invalid is rejected, in exactly one document, with an error at or
    above the field berth reports; "# yaml-level" files must already fail to load (syntax, duplicate keys, as
    editors report them); "# cross-resource" files are berth's alone, so the schema accepts each document;
  * the mappings and keys the schemas declare are exactly those the parser accepts (from berth_schema_keys).

Documents are read as YAML 1.2 core, like yaml-cpp and yaml-language-server: PyYAML's default YAML 1.1 would
read 52:54:00:12:34:56 as an integer and "yes" as a boolean.
"""

import argparse
import json
import pathlib
import re
import subprocess
import sys
import unittest
import warnings

import jsonschema
import yaml

ARGS = None


class Yaml12Loader(yaml.SafeLoader):
    """YAML 1.2 core schema resolution, and duplicate keys as errors (yaml-language-server reports them)."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


def _construct_int(loader, node):
    text = loader.construct_scalar(node)
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)


def _construct_float(loader, node):
    text = loader.construct_scalar(node).lower()
    return float(text.replace(".inf", "inf").replace(".nan", "nan"))


Yaml12Loader.yaml_implicit_resolvers = {}
for tag, pattern, first in [
        ("bool", r"true|True|TRUE|false|False|FALSE", "tTfF"),
        ("int", r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+", "-+0123456789"),
        ("float", r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)",
         "-+0123456789."),
        ("null", r"~|null|Null|NULL|", ["~", "n", "N", ""])]:
    Yaml12Loader.add_implicit_resolver(f"tag:yaml.org,2002:{tag}", re.compile(f"^(?:{pattern})$"), list(first))
Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
Yaml12Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)
Yaml12Loader.add_constructor("tag:yaml.org,2002:bool",
                             lambda loader, node: loader.construct_scalar(node).lower() == "true")


def load_documents(path):
    """Every non-empty document of a file."""
    return [d for d in yaml.load_all(path.read_text(), Loader=Yaml12Loader) if d is not None]


def load_schemas(schema_dir):
    return {p.name: json.loads(p.read_text()) for p in sorted(schema_dir.glob("*.schema.json"))}


def make_validator(schemas):
    """A validator for berth.schema.json whose relative $refs resolve to the files beside it."""
    root = schemas["berth.schema.json"]
    checker = jsonschema.FormatChecker()
    try:
        import referencing  # jsonschema >= 4.18
        resources = [(name, referencing.Resource.from_contents(s)) for name, s in schemas.items()]
        registry = referencing.Registry().with_resources(resources)
        return jsonschema.Draft202012Validator(root, registry=registry, format_checker=checker)
    except ImportError:  # Debian 12's jsonschema 4.10
        resolver = jsonschema.RefResolver(base_uri="", referrer=root, store=dict(schemas))
        return jsonschema.Draft202012Validator(root, resolver=resolver, format_checker=checker)


def field_path(error_path):
    """A jsonschema path in berth's notation: spec.forwards[1].port."""
    out = ""
    for part in error_path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def all_errors(errors):
    for error in errors:
        yield error
        yield from all_errors(error.context or [])


def is_prefix(prefix, field):
    return prefix == "" or field == prefix or field.startswith(prefix + ".") or field.startswith(prefix + "[")


class SchemaWalker:
    """Resolves $refs by hand to list the fixed-key mappings a schema declares, by berth's generic paths."""

    def __init__(self, schemas):
        self.schemas = schemas

    def resolve(self, ref, file):
        target, _, pointer = ref.partition("#")
        file = target or file
        node = self.schemas[file]
        for token in [t for t in pointer.split("/") if t]:
            node = node[token]
        return node, file

    def closure(self, node, file):
        """The node and every subschema that applies alongside it ($ref, allOf/anyOf/oneOf, then/else)."""
        out, todo = [], [(node, file)]
        while todo:
            node, file = todo.pop()
            if not isinstance(node, dict):
                continue
            out.append((node, file))
            if "$ref" in node:
                todo.append(self.resolve(node["$ref"], file))
            for key in ("allOf", "anyOf", "oneOf"):
                todo.extend((sub, file) for sub in node.get(key, []))
            for key in ("then", "else"):
                if key in node:
                    todo.append((node[key], file))
        return out

    def mappings(self, node, file, path=""):
        """{generic path: set of declared keys} for every object with fixed properties under `node`."""
        found = {}
        for sub, sub_file in self.closure(node, file):
            props = sub.get("properties")
            if props is None or sub.get("additionalProperties") is not False:
                continue
            found.setdefault(path, set()).update(props)
            for key, child in props.items():
                child_path = f"{path}.{key}" if path else key
                for merged_path, keys in self.mappings(child, sub_file, child_path).items():
                    found.setdefault(merged_path, set()).update(keys)
                for item_node, item_file in self.closure(child, sub_file):
                    if "items" in item_node:
                        items = self.mappings(item_node["items"], item_file, child_path + "[]")
                        for merged_path, keys in items.items():
                            found.setdefault(merged_path, set()).update(keys)
        return found


KIND_SCHEMAS = {"Bridge": "bridge.schema.json", "NAT": "nat.schema.json", "VM": "vm.schema.json",
                "Jail": "jail.schema.json"}


class SchemaTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.source = pathlib.Path(ARGS.source_dir)
        cls.schemas = load_schemas(cls.source / "schemas")
        cls.validator = make_validator(cls.schemas)

    def errors(self, document):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # RefResolver on newer jsonschema
            return list(self.validator.iter_errors(document))

    def assert_accepted(self, path):
        for index, document in enumerate(load_documents(path)):
            errors = self.errors(document)
            self.assertEqual([], [f"{field_path(e.absolute_path)}: {e.message}" for e in errors],
                             f"{path.relative_to(self.source)} document {index}")

    def test_schemas_are_valid_draft_2020_12(self):
        self.assertEqual(set(self.schemas),
                         {"berth.schema.json", "common.schema.json", "result.schema.json", *KIND_SCHEMAS.values()})
        for name, schema in self.schemas.items():
            with self.subTest(schema=name):
                jsonschema.Draft202012Validator.check_schema(schema)

    def test_example_result_files_are_accepted(self):
        # The launchers' result files (berth writes them; the real-kernel test validates one it wrote).
        validator = jsonschema.Draft202012Validator(self.schemas["result.schema.json"],
                                                    format_checker=jsonschema.FormatChecker())
        files = sorted((self.source / "examples/launcher").glob("*.json"))
        self.assertGreater(len(files), 0)
        for path in files:
            with self.subTest(result=str(path.relative_to(self.source))):
                errors = [e.message for e in validator.iter_errors(json.loads(path.read_text()))]
                self.assertEqual([], errors)
        broken = json.loads(files[0].read_text())
        broken["addresses"] = ["10.0.0.300/24"]
        self.assertTrue(list(validator.iter_errors(broken)), "a malformed address is rejected")

    def test_examples_are_accepted(self):
        files = sorted((self.source / "examples/manifests").rglob("*.yaml"))
        self.assertGreater(len(files), 0)
        for path in files:
            with self.subTest(example=str(path.relative_to(self.source))):
                self.assert_accepted(path)
                modeline = re.search(r"^# yaml-language-server: \$schema=(\S+)$", path.read_text(), re.M)
                if modeline:
                    self.assertTrue((path.parent / modeline.group(1)).resolve().is_file(), modeline.group(1))

    def test_valid_corpus_is_accepted(self):
        for path in sorted((self.source / "tests/corpus/valid").glob("*.yaml")):
            with self.subTest(file=path.name):
                self.assert_accepted(path)

    def test_invalid_corpus(self):
        files = sorted((self.source / "tests/corpus/invalid").glob("*.yaml"))
        self.assertGreaterEqual(len(files), 45)
        for path in files:
            lines = path.read_text().splitlines()
            match = re.fullmatch(r"# expect: \d+:\d+ [a-z0-9-]+ (\S+)", lines[0])
            with self.subTest(file=path.name):
                self.assertIsNotNone(match, lines[0])
                field = "" if match.group(1) == "-" else match.group(1)
                if "# yaml-level" in lines[:4]:
                    with self.assertRaises(yaml.YAMLError):
                        load_documents(path)
                elif "# cross-resource" in lines[:4]:
                    self.assert_accepted(path)
                else:
                    self.check_rejected(path, field)

    def check_rejected(self, path, field):
        """Exactly one document is rejected, and for a reason at or above the field berth reports."""
        rejected = [errors for errors in map(self.errors, load_documents(path)) if errors]
        self.assertEqual(len(rejected), 1, "documents the schema rejects")
        paths = {field_path(e.absolute_path) for e in all_errors(rejected[0])}
        self.assertTrue(any(is_prefix(p, field) for p in paths),
                        f"no schema error at or above {field!r}; errors at {sorted(paths)}")

    def test_schemas_declare_exactly_the_keys_the_parser_accepts(self):
        output = subprocess.run([ARGS.keys_tool], check=True, capture_output=True, text=True).stdout
        parser = {}
        for line in output.splitlines():
            kind, path, key = line.split("\t")
            for k in (KIND_SCHEMAS if kind == "*" else [kind]):
                parser.setdefault((k, path), set()).add(key)
        walker = SchemaWalker(self.schemas)
        schema = {}
        for kind, file in KIND_SCHEMAS.items():
            for path, keys in walker.mappings(self.schemas[file], file).items():
                schema[(kind, path)] = keys
        self.assertEqual(sorted(parser), sorted(schema), "mappings (kind, path) of parser vs schema")
        for mapping in sorted(parser):
            with self.subTest(mapping=mapping):
                self.assertEqual(sorted(parser[mapping]), sorted(schema.get(mapping, set())))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--keys-tool", required=True, help="path of berth_schema_keys")
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)
