"""A tiny scalar autograd: numbers that remember how they were computed, and backpropagation.

Introduced in chapter 05, before backpropagation through whole layers. In the spirit of Andrej
Karpathy's micrograd.

Every arithmetic operation on a :class:`Value` creates a new ``Value`` that records its inputs
(``_children``) and the operation (``_op``): the computation builds a graph. ``backward()`` then
walks the graph from the output back to the inputs applying the chain rule,

    d out / d x = sum over the uses of x of  (d out / d use) * (d use / d x),

so that each node's ``grad`` ends up holding the derivative of the output with respect to it.
Each operation only has to know its own *local* derivative; the chain rule does the rest. A
dense layer's backward pass (chapter 05) is the same computation, done for whole matrices at once.
"""

from __future__ import annotations

import math
from numbers import Real

import matplotlib.pyplot as plt
from matplotlib.axes import Axes


class Value:
    """A scalar in a computation graph, with the gradient of the final output with respect to it.

    Parameters
    ----------
    data : float
        The number.
    label : str
        A name shown by :func:`draw_graph` (``"w1"``, ``"loss"``).

    Attributes
    ----------
    data : float
    grad : float
        ``d root / d self`` after ``root.backward()``; 0 before.
    _children : tuple of Value
        The inputs of the operation that produced this value (empty for an input).
    _op : str
        That operation (``"+"``, ``"*"``, ``"tanh"``, ...), empty for an input.

    Examples
    --------
    >>> a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c")
    >>> f = a * b + c
    >>> f.backward()
    >>> f.data, a.grad, b.grad, c.grad
    (4.0, -3.0, 2.0, 1.0)
    """

    def __init__(
        self, data: float, _children: tuple[Value, ...] = (), _op: str = "", label: str = ""
    ):
        self.data = float(data)
        self.grad = 0.0
        self._children = tuple(_children)
        self._op = _op
        self.label = label
        self._backward = lambda: None

    def __repr__(self) -> str:
        name = f"{self.label}, " if self.label else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g})"

    # ---- operations: each computes the value and says how to pass the gradient back ----

    def __add__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():  # d(a + b)/da = 1, d(a + b)/db = 1
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other: Value | float) -> Value:
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():  # d(a * b)/da = b, d(a * b)/db = a
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def _unary(self, data: float, op: str, local_grad: float) -> Value:
        """The result ``data`` of a one-input operation whose derivative at ``self`` is
        ``local_grad``: backward multiplies the incoming gradient by it (the chain rule)."""
        out = Value(data, (self,), op)

        def _backward():
            self.grad += local_grad * out.grad

        out._backward = _backward
        return out

    def __pow__(self, exponent: float) -> Value:
        if not isinstance(exponent, Real):
            raise TypeError(
                f"Value ** exponent: the exponent must be a plain number, got "
                f"{type(exponent).__name__}. For a Value exponent x**y, write (y * x.log()).exp()."
            )
        x = self.data
        return self._unary(x**exponent, f"**{exponent:g}", exponent * x ** (exponent - 1))

    def exp(self) -> Value:
        e = math.exp(self.data)
        return self._unary(e, "exp", e)

    def log(self) -> Value:
        if self.data <= 0:
            raise ValueError(
                f"Value.log: the logarithm needs a positive number, got {self.data!r}"
                f"{f' ({self.label})' if self.label else ''}."
            )
        return self._unary(math.log(self.data), "log", 1 / self.data)

    def tanh(self) -> Value:
        t = math.tanh(self.data)
        return self._unary(t, "tanh", 1 - t * t)

    def sigmoid(self) -> Value:
        x = self.data
        s = 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))
        return self._unary(s, "sigmoid", s * (1 - s))

    def relu(self) -> Value:
        positive = self.data > 0
        return self._unary(self.data if positive else 0.0, "relu", 1.0 if positive else 0.0)

    # ---- the rest follows from the operations above ----

    def __neg__(self) -> Value:
        return self * -1

    def __sub__(self, other: Value | float) -> Value:
        return self + (-other)

    def __truediv__(self, other: Value | float) -> Value:
        return self * other**-1

    def __radd__(self, other: float) -> Value:
        return self + other

    def __rmul__(self, other: float) -> Value:
        return self * other

    def __rsub__(self, other: float) -> Value:
        return other + (-self)

    def __rtruediv__(self, other: float) -> Value:
        return other * self**-1

    # ---- backpropagation ----

    def _topological_order(self) -> list[Value]:
        """Every node of the graph below ``self``, each after all of its children."""
        order, seen = [], set()

        def visit(node: Value) -> None:
            if id(node) not in seen:
                seen.add(id(node))
                for child in node._children:
                    visit(child)
                order.append(node)

        visit(self)
        return order

    def backward(self) -> None:
        """Fill in ``grad`` of every node below this one with ``d self / d node``.

        Nodes are processed from ``self`` back to the inputs in reverse topological order, so a
        node passes its gradient on only after it has received all of it from every use. The
        gradients *accumulate* (``+=``): a value used twice gets the sum of both contributions.
        Call :meth:`zero_grad` before a second ``backward`` on the same graph.
        """
        self.grad = 1.0
        for node in reversed(self._topological_order()):
            node._backward()

    def zero_grad(self) -> None:
        """Set ``grad`` back to 0 on every node below this one (this one included)."""
        for node in self._topological_order():
            node.grad = 0.0


