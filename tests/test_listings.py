"""The seed tutorial's listings (``chapters/listings``) and their re-run in nnlib (chapter 09).

The listings must be the article's code exactly, and chapter 09 must quote every line of them as
it is; ``nnlib.course.listings`` must compute the TensorFlow listing's loss as TensorFlow does
(NaN included) and run its schedule.
"""

import math
import re

import numpy as np
import pytest

from conftest import ROOT
from nnlib.course.listings import (
    LISTINGS,
    UNDERFLOW_GAP,
    ListingCrossEntropy,
    listing_lines,
    listing_network,
    next_batches,
    read_data_sets_split,
    saturated_fraction,
    show_listing,
    train_like_listing,
)

SEED = "000_787477211c3350b3.txt"
CHAPTER = ROOT / "chapters" / "09_from_nnlib_to_tensorflow_and_keras.md"
# the article's twelve code blocks: six of the TensorFlow listing, then six of the Keras one
FILES = {"tf1_mnist.py": slice(0, 6), "keras_mnist.py": slice(6, 12)}


def seed_text() -> str:
    """The seed article, kept in ``shared/seed/`` beside the repository (or a folder above)."""
    for folder in ROOT.parents:
        path = folder / "shared" / "seed" / SEED
        if path.is_file():
            return path.read_text(encoding="utf-8")
    pytest.skip(f"the seed article {SEED} is not on this machine (shared/seed/ beside the repo)")


@pytest.mark.parametrize("name", FILES)
def test_each_listing_is_the_articles_code_exactly(name):
    text = seed_text()
    blocks = re.findall(r"^```python\n(.*?)^```$", text, flags=re.S | re.M)
    assert len(blocks) == 12
    assert (LISTINGS / name).read_text(encoding="utf-8") == "\n".join(blocks[FILES[name]])


@pytest.mark.parametrize("name", FILES)
def test_every_line_of_a_listing_occurs_in_the_article_in_order(name):
    article = seed_text().splitlines()
    position = 0
    for line in listing_lines(name):
        if line:
            assert line in article[position:], f"{name}: {line!r} is not in the article after it"
            position = article.index(line, position) + 1


def test_the_listings_are_what_the_readme_says():
    readme = (LISTINGS / "README.md").read_text(encoding="utf-8")
    assert sorted(p.name for p in LISTINGS.glob("*.py")) == sorted(FILES)
    assert all(name in readme for name in FILES) and "Chinese-language" in readme


def line_by_line_rows(name: str) -> dict[int, str]:
    """The rows ``| N | `line` | ...`` of chapter 09's table under "`name`, line by line"."""
    section = CHAPTER.read_text(encoding="utf-8").split(f"### `{name}`, line by line")[1]
    section = section.split("\n#")[0]
    rows = re.findall(r"^\| (\d+) \| `([^`]*)` \|", section, flags=re.M)
    return {int(number): quoted for number, quoted in rows}


@pytest.mark.parametrize("name", FILES)
def test_chapter_09_quotes_every_line_as_it_is(name):
    rows = line_by_line_rows(name)
    lines = listing_lines(name)
    numbered = {number: line.strip() for number, line in enumerate(lines, start=1) if line}
    assert rows == numbered


def test_chapter_09_shows_the_files_not_a_copy():
    text = CHAPTER.read_text(encoding="utf-8")
    for name in FILES:
        assert f'show_listing("{name}")' in text
    listing = {line.strip() for name in FILES for line in listing_lines(name) if line.strip()}
    for block in re.findall(r"^```python\n(.*?)^```$", text, flags=re.S | re.M):
        copied = listing & {line.strip() for line in block.splitlines()}
        assert not copied, f"chapter 09 retypes listing lines in a code block: {copied}"


def test_show_listing_numbers_the_lines(capsys):
    show_listing("keras_mnist.py")
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "  1  from keras.models import Sequential"
    assert printed[5] == "  6  "
    assert len(printed) == 28


def test_an_unknown_listing_names_the_ones_there_are():
    with pytest.raises(FileNotFoundError, match=r"no listing 'tf2\.py'.*keras_mnist\.py"):
        listing_lines("tf2.py")


