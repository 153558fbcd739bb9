"""Runs every rule's embedded examples: VALID must pass, INVALID must be flagged and fixed as shown."""
from __future__ import annotations

import pytest

from linter.options import EngineOptions
from linter.engine import fix_source, lint_source
from linter.registry import all_rules


def _options(example) -> EngineOptions:
    return EngineOptions(target=example.options.get("target", "huawei-ims"))


def _cases(kind):
    for rule in all_rules():
        for number, example in enumerate(getattr(rule, kind)):
            yield pytest.param(rule, example, id=f"{rule.code}-{kind.lower()}-{number}")


def test_rule_module_names_give_their_codes():
    import sys

    from linter.registry import known_codes

    assert known_codes() == sorted({"IMS000", *(rule.code for rule in all_rules())})
    for rule in all_rules():
        module = sys.modules[rule.__module__].__name__.rsplit(".", 1)[-1]
        assert module.startswith(rule.code.lower() + "_"), module


def test_every_rule_has_examples():
    for rule in all_rules():
        assert rule.VALID, rule.code
        assert rule.INVALID, rule.code
        assert rule.doc(), rule.code
        assert any(example.fixed for example in rule.INVALID) or rule.fixable == "never", rule.code


@pytest.mark.parametrize("rule, example", list(_cases("VALID")))
def test_valid_example_passes(rule, example):
    findings = lint_source(example.code, "example.py", options=_options(example))
    assert [f for f in findings if f.code == rule.code] == []


@pytest.mark.parametrize("rule, example", list(_cases("INVALID")))
def test_invalid_example_is_flagged(rule, example):
    findings = lint_source(example.code, "example.py", options=_options(example))
    codes = {finding.code for finding in findings}
    assert rule.code in codes
    assert codes == set(example.codes or (rule.code,))


@pytest.mark.parametrize("rule, example", list(_cases("INVALID")))
def test_invalid_example_fix(rule, example):
    options = _options(example)
    expected = example.fixed if example.fixed is not None else example.code
    outcome = fix_source(example.code, "example.py", unsafe=example.unsafe, options=options)
    assert outcome.text == expected
    assert outcome.errors == []
    if example.unsafe:
        # Without --unsafe-fixes nothing changes.
        assert fix_source(example.code, "example.py", options=options).text == example.code
    # Fixing again changes nothing.
    assert fix_source(outcome.text, "example.py", unsafe=True, options=options).text == outcome.text
