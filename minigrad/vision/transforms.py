"""torchvision.transforms for numpy images and minigrad Tensors."""
