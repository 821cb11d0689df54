"""The in-kernel harness: data out of a learner's kernel as plain data, never objects or code."""

import os
import sys
import zipfile

import numpy as np
import pytest

from nnlib.course import harness
from nnlib.course.selfcheck import Case, Outcome, call_case, compare, judge


@pytest.mark.parametrize(
    "value",
    [
        0.5,
        3,
        True,
        None,
        "text",
        np.float32(1.5),
        np.arange(6, dtype=np.int16).reshape(2, 3),
        (np.array([1.0, np.nan]), 2.0),
        [1, [2.0, "x"]],
        {"W": np.eye(2), "b": np.zeros(2)},
        (b"\x00\x00\x08\x03", bytearray(b"IDX")),
    ],
)
def test_values_come_out_of_the_kernel_as_the_same_data(tmp_path, value):
    arrays = {}
    harness.save_data(tmp_path / "r.npz", {"v": harness.encode(value, arrays)}, arrays)
    manifest, loaded = harness.load_data(tmp_path / "r.npz", 2**20)
    back = harness.decode(manifest["v"], loaded)
    assert type(back) is type(value)
    np.testing.assert_equal(back, value)
    if isinstance(value, np.ndarray | np.generic):
        assert back.dtype == value.dtype


def test_objects_come_out_only_as_descriptions():
    class Yes(np.ndarray):
        def __eq__(self, other):
            return True

    arrays = {}
    assert harness.encode(object(), arrays) == {"t": "opaque", "d": "<an object of type object>"}
    assert harness.encode(np.array([1, "a"], dtype=object), arrays)["t"] == "opaque"
    node = harness.encode(np.zeros(2).view(Yes), arrays)
    assert type(arrays[node["key"]]) is np.ndarray
    assert harness.holds_objects({"rng": np.random.default_rng(0)})
    assert not harness.holds_objects({"x": np.zeros(2), "n": 3})


def test_a_warning_comes_out_of_the_kernel_with_the_value():
    outcome = call_case(lambda x: np.exp(np.float32(x)), {"x": 1000.0})
    arrays = {}
    manifest = {"missing": "", "cases": [harness._encode_outcome(outcome, arrays)]}
    (decoded,) = harness.decode_outcomes(manifest, arrays, 1)
    assert decoded.warning == "RuntimeWarning: overflow encountered in exp"
    assert decoded.value == np.inf


def test_loading_results_refuses_pickles_bombs_links_and_fifos(tmp_path):
    np.savez(tmp_path / "pickle.npz", manifest=np.frombuffer(b"{}", np.uint8), a=np.array([{}]))
    with pytest.raises(ValueError):
        harness.load_data(tmp_path / "pickle.npz", 2**20)
    with zipfile.ZipFile(tmp_path / "bomb.npz", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.npy", b"\0" * 2**22)
    with pytest.raises(ValueError, match="unpacks to more than"):
        harness.load_data(tmp_path / "bomb.npz", 2**20)
    (tmp_path / "link.npz").symlink_to(tmp_path / "pickle.npz")
    with pytest.raises(OSError):
        harness.load_data(tmp_path / "link.npz", 2**20)
    os.mkfifo(tmp_path / "fifo.npz")
    with pytest.raises(ValueError, match="not a regular file"):
        harness.load_data(tmp_path / "fifo.npz", 2**20)
    with pytest.raises(ValueError):
        harness.decode_outcomes({"cases": [1, 2]}, {}, 2)
    with pytest.raises(ValueError):
        harness.decode_outcomes({"cases": [{"value": {"t": "array", "key": "a9"}}]}, {}, 1)


@pytest.mark.parametrize(
    ("got", "why"),
    [
        ("0.5", "not a number"),
        (np.array(0.5, dtype=object), "not a number"),
        (0.5 + 0j, "not a number"),
        ([0.5], "expected shape ()"),
        (float("nan"), "NaN"),
    ],
)
def test_compare_accepts_only_real_numbers_of_the_right_shape(got, why):
    assert why in compare(got, 0.5)


def test_call_case_turns_exits_into_data_and_judge_survives_odd_results():
    def leaves():
        sys.exit(3)

    assert call_case(leaves, {}) == Outcome(error="SystemExit: 3")
    case = Case({}, verify=lambda result: result.missing_attribute)
    verdict = judge("task", case, Outcome(value=1.0))
    assert not verdict.passed and "could not be checked (AttributeError" in verdict.reason


def test_strings_from_a_kernel_are_made_safe_when_decoded():
    """The grader decodes what a kernel wrote: a kernel may have replaced ``encode`` itself."""
    node = {"t": "list", "items": [{"t": "value", "v": "\x1b[2J\ud800\n# x" + "y" * 1000}]}
    (text,) = harness.decode(node, {})
    assert "\x1b" not in text and "\n" not in text and len(text) <= 300
    text.encode("utf-8")  # no lone surrogate left


def test_cases_travel_inside_the_tests_cell(tmp_path):
    calls = harness.encode_calls([{"x": np.arange(3.0)}, {"x": np.ones(2)}])
    harness.call_task("total", calls, {"total": lambda x: float(x.sum())}, tmp_path)
    manifest, arrays = harness.load_data(harness.results_path(tmp_path, "visible", "total"), 2**20)
    outcomes = harness.decode_outcomes(manifest, arrays, 2)
    assert [o.value for o in outcomes] == [3.0, 2.0]
