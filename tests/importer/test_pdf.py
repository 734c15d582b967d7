"""pdf.py is the one module that imports a PDF library, and the limits it runs under do
not depend on the reader they limit."""

import ast
import re

from ..conftest import ROOT

_IMPORTS_PDFIUM = re.compile(r"^\s*(?:import|from)\s+pypdfium2\b", re.MULTILINE)


def test_only_pdf_py_imports_pypdfium2():
    importers = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "inspections").rglob("*.py")
        if _IMPORTS_PDFIUM.search(path.read_text(encoding="utf-8"))
    }
    assert importers == {"inspections/importer/pdf.py"}


def test_the_limits_import_nothing_they_limit():
    """limits.py starts the worker; worker.py imports the reader and the parsers. Not even
    a function of limits.py imports them, so there is no import circle between them."""
    tree = ast.parse((ROOT / "inspections" / "importer" / "limits.py").read_text())
    imported = {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module
    }
    assert imported == {"pdf", "report"}
