""""Deep Learning with PyTorch", part 2 (the LUNA lung-nodule project, dlwpt-code's
``p2ch11``-``p2ch13``), as its readers type it: ``LunaModel`` (3-D convolutions, the
``_init_weights`` loop over ``self.modules()`` with ``nn.init`` on ``m.weight.data``),
``computeBatchLoss`` with ``CrossEntropyLoss(reduction='none')`` writing a metrics tensor,
``logMetrics``' masks; ``SegmentationAugmentation`` (a 3 x 3 transform built in place,
``transform_t @= rotation_t``, ``affine_grid`` and ``grid_sample``) and the dice loss of
the segmentation model. Next to PyTorch from the same weights, as
``test_pytorch_ports_dlwpt.py`` (whose notes apply).

Sizes are shrunk: 2 blocks on 8 x 12 x 12 crops (the book: 4 on 32 x 48 x 48, hence its
``nn.Linear(576, 2)``, here ``nn.Linear(144, 2)``), and a two-layer stand-in for the
book's ``UNet`` (``util/unet.py``, not part of the book's text). ``random.random()`` is
the module's, seeded before each run.
"""

import math
import random

import numpy as np

import autograd as ag
import nn
from test_pytorch_ports_dlwpt import assert_records, libraries

METRICS_LABEL_NDX, METRICS_PRED_NDX, METRICS_LOSS_NDX, METRICS_SIZE = 0, 1, 2, 3


def same_start(ours, theirs) -> None:
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


def luna_model(T, lib):
    class LunaModel(lib.Module):
        def __init__(self, layer_count=2, in_channels=1, conv_channels=4):
            super().__init__()
            # dlwpt-code: nn.BatchNorm2d(1), which PyTorch 2 refuses for these 5-d
            # crops ("expected 4D input"), as we do: BatchNorm3d normalises them
            self.input_batchnorm = lib.BatchNorm3d(1)
            layer_list = []
            for layer_ndx in range(layer_count):
                layer_list += [
                    lib.Conv3d(in_channels, conv_channels, kernel_size=3, padding=1,
                               bias=True),
                    lib.ReLU(inplace=True),
                    lib.Conv3d(conv_channels, conv_channels, kernel_size=3, padding=1,
                               bias=True),
                    lib.ReLU(inplace=True),
                    lib.MaxPool3d(2, 2),
                ]
                in_channels = conv_channels
                conv_channels *= 2
            self.convAndPool_seq = lib.Sequential(*layer_list)
            self.fullyConnected_layer = lib.Linear(144, 2)
            self.final = lib.Softmax(dim=1)
            self._init_weights()

        def _init_weights(self):
            for m in self.modules():
                if type(m) in {lib.Conv2d, lib.Conv3d, lib.ConvTranspose2d,
                               lib.ConvTranspose3d, lib.Linear}:
                    lib.init.kaiming_normal_(m.weight.data, a=0, mode='fan_out',
                                             nonlinearity='relu')
                    if m.bias is not None:
                        fan_in, fan_out = lib.init._calculate_fan_in_and_fan_out(
                            m.weight.data)
                        bound = 1 / math.sqrt(fan_out)
                        lib.init.normal_(m.bias, -bound, bound)

        def forward(self, input_batch):
            bn_output = self.input_batchnorm(input_batch)
            conv_output = self.convAndPool_seq(bn_output)
            conv_flat = conv_output.view(conv_output.size(0), -1)
            classifier_output = self.fullyConnected_layer(conv_flat)
            return classifier_output, self.final(classifier_output)

    return LunaModel()


def compute_batch_loss(T, lib, model, batch_ndx, batch_tup, batch_size, metrics_g):
    input_t, label_t = batch_tup
    input_g = input_t.to('cpu', non_blocking=True)
    label_g = label_t.to('cpu', non_blocking=True)
    logits_g, probability_g = model(input_g)
    loss_func = lib.CrossEntropyLoss(reduction='none')
    loss_g = loss_func(logits_g, label_g[:, 1])
    start_ndx = batch_ndx * batch_size
    end_ndx = start_ndx + label_t.size(0)
    metrics_g[METRICS_LABEL_NDX, start_ndx:end_ndx] = label_g[:, 1].detach()
    metrics_g[METRICS_PRED_NDX, start_ndx:end_ndx] = probability_g[:, 1].detach()
    metrics_g[METRICS_LOSS_NDX, start_ndx:end_ndx] = loss_g.detach()
    return loss_g.mean()


