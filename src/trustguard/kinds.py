"""Document kinds: one declaration per kind, read by the API, the CLI, the config and the
rule-pack schema.

A kind (an OpenAPI spec, a pricing, a terms text, or one a plug-in adds) is one
:class:`DocumentKindSpec`: its name, how it is recognised, loaded and diffed, its typed
config options, its rule folder, the change kinds its differ emits and its impact hook.
The built-in kinds are declared in ``trustguard.builtin_kinds`` (one module each); a
third party adds one without editing trustguard, in either of two ways::

    import trustguard.kinds
    trustguard.kinds.register_kind(DocumentKindSpec(name="sla", ...))

    # or, in the plug-in's pyproject.toml (read when the kinds are first listed):
    [project.entry-points."trustguard.kinds"]
    sla = "my_package.sla:KIND"          # a DocumentKindSpec

The installed distributions' ``entry_points.txt`` files are read first, and
``importlib.metadata`` (~10 ms to import) only when one names the group (_entry_points).

What each field does (only ``name``, ``title``, ``load`` and ``diff`` are required):

``name``
    ``--kind NAME``, a rule pack's ``document: NAME``, ``Report.kind``, the config section
    ``NAME:`` and the prefix of the policy values rules read (``$NAME_<option>``).
``load(source, **options) -> Document``
    ``source`` is a :class:`~trustguard.load.sources.Source` (bytes and a name) or a dict;
    it sets ``Document.model`` to the kind's typed model (read back with
    ``Document.model_as(ModelClass)``). It receives only the options named in
    ``load_options`` (of ``validate``, ``strict``, ``allow_external_refs``, ``like``).
``diff(base, revision, *, today, config) -> list[Change]``
    The facts, never a judgement; every ``Change.kind`` is one of ``change_kinds``.
``detect(source) -> bool``
    Whether a document no built-in kind claims is of this kind (recognition by content).
    Without it, the kind is only used when asked for (``--kind NAME``).
``options``
    A pydantic model for the config section ``NAME:``; rules read its values as
    ``$NAME_<field>``.
``rules``
    A folder of rule packs (``*.yaml``, each with ``document: NAME``), loaded with the
    shipped ones and validated like a user's pack.
``change_kinds`` / ``facts``
    The change kinds its differ emits and the facts they carry (name -> (type, meaning)),
    added to the catalogue rule packs are checked against (``trustguard.change_kinds``).
``impact(base, revision, findings, inputs, config) -> ImpactTotals``
    Who is affected, given ``--customers`` and the other impact inputs.
``select(findings, base, revision, config) -> findings``
    What the kind's own policy keeps of the judged findings (OpenAPI: operations below
    the checked stability level, operations marked by an excluded extension).

This module sits below the stages (it imports only the model): the hooks are plain
callables, and the built-in declarations import their stages inside their hooks.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .errors import InputError
from .vocabulary import DocumentKind

if TYPE_CHECKING:  # the hooks' types only: the stages are not imported with this module
    from pydantic import BaseModel

    from .change_kinds import ChangeKind
    from .config import Config
    from .load.document import Document
    from .model import Change, Finding, ImpactTotals

__all__ = ["ENTRY_POINT_GROUP", "DocumentKindSpec", "kind_names", "kind_spec", "kind_specs", "register_kind"]

ENTRY_POINT_GROUP = "trustguard.kinds"
#: the modules declaring the built-in kinds (each defines ``KIND``), in the order
#: recognition by content asks them
_BUILTIN = ("trustguard.builtin_kinds.openapi", "trustguard.builtin_kinds.pricing", "trustguard.builtin_kinds.terms",
            "trustguard.builtin_kinds.sla")
LOAD_OPTIONS = frozenset({"validate", "strict", "allow_external_refs", "like"})


class Loader(Protocol):
    def __call__(self, source: Any, **options: Any) -> Document: ...


class Differ(Protocol):
    def __call__(self, base: Document, revision: Document, **options: Any) -> list[Change]: ...


ImpactHook = Callable[["Document", "Document", "list[Finding]", "dict[str, Any]", "Config"], "ImpactTotals"]
Selector = Callable[["list[Finding]", "Document", "Document", "Config"], "list[Finding]"]


@dataclass(frozen=True)
class DocumentKindSpec:
    """Everything trustguard knows about one kind of document (the module docstring
    says what each field does)."""

    name: str
    title: str  # how an error names one: "an OpenAPI spec"
    load: Loader
    diff: Differ
    detect: Callable[[Any], bool] | None = None
    load_options: frozenset[str] = frozenset()
    options: type[BaseModel] | None = None
    rules: Path | None = None
    change_kinds: tuple[ChangeKind, ...] = ()
    facts: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    impact: ImpactHook | None = None
    select: Selector | None = None
    builtin: bool = False  # shipped with trustguard: its rules and change kinds are in the tree

    @property
    def kind(self) -> DocumentKind:
        return DocumentKind(self.name)


_specs: dict[str, DocumentKindSpec] = {}
_loaded = False


def register_kind(spec: DocumentKindSpec, *, replace: bool = False) -> DocumentKindSpec:
    """Add a document kind. ``replace``: a plug-in's newer declaration of a kind it added
    (a built-in kind cannot be replaced)."""
    _load_declared()
    return _add(spec, replace=replace)


def _add(spec: DocumentKindSpec, *, replace: bool = False) -> DocumentKindSpec:
    if not spec.name or not spec.name.replace("-", "").replace("_", "").isalnum() or spec.name != spec.name.lower():
        raise ValueError(f"a document kind's name is lowercase letters, digits, - and _: not {spec.name!r}")
    if spec.name == "policy":
        raise ValueError("'policy' names the rules about the config itself, not a document kind")
    unknown = spec.load_options - LOAD_OPTIONS
    if unknown:
        raise ValueError(f"kind {spec.name!r}: unknown load options {sorted(unknown)} (expected some of {sorted(LOAD_OPTIONS)})")
    old = _specs.get(spec.name)
    if old is not None and (old.builtin or not replace):
        raise ValueError(f"the document kind {spec.name!r} is declared already")
    DocumentKind.declare(spec.name)
    _specs[spec.name] = spec
    return spec


def unregister_kind(name: str) -> None:
    """Take a plug-in's kind out again (tests); its name stays a DocumentKind."""
    _load_declared()
    spec = _specs.get(name)
    if spec is None or spec.builtin:
        raise ValueError(f"no plug-in document kind {name!r}")
    del _specs[name]



