"""The walk's fast glob matchers (``Globs.matcher_for``, ``Globs.include_matcher``) answer as
``Globs.matches`` and ``Globs.matches_file_itself`` do, for any patterns, groups and places."""
import posixpath

from hypothesis import given, settings
from hypothesis import strategies as st

from linter.config import Globs

NAMES = ["a", "b", "build", "x.py", "y.pyc", ".venv", "src", ".py", "x.p"]
PATTERNS = [
    "build", "*.py", ".venv/", "b", "x*", "*.pyc", "*y.py", "*.", "*.p?", "a/", "src", "!x.py", "!build", "a/b", "/build",
    "src/*.py", "**/b", "[ab]", "bu?ld", "build ", "#build", "", "\\!x.py",
]
ROOTS = ["/r", "/r/a", "/r/a/b", "/s", "/r/build"]

groups = st.lists(st.tuples(st.sampled_from(ROOTS), st.lists(st.sampled_from(PATTERNS), max_size=5).map(tuple)),
                  min_size=1, max_size=3).map(tuple)
directories = st.lists(st.sampled_from(NAMES), max_size=4).map(lambda parts: posixpath.join("/r", *parts))


@settings(max_examples=400, derandomize=True, database=None, deadline=None)
@given(groups=groups, directory=directories, name=st.sampled_from(NAMES), is_dir=st.booleans())
def test_matcher_for_agrees_with_matches(groups, directory, name, is_dir):
    globs = Globs(groups)
    path = posixpath.join(directory, name)
    assert globs.matcher_for(directory)(name, path, is_dir) == globs.matches(path, is_dir=is_dir)


@settings(max_examples=400, derandomize=True, database=None, deadline=None)
@given(groups=groups, directory=directories, name=st.sampled_from(NAMES))
def test_include_matcher_agrees_with_matches_file_itself(groups, directory, name):
    globs = Globs(groups)
    path = posixpath.join(directory, name)
    assert globs.include_matcher()(name, path) == globs.matches_file_itself(path)


def test_default_excludes_take_the_fast_path_and_still_exclude_inside_excluded_directories():
    globs = Globs((("/r", ("build", ".venv/", "*.pyc")),))
    assert globs.matcher_for("/r/src")("build", "/r/src/build", True)
    assert globs.matcher_for("/r/src")(".venv", "/r/src/.venv", True)
    assert not globs.matcher_for("/r/src")(".venv", "/r/src/.venv", False)  # a file named .venv
    assert globs.matcher_for("/r/build/deep")("x.py", "/r/build/deep/x.py", False)  # inherited
    assert not globs.matcher_for("/r/src")("x.py", "/r/src/x.py", False)


def test_name_and_path_patterns_together_without_negation():
    globs = Globs((("/r", ("build/", "*.py[cod]", "/site", "docs/_build/")),))
    assert globs.matcher_for("/r")("site", "/r/site", True)
    assert not globs.matcher_for("/r/x")("site", "/r/x/site", True)  # anchored to /r
    assert globs.matcher_for("/r/docs")("_build", "/r/docs/_build", True)
    assert globs.matcher_for("/r/x")("a.pyc", "/r/x/a.pyc", False)
    assert not globs.matcher_for("/r/x")("a.py", "/r/x/a.py", False)
