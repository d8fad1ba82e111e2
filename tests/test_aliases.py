"""The ids real metadata uses resolve to the right license: Hugging Face
`license:` and `license_name:` values, deprecated SPDX spellings, and ScanCode
`LicenseRef-scancode-*` keys for the ML licenses."""

from __future__ import annotations

import pytest

HUGGING_FACE = {
    # `license:` values of the Hub's license list
    "apache-2.0": "Apache-2.0", "mit": "MIT", "bsd-2-clause": "BSD-2-Clause", "bsd-3-clause": "BSD-3-Clause",
    "isc": "ISC", "zlib": "Zlib", "unlicense": "Unlicense", "wtfpl": "WTFPL", "bsl-1.0": "BSL-1.0",
    "artistic-2.0": "Artistic-2.0", "ms-pl": "MS-PL", "epl-1.0": "EPL-1.0", "epl-2.0": "EPL-2.0",
    "eupl-1.2": "EUPL-1.2", "mpl-2.0": "MPL-2.0", "gpl-2.0": "GPL-2.0-only", "gpl-3.0": "GPL-3.0-only",
    "lgpl-2.1": "LGPL-2.1-only", "lgpl-3.0": "LGPL-3.0-only", "agpl-3.0": "AGPL-3.0-only",
    "cc0-1.0": "CC0-1.0", "cc-by-3.0": "CC-BY-3.0", "cc-by-4.0": "CC-BY-4.0", "cc-by-sa-3.0": "CC-BY-SA-3.0",
    "cc-by-sa-4.0": "CC-BY-SA-4.0", "cc-by-nc-4.0": "CC-BY-NC-4.0", "cc-by-nd-4.0": "CC-BY-ND-4.0",
    "cc-by-nc-sa-4.0": "CC-BY-NC-SA-4.0", "cc-by-nc-nd-4.0": "CC-BY-NC-ND-4.0",
    "odbl": "ODbL-1.0", "pddl": "PDDL-1.0", "c-uda": "C-UDA-1.0",
    "cdla-permissive-2.0": "CDLA-Permissive-2.0", "cdla-sharing-1.0": "CDLA-Sharing-1.0",
    "bigscience-openrail-m": "bigscience-openrail-m", "creativeml-openrail-m": "creativeml-openrail-m",
    "bigscience-bloom-rail-1.0": "bigscience-bloom-rail-1.0", "openrail++": "openrail++",
    "llama2": "llama2", "llama3": "llama3", "llama3.1": "llama3.1", "llama3.2": "llama3.2", "llama3.3": "llama3.3",
    "gemma": "gemma",
    # `license: other` + `license_name:` values
    "deepseek": "deepseek", "tongyi-qianwen": "tongyi-qianwen", "qwen": "qwen", "mrl": "mrl", "mnpl": "mnpl",
    "stabilityai-ai-community": "stabilityai-ai-community", "falcon-llm-license": "falcon-llm-license",
    "other": "NOASSERTION", "openrail": "openrail",  # a family tag: which RAIL it is stays an open question
}

DEPRECATED_SPDX = {
    "GPL-2.0": "GPL-2.0-only", "GPL-2.0+": "GPL-2.0-or-later", "GPL-3.0": "GPL-3.0-only", "GPL-3.0+": "GPL-3.0-or-later",
    "LGPL-2.0": "LGPL-2.0-only", "LGPL-2.0+": "LGPL-2.0-or-later", "LGPL-2.1": "LGPL-2.1-only",
    "LGPL-2.1+": "LGPL-2.1-or-later", "LGPL-3.0": "LGPL-3.0-only", "LGPL-3.0+": "LGPL-3.0-or-later",
    "AGPL-3.0": "AGPL-3.0-only",
}

SCANCODE = {
    "LicenseRef-scancode-bigscience-open-rail-m": "bigscience-openrail-m",
    "LicenseRef-scancode-stable-diffusion-2022-08-22": "creativeml-openrail-m",
    "LicenseRef-scancode-bigscience-open-rail-m2": "openrail++",
    "LicenseRef-scancode-bigscience-rail-1.0": "bigscience-bloom-rail-1.0",
    "LicenseRef-scancode-llama-2-license-2023": "llama2",
    "LicenseRef-scancode-llama-3.1-license-2024": "llama3.1",
    "LicenseRef-scancode-llama-3.2-license-2024": "llama3.2",
    "LicenseRef-scancode-llama-3.3-license-2024": "llama3.3",
    "LicenseRef-scancode-gemma-tou-2024-04-01": "gemma",
    "LicenseRef-scancode-deepseek-la-1.0": "deepseek",
    "LicenseRef-scancode-tongyi-qianwen-2023": "tongyi-qianwen",
    "LicenseRef-scancode-qwen-2024": "qwen",
    "LicenseRef-scancode-stability-ai-community-2024": "stabilityai-ai-community",
    "LicenseRef-scancode-openai-tou-20241211": "LicenseRef-scancode-openai-tou-20241211",
}


@pytest.mark.parametrize(("alias", "expected"), sorted({**HUGGING_FACE, **DEPRECATED_SPDX, **SCANCODE}.items()))
def test_alias_resolves(library, alias, expected):
    assert library.get(alias).id == expected


def test_deprecated_or_later_spelling_parses_in_expressions(library):
    expression = library.parse_expression("LGPL-2.1+ OR MIT")
    assert {term for option in expression.options for term, _ in option.terms} == {"LGPL-2.1-or-later", "MIT"}


def test_an_alias_naming_two_licenses_is_refused(tmp_path):
    """The loader refuses an alias that two licenses claim (the shipped
    library loads, so its aliases are unique)."""
    import shutil

    import pytest

    from licensing import RuleError, load_library
    from licensing.paths import rules_dir

    root = tmp_path / "rules"
    root.mkdir()
    shutil.copy(rules_dir() / "vocabulary.lic", root / "vocabulary.lic")
    (root / "x.lic").write_text(
        'license "A-1.0" {\n  aliases "shared"\n}\nlicense "B-1.0" {\n  aliases "Shared"\n}\n', encoding="utf-8"
    )
    with pytest.raises(RuleError) as caught:
        load_library(root)
    assert "'Shared' names two licenses ('A-1.0' and 'B-1.0')" in caught.value.render()
    assert caught.value.code == "licet.rule.duplicate"