def _load_declared() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for module in _BUILTIN:
        _add(importlib.import_module(module).KIND)
    for point in sorted(_entry_points(ENTRY_POINT_GROUP), key=lambda p: p.name):
        spec = point.load()
        if not isinstance(spec, DocumentKindSpec):
            raise InputError(f"the entry point {point.value!r} ({ENTRY_POINT_GROUP}) is not a DocumentKindSpec")
        if spec.name not in _specs:
            _add(spec)


def _entry_points(group: str) -> list[Any]:
    """The installed entry points of ``group``, as ``importlib.metadata`` lists them.

    That takes importlib.metadata (~10 ms to import, with email and zipfile: 2-3 % of a
    check of Stripe's pair) and a parse of every distribution's metadata. A distribution
    declares its entry points in one file of its metadata folder, ``entry_points.txt``, which
    then names the group; so the files importlib.metadata would read are looked at first
    (:func:`_may_declare`), and it is imported only when one of them names the group."""
    if not _may_declare(group):
        return []
    from importlib.metadata import entry_points

    return list(entry_points(group=group))


def _may_declare(group: str) -> bool:
    """Whether an installed distribution may declare entry points of ``group``: where
    importlib.metadata finds distributions (the ``*.dist-info`` and ``*.egg-info`` folders
    of each entry of ``sys.path``, an egg's ``EGG-INFO``), one whose ``entry_points.txt``
    names it. True as well for what this does not read: a finder of other distributions on
    ``sys.meta_path``, a zip file or an unreadable folder on ``sys.path``."""
    from importlib.machinery import PathFinder

    if any(finder is not PathFinder and hasattr(finder, "find_distributions") for finder in sys.meta_path):
        return True
    needle = group.encode("utf-8")
    for entry in sys.path:
        root = entry or "."
        try:
            names = os.listdir(root)
        except FileNotFoundError:
            continue  # (importlib.metadata finds nothing there either)
        except OSError:
            return True  # a zip file (python311.zip, an egg), or a folder it may read otherwise
        egg = os.path.basename(root).lower().endswith(".egg")
        for name in names:
            low = name.lower()
            if not (low.endswith((".dist-info", ".egg-info")) or (egg and low == "egg-info")):
                continue
            try:
                with open(os.path.join(root, name, "entry_points.txt"), "rb") as handle:
                    if needle in handle.read():
                        return True
            except OSError:  # none (or an egg-info file): importlib.metadata reads no entry points there
                continue
    return False


def kind_specs() -> list[DocumentKindSpec]:
    """Every kind: the built-in ones first, then the plug-ins' in the order they came."""
    _load_declared()
    return list(_specs.values())


def kind_names() -> tuple[str, ...]:
    return tuple(spec.name for spec in kind_specs())


def kind_spec(kind: DocumentKind | str) -> DocumentKindSpec:
    """The declaration of ``kind``; an InputError naming the known kinds otherwise."""
    _load_declared()
    spec = _specs.get(str(kind).lower())
    if spec is None:
        names = list(_specs)
        expected = ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]
        raise InputError(f"unknown document kind {str(kind)!r} (expected {expected})")
    return spec
