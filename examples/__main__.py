"""``python -m examples``: list the example programs with one line each."""

from __future__ import annotations

from pathlib import Path

__all__ = ["PROGRAMS", "main"]

# In the order of the lecture notes (their topic map, curriculum.md, is not in this
# repository; examples/README.md, the gallery, says which notes each program follows).
PROGRAMS = {
    "perceptron": "AND/NAND/OR perceptrons by hand and by training; XOR needs two layers",
    "backprop_by_hand": ("one hidden layer: every gradient by hand vs backward() vs finite "
                         "differences"),
    "regression": "normal equation vs gradient descent (y = x + 1); logistic regression",
    "losses": "MSE/MAE/Huber/BCE/cross-entropy tables; why CE beats MSE behind a sigmoid",
    "optimizers": "SGD, momentum, Nesterov, Adagrad, RMSprop, Adam on a valley; lr schedules",
    "gradients": "vanishing/exploding gradients: sigmoid vs ReLU+He vs BatchNorm vs residual",
    "regularization": "L1 vs L2 weights, dropout, early stopping curves on the digits",
    "digits": "MLP digit classifier: accuracy, confusion matrix, 5-fold cross-validation",
    "autoencoders": "sparse and denoising autoencoders on the digits",
    "vae": "variational autoencoder on the digits: samples, latent space, beta and annealing",
    "visualize_graph": "computation graphs with values and gradients (needs Graphviz)",
    "xor": "a two-layer network learns XOR with the engine alone",
}


def main() -> None:
    here = Path(__file__).parent
    names = [n for n in PROGRAMS if (here / f"{n}.py").exists()]
    width = max(map(len, names))
    print("Example programs: python -m examples.<name> [--quick] [--seed N] [--out DIR]\n")
    for name in names:
        print(f"  {name:<{width}}  {PROGRAMS[name]}")
    print("\nEach writes PNG figures and summary.json; --help describes it. "
          "Gallery: examples/README.md")


if __name__ == "__main__":
    main()
