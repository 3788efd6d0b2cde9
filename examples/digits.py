"""Digit classification with an MLP: scikit-learn's 8x8 digits split 60/20/20 into
training, validation and test sets, trained by ``nn.train.fit`` with early stopping on
the validation loss, judged once on the test set, and cross-validated (stratified
5-fold) through the scikit-learn wrapper (notes 003 and 004 Q28, curriculum sections 2
and 10).

The network is 64-128-64-10 with ReLU, dropout 0.1 and a softmax output (cross-entropy
on the logits; the prediction is the argmax). The validation set picks the epoch
(EarlyStopping keeps the best weights); the test set is used once, at the end.
Cross-validation trains ``nn.sklearn.NeuralNetClassifier`` five times on the
training + validation data with scikit-learn's ``cross_val_score``.

Figures: curves.png (loss and accuracy per epoch), confusion.png (test confusion
matrix), mistakes.png (misclassified test digits), cv.png (accuracy per fold).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import nn
from nn.train import EarlyStopping, accuracy, fit

from ._common import (load_digits, make_parser, output_folder, pyplot, require, run,
                      save_figure, show_images, write_summary)

__all__ = ["stratified_split", "confusion", "cross_validate", "plot_curves",
           "plot_confusion", "plot_mistakes", "plot_cv", "main"]


def stratified_split(x: np.ndarray, y: np.ndarray, seed: int) -> dict[str, tuple]:
    """60 / 20 / 20 train / validation / test, each with the class proportions of y."""
    model_selection = require("sklearn.model_selection", "scikit-learn")
    x_train, x_rest, y_train, y_rest = model_selection.train_test_split(
        x, y, test_size=0.4, stratify=y, random_state=seed)
    x_val, x_test, y_val, y_test = model_selection.train_test_split(
        x_rest, y_rest, test_size=0.5, stratify=y_rest, random_state=seed)
    return {"train": (x_train, y_train), "val": (x_val, y_val), "test": (x_test, y_test)}


def confusion(y_true: np.ndarray, y_pred: np.ndarray, classes: int = 10) -> np.ndarray:
    """counts[i, j] = number of digits i predicted as j."""
    counts = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


def cross_validate(x: np.ndarray, y: np.ndarray, epochs: int, seed: int) -> np.ndarray:
    """Stratified 5-fold accuracies of the scikit-learn wrapper around the same MLP."""
    model_selection = require("sklearn.model_selection", "scikit-learn")
    from nn.sklearn import NeuralNetClassifier
    classifier = NeuralNetClassifier(hidden_layer_sizes=(128, 64), dropout=0.1, lr=1e-3,
                                     epochs=epochs, batch_size=32, random_state=seed,
                                     verbose=True)
    folds = model_selection.StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
    print(f"5-fold cross-validation, {epochs} epochs per fold ...")
    return model_selection.cross_val_score(classifier, x, y, cv=folds, scoring="accuracy")


def plot_curves(history: Any, best_epoch: int, out: Path) -> None:
    plt = pyplot()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.6))
    epochs = np.arange(1, len(history["loss"]) + 1)
    ax1.plot(epochs, history["loss"], label="training")
    ax1.plot(epochs, history["val_loss"], label="validation")
    ax2.plot(epochs, history["accuracy"], label="training")
    ax2.plot(epochs, history["val_accuracy"], label="validation")
    for ax in (ax1, ax2):
        ax.axvline(best_epoch, color="k", ls=":", label=f"kept: epoch {best_epoch}")
        ax.set_xlabel("epoch")
        ax.legend()
    ax1.set(ylabel="cross-entropy", title="Loss (early stopping on validation)", yscale="log")
    late = history["val_accuracy"][len(epochs) // 2:]   # all of them after a short run
    ax2.set(ylabel="accuracy", title="Accuracy", ylim=(min(0.8, min(late) - 0.02), 1.005))
    save_figure(fig, out, "curves")


def plot_confusion(counts: np.ndarray, test_accuracy: float, out: Path) -> None:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(4.8, 4.3))
    ax.imshow(counts, cmap="Blues")
    ax.grid(False)
    for (i, j), n in np.ndenumerate(counts):
        if n:
            ax.text(j, i, str(n), ha="center", va="center", fontsize=8,
                    color="white" if n > counts.max() / 2 else "black")
    ax.set(xticks=range(10), yticks=range(10), xlabel="predicted digit", ylabel="true digit",
           title=f"Test confusion matrix (accuracy {test_accuracy:.1%})")
    save_figure(fig, out, "confusion")


def plot_mistakes(x: np.ndarray, y: np.ndarray, predicted: np.ndarray, out: Path) -> None:
    plt = pyplot()
    wrong = np.flatnonzero(predicted != y)[:12]
    fig, axes = plt.subplots(1, max(len(wrong), 1), figsize=(1.1 * max(len(wrong), 4), 1.7),
                             squeeze=False)
    for ax, i in zip(axes[0], wrong):
        show_images(ax, x[i:i + 1], rows=1, title=f"{y[i]} as {predicted[i]}")
    if not len(wrong):
        axes[0, 0].set_title("no mistakes")
        axes[0, 0].axis("off")
    fig.suptitle("Misclassified test digits (true as predicted)", fontsize=9)
    save_figure(fig, out, "mistakes")


def plot_cv(scores: np.ndarray, out: Path) -> None:
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(4.5, 3))
    folds = np.arange(1, len(scores) + 1)
    bars = ax.bar(folds, scores, color="tab:blue")  # from 0: the folds' true proportions
    ax.bar_label(bars, fmt="%.3f", fontsize=8, padding=2)  # the differences, as numbers
    ax.axhline(scores.mean(), color="k", ls="--",
               label=f"mean {scores.mean():.3f} +- {scores.std():.3f}")
    ax.set(xlabel="fold", ylabel="accuracy", ylim=(0.0, 1.12), xticks=folds,
           title="Stratified 5-fold cross-validation")
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.legend(loc="lower right", framealpha=1.0)
    save_figure(fig, out, "cv")


def main(argv: list[str] | None = None) -> dict:
    args = make_parser(__doc__, "digits").parse_args(argv)
    out = output_folder(args.out)
    x, y = load_digits()
    if args.quick:
        x, y = x[:400], y[:400]
    data = stratified_split(x, y, args.seed)
    epochs, cv_epochs = (3, 1) if args.quick else (150, 30)

    model = nn.models.MLP([64, 128, 64, 10], output="softmax", dropout=0.1, rng=args.seed)
    stopper = EarlyStopping(monitor="val_loss", patience=8, restore_best_weights=True)
    history = fit(model, None, nn.optim.Adam(model.parameters(), lr=1e-3), data["train"],
                  val=data["val"], epochs=epochs, batch_size=32, callbacks=[stopper],
                  metrics={"accuracy": accuracy}, generator=args.seed)
    best_epoch = int(stopper.best_epoch) + 1
    x_test, y_test = data["test"]
    predicted = model.predict(x_test)
    test_accuracy = float(np.mean(predicted == y_test))
    plot_curves(history.history, best_epoch, out)
    plot_confusion(confusion(y_test, predicted), test_accuracy, out)
    plot_mistakes(x_test, y_test, predicted, out)

    x_cv = np.concatenate([data["train"][0], data["val"][0]])
    y_cv = np.concatenate([data["train"][1], data["val"][1]])
    scores = cross_validate(x_cv, y_cv, cv_epochs, args.seed)
    plot_cv(scores, out)
    summary = {"test_accuracy": test_accuracy, "cv_accuracy_mean": float(scores.mean()),
               "cv_accuracy_std": float(scores.std()), "cv_fold_accuracies": scores,
               "best_epoch": best_epoch, "epochs_run": len(history["loss"]),
               "best_val_loss": float(np.min(history["val_loss"])),
               "sizes": {"train": len(data["train"][1]), "val": len(data["val"][1]),
                         "test": len(y_test)}}
    write_summary(out, summary)
    return summary


if __name__ == "__main__":
    run(main)
