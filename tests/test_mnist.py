"""The seed-network recipe and the `nnlib mnist` command, trained on a small slice of MNIST."""

import dataclasses
import json

import numpy as np
import pytest

import nnlib.mnist
from nnlib.__main__ import main
from nnlib.layers import Dense, Dropout, RandomShift, ReLU, Sigmoid
from nnlib.mnist import Recipe, load_prepared, train
from nnlib.network import Sequential
from nnlib.optim import Adam


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
        ({"n_hidden": ()}, "n_hidden must name at least one hidden layer"),
        ({"n_hidden": (100, 0)}, "n_hidden must be a positive integer, got 0"),
        ({"dropout": 1.0}, r"dropout must be a number in \[0.0, 1.0\)"),
        ({"weight_decay": -1e-4}, "weight_decay must be a number in"),
        ({"lr_decay": 0}, "lr_decay must be a positive number"),
        ({"shift": -1}, "shift must be a positive integer"),
        ({"shift": 1.5}, "shift must be a positive integer"),
    ],
)
def test_recipe_rejects_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Recipe(**kwargs)


def test_chapter_10_options_build_the_layers_they_name():
    recipe = Recipe(n_hidden=(30, 20), activation="relu", dropout=0.25, shift=2)
    layers = recipe.network().layers
    assert [type(layer) for layer in layers] == [
        RandomShift,
        Dense,
        ReLU,
        Dropout,
        Dense,
        ReLU,
        Dropout,
        Dense,
    ]
    assert [(layer.n_in, layer.n_out) for layer in layers if isinstance(layer, Dense)] == [
        (784, 30),
        (30, 20),
        (20, 10),
    ]
    assert layers[0].max_shift == 2 and layers[3].rate == 0.25
    # He normal for ReLU: sd sqrt(2 / 784) = 0.0505 over 23,520 weights (sd of the estimate 0.5%)
    assert np.std(layers[1].W) == pytest.approx(np.sqrt(2 / 784), rel=0.03)
    assert Recipe(weight_decay=1e-4).optimizer_for().weight_decay == 1e-4
    adam = Recipe(optimizer="adam", learning_rate=1e-3, weight_decay=1e-5).optimizer_for()
    assert isinstance(adam, Adam) and adam.weight_decay == 1e-5


def test_a_recipe_survives_a_round_trip_through_json():
    recipe = Recipe(n_hidden=(800, 800), activation="relu", dropout=0.2, shift=2)
    assert Recipe(**json.loads(json.dumps(dataclasses.asdict(recipe)))) == recipe


def test_lr_decay_shrinks_the_steps_of_later_epochs(small_mnist):
    # with a factor of 1e-9 the second epoch steps with 0.5e-9: the weights barely move
    one = train(Recipe(epochs=1, n_hidden=32), small_mnist, progress=False)[0]
    decayed = train(Recipe(epochs=2, n_hidden=32, lr_decay=1e-9), small_mnist, progress=False)[0]
    plain = train(Recipe(epochs=2, n_hidden=32), small_mnist, progress=False)[0]
    np.testing.assert_allclose(decayed.layers[0].W, one.layers[0].W, atol=1e-7)
    assert np.abs(plain.layers[0].W - one.layers[0].W).max() > 1e-3


def test_augmented_dropout_recipe_learns(small_mnist):
    recipe = Recipe(
        epochs=3,
        n_hidden=(64, 64),
        activation="relu",
        optimizer="adam",
        learning_rate=1e-3,
        dropout=0.2,
        shift=2,
        lr_decay=0.8,
    )
    _, history, accuracy = train(recipe, small_mnist, progress=False)
    assert history.loss[-1] < history.loss[0]
    assert accuracy > 0.5  # 72 steps with shifted digits and dropout; chance is 0.1


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


def test_train_trains_the_network_it_is_given_and_on_epoch_can_copy_its_parameters(small_mnist):
    # what bench_beyond does to keep each variant as it was after its best validation epoch
    recipe = Recipe(epochs=3, n_hidden=32, lr_decay=0.8)
    network = recipe.network()
    copies = []
    returned, history, _ = train(
        recipe,
        small_mnist,
        progress=False,
        network=network,
        on_epoch=lambda epoch, history: copies.append(network.layers[0].W.copy()),
    )
    assert returned is network and len(copies) == 3
    # the copy after epoch 2 is the network that a 2-epoch run of the same recipe ends with
    two_epochs, _, _ = train(dataclasses.replace(recipe, epochs=2), small_mnist, progress=False)
    np.testing.assert_array_equal(copies[1], two_epochs.layers[0].W)
    assert np.abs(copies[2] - copies[1]).max() > 1e-4
