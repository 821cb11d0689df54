"""nnlib: the small numpy neural-network library that the course "From a Neuron to MNIST" builds.

Each module holds one idea and says which chapter introduces it:

========================  ===================================================  =======
module                    idea                                                 chapter
========================  ===================================================  =======
``nnlib.neuron``          the perceptron: weighted sum, bias, step, learning    01
``nnlib.viz``             figures: decision boundaries, curves, digits          01, 08
``nnlib.validation``      argument checks with messages that say what to do    01
``nnlib.activations``     activation functions and their derivatives, softmax  02
``nnlib.labels``          label encodings: class indices and one-hot rows      03
``nnlib.losses``          losses (MSE, cross-entropy) and their gradients      03, 05
``nnlib.gradcheck``       finite-difference gradients to check analytic ones   03, 05
``nnlib.layers``          layers: Dense, activations, Flatten, Dropout, ...    04, 05, 10
``nnlib.network``         Sequential: forward, backward, predict, save/load    04, 05, 08
``nnlib.autograd``        a scalar autograd Value, backward, graph drawing     05
``nnlib.init``            weight initializers: normal, Glorot, He              06
``nnlib.optim``           optimizers: SGD with momentum, Adam; lr decay        06, 10
``nnlib.training``        mini-batches, the training loop fit, evaluate        06
``nnlib.metrics``         accuracy and the confusion matrix                    06
``nnlib.data``            MNIST: IDX files, checked loading, scaling           07
``nnlib.fetch``           where the MNIST files are found; their download      07
``nnlib.mnist``           the seed network's recipe, and chapter 10's options  08, 10
========================  ===================================================  =======

The course's own tools (showing source in a chapter, exercise checks, grading, JupyterLab set-up)
live apart, in ``nnlib.course``: a learner never needs to read them.
"""

__version__ = "0.1.0"
