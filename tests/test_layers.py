"""The folders of syncapp/ as layers: each imports only the folders below it, as its docstring says.

Read from the code's own imports (those inside functions too), so a new import that runs back up
fails here, named, before it becomes a circle.
"""

import ast
from pathlib import Path

import syncapp

ROOT = Path(syncapp.__file__).parent

# Bottom to top: a folder may import its own modules and those of the folders before it.
LAYERS = ("common", "sql", "models", "config", "adopted", "engine", "status", "running", "web", "management")
APART = {"demo": {"common", "sql", "models", "config"}}  # the demo builder: beside the layers, not in them
TOP = {"apps", "migrations"}  # Django's own places: they may import any folder
READ_BY_ALL = {"migrations"}  # its list of files is how OPS is known to be up to date
ALSO = {"management": {"demo"}}  # the command that builds the demo database


def folder_of(module: str) -> str:
    """`syncapp.engine.table` → `engine`; `syncapp.apps` → `apps`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def imports_of(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("syncapp"):
            found |= {node.module} if node.module != "syncapp" else {f"syncapp.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("syncapp")}
    return found


def allowed(folder: str) -> set[str]:
    if folder in APART:
        return APART[folder] | {folder} | READ_BY_ALL
    return set(LAYERS[: LAYERS.index(folder) + 1]) | ALSO.get(folder, set()) | READ_BY_ALL


def test_every_module_lives_in_a_folder_of_its_concern():
    loose = sorted(p.stem for p in ROOT.glob("*.py") if p.stem not in {"__init__", *TOP})
    assert loose == [], f"modules at the top of syncapp/: {loose}"
    folders = {p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == {*LAYERS, *APART, *TOP} - {"apps"}


def test_no_folder_imports_a_folder_above_it():
    upward = []
    for path in sorted(ROOT.rglob("*.py")):
        folder = path.relative_to(ROOT).parts[0] if len(path.relative_to(ROOT).parts) > 1 else path.stem
        if folder in TOP or folder == "__init__":
            continue
        for module in imports_of(path):
            if folder_of(module) not in allowed(folder):
                upward.append(f"{path.relative_to(ROOT.parent)} imports {module}")
    assert upward == []


def test_each_folder_says_what_it_may_import():
    for folder in (*LAYERS, *APART):
        doc = ast.get_docstring(ast.parse((ROOT / folder / "__init__.py").read_text())) or ""
        assert "May import" in doc and "Imported by" in doc, f"syncapp/{folder}/__init__.py"
