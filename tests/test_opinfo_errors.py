"""PyTorch's own OpInfo ``error_inputs`` for minigrad's torch-level ops.

For each entry of test_opinfo's ``OPINFOS`` that has an ``error_inputs_func``, every error
sample runs through minigrad's function and method (converted as test_opinfo converts samples)
and must raise PyTorch's ``error_type`` (or a subclass), from minigrad rather than from inside
numpy. Samples whose point minigrad cannot reproduce are skipped by the rules in ``_skip``, each
with its reason; an entry whose samples are all skipped is skipped with those reasons.
"""

import inspect
import warnings

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("expecttest")

from test_opinfo import OPINFOS, _calls, _convert  # noqa: E402

ERROR_OPS = {name: op for name, op in OPINFOS.items() if op.error_inputs_func is not None}


def _leaves(x):
    if isinstance(x, list | tuple):
        return [v for item in x for v in _leaves(item)]
    if isinstance(x, dict):
        return [v for item in x.values() for v in _leaves(item)]
    return [x]


def _takes_out(call):
    try:
        parameters = inspect.signature(call).parameters
    except (TypeError, ValueError):
        return True
    return "out" in parameters or any(p.kind is p.VAR_KEYWORD for p in parameters.values())


def _skip(error_input, kind, call):
    """The reason minigrad cannot reproduce this error sample, or None when it can."""
    sample = error_input.sample_input
    leaves = _leaves([sample.input, *sample.args, sample.kwargs])
    tensors = [v for v in leaves if isinstance(v, torch.Tensor)]
    # minigrad has one device here: the point of a tensor on 'meta'/'cuda' is lost on CPU.
    if any(t.device.type != "cpu" for t in tensors) or (
        "Expected all tensors to be on the same device" in error_input.error_regex
    ):
        return "tensors on different devices (the sample is on CPU only here)"
    # minigrad's arrays are numpy's, which hold at most 64 dimensions.
    if any(t.ndim > 64 for t in tensors):
        return "a tensor of over 64 dimensions (numpy's limit)"
    # minigrad has no complex dtypes.
    if any(t.is_complex() for t in tensors):
        return "complex dtype"
    if "out" in sample.kwargs:
        # torch's methods take no out= (PyTorch's error test calls the function only).
        if kind == "method":
            return "out= on a method"
        # The converted out= is a copy: an out aliasing the input is not one in minigrad.
        if "unsupported operation" in error_input.error_regex:
            return "out= overlapping the input's memory"
        if not _takes_out(call):
            return "out= dtype check, and minigrad's function has no out="
    # PyTorch's argument parser refuses a Python number where the signature names a Tensor;
    # minigrad takes a number anywhere a tensor goes (as_tensor), as operators do.
    if error_input.error_type is Exception and not error_input.error_regex:
        if not isinstance(sample.input, torch.Tensor) or not any(
            isinstance(a, torch.Tensor) for a in sample.args
        ):
            return "a Python number where PyTorch's signature needs a Tensor"
    return None


def _raised_in_numpy(error):
    traceback = error.__traceback__
    while traceback.tb_next is not None:
        traceback = traceback.tb_next
    return "/numpy/" in traceback.tb_frame.f_code.co_filename


@pytest.mark.parametrize("name", sorted(ERROR_OPS))
def test_opinfo_error_inputs_raise_torch_errors(name):
    op = ERROR_OPS[name]
    calls = _calls(name, op)
    assert calls, f"{name}: no minigrad call (add an adapter in test_opinfo)"
    checked, skipped, failures = 0, set(), []
    for error_input in op.error_inputs(torch.device("cpu")):
        sample = error_input.sample_input
        expected = error_input.error_type
        for kind, call in calls:
            reason = _skip(error_input, kind, call)
            if reason is not None:
                skipped.add(reason)
                continue
            args = _convert([sample.input, *sample.args])
            kwargs = {
                k: v for k, v in sample.kwargs.items() if k not in ("device", "memory_format")
            }
            kwargs = _convert(kwargs)
            checked += 1
            described = f"{kind} {expected.__name__} /{error_input.error_regex[:60]}/"
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    call(*args, **kwargs)
            except expected as error:
                if _raised_in_numpy(error):
                    failures.append(f"{described}: raised inside numpy: {error}")
            except Exception as error:  # collect every failing sample, then report them all
                failures.append(f"{described}: {type(error).__name__}: {error}")
            else:
                failures.append(f"{described}: did not raise")
    if not checked and not skipped:
        pytest.skip(f"{name}: PyTorch's entry yields no error samples on CPU")
    if not checked:
        pytest.skip(f"{name}: every error sample skipped: {'; '.join(sorted(skipped))}")
    assert not failures, f"{len(failures)} of {checked} error samples:\n" + "\n".join(
        f[:300] for f in failures
    )
