"""SIREN, "Implicit Neural Representations with Periodic Activation Functions" (Sitzmann
et al.), as its readers write it from the authors' notebook ``explore_siren.ipynb``:
``SineLayer`` (sin(omega_0 (Wx + b)) with the paper's uniform initialisation under
``no_grad()``), ``Siren`` (which returns its output and the coordinates it differentiates
against), ``get_mgrid``, ``gradient`` / ``divergence`` / ``laplace`` through
``torch.autograd.grad(..., create_graph=True)``, the image fit through a one-item
``Dataset`` and ``DataLoader``, the Poisson fit (supervised on the image's gradient, not
its pixels) and the activation statistics (``forward_with_activations(retain_grad=True)``).
Each program is written once for a library ``T`` (``autograd`` here, ``torch`` there) and
runs step for step next to PyTorch's from the same weights (float64): losses, image
gradients and Laplacians, parameter gradients and parameters agree to 1e-10.

The image is one of scikit-learn's 8x8 digits (the notebook's 256x256 cameraman, which
cannot be downloaded here), normalised to [-1, 1] as the notebook's
``Normalize(0.5, 0.5)``; 2 hidden layers of 32 in place of 3 of 256, and a few steps.

Lines written differently here, and why:
- the weights drawn by ``uniform_`` come from each library's own generator: ours loads
  PyTorch's starting weights (``load_state_dict``), the test's glue;
- ``torch.autograd.grad`` is ``autograd.grad`` (this library is the autograd package);
- the image is a NumPy array, not a PIL image through torchvision's transforms;
- ``torch.meshgrid(*tensors)`` names its ``indexing='ij'`` (PyTorch's default, with a
  warning that it will be required): here the argument is required, as NumPy's default
  differs and the error says so.

Nothing needed a fix: every line above ran as written (the first port of this lane).
"""

import pytest

import autograd as ag
import nn
import nn.data
from port_records import assert_same, numpy_of
from siren_programs import digit_image, get_mgrid, operators, siren_classes

# the notebook's "%0.6f" % loss of a loss that requires grad: PyTorch 2.13 warns there;
# pin_memory=True without a GPU: PyTorch warns too
pytestmark = [pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad"),
              pytest.mark.filterwarnings("ignore:'pin_memory' argument")]


def libraries(torch=None) -> tuple:
    """(T, lib, optim, data, grad) for this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        return ag, nn, nn.optim, nn.data, ag.grad
    return torch, torch.nn, torch.optim, torch.utils.data, torch.autograd.grad


def image_fitting_program(torch=None, start=None) -> list:
    """Fit the image's pixels; every few steps log the loss, image gradient and Laplacian."""
    T, lib, optim, data, grad = libraries(torch)
    _, Siren = siren_classes(T, lib)
    gradient, _, laplace = operators(T, grad)
    sidelength = 8

    class ImageFitting(data.Dataset):
        def __init__(self, sidelength):
            super().__init__()
            img = T.tensor(digit_image())  # get_cameraman_tensor(sidelength)
            self.pixels = img.permute(1, 2, 0).view(-1, 1)
            self.coords = get_mgrid(T, sidelength, 2)

        def __len__(self):
            return 1

        def __getitem__(self, idx):
            if idx > 0:
                raise IndexError
            return self.coords, self.pixels

    cameraman = ImageFitting(sidelength)
    dataloader = data.DataLoader(cameraman, batch_size=1, pin_memory=True, num_workers=0)
    img_siren = Siren(in_features=2, out_features=1, hidden_features=32,
                      hidden_layers=2, outermost_linear=True)
    if start is not None:
        img_siren.load_state_dict(start)
    record = [{k: numpy_of(v) for k, v in img_siren.state_dict().items()}]
    total_steps = 12
    steps_til_summary = 4
    optim = optim.Adam(lr=1e-3, params=img_siren.parameters())
    model_input, ground_truth = next(iter(dataloader))
    assert tuple(model_input.shape) == (1, sidelength ** 2, 2)
    for step in range(total_steps):
        model_output, coords = img_siren(model_input)
        loss = ((model_output - ground_truth)**2).mean()
        if not step % steps_til_summary:
            record.append("Step %d, Total loss %0.6f" % (step, loss))
            img_grad = gradient(model_output, coords)
            img_laplacian = laplace(model_output, coords)
            record += [numpy_of(img_grad.norm(dim=-1)), numpy_of(img_laplacian)]
        optim.zero_grad()
        loss.backward()
        optim.step()
        record += [loss.item(), [numpy_of(p.grad) for p in img_siren.parameters()]]
    return record + [[numpy_of(p) for p in img_siren.parameters()]]


