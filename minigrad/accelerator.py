"""``mg.accelerator``: as ``torch.accelerator`` on a machine without one."""


def is_available():
    return False


def current_accelerator(check_available=False):
    """None: no accelerator is present."""
    return None


def device_count():
    return 0
