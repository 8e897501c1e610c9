"""The model zoo: small training steps in torch-mlir's form (and one in
JAX's), written by torch_form.py. Sizes are small so that every test
compiles and runs each step in seconds; the structure is that of the
named model.

`MODELS[name]()` returns (layers, input shape, form)."""

from torch_form import GELU, Conv2d, Flatten, Linear, MaxPool2d, ReLU, Residual


def mlp():
    return [Linear(32, 64), ReLU(), Linear(64, 64), ReLU(), Linear(64, 10)], [16, 32], "torch"


def mlp_jax():
    j = "jax"
    return ([Linear(32, 64, j), ReLU(j), Linear(64, 64, j), ReLU(j), Linear(64, 10, j)],
            [16, 32], "jax")


def conv_relu():
    return [Conv2d(3, 8, 3, 1), ReLU(), Conv2d(8, 8, 5, 2), ReLU()], [2, 3, 8, 8], "torch"


def conv_relu_jax():
    # flax Conv layers (NHWC, kernel HWIO), JAX's conv VJPs.
    j = "jax"
    return ([Conv2d(3, 8, 3, 1, j), ReLU(j), Conv2d(8, 8, 3, 1, j), ReLU(j)], [2, 8, 8, 3],
            "jax")


def vgg_block():
    # conv-ReLU-conv-ReLU-pool, as in VGG16's blocks.
    return ([Conv2d(8, 16, 3, 1), ReLU(), Conv2d(16, 16, 3, 1), ReLU(), MaxPool2d()],
            [2, 8, 16, 16], "torch")


def resmlp_block():
    # Patch embedding, one residual MLP block, classifier.
    return ([Linear(48, 64), Residual(Linear(64, 128), ReLU(), Linear(128, 64)), Linear(64, 10)],
            [16, 48], "torch")


def transformer_ffn():
    # x + W2 GELU(W1 x + b1) + b2, d 64, hidden 256, 32 tokens.
    return [Residual(Linear(64, 256), GELU(), Linear(256, 64))], [32, 64], "torch"


def cnn_classifier():
    return ([Conv2d(3, 8, 3, 1), ReLU(), MaxPool2d(), Conv2d(8, 16, 3, 1), ReLU(), MaxPool2d(),
             Flatten(), Linear(256, 32), ReLU(), Linear(32, 10)], [4, 3, 16, 16], "torch")


MODELS = {f.__name__: f for f in
          [mlp, mlp_jax, conv_relu, conv_relu_jax, vgg_block, resmlp_block, transformer_ffn, cnn_classifier]}
