"""Code fingerprints: which project files a stage's code uses (read from real source files with ast), and a
re-run that names the changed module and marks only the stages that use it, and those after them."""

from __future__ import annotations

import json
import textwrap

import pytest

from pipeline import fingerprint
from tests.helpers import run_cli
from tests.stages.audio_path import AUDIO_STAGES, run_audio_path
from tests.test_engine_rerun import episode  # noqa: F401 (fixture: an episode through the audio stages)


def write(root, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


@pytest.fixture
def package(tmp_path):
    """A small package tree: imports at the top, inside a function, relative, type-only, data files, tools."""
    write(tmp_path, {
        "pkg/__init__.py": "VERSION = '1'\n",
        "pkg/stages/__init__.py": "",
        "pkg/stages/a.py": """
            import json
            import numpy
            from pkg import shapes
            from pkg.stages.helpers import nearby
            from typing import TYPE_CHECKING
            if TYPE_CHECKING:
                from pkg import typing_only

            def run():
                from pkg.lazy import later
                return later(nearby(shapes.SIDES))
            """,
        "pkg/stages/helpers.py": "from .. import VERSION\n\ndef nearby(x):\n    return x\n",
        "pkg/shapes.py": "SIDES = 4\n",
        "pkg/lazy.py": """
            from pathlib import Path
            TOOLS = ("ffmpeg", "ctranslate2")
            PAGES = Path(__file__).parent / "templates"

            def later(x):
                return x
            """,
        "pkg/typing_only.py": "",
        "pkg/unused.py": "import pkg.shapes\n",
        "pkg/templates/page.html": "<p>{{ x }}</p>\n",
        "pkg/templates/sub/part.html": "<b></b>\n",
        "pkg/stages/b.py": "import pkg.unused\n",
    })
    return tmp_path


def test_dependencies_follow_imports_everywhere_but_type_only_ones(package):
    files, external = fingerprint.dependencies("pkg.stages.a", package)
    names = sorted(p.relative_to(package).as_posix() for p in files)
    assert names == ["pkg/__init__.py", "pkg/lazy.py", "pkg/shapes.py", "pkg/stages/a.py", "pkg/stages/helpers.py",
                     "pkg/templates/page.html", "pkg/templates/sub/part.html"]
    assert external == {"numpy", "ffmpeg", "ctranslate2"}  # json is the standard library
    files, _ = fingerprint.dependencies("pkg.stages.a", package, skip=("pkg.lazy",))  # not followed
    assert package / "pkg" / "lazy.py" not in files and package / "pkg" / "templates" / "page.html" not in files


def test_a_package_counts_only_when_a_name_comes_from_it(package):
    files, _ = fingerprint.dependencies("pkg.stages.b", package)
    assert sorted(p.relative_to(package).as_posix() for p in files) == [
        "pkg/shapes.py", "pkg/stages/b.py", "pkg/unused.py"]


def test_editing_a_lazily_imported_module_changes_the_fingerprint_of_its_users_only(package):
    def hashes(module):
        return fingerprint.file_hashes(fingerprint.dependencies(module, package)[0], package)

    before_a, before_b = hashes("pkg.stages.a"), hashes("pkg.stages.b")
    (package / "pkg" / "lazy.py").write_text("def later(x):\n    return x + 1\n")
    after_a = hashes("pkg.stages.a")
    assert [k for k in after_a if after_a[k] != before_a.get(k)] == ["pkg/lazy.py"]
    assert "pkg/templates/page.html" not in after_a  # the new source no longer names the templates
    assert hashes("pkg.stages.b") == before_b


def test_tool_versions_come_from_the_distribution_or_the_program():
    from importlib.metadata import version

    assert fingerprint.tool_version("numpy") == version("numpy")
    assert fingerprint.tool_version("PIL") == version("pillow")  # import name -> distribution
    assert fingerprint.tool_version("ffmpeg").startswith("ffmpeg version ")
    assert fingerprint.tool_version("no_such_tool_here") == "not installed"


# ---------------------------------------------------------------- through the real engine and CLI


def dry_run(folder) -> dict[str, str]:
    result = run_cli("run", "--dry-run", folder)
    assert result.returncode == 0, result.stderr
    return {line.split()[0]: line.split(None, 1)[1] for line in result.stdout.splitlines() if line.strip()}


def pretend_edited(folder, module: str) -> None:
    """Make the manifest say that `module` had other source when the stages that use it last ran."""
    path = folder / "work" / "manifest.json"
    manifest = json.loads(path.read_text())
    for record in manifest["stages"].values():
        if module in record["code"]:
            record["code"][module] = "0" * 64
    path.write_text(json.dumps(manifest))


def test_an_edited_module_re_runs_the_stages_that_use_it_and_names_it(episode):
    records = json.loads((episode / "work" / "manifest.json").read_text())["stages"]
    names = [s.NAME for s in AUDIO_STAGES]
    assert all(records[n]["code"] for n in names)
    # the stages that run ffmpeg record its version; tag only writes ID3 frames with mutagen
    assert all(records[n]["tools"]["ffmpeg"].startswith("ffmpeg") for n in names if n != "tag")
    assert "ffmpeg" not in records["tag"]["tools"] and "mutagen" in records["tag"]["tools"]
    first = dry_run(episode)  # only the audio stages ran: tag still waits for chapters, which never ran
    assert [first[n] for n in names[:-1]] == ["up to date"] * 4
    assert first["tag"] == "would run: upstream will re-run: chapters"

    # a module only tag uses: only tag changes, with the module named
    others = set().union(*(records[n]["code"] for n in names if n != "tag"))
    tag_only = sorted(set(records["tag"]["code"]) - others)[0]
    pretend_edited(episode, tag_only)
    plan = dry_run(episode)
    assert plan["tag"] == f"would run: code changed: {tag_only}"
    assert plan == {**first, "tag": plan["tag"]}

    # a module trim uses and ingest does not: trim and every stage after it that reads its outputs
    trim_module = sorted(set(records["trim"]["code"]) - set(records["ingest"]["code"]))[0]
    pretend_edited(episode, trim_module)
    plan = dry_run(episode)
    assert plan["ingest"] == "up to date"
    assert plan["trim"] == f"would run: code changed: {trim_module}"
    assert plan["normalise"] == "would run: upstream will re-run: trim"
    assert plan["encode"] == "would run: upstream will re-run: trim, normalise"  # encode cuts the source itself

    statuses = run_audio_path(episode)
    # trim runs again; the same code makes the same cut, so normalise and encode stay (tag had its own change)
    assert [statuses[n] for n in names] == ["skipped", "done", "skipped", "skipped", "done"]
    assert dry_run(episode) == first
