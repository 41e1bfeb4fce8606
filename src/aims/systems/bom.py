"""CycloneDX ML-BOM import and export for an AI system's components (CycloneDX 1.5, 1.6, 1.7).

Export builds the BOM with cyclonedx-python-lib and serializes it with the library's JSON
outputter. The library has no model for a component's ``modelCard`` and ``data`` (the very parts
that make an ML-BOM), nor for a few rarer component fields (pedigree, evidence, swid, omniborId,
licence ``licensing``, ...), and it would silently drop fields a chosen spec version cannot hold.
So, after the library has written its JSON, those objects are injected verbatim into the
component with the same bom-ref, the result is validated against the official schema of that
spec version, and it is read back to prove that nothing aims holds was lost or changed.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import json
import math
import uuid
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

from cyclonedx.model import (
    ExternalReference,
    ExternalReferenceType,
    HashAlgorithm,
    HashType,
    Property,
    XsUri,
)
from cyclonedx.model.bom import Bom
from cyclonedx.model.component import Component, ComponentScope, ComponentType
from cyclonedx.model.contact import OrganizationalContact, OrganizationalEntity, PostalAddress
from cyclonedx.model.license import (
    DisjunctiveLicense,
    License,
    LicenseAcknowledgement,
    LicenseExpression,
)
from cyclonedx.output import make_outputter
from cyclonedx.schema import OutputFormat, SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from packageurl import PackageURL

from aims import __version__
from aims.errors import FieldError, ValidationFailed
from aims.systems.vocab import ComponentKind

JsonObject = dict[str, Any]
Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]
_E = TypeVar("_E")

SPEC_VERSIONS: dict[str, SchemaVersion] = {
    "1.5": SchemaVersion.V1_5,
    "1.6": SchemaVersion.V1_6,
    "1.7": SchemaVersion.V1_7,
}

KIND_OF_TYPE: dict[str, ComponentKind] = {
    "machine-learning-model": ComponentKind.MODEL,
    "data": ComponentKind.DATASET,
    "device": ComponentKind.COMPUTE,
    "platform": ComponentKind.COMPUTE,
    "device-driver": ComponentKind.COMPUTE,
    "application": ComponentKind.TOOLING,
    "framework": ComponentKind.TOOLING,
    "library": ComponentKind.TOOLING,
    "container": ComponentKind.TOOLING,
    "operating-system": ComponentKind.TOOLING,
    "firmware": ComponentKind.TOOLING,
    "file": ComponentKind.TOOLING,
}
"""CycloneDX component type -> aims kind; other types (cryptographic-asset) are refused."""

TYPE_OF_KIND: dict[ComponentKind, str] = {
    ComponentKind.MODEL: "machine-learning-model",
    ComponentKind.DATASET: "data",
    ComponentKind.TOOLING: "application",
    ComponentKind.COMPUTE: "platform",
}
"""The type written for a kind when the component has no (or a contradicting) ``cdx_type``."""

PROP_GENERAL_PURPOSE = "aims:general_purpose"
PROP_TRAINING_COMPUTE_FLOP = "aims:training_compute_flop"
PROP_PERSONAL_DATA = "aims:personal_data"
PROP_DATA_SOURCE = "aims:data_source"
PROP_MODEL_TYPE = "aims:model_type"

# Component keys that map onto ComponentData fields; every other key goes to ``extra``.
_MODELLED_KEYS = frozenset(
    {
        "type", "bom-ref", "name", "version", "description", "group", "purl", "licenses",
        "supplier", "manufacturer", "publisher", "authors", "hashes", "externalReferences",
        "tags", "properties", "modelCard", "data", "components",
    }
)  # fmt: skip
# ``extra`` keys the library models in every supported spec; the rest of ``extra`` is injected.
# (Not mime-type: cyclonedx-python-lib 11.12 writes it as "mimeType", which the schema refuses.)
_LIB_EXTRA_KEYS = frozenset({"scope", "copyright", "cpe"})
_LICENCE_KEYS = frozenset({"id", "name", "url", "acknowledgement", "bom-ref"})
_EXPRESSION_KEYS = frozenset({"expression", "acknowledgement", "bom-ref"})
_EXTREF_KEYS = frozenset({"type", "url", "comment", "hashes"})
_BOM_KEYS = frozenset(
    {"$schema", "bomFormat", "specVersion", "serialNumber", "version", "metadata", "components",
     "dependencies", "services"}
)  # fmt: skip
_METADATA_KEYS = frozenset({"timestamp", "component"})
_DERIVED = ("model_type", "general_purpose", "training_compute_flop", "personal_data",
            "data_source", "supplier_name")  # fmt: skip
_JSON_FIELDS = ("licences", "supplier", "manufacturer", "authors", "hashes",
                "external_references", "properties", "model_card", "data", "extra")  # fmt: skip
_SET_LIKE = ("licences", "hashes", "external_references", "properties", "authors")


class BomError(ValidationFailed):
    """A BOM was refused or could not be written; ``problems`` lists every reason, with its path."""

    def __init__(self, problems: list[Problem], *, action: str = "imported") -> None:
        self.problems = [_render(loc, msg) for loc, msg in problems]
        summary = self.problems[0] if len(problems) == 1 else f"{len(problems)} problems"
        super().__init__(
            f"The CycloneDX BOM was not {action}: {summary}",
            errors=[FieldError(loc=loc, msg=msg) for loc, msg in problems],
        )


@dataclass
class ComponentData:
    """One component as aims holds it; CycloneDX objects aims does not model are kept verbatim.

    ``cdx_type`` keeps the exact CycloneDX type (``kind`` is coarser); ``parent_ref`` keeps the
    nesting of components inside components. The derived fields at the end are what aims shows;
    import fills them, export writes them back as ``aims:*`` properties when they were changed.
    """

    kind: ComponentKind
    name: str
    version: str = ""
    description: str = ""
    group: str = ""
    bom_ref: str = ""
    purl: str = ""
    cdx_type: str = ""
    parent_ref: str = ""
    licences: list[JsonObject] = field(default_factory=list)
    supplier: JsonObject | None = None
    manufacturer: JsonObject | None = None
    publisher: str = ""
    authors: list[JsonObject] = field(default_factory=list)
    hashes: list[dict[str, str]] = field(default_factory=list)
    external_references: list[JsonObject] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    properties: list[dict[str, str]] = field(default_factory=list)
    model_card: JsonObject | None = None
    data: list[JsonObject] | None = None
    extra: JsonObject = field(default_factory=dict)
    model_type: str = ""
    general_purpose: bool | None = None
    training_compute_flop: float | None = None
    personal_data: bool | None = None
    data_source: str = ""
    supplier_name: str = ""


@dataclass
class ParsedBom:
    """Everything imported from one BOM; ``not_imported`` names BOM-level parts left out."""

    spec_version: str
    serial_number: str | None
    subject: ComponentData | None
    components: list[ComponentData]
    dependencies: dict[str, list[str]]
    not_imported: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------- import


def parse_bom(text: str) -> ParsedBom:
    """Read a CycloneDX 1.5-1.7 JSON BOM, all or nothing: every problem is reported at once."""
    try:
        doc = json.loads(text)
        return _read(doc, validate=True)
    except json.JSONDecodeError as exc:
        raise BomError([((), f"line {exc.lineno}, column {exc.colno}: {exc.msg}")]) from None
    except RecursionError:
        raise BomError([((), "the BOM is nested too deeply to be a bill of materials")]) from None


def _read(doc: Any, *, validate: bool) -> ParsedBom:
    if not isinstance(doc, dict):
        raise BomError([((), "the document must be a JSON object")])
    problems: list[Problem] = []
    spec = _check_document(doc, problems)
    if spec is not None and validate:
        for loc, msg in _schema_problems(doc, spec):
            if not any(_related(loc, seen) for seen, _ in problems):
                problems.append((loc, msg))
    if problems or spec is None:
        raise BomError(problems)

    components: list[ComponentData] = []
    subject = None
    metadata = doc.get("metadata", {})
    if "component" in metadata:
        subject = _component_data(metadata["component"], "")
        _collect_children(metadata["component"], components)
    for node in doc.get("components", []):
        _collect(node, "", components)
    dependencies: dict[str, list[str]] = {}
    for entry in doc.get("dependencies", []):
        merged = dependencies.setdefault(entry["ref"], [])
        merged.extend(ref for ref in entry.get("dependsOn", []) if ref not in merged)
    not_imported = [key for key in doc if key not in _BOM_KEYS]
    not_imported += [f"metadata/{key}" for key in metadata if key not in _METADATA_KEYS]
    return ParsedBom(
        spec_version=doc["specVersion"],
        serial_number=doc.get("serialNumber"),
        subject=subject,
        components=components,
        dependencies=dependencies,
        not_imported=not_imported,
    )


def _check_document(doc: JsonObject, problems: list[Problem]) -> str | None:
    """The friendly checks; returns the spec version when the schema can be checked too."""
    spec: str | None = None
    if "bomFormat" not in doc:
        problems.append((("bomFormat",), "required"))
    elif doc["bomFormat"] != "CycloneDX":
        problems.append((("bomFormat",), f"must be 'CycloneDX', not {doc['bomFormat']!r}"))
    if "specVersion" not in doc:
        problems.append((("specVersion",), "required"))
    elif not isinstance(doc["specVersion"], str):
        problems.append((("specVersion",), 'must be a string such as "1.6"'))
    elif doc["specVersion"] not in SPEC_VERSIONS:
        problems.append(
            (
                ("specVersion",),
                f"CycloneDX {doc['specVersion']} is not supported; aims reads 1.5, 1.6 and 1.7",
            )
        )
    elif doc.get("bomFormat") == "CycloneDX":
        spec = doc["specVersion"]

    component_refs: set[str] = set()
    dataset_refs: list[tuple[Loc, str]] = []
    metadata = doc.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        problems.append((("metadata",), "must be an object"))
    elif metadata is not None and "component" in metadata:
        _check_component(
            metadata["component"], ("metadata", "component"), problems, component_refs, dataset_refs
        )
    components = doc.get("components", [])
    if not isinstance(components, list):
        problems.append((("components",), "must be an array"))
    else:
        for i, node in enumerate(components):
            _check_component(node, ("components", i), problems, component_refs, dataset_refs)
    if doc.get("services"):
        problems.append(
            (("services",), "aims does not import services; describe them as components instead")
        )
    _check_dependencies(doc.get("dependencies", []), problems, component_refs)

    first_seen: dict[str, Loc] = {}
    for ref, loc in _walk_refs(doc, ()):
        if ref in first_seen:
            problems.append((loc, f"'{ref}' is already used at {_render(first_seen[ref], '')}"))
        else:
            first_seen[ref] = loc
    for loc, ref in dataset_refs:
        if ref not in first_seen and not ref.startswith("urn:cdx:"):
            problems.append((loc, f"'{ref}' does not match any bom-ref in this BOM"))
    return spec


def _check_component(
    node: Any,
    loc: Loc,
    problems: list[Problem],
    component_refs: set[str],
    dataset_refs: list[tuple[Loc, str]],
) -> None:
    if not isinstance(node, dict):
        problems.append((loc, "must be an object"))
        return
    name = node.get("name")
    if "name" not in node:
        problems.append(((*loc, "name"), "required"))
    elif not isinstance(name, str) or not name.strip():
        problems.append(((*loc, "name"), "must be a non-empty string"))
    kind = node.get("type")
    if "type" not in node:
        problems.append(((*loc, "type"), "required"))
    elif not isinstance(kind, str) or kind not in KIND_OF_TYPE:
        problems.append(((*loc, "type"), f"unsupported component type {kind!r}"))
    ref = node.get("bom-ref")
    if "bom-ref" in node and (not isinstance(ref, str) or not ref):
        problems.append(((*loc, "bom-ref"), "must be a non-empty string"))
    elif isinstance(ref, str):
        component_refs.add(ref)
    purl = node.get("purl")
    if isinstance(purl, str):
        try:
            PackageURL.from_string(purl)
        except ValueError as exc:
            problems.append(((*loc, "purl"), f"not a valid package URL: {exc}"))
    licences = node.get("licenses")
    for i, choice in enumerate(licences if isinstance(licences, list) else []):
        licence = choice.get("license") if isinstance(choice, dict) else None
        if isinstance(licence, dict) and "id" in licence and "name" in licence:
            problems.append(
                ((*loc, "licenses", i, "license"), "has both 'id' and 'name'; give only one")
            )
    properties = node.get("properties")
    if isinstance(properties, list):
        problems.extend(_check_aims_properties(properties, (*loc, "properties")))
    card = node.get("modelCard")
    params = card.get("modelParameters") if isinstance(card, dict) else None
    datasets = params.get("datasets") if isinstance(params, dict) else None
    for i, dataset in enumerate(datasets if isinstance(datasets, list) else []):
        if isinstance(dataset, dict) and isinstance(dataset.get("ref"), str):
            dataset_refs.append(
                ((*loc, "modelCard", "modelParameters", "datasets", i, "ref"), dataset["ref"])
            )
    children = node.get("components", [])
    for i, child in enumerate(children if isinstance(children, list) else []):
        _check_component(child, (*loc, "components", i), problems, component_refs, dataset_refs)


def _check_dependencies(entries: Any, problems: list[Problem], known: set[str]) -> None:
    if not isinstance(entries, list):
        problems.append((("dependencies",), "must be an array"))
        return
    unknown = "does not name a component in this BOM"
    for i, entry in enumerate(entries):
        loc: Loc = ("dependencies", i)
        if not isinstance(entry, dict):
            problems.append((loc, "must be an object"))
            continue
        if "ref" not in entry:
            problems.append(((*loc, "ref"), "required"))
        elif isinstance(entry["ref"], str) and entry["ref"] not in known:
            problems.append(((*loc, "ref"), f"'{entry['ref']}' {unknown}"))
        depends_on = entry.get("dependsOn", [])
        for j, ref in enumerate(depends_on if isinstance(depends_on, list) else []):
            if isinstance(ref, str) and ref not in known:
                problems.append(((*loc, "dependsOn", j), f"'{ref}' {unknown}"))
        if "provides" in entry:
            problems.append(((*loc, "provides"), "not supported by aims"))


def _check_aims_properties(properties: list[Any], loc: Loc) -> list[Problem]:
    """aims:* properties feed fields aims shows, so a bad value refuses the BOM."""
    parsers: dict[str, Callable[[str, str], object]] = {
        PROP_GENERAL_PURPOSE: _parse_bool,
        PROP_PERSONAL_DATA: _parse_bool,
        PROP_TRAINING_COMPUTE_FLOP: _parse_flop,
    }
    problems: list[Problem] = []
    first: dict[str, str] = {}
    for i, prop in enumerate(properties):
        if not isinstance(prop, dict) or not str(prop.get("name", "")).startswith("aims:"):
            continue
        name, value = prop["name"], prop.get("value", "")
        if name in first and first[name] != value:
            problems.append(((*loc, i), f"{name} is given twice with different values"))
            continue
        first[name] = value
        if name in parsers:
            try:
                parsers[name](str(value), name)
            except ValueError as exc:
                problems.append(((*loc, i, "value"), str(exc)))
    return problems


def _parse_bool(raw: str, name: str) -> bool:
    value = raw.strip().lower()
    if value in ("true", "yes"):
        return True
    if value in ("false", "no"):
        return False
    raise ValueError(f"{name} must be true or false, not {raw!r}")


def _parse_flop(raw: str, name: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a number of operations such as 1e25, not {raw!r}")
    return value


@cache
def _validator(spec: SchemaVersion) -> JsonStrictValidator:
    """Compiling a schema takes a while; validators are reused."""
    return JsonStrictValidator(spec)


def _schema_problems(doc: JsonObject, spec: str) -> list[Problem]:
    errors = _validator(SPEC_VERSIONS[spec]).validate_str(json.dumps(doc), all_errors=True)
    problems: list[Problem] = []
    for error in errors or []:
        best = error.data
        context = list(getattr(best, "context", None) or [])
        if context:  # oneOf/anyOf: the deepest alternative says most about what is wrong
            best = max(context, key=lambda e: len(e.absolute_path))
        message = str(getattr(best, "message", best))
        if len(message) > 240:
            message = message[:239] + "…"
        problem = (
            tuple(getattr(best, "absolute_path", ())),
            f"{message} (CycloneDX {spec} schema)",
        )
        if problem not in problems:
            problems.append(problem)
    return problems


def _collect(node: JsonObject, parent_ref: str, out: list[ComponentData]) -> None:
    out.append(_component_data(node, parent_ref))
    _collect_children(node, out)


def _collect_children(node: JsonObject, out: list[ComponentData]) -> None:
    for child in node.get("components", []):
        _collect(child, node.get("bom-ref", ""), out)


def _component_data(node: JsonObject, parent_ref: str) -> ComponentData:
    def copied(key: str, default: Any) -> Any:
        return copy.deepcopy(node.get(key, default))

    data = ComponentData(
        kind=KIND_OF_TYPE[node["type"]],
        name=node["name"],
        version=node.get("version", ""),
        description=node.get("description", ""),
        group=node.get("group", ""),
        bom_ref=node.get("bom-ref", ""),
        purl=node.get("purl", ""),
        cdx_type=node["type"],
        parent_ref=parent_ref,
        licences=[copy.deepcopy(c.get("license", c)) for c in node.get("licenses", [])],
        supplier=copied("supplier", None),
        manufacturer=copied("manufacturer", None),
        publisher=node.get("publisher", ""),
        authors=copied("authors", []),
        hashes=copied("hashes", []),
        external_references=copied("externalReferences", []),
        tags=copied("tags", []),
        properties=copied("properties", []),
        model_card=copied("modelCard", None),
        data=copied("data", None),
        extra={k: copy.deepcopy(v) for k, v in node.items() if k not in _MODELLED_KEYS},
    )
    for key, value in _derive(data).items():
        setattr(data, key, value)
    return data


def _first_prop(properties: Iterable[dict[str, str]], name: str) -> str | None:
    return next((p.get("value", "") for p in properties if p.get("name") == name), None)


def _derive(c: ComponentData) -> dict[str, Any]:
    """The fields aims shows; an aims:* property, when present, overrides what is inferred."""
    params = _object((c.model_card or {}).get("modelParameters"))
    approach = _object(params.get("approach"))
    data = [item for item in c.data or [] if isinstance(item, dict)]
    urls = [_object(item.get("contents")).get("url") for item in data]
    general_purpose = _first_prop(c.properties, PROP_GENERAL_PURPOSE)
    flop = _first_prop(c.properties, PROP_TRAINING_COMPUTE_FLOP)
    personal = _first_prop(c.properties, PROP_PERSONAL_DATA)
    entities = [e.get("name") for e in (c.supplier, c.manufacturer) if e]
    return {
        "model_type": _first_prop(c.properties, PROP_MODEL_TYPE)
        or params.get("task")
        or approach.get("type")
        or "",
        "general_purpose": None
        if general_purpose is None
        else _parse_bool(general_purpose, PROP_GENERAL_PURPOSE),
        "training_compute_flop": None
        if flop is None
        else _parse_flop(flop, PROP_TRAINING_COMPUTE_FLOP),
        "personal_data": _parse_bool(personal, PROP_PERSONAL_DATA)
        if personal is not None
        else (True if any(item.get("sensitiveData") for item in data) else None),
        "data_source": _first_prop(c.properties, PROP_DATA_SOURCE)
        or next((u for u in urls if isinstance(u, str) and u), ""),
        "supplier_name": next((n for n in entities if n), None) or c.publisher or "",
    }


# ------------------------------------------------------------------------------- comparisons


def comparable(c: ComponentData) -> JsonObject:
    """``asdict`` with what CycloneDX treats as sets (and the library sorts) in a fixed order.

    Licences, hashes, external references (and their hashes), properties, authors, tags and an
    organisation's urls and contacts are sorted and de-duplicated; the purl is canonicalised.
    """
    d = dataclasses.asdict(c)
    for key in _SET_LIKE:
        d[key] = _sorted_unique(d[key])
    d["tags"] = sorted(set(d["tags"]))
    for ref in d["external_references"]:
        if "hashes" in ref:
            ref["hashes"] = _sorted_unique(ref["hashes"])
    for key in ("supplier", "manufacturer"):
        if d[key]:
            for part in ("url", "contact"):
                if part in d[key]:
                    d[key][part] = _sorted_unique(d[key][part])
    if d["purl"]:
        with contextlib.suppress(ValueError):
            d["purl"] = PackageURL.from_string(d["purl"]).to_string()
    return d


def comparable_dependencies(dependencies: dict[str, list[str]]) -> dict[str, list[str]]:
    """Dependencies without empty entries (the library lists every component) and sorted."""
    return {ref: sorted(set(deps)) for ref, deps in dependencies.items() if deps}


def _sorted_unique(items: list[Any]) -> list[Any]:
    keyed = {json.dumps(item, sort_keys=True): item for item in items}
    return [keyed[key] for key in sorted(keyed)]


# --------------------------------------------------------------------------------------- export


def export_bom(
    *,
    subject: ComponentData | None,
    components: list[ComponentData],
    dependencies: dict[str, list[str]] | None = None,
    spec: str = "1.6",
    serial_number: str | None = None,
) -> str:
    """Write a CycloneDX JSON BOM with the library, completed and checked as the module says."""
    version = SPEC_VERSIONS.get(spec)
    if version is None:
        message = f"CycloneDX {spec} is not supported; aims writes 1.5, 1.6 and 1.7"
        raise BomError([(("spec",), message)], action="exported")
    problems: list[Problem] = []
    entries: list[tuple[Loc, ComponentData]] = []
    if subject is not None:
        entries.append((("subject",), subject))
    entries += [(("components", i), c) for i, c in enumerate(components)]
    planned = _plan(entries, problems)
    deps = {ref: list(refs) for ref, refs in (dependencies or {}).items()}
    refs = {c.bom_ref for _, c in planned}
    for ref, depends_on in deps.items():
        if ref not in refs:
            problems.append((("dependencies", ref), f"'{ref}' does not name a component"))
        for j, target in enumerate(depends_on):
            if target not in refs:
                problems.append((("dependencies", ref, j), f"'{target}' does not name a component"))
    serial = None
    if serial_number is not None:
        try:
            serial = uuid.UUID(serial_number.removeprefix("urn:uuid:"))
        except ValueError:
            problems.append((("serial_number",), "must look like urn:uuid:<uuid>"))
    if problems:
        raise BomError(problems, action="exported")

    bom = Bom(serial_number=serial) if serial else Bom()
    bom.metadata.tools.components.add(
        Component(name="aims", version=__version__, type=ComponentType.APPLICATION)
    )
    by_ref: dict[str, Component] = {}
    for loc, c in planned:
        try:
            by_ref[c.bom_ref] = _to_lib(c)
        except _Unwritable as exc:
            problems.append(((*loc, *exc.loc), exc.message))
        except (KeyError, TypeError, AttributeError) as exc:  # hand-built data of the wrong shape
            problems.append((loc, f"is not shaped like CycloneDX data ({exc!r})"))
    if problems:
        raise BomError(problems, action="exported")
    parents = {c.bom_ref: c.parent_ref for _, c in planned}
    for loc, c in sorted(planned, key=lambda item: -_depth(item[1].bom_ref, parents)):
        if c.parent_ref:  # deepest first, so no component changes after joining a sorted set
            by_ref[c.parent_ref].components.add(by_ref[c.bom_ref])
        elif loc == ("subject",):
            bom.metadata.component = by_ref[c.bom_ref]
        else:
            bom.components.add(by_ref[c.bom_ref])
    for ref, depends_on in deps.items():
        bom.register_dependency(by_ref[ref], [by_ref[t] for t in depends_on])

    with warnings.catch_warnings():
        # Not knowing the subject's dependencies is normal for aims; the library warns about it.
        warnings.filterwarnings("ignore", "The Component this BOM is describing", UserWarning)
        written = make_outputter(bom, OutputFormat.JSON, version).output_as_string()
    doc = json.loads(written)
    _inject(doc, {c.bom_ref: c for _, c in planned})
    first = ("$schema", "bomFormat", "specVersion", "serialNumber", "version", "metadata")
    doc = {**{k: doc[k] for k in first if k in doc}, **doc}
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

    errors = _schema_problems(doc, spec)
    if errors:
        raise BomError(errors, action="exported")
    _check_written(text, planned, deps, spec)
    return text


class _Unwritable(Exception):
    def __init__(self, loc: Loc, message: str) -> None:
        super().__init__(message)
        self.loc, self.message = loc, message


def _plan(
    entries: list[tuple[Loc, ComponentData]], problems: list[Problem]
) -> list[tuple[Loc, ComponentData]]:
    """Private copies ready to write: types settled, refs assigned, derived fields written back."""
    planned: list[tuple[Loc, ComponentData]] = []
    first_seen: dict[str, Loc] = {}
    for loc, original in entries:
        c = copy.deepcopy(original)
        if c.kind not in TYPE_OF_KIND:
            problems.append(((*loc, "kind"), f"unknown kind {c.kind!r}"))
            continue
        c.kind = ComponentKind(c.kind)
        if c.cdx_type and c.cdx_type not in KIND_OF_TYPE:
            problems.append(((*loc, "cdx_type"), f"unsupported component type {c.cdx_type!r}"))
        if KIND_OF_TYPE.get(c.cdx_type) != c.kind:  # aims' kind wins over a stale type
            c.cdx_type = TYPE_OF_KIND[c.kind]
        if not c.name.strip():
            problems.append(((*loc, "name"), "required"))
        if loc == ("subject",) and c.parent_ref:
            problems.append(((*loc, "parent_ref"), "the subject cannot be inside a component"))
        for i, licence in enumerate(c.licences):
            if len({"id", "name", "expression"} & licence.keys()) != 1:
                message = "needs exactly one of 'id', 'name' or 'expression'"
                problems.append(((*loc, "licences", i), message))
        for key in sorted(c.extra.keys() & _MODELLED_KEYS):
            problems.append(((*loc, "extra", key), "has a ComponentData field of its own"))
        try:
            json.dumps([getattr(c, name) for name in _JSON_FIELDS])
        except (TypeError, ValueError) as exc:
            problems.append((loc, f"holds something JSON cannot represent ({exc})"))
            continue
        bad = _check_aims_properties(c.properties, (*loc, "properties"))
        problems.extend(bad)
        if not bad:
            _write_back(c)
        for ref, ref_loc in _component_refs(c, loc):
            if ref in first_seen:
                where = _render(first_seen[ref], "")
                problems.append((ref_loc, f"'{ref}' is already used at {where}"))
            else:
                first_seen[ref] = ref_loc
        planned.append((loc, c))
    for _, c in planned:  # refs for components without one, stable and readable
        if not c.bom_ref:
            base = c.purl or (f"{c.name}@{c.version}" if c.version else c.name)
            c.bom_ref, n = base, 1
            while c.bom_ref in first_seen:
                n += 1
                c.bom_ref = f"{base}-{n}"
            first_seen[c.bom_ref] = ()
    parents = {c.bom_ref: c.parent_ref for _, c in planned}
    for loc, c in planned:
        if c.parent_ref and (c.parent_ref not in parents or c.parent_ref == c.bom_ref):
            message = f"'{c.parent_ref}' does not name another component"
            problems.append(((*loc, "parent_ref"), message))
        elif c.parent_ref and _depth(c.bom_ref, parents) < 0:
            problems.append(((*loc, "parent_ref"), "components cannot contain each other"))
    return planned


def _depth(ref: str, parents: dict[str, str]) -> int:
    """How deeply a component is nested; -1 for a cycle."""
    seen = {ref}
    depth = 0
    while parents.get(ref):
        ref = parents[ref]
        if ref in seen:
            return -1
        seen.add(ref)
        depth += 1
    return depth


def _component_refs(c: ComponentData, loc: Loc) -> Iterator[tuple[str, Loc]]:
    if c.bom_ref:
        yield c.bom_ref, (*loc, "bom_ref")
    for name in _JSON_FIELDS:
        yield from _walk_refs(getattr(c, name), (*loc, name))


def _write_back(c: ComponentData) -> None:
    """Turn changed derived fields into aims:* properties (or a supplier) so export keeps them.

    Only a value counts as a change: None or "" (the defaults) leave the component's data alone.
    """
    current = _derive(c)
    backed: list[tuple[str, str, Callable[[Any], str]]] = [
        ("model_type", PROP_MODEL_TYPE, str),
        ("general_purpose", PROP_GENERAL_PURPOSE, lambda v: "true" if v else "false"),
        ("training_compute_flop", PROP_TRAINING_COMPUTE_FLOP, lambda v: repr(float(v))),
        ("personal_data", PROP_PERSONAL_DATA, lambda v: "true" if v else "false"),
        ("data_source", PROP_DATA_SOURCE, str),
    ]
    for name, prop, render in backed:
        wanted = getattr(c, name)
        if wanted in (None, "") or wanted == current[name]:
            continue
        c.properties = [p for p in c.properties if p.get("name") != prop]
        if wanted != _derive(c)[name]:
            c.properties.append({"name": prop, "value": render(wanted)})
    if c.supplier_name and c.supplier_name != current["supplier_name"] and c.supplier is None:
        c.supplier = {"name": c.supplier_name}
    for key, value in _derive(c).items():
        setattr(c, key, value)


def _to_lib(c: ComponentData) -> Component:
    try:
        purl = PackageURL.from_string(c.purl) if c.purl else None
    except ValueError as exc:
        raise _Unwritable(("purl",), f"not a valid package URL: {exc}") from None
    scope = c.extra.get("scope")
    hashes = [_hash(h, ("hashes", i)) for i, h in enumerate(c.hashes)]
    refs = c.external_references
    extrefs = [_extref(r, ("external_references", i)) for i, r in enumerate(refs)]
    return Component(
        type=ComponentType(c.cdx_type),
        name=c.name,
        bom_ref=c.bom_ref,
        version=c.version or None,
        description=c.description or None,
        group=c.group or None,
        publisher=c.publisher or None,
        purl=purl,
        supplier=_entity(c.supplier),
        manufacturer=_entity(c.manufacturer),
        authors=[_contact(a) for a in c.authors],
        hashes=hashes,
        licenses=_licences(c.licences) if _lib_licences(c.licences) else [],
        external_references=extrefs if _lib_extrefs(refs) else [],
        properties=[Property(name=p["name"], value=p.get("value")) for p in c.properties],
        tags=c.tags,
        scope=_enum(ComponentScope, scope, ("extra", "scope")) if scope else None,
        copyright=c.extra.get("copyright"),
        cpe=c.extra.get("cpe"),
    )


def _enum(cls: Callable[[Any], _E], value: Any, loc: Loc) -> _E:
    try:
        return cls(value)
    except ValueError:
        raise _Unwritable(loc, f"{value!r} is not a value CycloneDX knows here") from None


def _entity(d: JsonObject | None) -> OrganizationalEntity | None:
    if d is None:
        return None
    address = d.get("address")
    return OrganizationalEntity(
        bom_ref=d.get("bom-ref"),
        name=d.get("name"),
        urls=[XsUri(u) for u in d.get("url", [])],
        contacts=[_contact(x) for x in d.get("contact", [])],
        address=PostalAddress(
            bom_ref=address.get("bom-ref"),
            country=address.get("country"),
            region=address.get("region"),
            locality=address.get("locality"),
            post_office_box_number=address.get("postOfficeBoxNumber"),
            postal_code=address.get("postalCode"),
            street_address=address.get("streetAddress"),
        )
        if isinstance(address, dict)
        else None,
    )


def _contact(d: JsonObject) -> OrganizationalContact:
    return OrganizationalContact(
        bom_ref=d.get("bom-ref"), name=d.get("name"), email=d.get("email"), phone=d.get("phone")
    )


def _hash(d: dict[str, str], loc: Loc) -> HashType:
    return HashType(alg=_enum(HashAlgorithm, d.get("alg"), (*loc, "alg")), content=d["content"])


def _lib_licences(licences: list[JsonObject]) -> bool:
    """Whether the library can write these licences unchanged (else they are injected)."""
    expressions = sum("expression" in d for d in licences)
    return (expressions == 0 or len(licences) == 1) and all(
        d.keys() <= (_EXPRESSION_KEYS if "expression" in d else _LICENCE_KEYS) for d in licences
    )


def _licences(licences: list[JsonObject]) -> list[License]:
    out: list[License] = []
    for i, d in enumerate(licences):
        ack = d.get("acknowledgement")
        acknowledgement = (
            _enum(LicenseAcknowledgement, ack, ("licences", i, "acknowledgement")) if ack else None
        )
        if "expression" in d:
            out.append(
                LicenseExpression(
                    d["expression"], bom_ref=d.get("bom-ref"), acknowledgement=acknowledgement
                )
            )
        else:
            out.append(
                DisjunctiveLicense(
                    id=d.get("id"),
                    name=d.get("name"),
                    url=XsUri(d["url"]) if "url" in d else None,
                    acknowledgement=acknowledgement,
                    bom_ref=d.get("bom-ref"),
                )
            )
    return out


def _lib_extrefs(refs: list[JsonObject]) -> bool:
    return all(d.keys() <= _EXTREF_KEYS for d in refs)


def _extref(d: JsonObject, loc: Loc) -> ExternalReference:
    return ExternalReference(
        type=_enum(ExternalReferenceType, d.get("type"), (*loc, "type")),
        url=XsUri(d["url"]),
        comment=d.get("comment"),
        hashes=[_hash(h, (*loc, "hashes", i)) for i, h in enumerate(d.get("hashes", []))],
    )


def _inject(doc: JsonObject, planned: dict[str, ComponentData]) -> None:
    """Add what the library cannot write to the component JSON with the same bom-ref."""
    for node in _component_nodes(doc):
        c = planned.get(node.get("bom-ref", ""))
        if c is None:
            continue
        if c.model_card is not None:
            node["modelCard"] = copy.deepcopy(c.model_card)
        if c.data is not None:
            node["data"] = copy.deepcopy(c.data)
        if c.licences and not _lib_licences(c.licences):
            node["licenses"] = [
                copy.deepcopy(d if "expression" in d else {"license": d}) for d in c.licences
            ]
        if c.external_references and not _lib_extrefs(c.external_references):
            node["externalReferences"] = copy.deepcopy(c.external_references)
        for key, value in c.extra.items():
            if key not in _LIB_EXTRA_KEYS:
                node[key] = copy.deepcopy(value)


def _component_nodes(doc: JsonObject) -> Iterator[JsonObject]:
    stack = [doc.get("metadata", {}).get("component"), *doc.get("components", [])]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            yield node
            stack.extend(node.get("components", []))


def _check_written(
    text: str, planned: list[tuple[Loc, ComponentData]], deps: dict[str, list[str]], spec: str
) -> None:
    """Read the written BOM back: a field that did not survive means the spec cannot hold it."""
    written = _read(json.loads(text), validate=False)
    found = {c.bom_ref: c for c in [written.subject, *written.components] if c is not None}
    problems: list[Problem] = []
    for loc, want in planned:
        have = found.get(want.bom_ref)
        if have is None:
            problems.append((loc, "was not written"))
            continue
        a, b = comparable(want), comparable(have)
        for key in a:
            if key not in _DERIVED and a[key] != b[key]:
                problems.append(((*loc, key), f"would be lost or changed in CycloneDX {spec}"))
    if comparable_dependencies(written.dependencies) != comparable_dependencies(deps):
        problems.append((("dependencies",), f"would be lost or changed in CycloneDX {spec}"))
    if problems:
        raise BomError(problems, action="exported")


# ------------------------------------------------------------------------------------- helpers


def _walk_refs(node: Any, loc: Loc) -> Iterator[tuple[str, Loc]]:
    """Every bom-ref in a JSON tree, with its path; CycloneDX wants them unique in a BOM."""
    if isinstance(node, dict):
        ref = node.get("bom-ref")
        if isinstance(ref, str):
            yield ref, (*loc, "bom-ref")
        for key, value in node.items():
            yield from _walk_refs(value, (*loc, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk_refs(value, (*loc, i))


def _object(value: Any) -> JsonObject:
    return value if isinstance(value, dict) else {}


def _related(a: Loc, b: Loc) -> bool:
    """One path is inside the other, so a schema problem there repeats a friendly one."""
    n = min(len(a), len(b))
    return a[:n] == b[:n]


def _render(loc: Loc, message: str) -> str:
    path = "/".join(str(part) for part in loc)
    if not message:
        return path or "(document)"
    return f"{path}: {message}" if path else message