def _mean(values) -> float:
    """The mean of some numbers, 0 for none."""
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def _layout(root: Value) -> tuple[list[Value], dict[int, tuple[float, float]]]:
    """Place the graph's values in columns, inputs on the left and ``root`` on the right.

    A value's column is ``2 * (depth - its longest distance from root)``; the odd columns in
    between hold the operation circles. Within a column, values go top to bottom by the mean
    height of the values that use them (placed already, as they lie to the right), which keeps
    edges short.
    """
    nodes = root._topological_order()
    distance = {id(root): 0}
    for node in reversed(nodes):  # parents before children
        for child in node._children:
            distance[id(child)] = max(distance.get(id(child), 0), distance[id(node)] + 1)
    depth = max(distance.values())
    parents: dict[int, list[int]] = {id(n): [] for n in nodes}
    for node in nodes:
        for child in node._children:
            parents[id(child)].append(id(node))
    position: dict[int, tuple[float, float]] = {}
    for d in range(depth + 1):
        column = [n for n in nodes if distance[id(n)] == d]
        column.sort(key=lambda n: _mean(position[p][1] for p in parents[id(n)]), reverse=True)
        for row, node in enumerate(column):
            position[id(node)] = (2.0 * (depth - d), (len(column) - 1) / 2 - row)
    return nodes, position


def draw_graph(root: Value, ax: Axes | None = None) -> Axes:
    """Draw the computation graph that produced ``root``, with matplotlib only.

    Each value is a box showing its label, ``data`` and ``grad``; each operation is a small circle
    feeding the value it produced; arrows run from inputs (left) to ``root`` (right). Call it after
    ``root.backward()`` to see the gradients.

    Parameters
    ----------
    root : Value
        The output of the computation.
    ax : matplotlib Axes, optional
        Where to draw; by default a new figure sized to the graph.

    Returns
    -------
    matplotlib Axes
        Value boxes are texts with gid ``"value"``, operation circles texts with gid ``"op"``.
    """
    nodes, position = _layout(root)
    width = max(x for x, _ in position.values()) + 1
    height = max(abs(y) for _, y in position.values()) * 2 + 1
    if ax is None:
        _, ax = plt.subplots(figsize=(1.3 * width + 1, 0.9 * height + 0.6))
    box = {"boxstyle": "round,pad=0.3", "facecolor": "#e8f0fb", "edgecolor": "#3b6fb6"}
    circle = {"boxstyle": "circle,pad=0.25", "facecolor": "#fdf1dc", "edgecolor": "#c77d12"}
    arrow = {"arrowstyle": "->", "color": "0.35", "shrinkA": 2, "shrinkB": 2}
    boxes = {}
    for node in nodes:
        x, y = position[id(node)]
        text = f"{node.label}\n" if node.label else ""
        text += f"data {node.data:.4g}\ngrad {node.grad:.4g}"
        boxes[id(node)] = ax.text(
            x, y, text, ha="center", va="center", fontsize=8, bbox=box, gid="value", zorder=2
        )
    for node in nodes:
        if not node._op:
            continue
        x, y = position[id(node)]
        op = ax.text(
            x - 1, y, node._op, ha="center", va="center", fontsize=8, bbox=circle, gid="op"
        )
        ax.annotate(
            "",
            xy=(0, 0.5),
            xycoords=boxes[id(node)],
            xytext=(1, 0.5),
            textcoords=op,
            arrowprops=arrow,
        )
        for child in dict.fromkeys(node._children):  # x * x: one arrow
            ax.annotate(
                "",
                xy=(0, 0.5),
                xycoords=op,
                xytext=(1, 0.5),
                textcoords=boxes[id(child)],
                arrowprops=arrow,
            )
    ax.set_xlim(-0.7, width - 0.3)
    ax.set_ylim(-height / 2, height / 2)
    ax.set_title("computation graph: data forward (left to right), grad backward")
    ax.axis("off")
    return ax
