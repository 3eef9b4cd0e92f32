#!/usr/bin/env python3
"""The network of `collapse train` in PyTorch, with the same module names, so that its state_dict and the
toolkit's weights files (`collapse train --init`, `--export-weights`) are interchangeable.

  stem:   "cifar":    conv3x3(C_in -> w, stride 1, pad 1) -> BN -> ReLU          (kuangliu/pytorch-cifar)
          "imagenet": conv7x7(stride 2, pad 3) -> BN -> ReLU -> maxpool 3x3 (stride 2, pad 1) (torchvision)
  stages: layer1..layerS, blocks[s] basic blocks of w*2^s channels, the first with stride 2 for s >= 1
  pool:   global average pooling
  head:   head.0, head.1, ...: Linear [+ bias] -> ReLU  (nn.ModuleList: names head.<i>.weight)
  fc:     Linear(K) [+ bias]

init = "torchvision": convolutions kaiming_normal_(mode="fan_out", nonlinearity="relu"), BN 1/0, head layers
kaiming_normal_(mode="fan_in", nonlinearity="relu") with zero bias, fc left at nn.Linear's default;
init = "pytorch": every module keeps its PyTorch default (kaiming_uniform_(a=sqrt(5)) and nn.Linear's bias).
docs/networks.md ("Initialization", "PyTorch weights in and out") gives the formulas.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Sequential()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class NCResNet(nn.Module):
    def __init__(self, in_channels=1, width=16, blocks=(2, 2, 2, 2), head_widths=(), head_bias=False,
                 classes=10, classifier_bias=False, stem="cifar", init="torchvision"):
        super().__init__()
        if stem == "cifar":
            self.conv1 = nn.Conv2d(in_channels, width, 3, 1, 1, bias=False)
            self.maxpool = None
        elif stem == "imagenet":
            self.conv1 = nn.Conv2d(in_channels, width, 7, 2, 3, bias=False)
            self.maxpool = nn.MaxPool2d(3, 2, 1)
        else:
            raise ValueError(f"stem must be 'cifar' or 'imagenet', got {stem!r}")
        self.bn1 = nn.BatchNorm2d(width)
        cin = width
        for s, count in enumerate(blocks):
            cout = width << s
            layer = [BasicBlock(cin if j == 0 else cout, cout, 2 if (j == 0 and s > 0) else 1) for j in range(count)]
            setattr(self, f"layer{s + 1}", nn.Sequential(*layer))
            cin = cout
        self.stages = len(blocks)
        self.head = nn.ModuleList()
        for h in head_widths:
            self.head.append(nn.Linear(cin, h, bias=head_bias))
            cin = h
        self.fc = nn.Linear(cin, classes, bias=classifier_bias)
        if init == "torchvision":
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.constant_(m.weight, 1)
                    nn.init.constant_(m.bias, 0)
            for lin in self.head:
                nn.init.kaiming_normal_(lin.weight, mode="fan_in", nonlinearity="relu")
                if lin.bias is not None:
                    nn.init.zeros_(lin.bias)
        elif init != "pytorch":
            raise ValueError(f"init must be 'torchvision' or 'pytorch', got {init!r}")

    def features(self, x):
        """Every measured layer: stage1..stageS pooled, then head1..headM after their ReLU."""
        out = F.relu(self.bn1(self.conv1(x)))
        if self.maxpool is not None:
            out = self.maxpool(out)
        feats = []
        for s in range(self.stages):
            out = getattr(self, f"layer{s + 1}")(out)
            feats.append(out.mean(dim=(2, 3)))
        h = feats[-1]
        for lin in self.head:
            h = F.relu(lin(h))
            feats.append(h)
        return feats

    def forward(self, x):
        return self.fc(self.features(x)[-1])

    def parameter_groups(self, wd_backbone, wd_head, wd_classifier):
        """The toolkit's three weight-decay groups: backbone (convolutions, BN), head, classifier."""
        backbone = [p for n, p in self.named_parameters() if not n.startswith(("head.", "fc."))]
        return [{"params": backbone, "weight_decay": wd_backbone},
                {"params": list(self.head.parameters()), "weight_decay": wd_head},
                {"params": list(self.fc.parameters()), "weight_decay": wd_classifier}]


def loss_fn(kind, logits, labels, classes):
    """'mse': nn.MSELoss() against one-hot targets (mean over B*K); 'ce': cross-entropy, batch mean."""
    if kind == "mse":
        return F.mse_loss(logits, F.one_hot(labels, classes).to(logits.dtype))
    return F.cross_entropy(logits, labels)
