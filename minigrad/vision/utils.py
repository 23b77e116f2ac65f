"""torchvision.utils: make_grid and save_image."""
