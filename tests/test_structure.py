"""The house rules of the layout, read from the source with `ast` (nothing is imported or run):

- a stage never imports another stage: what two stages share lives in a module below both;
- pipeline/publish never imports pipeline.stages (the publish stage calls the site builder, not the reverse);
- the synthetic-show generator is test tooling, outside the shipped package.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pipeline"
STAGES = PACKAGE / "stages"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path, name: str | None = None) -> set[str]:
    """Every module `path` (module `name`, by default the one its place says) imports, anywhere in the file
    (lazy imports inside functions count too), as absolute dotted names; `from a import b` counts as both a
    and a.b (b may be a module)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    name = name or module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                "import_module", "__import__"):
            found.update(arg.value for arg in node.args if isinstance(arg, ast.Constant)
                         and isinstance(arg.value, str))
    return found


def stage_modules() -> list[Path]:
    return sorted(p for p in STAGES.glob("*.py") if p.name != "__init__.py")


def test_the_checker_sees_every_kind_of_import(tmp_path):
    """The parser itself: absolute, from-, relative and lazy imports and import_module are all seen."""
    fake = tmp_path / "probe.py"
    fake.write_text("import pipeline.stages.trim\nfrom pipeline.stages import chapters\nfrom . import tag\n"
                    "def f():\n    from .ingest import probe_sources\n"
                    "    importlib.import_module('pipeline.stages.x')\n")
    assert {"pipeline.stages.trim", "pipeline.stages.chapters", "pipeline.stages.tag", "pipeline.stages.ingest",
            "pipeline.stages.x"} <= imported_modules(fake, "pipeline.stages.probe")


def test_no_stage_imports_another_stage():
    stages = {module_name(p) for p in stage_modules()}
    assert len(stages) >= 11
    offenders = []
    for path in stage_modules():
        me = module_name(path)
        others = {m for m in imported_modules(path) if m in stages and m != me}
        offenders += [f"{path.relative_to(ROOT)} imports {m}" for m in sorted(others)]
    assert offenders == [], "stages share through modules below them, never through each other:\n" + \
        "\n".join(offenders)


def test_publish_package_does_not_import_the_stages():
    offenders = [f"{path.relative_to(ROOT)} imports {m}"
                 for path in sorted((PACKAGE / "publish").rglob("*.py"))
                 for m in sorted(imported_modules(path))
                 if m == "pipeline.stages" or m.startswith("pipeline.stages.")]
    assert offenders == []


def test_shared_modules_do_not_import_stages_or_publish():
    """What sits below the stages (everything in pipeline/ but engine, cli and the packages above) stays below."""
    above = {"engine.py", "cli.py", "__main__.py", "serve.py", "scaffold.py"}
    offenders = [f"{path.relative_to(ROOT)} imports {m}"
                 for path in sorted(PACKAGE.glob("*.py")) if path.name not in above
                 for m in sorted(imported_modules(path))
                 if m.startswith(("pipeline.stages", "pipeline.publish"))]
    assert offenders == []


def test_the_show_generator_is_not_shipped():
    assert not (PACKAGE / "synth.py").exists() and not (PACKAGE / "demo_scene.py").exists()
    shipped = [f"{path.relative_to(ROOT)} imports {m}" for path in sorted(PACKAGE.rglob("*.py"))
               for m in sorted(imported_modules(path)) if m == "showgen" or m.startswith("showgen.")]
    assert shipped == []