def test_underflow_gap_is_minus_log_of_the_smallest_normal_float32():
    # the smallest normal float32 is 2**-126, and -log(2**-126) = 126 ln 2 = 87.3365
    assert abs(UNDERFLOW_GAP - 126 * np.log(2)) < 1e-9


def test_listing_loss_by_hand():
    # logits (0, ln 3): softmax (1/4, 3/4); label 1: -log(3/4) = 0.287682; label 0: log 4
    z = np.array([[0.0, np.log(3.0)], [0.0, np.log(3.0)]], dtype=np.float32)
    assert ListingCrossEntropy()(z, np.array([1, 0])) == pytest.approx(
        (np.log(4 / 3) + np.log(4)) / 2, rel=1e-6
    )


def test_listing_gradient_is_p_minus_y_over_n_without_underflow():
    rng = np.random.default_rng(0)
    z = rng.normal(0, 5, size=(8, 10)).astype(np.float32)
    y = rng.integers(0, 10, size=8)
    e = np.exp(z.astype(np.float64) - z.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    expected = (p - np.eye(10)[y]) / 8
    np.testing.assert_allclose(ListingCrossEntropy().gradient(z, y), expected, atol=1e-6)


def test_listing_loss_is_nan_once_a_probability_is_flushed_to_zero():
    loss = ListingCrossEntropy()
    # a gap of 87 leaves exp(-87) = 1.6e-38, a normal float32; a gap of 88 gives 6e-39: flushed
    kept = np.array([[0.0, -87.0]], dtype=np.float32)
    flushed = np.array([[0.0, -88.0], [0.0, 1.0]], dtype=np.float32)
    assert loss.probabilities(kept)[0, 1] > 0 and np.isfinite(loss(kept, [0]))
    assert loss.probabilities(flushed)[0, 1] == 0
    assert np.isnan(loss(flushed, [0, 1]))
    grad = loss.gradient(flushed, [0, 1])
    assert np.isnan(grad[0]).all() and np.isfinite(grad[1]).all()


def test_read_data_sets_split_keeps_the_last_55000():
    X, y = np.arange(60000).reshape(-1, 1), np.arange(60000)
    X_kept, y_kept = read_data_sets_split(X, y)
    assert len(X_kept) == 55000 and X_kept[0, 0] == 5000 and y_kept[-1] == 59999


def test_next_batches_serve_every_sample_once_per_pass_in_a_new_order():
    X, y = np.arange(6).reshape(-1, 1), np.arange(6)
    batches = next_batches(X, y, 2, seed=0)
    passes = [np.concatenate([next(batches)[1] for _ in range(3)]) for _ in range(3)]
    assert all(sorted(p) == list(range(6)) for p in passes)
    assert len({tuple(p) for p in passes}) > 1


def test_saturated_fraction_matches_the_normal_law():
    # with N(0, 1) weights, z = x @ W is N(0, ||x||**2); a (1 - a) < 0.01 where |z| > 4.5851
    # (a = 0.5 - sqrt(0.24) = 0.010102, z = ln(a / (1 - a))): P(|z| > t) = erfc(t / ||x|| / sqrt 2)
    X = np.random.default_rng(0).random((50, 784)).astype(np.float32) / 4
    expected = np.mean([math.erfc(4.5851 / np.linalg.norm(x) / math.sqrt(2)) for x in X])
    network = listing_network("normal", seed=0)
    assert network.layers[0].W.std() == pytest.approx(1, abs=0.01)
    assert saturated_fraction(network, X) == pytest.approx(expected, abs=0.02)
    assert saturated_fraction(listing_network("glorot_uniform", seed=0), X) == 0


def test_train_like_listing_records_and_stops_at_nan():
    rng = np.random.default_rng(0)
    X, y = rng.random((300, 784)).astype(np.float32), rng.integers(0, 10, 300)
    record = train_like_listing(listing_network("glorot_uniform"), (X, y), (X, y), steps=5, every=2)
    assert record["step"] == [2, 4, 5] and record["nan_step"] is None
    assert all(0 <= a <= 1 for a in record["test_accuracy"])
    # inputs 100 times too large make logits hundreds apart: NaN at the very first step
    wide = train_like_listing(
        listing_network("normal"), (100 * X, y), (X, y), ListingCrossEntropy(), steps=5
    )
    assert wide["nan_step"] == 1 and wide["step"] == []
