"""minigrad's benchmarks: ``python -m benchmarks.run`` (see benchmarks/run.py).

``models`` builds Models S and K with minigrad or PyTorch from the same code;
``reference_loops`` trains Model S one image at a time with Python loops, the founding
documents' method, as the baseline that vectorisation and autograd are measured against.
"""