def test_siren_fits_an_image_as_torch(torch):
    torch.manual_seed(0)
    want = image_fitting_program(torch)
    got = image_fitting_program(start=want[0])
    assert_same(got[1:], want[1:])
    losses = [r for r in got if isinstance(r, float)]
    assert losses[-1] < losses[0] / 2


def poisson_program(torch=None, start=None) -> list:
    """The notebook's Poisson fit: supervise the SIREN's gradient with the image's
    Sobel gradient (``gradients_mse``), then read the image back off the network."""
    T, lib, optim, data, grad = libraries(torch)
    ndimage = pytest.importorskip("scipy.ndimage")
    _, Siren = siren_classes(T, lib)
    gradient, _, laplace = operators(T, grad)
    sidelength = 8
    img = digit_image()[0]
    grads_x = ndimage.sobel(img, axis=0)[..., None]
    grads_y = ndimage.sobel(img, axis=1)[..., None]
    grads_x, grads_y = T.from_numpy(grads_x), T.from_numpy(grads_y)
    gt = {'pixels': T.tensor(img).view(-1, 1),
          'grads': T.stack((grads_x, grads_y), dim=-1).view(-1, 2)}
    coords = get_mgrid(T, sidelength, 2)

    def gradients_mse(model_output, coords, gt_gradients):
        # compute gradients on the model
        gradients = gradient(model_output, coords)
        # compare them with the ground-truth
        gradients_loss = T.mean((gradients - gt_gradients).pow(2).sum(-1))
        return gradients_loss

    poisson_siren = Siren(in_features=2, out_features=1, hidden_features=32,
                          hidden_layers=2, outermost_linear=True)
    if start is not None:
        poisson_siren.load_state_dict(start)
    record = [{k: numpy_of(v) for k, v in poisson_siren.state_dict().items()}]
    optim = optim.Adam(lr=1e-3, params=poisson_siren.parameters())
    for step in range(8):
        model_output, model_coords = poisson_siren(coords[None])
        train_loss = gradients_mse(model_output, model_coords, gt['grads'][None])
        optim.zero_grad()
        train_loss.backward()
        optim.step()
        record += [train_loss.item(), [numpy_of(p.grad) for p in poisson_siren.parameters()]]
    model_output, model_coords = poisson_siren(coords[None])
    img_laplacian = laplace(model_output, model_coords)
    return record + [numpy_of(model_output), numpy_of(img_laplacian)]


def test_siren_poisson_fit_as_torch(torch):
    torch.manual_seed(1)
    want = poisson_program(torch)
    got = poisson_program(start=want[0])
    assert_same(got[1:], want[1:])
    assert got[-6] < got[1]  # the gradient loss went down


def activations_program(torch=None, start=None) -> list:
    """The notebook's activation statistics: intermediates keep their gradients
    (``retain_grad``) through one backward of the output's sum."""
    T, lib, _, _, _ = libraries(torch)
    _, Siren = siren_classes(T, lib)
    net = Siren(in_features=1, out_features=1, hidden_features=16, hidden_layers=2,
                outermost_linear=True)
    if start is not None:
        net.load_state_dict(start)
    input_signal = T.linspace(-1, 1, 65536 // 4096).view(1, 16, 1)
    activations = net.forward_with_activations(input_signal, retain_grad=True)
    output = activations[next(reversed(activations))]
    output.mean().backward()
    record = [{k: numpy_of(v) for k, v in net.state_dict().items()}, list(activations)]
    for key, activation in activations.items():
        record += [numpy_of(activation), activation.grad.numpy().copy()]
    return record


def test_siren_activation_statistics_as_torch(torch):
    torch.manual_seed(2)
    want = activations_program(torch)
    got = activations_program(start=want[0])
    assert_same(got[1:], want[1:])
