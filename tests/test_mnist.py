"""The seed-network recipe and the `nnlib mnist` command, trained on a small slice of MNIST."""

import numpy as np
import pytest

import nnlib.mnist
from nnlib.__main__ import main
from nnlib.layers import Dense, ReLU, Sigmoid
from nnlib.mnist import Recipe, load_prepared, train
from nnlib.network import Sequential


@pytest.fixture(scope="module")
def small_mnist():
    (X_train, y_train), (X_test, y_test) = load_prepared()
    return (X_train[:3000], y_train[:3000]), (X_test[:1000], y_test[:1000])


def test_load_prepared_scales_and_flattens():
    (X_train, y_train), (X_test, y_test) = load_prepared()
    assert X_train.shape == (60000, 784) and X_test.shape == (10000, 784)
    assert X_train.dtype == np.float32
    assert X_train.min() == 0.0 and X_train.max() == 1.0
    assert y_train.shape == (60000,) and set(np.unique(y_test)) == set(range(10))


def test_the_seed_recipe_is_the_classic_one():
    recipe = Recipe()
    assert (recipe.epochs, recipe.learning_rate, recipe.batch_size) == (20, 0.5, 128)
    network = recipe.network()
    assert [type(layer) for layer in network.layers] == [Dense, Sigmoid, Dense]
    assert network.layers[0].W.shape == (784, 500) and network.layers[2].W.shape == (500, 10)
    assert not network.layers[0].b.any()
    limit = np.sqrt(6 / (784 + 500))  # Glorot uniform
    assert np.abs(network.layers[0].W).max() <= limit
    assert np.abs(network.layers[0].W).max() > 0.95 * limit
    assert isinstance(Recipe(activation="relu").network().layers[1], ReLU)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"learning_rate": 0}, "learning_rate must be a positive number"),
        ({"epochs": 0}, "epochs must be a positive integer"),
        ({"activation": "softplus"}, "activation must be one of sigmoid, tanh, relu"),
        ({"optimizer": "rmsprop"}, "optimizer must be one of sgd, momentum, adam"),
        ({"dtype": "float16"}, "dtype must be one of float32, float64"),
    ],
)
def test_recipe_rejects_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Recipe(**kwargs)


def test_training_on_a_slice_learns_and_repeats_bit_for_bit(small_mnist):
    recipe = Recipe(epochs=4, n_hidden=64)
    network, history, accuracy = train(recipe, small_mnist, progress=False)
    assert history.loss[0] > history.loss[-1]
    assert accuracy > 0.8  # ten classes: chance is 0.1
    assert accuracy == history.val_accuracy[-1]
    again, _, _ = train(recipe, small_mnist, progress=False)
    np.testing.assert_array_equal(network.layers[0].W, again.layers[0].W)


def test_cli_trains_reports_each_epoch_and_saves(small_mnist, monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(nnlib.mnist, "load_prepared", lambda directory, dtype: small_mnist)
    path = tmp_path / "seed.npz"
    args = ["mnist", "--epochs", "2", "--hidden", "32", "--lr", "0.5", "--quiet", "--save"]
    assert main([*args, str(path)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert sum(line.startswith("epoch") for line in lines) == 2
    last = lines[-1]
    assert last.startswith("test accuracy: 0.") and len(last) == len("test accuracy: 0.1234")
    loaded = Sequential.load(path)
    (_, _), (X_test, y_test) = small_mnist
    assert float(last.split()[-1]) == pytest.approx(
        np.mean(loaded.predict(X_test) == y_test), abs=1e-4
    )


def test_cli_bad_options_get_a_message_not_a_traceback(capsys):
    assert main(["mnist", "--lr", "-1"]) == 2
    assert "learning_rate must be a positive number, got -1.0" in capsys.readouterr().err
    assert main(["mnist", "--data-dir", "/no/such/folder"]) == 2
    assert "does not exist" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["mnist", "--activation", "softplus"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'softplus'" in capsys.readouterr().err


def test_cli_reports_divergence(small_mnist, monkeypatch, capsys):
    monkeypatch.setattr(nnlib.mnist, "load_prepared", lambda directory, dtype: small_mnist)
    # ReLU units are unbounded: with an absurd step the logits overflow float32 to inf.
    assert main(["mnist", "--epochs", "1", "--activation", "relu", "--lr", "1e30", "--quiet"]) == 1
    assert "Try a smaller learning rate" in capsys.readouterr().err
