"""The Siamese network with the contrastive loss of Hadsell et al. as its readers write it
(harveyslash's "Facial-Similarity-with-Siamese-Networks-in-Pytorch", its first version),
shrunk to scikit-learn's 8x8 digits: ``SiameseNetworkDataset`` pairing images with
Python's ``random.choice``/``random.randint`` (same class about half the time) and the
label ``torch.from_numpy(np.array([int(a != b)], dtype=np.float32))``; ``cnn1`` of
``nn.ReflectionPad2d(1)``, convolutions, ``ReLU(inplace=True)`` and ``BatchNorm2d``,
``forward_once`` with ``output.view(output.size()[0], -1)``; ``ContrastiveLoss`` by
``F.pairwise_distance(output1, output2, keepdim=True)`` and ``torch.mean((1 - label) *
torch.pow(d, 2) + label * torch.pow(torch.clamp(self.margin - d, min=0.0), 2))``; Adam,
the loss history every few iterations; the test pairs' dissimilarity
``F.pairwise_distance(output1, output2)`` printed with ``'{:.2f}'.format(d.item())``.

Written once for a library ``torch`` and run step for step next to PyTorch's from the
same weights (float64; the float32 label promotes as in PyTorch): losses, printed lines,
gradients and parameters agree to 1e-10 (the last bias to 1e-7: distances do not change
when both embeddings shift alike, so its gradient is round-off, which Adam turns into
steps). Lines written differently: ``ImageFolder``, ``Image.open(...).convert("L")`` and
``ToTensor`` are the digits as tensors; ``.cuda()`` is left out; ``torch.utils.data`` is
``nn.data``; the ``DataLoader`` does not shuffle (the pairs are drawn at random already).
"""

import random

import numpy as np

from contrastive_helpers import assert_same_up_to_adam_noise, digits, grads, libraries, state


def siamese(theirs, images, labels, start=None, epochs=2, batch_size=8):
    torch, nn, F, optim, data = libraries(theirs)
    torch.manual_seed(0)
    random.seed(0)

    class SiameseNetworkDataset(data.Dataset):
        def __init__(self, imageFolderDataset, transform=None, should_invert=False):
            self.imageFolderDataset = imageFolderDataset
            self.transform = transform
            self.should_invert = should_invert

        def __getitem__(self, index):
            img0_tuple = random.choice(self.imageFolderDataset.imgs)
            # we need to make sure approx 50% of images are in the same class
            should_get_same_class = random.randint(0, 1)
            if should_get_same_class:
                while True:
                    # keep looping till the same class image is found
                    img1_tuple = random.choice(self.imageFolderDataset.imgs)
                    if img0_tuple[1] == img1_tuple[1]:
                        break
            else:
                while True:
                    # keep looping till a different class image is found
                    img1_tuple = random.choice(self.imageFolderDataset.imgs)
                    if img0_tuple[1] != img1_tuple[1]:
                        break
            img0, img1 = img0_tuple[0], img1_tuple[0]  # Image.open(...).convert("L")
            if self.transform is not None:
                img0 = self.transform(img0)
                img1 = self.transform(img1)
            return img0, img1, torch.from_numpy(
                np.array([int(img1_tuple[1] != img0_tuple[1])], dtype=np.float32))

        def __len__(self):
            return len(self.imageFolderDataset.imgs)

    class SiameseNetwork(nn.Module):
        def __init__(self):
            super(SiameseNetwork, self).__init__()
            self.cnn1 = nn.Sequential(
                nn.ReflectionPad2d(1), nn.Conv2d(1, 4, kernel_size=3),
                nn.ReLU(inplace=True), nn.BatchNorm2d(4),
                nn.ReflectionPad2d(1), nn.Conv2d(4, 8, kernel_size=3),
                nn.ReLU(inplace=True), nn.BatchNorm2d(8),
                nn.ReflectionPad2d(1), nn.Conv2d(8, 8, kernel_size=3),
                nn.ReLU(inplace=True), nn.BatchNorm2d(8))
            self.fc1 = nn.Sequential(
                nn.Linear(8 * 8 * 8, 50), nn.ReLU(inplace=True),
                nn.Linear(50, 50), nn.ReLU(inplace=True),
                nn.Linear(50, 5))

        def forward_once(self, x):
            output = self.cnn1(x)
            output = output.view(output.size()[0], -1)
            output = self.fc1(output)
            return output

        def forward(self, input1, input2):
            output1 = self.forward_once(input1)
            output2 = self.forward_once(input2)
            return output1, output2

    class ContrastiveLoss(nn.Module):
        """
        Contrastive loss function.
        Based on: http://yann.lecun.com/exdb/publis/pdf/hadsell-chopra-lecun-06.pdf
        """
        def __init__(self, margin=2.0):
            super(ContrastiveLoss, self).__init__()
            self.margin = margin

        def forward(self, output1, output2, label):
            euclidean_distance = F.pairwise_distance(output1, output2, keepdim=True)
            loss_contrastive = torch.mean(
                (1 - label) * torch.pow(euclidean_distance, 2)
                + (label) * torch.pow(torch.clamp(self.margin - euclidean_distance, min=0.0),
                                      2))
            return loss_contrastive

    class Folder:  # datasets.ImageFolder(root=...): .imgs of (image, class) pairs
        imgs = [(torch.tensor(image), int(label)) for image, label in zip(images, labels)]

    siamese_dataset = SiameseNetworkDataset(imageFolderDataset=Folder(), transform=None)
    train_dataloader = data.DataLoader(siamese_dataset, shuffle=False, num_workers=0,
                                       batch_size=batch_size)
    net = SiameseNetwork()
    if start is not None:
        net.load_state_dict({k: torch.tensor(v) for k, v in start.items()})
    record = [state(net)]
    criterion = ContrastiveLoss()
    optimizer = optim.Adam(net.parameters(), lr=0.0005)
    counter = []
    loss_history = []
    iteration_number = 0
    printed = []
    for epoch in range(0, epochs):
        for i, data_ in enumerate(train_dataloader, 0):
            img0, img1, label = data_
            optimizer.zero_grad()
            output1, output2 = net(img0, img1)
            loss_contrastive = criterion(output1, output2, label)
            loss_contrastive.backward()
            optimizer.step()
            record += [loss_contrastive.item(), grads(net)]
            if i % 2 == 0:
                printed.append("Epoch number {}\n Current loss {}\n".format(
                    epoch, loss_contrastive.item()))
                iteration_number += 2
                counter.append(iteration_number)
                loss_history.append(loss_contrastive.item())
    net.eval()
    test_dataloader = data.DataLoader(siamese_dataset, num_workers=0, batch_size=1,
                                      shuffle=False)
    dataiter = iter(test_dataloader)
    x0, _, _ = next(dataiter)
    for i in range(3):
        _, x1, label2 = next(dataiter)
        output1, output2 = net(x0, x1)
        euclidean_distance = F.pairwise_distance(output1, output2)
        printed.append('Dissimilarity: {:.2f}'.format(euclidean_distance.item()))
        record.append(label2.numpy())
    return record + [loss_history, state(net)], printed


def test_siamese_contrastive_loss_trains_as_torch(torch):
    images, labels = digits(24)
    want, want_printed = siamese(torch, images, labels)
    got, got_printed = siamese(None, images, labels, start=want[0])
    assert_same_up_to_adam_noise(got[1:], want[1:], ("fc1.4.bias",))
    assert [line[:24] for line in got_printed] == [line[:24] for line in want_printed]
