import torch


class Compose:
    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img


class ToTensor:
    def __call__(self, img):
        x = torch.from_numpy(img)
        if x.ndim == 2:
            x = x[None]
        else:
            x = x.permute(2, 0, 1)
        return x.float().div(255) if x.dtype == torch.uint8 else x.float()


class Normalize:
    def __init__(self, mean, std):
        self.mean = torch.tensor(mean).view(-1, 1, 1)
        self.std = torch.tensor(std).view(-1, 1, 1)

    def __call__(self, x):
        return (x - self.mean) / self.std


class RandomCrop:
    def __init__(self, size, padding=0):
        self.size = (size, size) if isinstance(size, int) else tuple(size)
        self.padding = padding

    def __call__(self, x):
        if self.padding:
            x = torch.nn.functional.pad(x, [self.padding] * 4)
        h, w = x.shape[-2:]
        th, tw = self.size
        i = int(torch.randint(0, h - th + 1, (1,)))
        j = int(torch.randint(0, w - tw + 1, (1,)))
        return x[..., i:i + th, j:j + tw]


class Lambda:
    def __init__(self, fn):
        self.fn = fn

    def __call__(self, x):
        return self.fn(x)
