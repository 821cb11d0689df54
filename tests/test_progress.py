"""``nnlib progress``: which tasks of a learner's exercises pass their visible checks."""

from grading.attacks import EX01, right

from nnlib.__main__ import main
from nnlib.course.progress import progress
from nnlib.course.release import render


def test_progress_shows_which_tasks_pass(tmp_path, capsys):
    nb = right(
        predict_batch="def predict_batch(X, w, b):\n    return 0\n",
        nand_weights="def nand_weights():\n    raise NotImplementedError()\n",
    )
    (tmp_path / EX01.name).write_text(render(nb), encoding="utf-8")
    (tmp_path / "ex99_broken.ipynb").write_text("{")
    table = progress(tmp_path)
    assert "| ex01_single_neuron | 2 of 4 |" in str(table)
    assert "✓ weighted_sum · ✗ predict_batch (0/3) · ○ nand_weights · ✓ perceptron_update" in str(
        table
    )
    assert "| ex99_broken | - | could not be checked" in table._repr_markdown_()
    assert main(["progress", str(tmp_path)]) == 0
    assert "2 of 4" in capsys.readouterr().out
