"""Items/s of a DataLoader over a CPU-heavy synthetic data set with 0, 1 and 2 workers.

    PYTHONPATH=. python benchmarks/dataloader_workers.py

Each item does some numpy work (FFT filtering of a 64x64 image), as an augmentation
pipeline would. On an idle 2-core machine 2 workers should give about 1.5x or more over
0 workers; with the cores shared the figures say nothing.
"""

import os
import time

import numpy as np

from minigrad.utils.data import DataLoader, Dataset


class Heavy(Dataset):
    def __init__(self, size=1024, rounds=20):
        self.size, self.rounds = size, rounds

    def __len__(self):
        return self.size

    def __getitem__(self, i):
        image = np.random.default_rng(i).random((64, 64), dtype=np.float32)
        for _ in range(self.rounds):
            image = np.abs(np.fft.ifft2(np.fft.fft2(image) * 0.5)).astype(np.float32)
        return image, i


def main():
    print(f"cores available: {len(os.sched_getaffinity(0))}, load: {os.getloadavg()[0]:.1f}")
    rates = {}
    for workers in (0, 1, 2):
        loader = DataLoader(Heavy(), batch_size=32, shuffle=True, num_workers=workers)
        start = time.perf_counter()
        count = sum(len(labels) for _, labels in loader)
        rates[workers] = count / (time.perf_counter() - start)
        print(f"num_workers={workers}: {rates[workers]:7.0f} items/s")
    print(f"2 workers / 0 workers: {rates[2] / rates[0]:.2f}x")


if __name__ == "__main__":
    main()