def log_metrics(metrics_t, record, classificationThreshold=0.5):
    negLabel_mask = metrics_t[METRICS_LABEL_NDX] <= classificationThreshold
    negPred_mask = metrics_t[METRICS_PRED_NDX] <= classificationThreshold
    posLabel_mask = ~negLabel_mask
    posPred_mask = ~negPred_mask
    neg_count = int(negLabel_mask.sum())
    pos_count = int(posLabel_mask.sum())
    neg_correct = int((negLabel_mask & negPred_mask).sum())
    pos_correct = int((posLabel_mask & posPred_mask).sum())
    metrics_dict = {}
    metrics_dict['loss/all'] = metrics_t[METRICS_LOSS_NDX].mean()
    metrics_dict['loss/neg'] = metrics_t[METRICS_LOSS_NDX, negLabel_mask].mean()
    metrics_dict['loss/pos'] = metrics_t[METRICS_LOSS_NDX, posLabel_mask].mean()
    metrics_dict['correct/all'] = (pos_correct + neg_correct) / np.float32(
        metrics_t.shape[1]) * 100
    record += [neg_count, pos_count, neg_correct + pos_correct]
    record += [float(v) for v in metrics_dict.values()]


def _luna(T, lib, optim, model, crops, labels, record) -> None:
    optimizer = optim.SGD(model.parameters(), lr=0.001, momentum=0.99)
    batch_size = 2
    trnMetrics_g = T.zeros(METRICS_SIZE, len(crops))
    model.train()
    for batch_ndx in range(len(crops) // batch_size):
        batch = slice(batch_ndx * batch_size, (batch_ndx + 1) * batch_size)
        batch_tup = (T.tensor(crops[batch]), T.tensor(labels[batch]))
        optimizer.zero_grad()
        loss_var = compute_batch_loss(T, lib, model, batch_ndx, batch_tup, batch_size,
                                      trnMetrics_g)
        loss_var.backward()
        optimizer.step()
        record += [loss_var.item(), model.fullyConnected_layer.weight.grad.numpy().copy()]
    record.append(trnMetrics_g.to('cpu').numpy())
    log_metrics(trnMetrics_g.to('cpu'), record)


def test_luna_classifier(torch) -> None:
    rng = np.random.default_rng(0)
    crops = rng.normal(size=(4, 1, 8, 12, 12))
    is_nodule = np.array([0, 1, 1, 0])
    labels = np.stack([1 - is_nodule, is_nodule], axis=1).astype(np.int64)  # one-hot
    theirs, ours = luna_model(*libraries(torch)[:2]), luna_model(*libraries()[:2])
    same_start(ours, theirs)
    got, want = [], []
    _luna(*libraries(torch), theirs, crops, labels, want)
    _luna(*libraries(), ours, crops, labels, got)
    assert_records(got, want)


# ------------------------------------------------------------------ segmentation (p2ch13)
def segmentation_models(T, lib, F):
    class SegmentationAugmentation(lib.Module):
        def __init__(self, flip=None, offset=None, scale=None, rotate=None, noise=None):
            super().__init__()
            self.flip = flip
            self.offset = offset
            self.scale = scale
            self.rotate = rotate
            self.noise = noise

        def forward(self, input_g, label_g):
            transform_t = self._build2dTransformMatrix()
            transform_t = transform_t.expand(input_g.shape[0], -1, -1)
            transform_t = transform_t.to(input_g.device, T.float32)
            affine_t = F.affine_grid(transform_t[:, :2], input_g.size(), align_corners=False)
            augmented_input_g = F.grid_sample(input_g, affine_t, padding_mode='border',
                                              align_corners=False)
            augmented_label_g = F.grid_sample(label_g.to(T.float32), affine_t,
                                              padding_mode='border', align_corners=False)
            if self.noise:
                noise_t = T.randn_like(augmented_input_g)
                noise_t *= self.noise
                augmented_input_g += noise_t
            return augmented_input_g, augmented_label_g

        def _build2dTransformMatrix(self):
            transform_t = T.eye(3).to(T.float64)
            for i in range(2):
                if self.flip:
                    if random.random() > 0.5:
                        transform_t[i, i] *= -1
                if self.offset:
                    offset_float = self.offset
                    random_float = (random.random() * 2 - 1)
                    transform_t[2, i] = offset_float * random_float
                if self.scale:
                    scale_float = self.scale
                    random_float = (random.random() * 2 - 1)
                    transform_t[i, i] *= 1.0 + scale_float * random_float
            if self.rotate:
                angle_rad = random.random() * math.pi * 2
                s = math.sin(angle_rad)
                c = math.cos(angle_rad)
                rotation_t = T.tensor([
                    [c, -s, 0],
                    [s, c, 0],
                    [0, 0, 1],
                ], dtype=T.float64)
                transform_t @= rotation_t
            return transform_t

    class UNetWrapper(lib.Module):
        def __init__(self, **kwargs):
            super().__init__()
            self.input_batchnorm = lib.BatchNorm2d(kwargs['in_channels'])
            self.unet = lib.Sequential(  # a stand-in for the book's UNet(**kwargs)
                lib.Conv2d(kwargs['in_channels'], 4, kernel_size=3, padding=1), lib.ReLU(),
                lib.Conv2d(4, kwargs['n_classes'], kernel_size=1))
            self.final = lib.Sigmoid()

        def forward(self, input_batch):
            bn_output = self.input_batchnorm(input_batch)
            un_output = self.unet(bn_output)
            fn_output = self.final(un_output)
            return fn_output

    return SegmentationAugmentation, UNetWrapper


def dice_loss(prediction_g, label_g, epsilon=1):
    diceLabel_g = label_g.sum(dim=[1, 2, 3])
    dicePrediction_g = prediction_g.sum(dim=[1, 2, 3])
    diceCorrect_g = (prediction_g * label_g).sum(dim=[1, 2, 3])
    diceRatio_g = (2 * diceCorrect_g + epsilon) / (dicePrediction_g + diceLabel_g + epsilon)
    return 1 - diceRatio_g


def _segmentation(T, lib, optim, model, input_g, label_g, record) -> None:
    optimizer = optim.Adam(model.parameters())
    metrics_g = T.zeros(4, input_g.shape[0])
    for step in range(2):
        prediction_g = model(input_g)
        diceLoss_g = dice_loss(prediction_g, label_g)
        fnLoss_g = dice_loss(prediction_g * label_g, label_g)
        with T.no_grad():
            predictionBool_g = (prediction_g[:, 0:1] > 0.5).to(T.float32)
            metrics_g[0] = diceLoss_g

            def intersectionSum(a, b):
                return (a * b).sum(dim=[1, 2, 3])

            metrics_g[1] = intersectionSum(predictionBool_g, label_g)
            metrics_g[2] = intersectionSum(1 - predictionBool_g, label_g)
            metrics_g[3] = intersectionSum(predictionBool_g, ~label_g)
        loss = diceLoss_g.mean() + fnLoss_g.mean() * 2**3
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        record += [loss.item(), model.unet[0].weight.grad.numpy().copy(),
                   metrics_g[0].numpy().copy()]


def test_segmentation_augmentation_and_dice_loss(torch) -> None:
    rng = np.random.default_rng(1)
    images = rng.normal(size=(2, 3, 10, 10)).astype(np.float32)  # the book's float32
    masks = np.zeros((2, 1, 10, 10), dtype=bool)
    masks[:, :, 3:7, 2:6] = True
    runs = []
    for T, lib, F in ((torch, torch.nn, torch.nn.functional), (*libraries()[:2], nn.functional)):
        SegmentationAugmentation, UNetWrapper = segmentation_models(T, lib, F)
        augmentation_model = SegmentationAugmentation(flip=True, offset=0.1, scale=0.2,
                                                      rotate=True)
        random.seed(3)
        input_g, label_g = augmentation_model(T.tensor(images), T.tensor(masks))
        runs.append([input_g.dtype, input_g.numpy(), label_g.numpy()])
    assert str(runs[0][0]).removeprefix("torch.") == str(runs[1][0]) == "float32"
    assert_records(runs[1][1:], runs[0][1:], rtol=1e-5, atol=1e-6)
    away_from_half = np.abs(runs[0][2] - 0.5) > 1e-3  # the book thresholds at 0.5
    label_np = np.where(away_from_half, runs[0][2] > 0.5, masks)
    got, want = [], []
    models = [segmentation_models(*libs)[1](in_channels=3, n_classes=1)
              for libs in ((torch, torch.nn, torch.nn.functional),
                           (*libraries()[:2], nn.functional))]
    same_start(models[1], models[0])
    inputs = runs[0][1].astype(np.float64)
    _segmentation(*libraries(torch), models[0], torch.tensor(inputs), torch.tensor(label_np),
                  want)
    _segmentation(*libraries(), models[1], ag.tensor(inputs), ag.tensor(label_np), got)
    assert_records(got, want)
