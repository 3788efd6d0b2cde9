"""DINO (self-distillation with no labels, Caron et al. 2021) as its readers write it
(facebookresearch/dino's ``main_dino.py``, ``utils.py``, ``vision_transformer.py``), shrunk
to scikit-learn's 8x8 digits:

``MultiCropWrapper`` (``backbone.fc, backbone.head = nn.Identity(), nn.Identity()``; the
crops grouped by resolution with ``torch.cumsum(torch.unique_consecutive(torch.tensor(
[inp.shape[-1] for inp in x]), return_counts=True)[1], 0)``, ``x[start_idx: end_idx]``
sliced by 0-d tensors, ``output = torch.empty(0)`` grown by ``torch.cat((output, _out))``),
``DINOHead`` (``self.apply(self._init_weights)`` with ``trunc_normal_``, ``nn.GELU``,
``nn.functional.normalize(x, dim=-1, p=2)``, a weight-normalised last layer whose
magnitude is filled with 1 and frozen), ``DINOLoss`` (``register_buffer("center", ...)``,
the teacher temperature schedule by ``np.concatenate((np.linspace(...), np.ones(...) *
teacher_temp))``, ``student_out.chunk(self.ncrops)``, ``F.softmax((teacher_output -
self.center) / temp, dim=-1)`` with a NumPy float temperature, ``.detach().chunk(2)``,
``torch.sum(-q * F.log_softmax(student_out[v], dim=-1), dim=-1)``, ``total_loss +=``
and ``/=``, the centre updated under ``@torch.no_grad()`` by reassigning the buffer),
``get_params_groups`` (no weight decay on biases), ``cosine_scheduler`` for the lr, weight
decay and momentum, per-iteration ``param_group["lr"] = lr_schedule[it]``, the teacher
loaded from the student's state dict and frozen, ``math.isfinite(loss.item())``,
``clip_gradients`` and ``cancel_gradients_last_layer`` (``p.grad = None``), AdamW, and
the teacher's EMA under ``torch.no_grad()``.

Written once for a library ``torch`` and run step for step next to PyTorch's from the
same weights (float64): losses, gradient norms, gradients, student, teacher and centre
agree to 1e-10. Lines written differently here:
- ``.data`` is the NumPy array here (by design): ``self.last_layer.weight_g.data.fill_(1)``
  is NumPy's ``.data.fill(1)``; ``p.grad.data.norm(2)`` and ``p.grad.data.mul_(c)`` are
  ``p.grad.norm(2)`` and ``p.grad.mul_(c)``; the EMA ``param_k.data.mul_(m).add_((1 - m)
  * param_q.detach().data)`` is ``param_k.mul_(m).add_((1 - m) * param_q.detach())``
  (under ``no_grad``, as it is);
- ``nn.utils.weight_norm`` (deprecated in PyTorch) is ``nn.utils.parametrizations
  .weight_norm`` in both (its ``weight_g`` is ``parametrizations.weight.original0``);
- the ViT is a small convolutional stand-in, ``dist.all_reduce`` (one process), the
  ``MetricLogger`` and the fp16 scaler are left out, ``student.module`` is ``student``.
"""

import math

import numpy as np

from contrastive_helpers import augmentations, digits, grads, libraries, state
from test_pytorch_ports_pinn import assert_same


