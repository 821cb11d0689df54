"""Tests for nnlib.autograd: gradients derived by hand, finite differences, the graph drawing."""

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest

from nnlib.autograd import Value, draw_graph
from nnlib.gradcheck import numerical_gradient, relative_error


def test_a_times_b_plus_c():
    a, b, c = Value(2.0), Value(-3.0), Value(10.0)
    f = a * b + c
    f.backward()
    # df/da = b, df/db = a, df/dc = 1
    assert (f.data, a.grad, b.grad, c.grad) == (4.0, -3.0, 2.0, 1.0)


def test_tanh_neuron():
    # o = tanh(x1 w1 + x2 w2 + b) with n = 0.8814 (tanh(n) = 1/sqrt(2)), so do/dn = 1 - 1/2 = 0.5
    x1, x2, w1, w2 = Value(2.0), Value(0.0), Value(-3.0), Value(1.0)
    b = Value(6.0 + math.atanh(1 / math.sqrt(2)))
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.backward()
    assert o.data == pytest.approx(1 / math.sqrt(2))
    assert b.grad == pytest.approx(0.5)
    assert w1.grad == pytest.approx(0.5 * 2.0)  # do/dn * x1
    assert x1.grad == pytest.approx(0.5 * -3.0)  # do/dn * w1
    assert w2.grad == pytest.approx(0.0)  # x2 = 0
    assert x2.grad == pytest.approx(0.5)


def test_power_and_division():
    # f = x**2 / y: df/dx = 2x / y = 3, df/dy = -x**2 / y**2 = -9/4
    x, y = Value(3.0), Value(2.0)
    f = x**2 / y
    f.backward()
    assert f.data == pytest.approx(4.5)
    assert x.grad == pytest.approx(3.0)
    assert y.grad == pytest.approx(-2.25)


def test_exp_log_chain():
    # f = log(1 + exp(x)) (softplus): df/dx = sigmoid(x) = 1 / (1 + e^-x); at x = ln 3 it is 3/4
    x = Value(math.log(3))
    f = (1 + x.exp()).log()
    f.backward()
    assert f.data == pytest.approx(math.log(4))
    assert x.grad == pytest.approx(0.75)


def test_a_value_used_twice_accumulates_its_gradient():
    # f = a * a + a: df/da = 2a + 1 = 7 at a = 3 (a plain "=" instead of "+=" would give 1 or 3)
    a = Value(3.0)
    f = a * a + a
    f.backward()
    assert a.grad == pytest.approx(7.0)


def test_reflected_and_unary_operators():
    # f = 2 - 6 / x + 1 * (-x) + (x - 1) at x = 2: df/dx = 6 / x**2 - 1 + 1 = 1.5
    x = Value(2.0)
    f = 2 - 6 / x + 1 * (-x) + (x - 1)
    f.backward()
    assert f.data == pytest.approx(2 - 3 - 2 + 1)
    assert x.grad == pytest.approx(1.5)


@pytest.mark.parametrize(("x", "slope"), [(-2.0, 0.0), (0.0, 0.0), (1.5, 1.0)])
def test_relu(x, slope):
    v = Value(x)
    out = v.relu()
    out.backward()
    assert (out.data, v.grad) == (max(x, 0.0), slope)


def test_sigmoid_by_hand_and_at_huge_inputs():
    x = Value(math.log(3))  # sigmoid = 3/4, derivative 3/4 * 1/4
    s = x.sigmoid()
    s.backward()
    assert s.data == pytest.approx(0.75)
    assert x.grad == pytest.approx(3 / 16)
    assert Value(-1e4).sigmoid().data == 0.0
    assert Value(1e4).sigmoid().data == 1.0


def expression(x):
    """A mixed expression of three inputs, written once for Values and for plain floats."""
    a, b, c = x[0], x[1], x[2]
    if isinstance(a, Value):
        return ((a * b).tanh() + (c**2 + 1).log() - b / (1 + c.exp())).sigmoid() * a.relu() - 3 / a
    return (
        1 / (1 + math.exp(-(math.tanh(a * b) + math.log(c**2 + 1) - b / (1 + math.exp(c)))))
    ) * max(a, 0.0) - 3 / a


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gradients_match_finite_differences(seed):
    point = np.random.default_rng(seed).uniform(0.2, 2.0, size=3)
    inputs = [Value(v) for v in point]
    out = expression(inputs)
    out.backward()
    assert out.data == pytest.approx(expression(point))
    numeric = numerical_gradient(lambda x: expression(list(x)), point.copy())
    assert relative_error([v.grad for v in inputs], numeric) < 1e-6


def test_zero_grad_lets_backward_run_again():
    a, b = Value(2.0), Value(5.0)
    f = a * b
    f.backward()
    f.zero_grad()
    assert (f.grad, a.grad, b.grad) == (0.0, 0.0, 0.0)
    f.backward()
    assert (a.grad, b.grad) == (5.0, 2.0)


def test_backward_twice_without_zero_grad_accumulates():
    a = Value(2.0)
    f = a * 3
    f.backward()
    f.backward()
    assert a.grad == 6.0


def test_bad_operations_are_refused():
    with pytest.raises(ValueError, match=r"Value.log: .* positive number, got -1.0 \(w\)"):
        Value(-1.0, label="w").log()
    with pytest.raises(TypeError, match="exponent must be a plain number, got Value"):
        Value(2.0) ** Value(3.0)


def test_repr_shows_label_data_and_grad():
    assert repr(Value(1.5, label="w")) == "Value(w, data=1.5, grad=0)"


def test_draw_graph_draws_every_value_and_operation():
    x1, w1, b = Value(2.0, label="x1"), Value(-3.0, label="w1"), Value(6.5, label="b")
    n = x1 * w1 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()
    ax = draw_graph(o)
    ax.figure.canvas.draw()  # the arrows attach to the boxes only when rendered
    values = [t.get_text() for t in ax.texts if t.get_gid() == "value"]
    ops = sorted(t.get_text() for t in ax.texts if t.get_gid() == "op")
    # inputs x1, w1, b; x1*w1; n; o
    assert len(values) == 6
    assert ops == ["*", "+", "tanh"]
    assert any(text.startswith("x1\ndata 2\ngrad") for text in values)
    assert f"o\ndata {math.tanh(0.5):.4g}\ngrad 1" in values
    # one arrow from each op to its output, one from each distinct input to each op
    assert len([t for t in ax.texts if t.get_gid() is None]) == 3 + 5
    plt.close(ax.figure)


def test_draw_graph_uses_the_given_axes_and_one_arrow_for_x_times_x():
    fig, ax = plt.subplots()
    x = Value(3.0, label="x")
    assert draw_graph(x * x, ax=ax) is ax
    fig.canvas.draw()
    assert len([t for t in ax.texts if t.get_gid() == "value"]) == 2
    assert len([t for t in ax.texts if t.get_gid() is None]) == 2
    plt.close(fig)


def test_draw_graph_places_inputs_left_of_outputs():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    f = (a + b).exp()
    ax = draw_graph(f)
    x_of = {t.get_text().split("\n")[0]: t.get_position()[0] for t in ax.texts if t.get_gid()}
    assert x_of["a"] == x_of["b"] < x_of["+"] < x_of["exp"]
    plt.close(ax.figure)
