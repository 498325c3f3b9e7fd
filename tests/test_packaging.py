"""pyproject.toml: installing Liaison prints no deprecation from the build backend."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

PYPROJECT = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())


def test_the_license_is_an_spdx_expression_and_setuptools_is_new_enough_to_read_it() -> None:
    # setuptools reads a plain SPDX string from 77 on; a TOML table there is deprecated, warned about on
    # every install.
    assert PYPROJECT["project"]["license"] == "Apache-2.0"
    setuptools = next(r for r in PYPROJECT["build-system"]["requires"] if r.startswith("setuptools"))
    minimum = re.fullmatch(r"setuptools>=(\d+)(?:\.\d+)*", setuptools)
    assert minimum is not None and int(minimum.group(1)) >= 77, setuptools
