"""The perceptron: a weighted sum, a bias and a step, and Rosenblatt's rule to learn them.

Introduced in chapter 01, "A single neuron".

A perceptron with weights ``w`` and bias ``b`` outputs ``step(w . x + b)``: 1 on one side of the
line (plane, hyperplane) ``w . x + b = 0`` and 0 on the other. The learning rule nudges the line
towards every point it gets wrong:

    w <- w + eta * (y - y_hat) * x
    b <- b + eta * (y - y_hat)

and stops changing once every point is on its right side. If the two classes can be separated by
a line at all, this happens after a finite number of mistakes (Novikoff's theorem); if they cannot
(XOR), the rule never settles.
"""

from __future__ import annotations

import numpy as np

from nnlib.activations import step
from nnlib.validation import Seed, as_2d, as_rng, check_positive


class Perceptron:
    """A single neuron with a step activation, trained by the perceptron learning rule.

    Parameters
    ----------
    learning_rate : float, default 1.0
        ``eta``, the size of each nudge. With weights starting at zero it only rescales ``w`` and
        ``b``, so the decisions (and the number of mistakes) do not depend on it.
    n_epochs : int, default 100
        The most passes over the data; training stops earlier after an epoch without mistakes.
    seed : int, numpy.random.Generator or None
        Seeds the order in which the samples are visited in each epoch.

    Attributes
    ----------
    w : ndarray, shape (n_features,)
        The learned weights (after ``fit``).
    b : float
        The learned bias.
    history : list of (ndarray, float)
        ``(w, b)`` after each epoch, to replay how the decision boundary moved.
    mistakes : list of int
        The number of misclassified samples met during each epoch.
    converged : bool
        Whether the last epoch made no mistake, i.e. every training point is classified right.
    """

    def __init__(self, learning_rate: float = 1.0, n_epochs: int = 100, seed: Seed = None):
        check_positive(learning_rate, "learning_rate", "Perceptron")
        check_positive(n_epochs, "n_epochs", "Perceptron", integer=True)
        self.learning_rate = learning_rate
        self.n_epochs = n_epochs
        self.seed = seed

    def fit(self, X, y) -> Perceptron:
        """Learn ``w`` and ``b`` from labelled points with the perceptron rule.

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features)
            The points.
        y : array_like of 0 and 1, shape (n_samples,)
            The class of each point.

        Returns
        -------
        Perceptron
            ``self``, fitted, so that ``Perceptron().fit(X, y).predict(X)`` reads naturally.
        """
        X = as_2d(X, "X", "Perceptron.fit", dtype=np.float64)
        y = self._check_labels(y, len(X))
        rng = as_rng(self.seed)
        self.w, self.b = np.zeros(X.shape[1]), 0.0
        self.history, self.mistakes = [], []
        for _ in range(self.n_epochs):
            n_mistakes = 0
            for i in rng.permutation(len(X)):
                error = y[i] - step(X[i] @ self.w + self.b)
                if error != 0:
                    self.w = self.w + self.learning_rate * error * X[i]
                    self.b = self.b + self.learning_rate * error
                    n_mistakes += 1
            self.history.append((self.w.copy(), self.b))
            self.mistakes.append(n_mistakes)
            if n_mistakes == 0:
                break
        self.converged = self.mistakes[-1] == 0
        return self

    def decision_function(self, X) -> np.ndarray:
        """The weighted sums ``z = X @ w + b``, shape ``(n_samples,)``: which side of the line."""
        if not hasattr(self, "w"):
            raise RuntimeError("Perceptron: call fit(X, y) before predicting.")
        X = as_2d(X, "X", "Perceptron.predict", n_features=len(self.w), dtype=np.float64)
        return X @ self.w + self.b

    def predict(self, X) -> np.ndarray:
        """The class, 0 or 1, of each row of ``X`` (shape ``(n_samples, n_features)``)."""
        return step(self.decision_function(X)).astype(int)

    @staticmethod
    def _check_labels(y, n_samples: int) -> np.ndarray:
        y = np.asarray(y)
        if y.shape != (n_samples,):
            raise ValueError(
                f"Perceptron.fit: y must have shape ({n_samples},), one label per row of X, "
                f"got shape {y.shape}."
            )
        if not np.isin(y, (0, 1)).all():
            raise ValueError(
                f"Perceptron.fit: y must hold only the labels 0 and 1, got the values "
                f"{np.unique(y)[:10]}. Map your two classes to 0 and 1 first."
            )
        return y.astype(np.float64)