def dino(theirs, images, labels, start=None, batch_size=8, epochs=2, out_dim=10):
    torch, nn, F, optim, data = libraries(theirs)
    torch.manual_seed(0)

    class Backbone(nn.Module):
        """A stand-in for ``vits.__dict__[args.arch](patch_size=...)``: any crop size."""
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 6, 3, padding=1)
            self.act = nn.GELU()
            self.pool = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Linear(6, 5)

        def forward(self, x):
            return self.fc(torch.flatten(self.pool(self.act(self.conv(x))), 1))

    class MultiCropWrapper(nn.Module):
        def __init__(self, backbone, head):
            super(MultiCropWrapper, self).__init__()
            # disable layers dedicated to ImageNet labels classification
            backbone.fc, backbone.head = nn.Identity(), nn.Identity()
            self.backbone = backbone
            self.head = head

        def forward(self, x):
            # convert to list
            if not isinstance(x, list):
                x = [x]
            idx_crops = torch.cumsum(torch.unique_consecutive(
                torch.tensor([inp.shape[-1] for inp in x]),
                return_counts=True,
            )[1], 0)
            start_idx, output = 0, torch.empty(0).to(x[0].device)
            for end_idx in idx_crops:
                _out = self.backbone(torch.cat(x[start_idx: end_idx]))
                # The output is a tuple with XCiT model. See:
                # https://github.com/facebookresearch/xcit/blob/master/xcit.py#L404-L405
                if isinstance(_out, tuple):
                    _out = _out[0]
                # accumulate outputs
                output = torch.cat((output, _out))
                start_idx = end_idx
            # Run the head forward on the concatenated features.
            return self.head(output)

    class DINOHead(nn.Module):
        def __init__(self, in_dim, out_dim, use_bn=False, norm_last_layer=True, nlayers=3,
                     hidden_dim=2048, bottleneck_dim=256):
            super().__init__()
            nlayers = max(nlayers, 1)
            layers = [nn.Linear(in_dim, hidden_dim)]
            layers.append(nn.GELU())
            for _ in range(nlayers - 2):
                layers.append(nn.Linear(hidden_dim, hidden_dim))
                layers.append(nn.GELU())
            layers.append(nn.Linear(hidden_dim, bottleneck_dim))
            self.mlp = nn.Sequential(*layers)
            self.apply(self._init_weights)
            self.last_layer = nn.utils.parametrizations.weight_norm(
                nn.Linear(bottleneck_dim, out_dim, bias=False))
            magnitude = self.last_layer.parametrizations.weight.original0
            if theirs is not None:
                magnitude.data.fill_(1)
            else:  # .data is the NumPy array: NumPy's fill
                magnitude.data.fill(1)
            if norm_last_layer:
                magnitude.requires_grad = False

        def _init_weights(self, m):
            if isinstance(m, nn.Linear):
                nn.init.trunc_normal_(m.weight, std=.02)
                if isinstance(m, nn.Linear) and m.bias is not None:
                    nn.init.constant_(m.bias, 0)

        def forward(self, x):
            x = self.mlp(x)
            x = nn.functional.normalize(x, dim=-1, p=2)
            x = self.last_layer(x)
            return x

    class DINOLoss(nn.Module):
        def __init__(self, out_dim, ncrops, warmup_teacher_temp, teacher_temp,
                     warmup_teacher_temp_epochs, nepochs, student_temp=0.1,
                     center_momentum=0.9):
            super().__init__()
            self.student_temp = student_temp
            self.center_momentum = center_momentum
            self.ncrops = ncrops
            self.register_buffer("center", torch.zeros(1, out_dim))
            # we apply a warm up for the teacher temperature because
            # a too high temperature makes the training instable at the beginning
            self.teacher_temp_schedule = np.concatenate((
                np.linspace(warmup_teacher_temp, teacher_temp, warmup_teacher_temp_epochs),
                np.ones(nepochs - warmup_teacher_temp_epochs) * teacher_temp
            ))

        def forward(self, student_output, teacher_output, epoch):
            """
            Cross-entropy between softmax outputs of the teacher and student networks.
            """
            student_out = student_output / self.student_temp
            student_out = student_out.chunk(self.ncrops)
            # teacher centering and sharpening
            temp = self.teacher_temp_schedule[epoch]
            teacher_out = F.softmax((teacher_output - self.center) / temp, dim=-1)
            teacher_out = teacher_out.detach().chunk(2)
            total_loss = 0
            n_loss_terms = 0
            for iq, q in enumerate(teacher_out):
                for v in range(len(student_out)):
                    if v == iq:
                        # we skip cases where student and teacher operate on the same view
                        continue
                    loss = torch.sum(-q * F.log_softmax(student_out[v], dim=-1), dim=-1)
                    total_loss += loss.mean()
                    n_loss_terms += 1
            total_loss /= n_loss_terms
            self.update_center(teacher_output)
            return total_loss

        @torch.no_grad()
        def update_center(self, teacher_output):
            """
            Update center used for teacher output.
            """
            batch_center = torch.sum(teacher_output, dim=0, keepdim=True)
            batch_center = batch_center / len(teacher_output)  # * dist.get_world_size()
            # ema update
            self.center = (self.center * self.center_momentum
                           + batch_center * (1 - self.center_momentum))

    def cosine_scheduler(base_value, final_value, epochs, niter_per_ep, warmup_epochs=0,
                         start_warmup_value=0):
        warmup_schedule = np.array([])
        warmup_iters = warmup_epochs * niter_per_ep
        if warmup_epochs > 0:
            warmup_schedule = np.linspace(start_warmup_value, base_value, warmup_iters)
        iters = np.arange(epochs * niter_per_ep - warmup_iters)
        schedule = final_value + 0.5 * (base_value - final_value) * (
            1 + np.cos(np.pi * iters / len(iters)))
        schedule = np.concatenate((warmup_schedule, schedule))
        assert len(schedule) == epochs * niter_per_ep
        return schedule

    def get_params_groups(model):
        regularized = []
        not_regularized = []
        for name, param in model.named_parameters():
            if not param.requires_grad:
                continue
            # we do not regularize biases nor Norm parameters
            if name.endswith(".bias") or len(param.shape) == 1:
                not_regularized.append(param)
            else:
                regularized.append(param)
        return [{'params': regularized}, {'params': not_regularized, 'weight_decay': 0.}]

    def clip_gradients(model, clip):
        norms = []
        for name, p in model.named_parameters():
            if p.grad is not None:
                param_norm = p.grad.norm(2)  # p.grad.data.norm(2)
                norms.append(param_norm.item())
                clip_coef = clip / (param_norm + 1e-6)
                if clip_coef < 1:
                    p.grad.mul_(clip_coef)  # p.grad.data.mul_(clip_coef)
        return norms

    def cancel_gradients_last_layer(epoch, model, freeze_last_layer):
        if epoch >= freeze_last_layer:
            return
        for n, p in model.named_parameters():
            if "last_layer" in n:
                p.grad = None

    class DataAugmentationDINO(object):
        def __init__(self, local_crops_number):
            self.global_transfo = augmentations(torch, F)
            self.local_crops_number = local_crops_number

        def __call__(self, image):
            crops = [self.global_transfo(image), self.global_transfo(image)]
            for _ in range(self.local_crops_number):
                i, j = torch.randint(0, 3, (2,)).tolist()
                crops.append(self.global_transfo(image)[:, i:i + 6, j:j + 6])
            return crops

    class Crops:
        def __init__(self, transform):
            self.transform = transform

        def __len__(self):
            return len(images)

        def __getitem__(self, index):
            return self.transform(torch.tensor(images[index])), int(labels[index])

    student = MultiCropWrapper(Backbone(), DINOHead(6, out_dim, nlayers=3, hidden_dim=8,
                                                    bottleneck_dim=4))
    teacher = MultiCropWrapper(Backbone(), DINOHead(6, out_dim, nlayers=3, hidden_dim=8,
                                                    bottleneck_dim=4))
    if start is not None:
        student.load_state_dict({k: torch.tensor(v) for k, v in start.items()})
    # teacher and student start with the same weights
    teacher.load_state_dict(student.state_dict())
    # there is no backpropagation through the teacher, so no need for gradients
    for p in teacher.parameters():
        p.requires_grad = False
    record = [state(student)]
    data_loader = data.DataLoader(Crops(DataAugmentationDINO(local_crops_number=2)),
                                  batch_size=batch_size, drop_last=True)
    dino_loss = DINOLoss(out_dim, 2 + 2, 0.04, 0.07, 1, epochs)
    optimizer = optim.AdamW(get_params_groups(student))  # to use with ViTs
    lr_schedule = cosine_scheduler(5e-3 * batch_size / 256., 1e-6, epochs, len(data_loader),
                                   warmup_epochs=1)
    wd_schedule = cosine_scheduler(0.04, 0.4, epochs, len(data_loader))
    momentum_schedule = cosine_scheduler(0.9, 1, epochs, len(data_loader))
    for epoch in range(epochs):
        for it, (images_, _) in enumerate(data_loader):
            it = len(data_loader) * epoch + it  # global training iteration
            for i, param_group in enumerate(optimizer.param_groups):
                param_group["lr"] = lr_schedule[it]
                if i == 0:  # only the first group is regularized
                    param_group["weight_decay"] = wd_schedule[it]
            teacher_output = teacher(images_[:2])  # only the 2 global views
            student_output = student(images_)
            loss = dino_loss(student_output, teacher_output, epoch)
            assert math.isfinite(loss.item()), "Loss is {}".format(loss.item())
            optimizer.zero_grad()
            loss.backward()
            param_norms = clip_gradients(student, 3.0)
            cancel_gradients_last_layer(epoch, student, 1)
            record += [loss.item(), param_norms, grads(student)]
            optimizer.step()
            # EMA update for the teacher
            with torch.no_grad():
                m = momentum_schedule[it]  # momentum parameter
                for param_q, param_k in zip(student.parameters(), teacher.parameters()):
                    param_k.mul_(m).add_((1 - m) * param_q.detach())  # see the docstring
            record += [state(student), state(teacher), dino_loss.center.numpy().copy()]
    return record


def test_dino_trains_as_torch(torch):
    images, labels = digits(24)
    want = dino(torch, images, labels)
    got = dino(None, images, labels, start=want[0])
    assert_same(got[1:], want[1:])
