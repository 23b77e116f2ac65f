"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` and their one-step cells, as ``torch.nn``.

All of them are composites of differentiable Tensor ops (``F.linear``, ``sigmoid``, ``tanh``,
``relu``, slicing, ``stack``/``cat``), so they need no backward of their own. A layer runs a
Python loop over the time steps (a recurrence cannot be vectorised over time) but never over
samples, and projects the inputs of all time steps with one matmul per layer and direction
before the loop; each step then adds only ``h @ weight_hh.T``.

Gate layouts are PyTorch's, so a PyTorch ``state_dict`` loads unchanged: LSTM rows are
(i, f, g, o), GRU rows (r, z, n) with n = tanh(W_in x + b_in + r * (W_hn h + b_hn)).

The functions ``rnn_tanh_cell``, ``rnn_relu_cell``, ``lstm_cell`` and ``gru_cell`` are one
step on explicit weights, with the arguments of ``torch.rnn_tanh_cell`` and its kin.
"""

import math
import numbers
import warnings

from minigrad import factories
from minigrad.autograd.function import Function
from minigrad.backend import array_module
from minigrad.device import as_device
from minigrad.nn import functional as F
from minigrad.nn import init
from minigrad.nn.modules._device import place
from minigrad.nn.modules.module import Module
from minigrad.nn.parameter import Parameter
from minigrad.ops import xp
from minigrad.tensor import ShapeError, Tensor, as_tensor, cat, stack

# ---- one time step on explicit weights -----------------------------------------------------------
# ``gates_x`` is the input's projection x @ weight_ih.T + bias_ih, computed by the caller (for a
# whole sequence at once in the layers); each step adds the hidden state's projection.


def _rnn_step(gates_x, h, weight_hh, bias_hh, nonlinearity):
    pre = gates_x + F.linear(h, weight_hh, bias_hh)
    return pre.tanh() if nonlinearity == "tanh" else pre.relu()


def _lstm_step(gates_x, state, weight_hh, bias_hh):
    h, c = state
    i, f, g, o = (gates_x + F.linear(h, weight_hh, bias_hh)).chunk(4, -1)
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    return o.sigmoid() * c.tanh(), c


def _gru_step(gates_x, h, weight_hh, bias_hh):
    x_r, x_z, x_n = gates_x.chunk(3, -1)
    h_r, h_z, h_n = F.linear(h, weight_hh, bias_hh).chunk(3, -1)
    r = (x_r + h_r).sigmoid()
    z = (x_z + h_z).sigmoid()
    n = (x_n + r * h_n).tanh()
    return n + z * (h - n)  # (1 - z) * n + z * h with one product fewer


def _step(mode, gates_x, state, weight_hh, bias_hh):
    if mode == "LSTM":
        return _lstm_step(gates_x, state, weight_hh, bias_hh)
    if mode == "GRU":
        return _gru_step(gates_x, state, weight_hh, bias_hh)
    return _rnn_step(gates_x, state, weight_hh, bias_hh, "relu" if mode == "RNN_RELU" else "tanh")


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """h' = tanh(input @ w_ih.T + b_ih + hx @ w_hh.T + b_hh); input (N, H_in), hx (N, H)."""
    return _rnn_step(F.linear(input, w_ih, b_ih), hx, w_hh, b_hh, "tanh")


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """h' = relu(input @ w_ih.T + b_ih + hx @ w_hh.T + b_hh); input (N, H_in), hx (N, H)."""
    return _rnn_step(F.linear(input, w_ih, b_ih), hx, w_hh, b_hh, "relu")


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One LSTM step: ``hx`` is (h, c), each (N, H); returns (h', c'). Gates i, f, g, o."""
    return _lstm_step(F.linear(input, w_ih, b_ih), tuple(hx), w_hh, b_hh)


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One GRU step: input (N, H_in), hx (N, H) -> h' (N, H). Gates r, z, n."""
    return _gru_step(F.linear(input, w_ih, b_ih), hx, w_hh, b_hh)


class _TimeSteps(Function):
    """x (L, ...) as its L slices x[t]; d = the L gradients stacked back.

    Slicing x[t] L times would do the same, but each slice's backward scatters into a zero
    array of x's whole shape: L^2 work for a sequence of length L. This op costs L."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x):
        return tuple(x[t] for t in range(x.shape[0]))

    @staticmethod
    def backward(ctx, *grads):
        if any(xp.is_tensor(g) for g in grads):  # create_graph: the stack as graph ops
            return stack([as_tensor(g) for g in grads])
        return array_module(grads[0]).stack(grads)


def _time_steps(x):
    steps = _TimeSteps.apply(x)
    return steps if isinstance(steps, tuple) else (steps,)


# ---- argument checks shared by the layers and the cells ------------------------------------------


def _check_size(name, value):
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} should be of type int, got: {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{name} must be greater than zero, got {value}")


def _check_state_dtypes(name, input, states):
    for position, state in enumerate(states):
        if state.dtype != input.dtype:
            which = f"hx[{position}]" if len(states) == 2 else "hx"
            raise RuntimeError(
                f"{name}: {which} dtype ({state.dtype}) does not match input dtype ({input.dtype})"
            )


def _zeros_like_input(shape, input):
    """The default initial state: zeros of ``shape`` with the input's dtype and device."""
    return Tensor._make(array_module(input._data).zeros(shape, input.dtype))


def _reset_uniform(module):
    # PyTorch's rule for every recurrent weight and bias: U(-1/sqrt(hidden_size), +...).
    bound = 1.0 / math.sqrt(module.hidden_size) if module.hidden_size > 0 else 0
    for weight in module.parameters():
        init.uniform_(weight, -bound, bound)


_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}  # rows of weight_ih per hidden unit


# ---- the layers ------------------------------------------------------------------------------


class RNNBase(Module):
    """The common part of ``RNN``, ``LSTM`` and ``GRU`` (``mode`` is 'RNN_TANH', 'RNN_RELU',
    'LSTM' or 'GRU'): the parameters, their initialisation, the checks and the layer loop.

    Parameters per layer k and direction (suffix '' or '_reverse'): ``weight_ih_l{k}``
    (gates * hidden_size, input_size for k = 0 else num_directions * hidden_size),
    ``weight_hh_l{k}`` (gates * hidden_size, hidden_size), and with ``bias`` ``bias_ih_l{k}``,
    ``bias_hh_l{k}`` (gates * hidden_size,); gates is 1, 4 (LSTM) or 3 (GRU). All start as
    U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as in PyTorch.
    """

    def __init__(
        self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
        dropout=0.0, bidirectional=False, proj_size=0, device=None, dtype=None,
    ):  # fmt: skip
        super().__init__()
        as_device(device)
        if (
            not isinstance(dropout, numbers.Number)
            or isinstance(dropout, bool)
            or not 0 <= dropout <= 1
        ):
            raise ValueError(
                "dropout should be a number in range [0, 1] representing the probability of an "
                f"element being zeroed, got {dropout!r}"
            )
        if dropout > 0 and num_layers == 1:
            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero "
                f"dropout expects num_layers greater than 1, but got dropout={dropout} and "
                f"num_layers={num_layers}",
                stacklevel=2,
            )
        for name, value in (("bias", bias), ("batch_first", batch_first)):
            if not isinstance(value, bool):
                raise TypeError(f"{name} should be of type bool, got: {type(value).__name__}")
        _check_size("input_size", input_size)
        _check_size("hidden_size", hidden_size)
        _check_size("num_layers", num_layers)
        if mode not in _GATES:
            raise ValueError(f"Unrecognized RNN mode: {mode!r}")
        if proj_size < 0:
            raise ValueError(
                "proj_size should be a positive integer or zero to disable projections, got "
                f"{proj_size}"
            )
        if proj_size >= hidden_size:
            raise ValueError(
                f"proj_size has to be smaller than hidden_size, got proj_size={proj_size} "
                f"and hidden_size={hidden_size}"
            )
        if proj_size:
            raise NotImplementedError("LSTM: proj_size > 0 (projected LSTM) is not supported")
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1
        gate_size = _GATES[mode] * hidden_size
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            layer_input_size = input_size if layer == 0 else hidden_size * num_directions
            for direction in range(num_directions):
                suffix = "_reverse" if direction == 1 else ""
                shapes = {"weight_ih": (gate_size, layer_input_size)}
                shapes["weight_hh"] = (gate_size, hidden_size)
                if bias:
                    shapes["bias_ih"] = shapes["bias_hh"] = (gate_size,)
                names = []
                for kind, shape in shapes.items():
                    name = f"{kind}_l{layer}{suffix}"
                    setattr(self, name, Parameter(factories.empty(shape, dtype=dtype)))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()
        place(self, device)

    def reset_parameters(self):
        _reset_uniform(self)

    @property
    def all_weights(self):
        """The parameters as PyTorch lists them: one list per layer and direction."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    @property
    def _flat_weights(self):
        return [getattr(self, name) for name in self._flat_weights_names]

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if self.bias is not True:
            text += f", bias={self.bias}"
        if self.batch_first is not False:
            text += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            text += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            text += f", bidirectional={self.bidirectional}"
        return text

    def _layer_weights(self, names):
        weights = [getattr(self, name) for name in names]
        return weights if self.bias else weights + [None, None]

    def _name(self):
        return "RNN" if self.mode.startswith("RNN") else self.mode

    def _prepare(self, input, hx):
        """Checks as PyTorch's; returns the input as (L, N, H_in), the initial state(s) as
        (num_layers * num_directions, N, H) and whether the input was batched."""
        input = as_tensor(input)
        is_lstm = self.mode == "LSTM"
        if input.ndim not in (2, 3):
            raise ShapeError(
                f"{self._name()}: Expected input to be 2D or 3D, got {input.ndim}D tensor "
                f"instead (input must be (L, H_in), (L, N, H_in) or with batch_first "
                "(N, L, H_in))"
            )
        is_batched = input.ndim == 3
        states = None
        if hx is not None:
            if is_lstm:
                if not isinstance(hx, tuple | list) or len(hx) != 2:
                    raise TypeError(f"LSTM: hx must be a tuple (h_0, c_0), got {type(hx).__name__}")
                states = [as_tensor(s) for s in hx]
            else:
                states = [as_tensor(hx)]
            dims = tuple(s.ndim for s in states)
            want = 3 if is_batched else 2
            if any(d != want for d in dims):
                what = "hx and cx" if is_lstm else "hx"
                got = ", ".join(f"{d}-D" for d in dims)
                raise ShapeError(
                    f"For {'batched 3-D' if is_batched else 'unbatched 2-D'} input, {what} "
                    f"should also be {want}-D but got ({got}) tensor{'s' if is_lstm else ''}"
                )
        if not is_batched:
            input = input.unsqueeze(1)  # (L, 1, H_in), whatever batch_first says
            if states is not None:
                states = [s.unsqueeze(1) for s in states]
        elif self.batch_first:
            input = input.transpose(0, 1)
        weight = self.weight_ih_l0
        if input.dtype != weight.dtype:
            raise ValueError(
                f"RNN input dtype ({input.dtype}) does not match weight dtype ({weight.dtype}). "
                f"Convert input: input.to({weight.dtype}), or convert model: "
                f"model.to({input.dtype})"
            )
        if input.shape[-1] != self.input_size:
            raise ShapeError(
                f"{self._name()}: input.size(-1) must be equal to input_size. Expected "
                f"{self.input_size}, got {input.shape[-1]}"
            )
        expected = (self.num_layers * (2 if self.bidirectional else 1), input.shape[1])
        expected += (self.hidden_size,)
        if states is None:
            zeros = _zeros_like_input(expected, input)
            states = [zeros, zeros] if is_lstm else [zeros]
        _check_state_dtypes(self._name(), input, states)
        for position, state in enumerate(states):
            if tuple(state.shape) != expected:
                which = f"hidden[{position}]" if is_lstm else "hidden"
                raise ShapeError(
                    f"{self._name()}: Expected {which} size {expected}, got "
                    f"{list(state.shape)} (h_0{' and c_0' if is_lstm else ''} must be "
                    "(num_layers * num_directions, N, hidden_size))"
                )
        return input, states, is_batched

    def _run(self, input, hx):
        input, states, is_batched = self._prepare(input, hx)
        length, batch = input.shape[0], input.shape[1]
        num_directions = 2 if self.bidirectional else 1
        is_lstm = self.mode == "LSTM"
        finals = [[] for _ in states]  # h_n (and c_n) per layer and direction
        layer_input = input
        for layer in range(self.num_layers):
            if layer > 0 and self.dropout > 0 and self.training:
                layer_input = F.dropout(layer_input, self.dropout, training=True)
            directions = []
            for direction in range(num_directions):
                names = self._all_weights[layer * num_directions + direction]
                weight_ih, weight_hh, bias_ih, bias_hh = self._layer_weights(names)
                # One matmul for the input projections of all time steps.
                flat = layer_input.reshape(length * batch, layer_input.shape[-1])
                gates_x = F.linear(flat, weight_ih, bias_ih).reshape(length, batch, -1)
                index = layer * num_directions + direction
                state = tuple(s[index] for s in states) if is_lstm else states[0][index]
                outputs = [None] * length
                order = range(length - 1, -1, -1) if direction == 1 else range(length)
                steps = _time_steps(gates_x)
                for t in order:
                    state = _step(self.mode, steps[t], state, weight_hh, bias_hh)
                    outputs[t] = state[0] if is_lstm else state
                directions.append(stack(outputs))
                for kept, final in zip(finals, state if is_lstm else (state,)):
                    kept.append(final)
            layer_input = cat(directions, -1) if num_directions == 2 else directions[0]
        output = layer_input
        finals = [stack(kept) for kept in finals]
        if not is_batched:
            output = output.squeeze(1)
            finals = [f.squeeze(1) for f in finals]
        elif self.batch_first:
            output = output.transpose(0, 1)
        return output, (tuple(finals) if is_lstm else finals[0])

    def forward(self, input, hx=None):
        return self._run(input, hx)


class RNN(RNNBase):
    """Elman RNN: h_t = nonlinearity(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), stacked
    ``num_layers`` deep; ``nonlinearity`` is 'tanh' or 'relu'.

    Shapes (L sequence length, N batch, D = 2 if bidirectional else 1): input (L, N, input_size),
    (N, L, input_size) with ``batch_first``, or unbatched (L, input_size); ``hx`` h_0
    (D * num_layers, N, hidden_size) or (D * num_layers, hidden_size), zeros if omitted.
    Returns ``(output, h_n)``: output (L, N, D * hidden_size) (batch first or unbatched like
    the input), h_n like h_0. ``dropout`` applies to each layer's output but the last, in
    training only.

    Example::

        rnn = nn.RNN(10, 20, num_layers=2)
        output, h_n = rnn(mg.randn(5, 3, 10))  # (5, 3, 20), (2, 3, 20)
    """

    def __init__(
        self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
        batch_first=False, dropout=0.0, bidirectional=False, device=None, dtype=None,
    ):  # fmt: skip
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(
                f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'."
            )
        self.nonlinearity = nonlinearity
        super().__init__(
            "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size, hidden_size,
            num_layers, bias, batch_first, dropout, bidirectional, device=device, dtype=dtype,
        )  # fmt: skip

    def extra_repr(self):
        text = super().extra_repr()
        return text if self.nonlinearity == "tanh" else f"{text}, nonlinearity='relu'"


class LSTM(RNNBase):
    """Long short-term memory, stacked ``num_layers`` deep: per step, with gates (i, f, g, o)
    = split(x W_ih^T + b_ih + h W_hh^T + b_hh), c' = sigmoid(f) c + sigmoid(i) tanh(g) and
    h' = sigmoid(o) tanh(c').

    Shapes as ``RNN``'s; ``hx`` is the pair (h_0, c_0), both zeros if omitted, and the result
    is ``(output, (h_n, c_n))``. ``proj_size`` must be 0 (projections are not supported).

    Example::

        lstm = nn.LSTM(10, 20, batch_first=True)
        output, (h_n, c_n) = lstm(mg.randn(3, 5, 10))  # (3, 5, 20), (1, 3, 20), (1, 3, 20)
    """

    def __init__(
        self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
        bidirectional=False, proj_size=0, device=None, dtype=None,
    ):  # fmt: skip
        super().__init__(
            "LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
            bidirectional, proj_size, device=device, dtype=dtype,
        )  # fmt: skip


class GRU(RNNBase):
    """Gated recurrent unit, stacked ``num_layers`` deep: per step, with (r, z) = sigmoid of
    the first two thirds of x W_ih^T + b_ih + h W_hh^T + b_hh, n = tanh(W_in x + b_in +
    r (W_hn h + b_hn)) and h' = (1 - z) n + z h.

    Shapes and results as ``RNN``'s.

    Example::

        gru = nn.GRU(10, 20, bidirectional=True)
        output, h_n = gru(mg.randn(5, 3, 10))  # (5, 3, 40), (2, 3, 20)
    """

    def __init__(
        self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
        bidirectional=False, device=None, dtype=None,
    ):  # fmt: skip
        super().__init__(
            "GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
            bidirectional, device=device, dtype=dtype,
        )  # fmt: skip


# ---- the cells -------------------------------------------------------------------------------


class RNNCellBase(Module):
    """The common part of the cells: ``weight_ih`` (num_chunks * hidden_size, input_size),
    ``weight_hh`` (num_chunks * hidden_size, hidden_size), and with ``bias`` ``bias_ih``,
    ``bias_hh`` (num_chunks * hidden_size,), all U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        as_device(device)
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        gates = num_chunks * hidden_size
        self.weight_ih = Parameter(factories.empty(gates, input_size, dtype=dtype))
        self.weight_hh = Parameter(factories.empty(gates, hidden_size, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(factories.empty(gates, dtype=dtype))
            self.bias_hh = Parameter(factories.empty(gates, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()
        place(self, device)

    def reset_parameters(self):
        _reset_uniform(self)

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            text += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            text += f", nonlinearity={self.nonlinearity}"
        return text

    def _prepare(self, input, states):
        """Checks as PyTorch's; returns the input as (N, H_in), the states as (N, H) each, and
        whether the input was batched. ``states`` is a list of Tensors or None."""
        name = type(self).__name__
        input = as_tensor(input)
        if input.ndim not in (1, 2):
            raise ShapeError(
                f"{name}: Expected input to be 1D or 2D, got {input.ndim}D instead (input must "
                "be (N, input_size) or (input_size,))"
            )
        if states is not None:
            states = [as_tensor(s) for s in states]
            for position, state in enumerate(states):
                if state.ndim not in (1, 2):
                    which = f"hx[{position}]" if len(states) == 2 else "hidden"
                    raise ShapeError(
                        f"{name}: Expected {which} to be 1D or 2D, got {state.ndim}D instead"
                    )
        is_batched = input.ndim == 2
        if not is_batched:
            input = input.unsqueeze(0)
            if states is not None:
                states = [s.unsqueeze(0) for s in states]
        if input.shape[1] != self.input_size:
            raise ShapeError(
                f"{name}: input has inconsistent input_size: got {input.shape[1]} expected "
                f"{self.input_size}"
            )
        expected = (input.shape[0], self.hidden_size)
        if input.dtype != self.weight_ih.dtype:
            raise RuntimeError(
                f"{name}: input dtype ({input.dtype}) does not match weight dtype "
                f"({self.weight_ih.dtype})"
            )
        if states is None:
            zeros = _zeros_like_input(expected, input)
            states = [zeros] * self._num_states
        _check_state_dtypes(name, input, states)
        for position, state in enumerate(states):
            if tuple(state.shape) != expected:
                raise ShapeError(
                    f"{name}: hidden{position} must have shape {expected} (N, hidden_size) for "
                    f"an input of shape {tuple(input.shape)}, got {tuple(state.shape)}"
                )
        return input, states, is_batched

    def _project(self, input):
        return F.linear(input, self.weight_ih, self.bias_ih)


class RNNCell(RNNCellBase):
    """One Elman RNN step: h' = nonlinearity(x W_ih^T + b_ih + h W_hh^T + b_hh).

    Shapes: input (N, input_size) or (input_size,); hx (N, hidden_size) or (hidden_size,),
    zeros if omitted; returns h' shaped like hx. ``nonlinearity`` is 'tanh' or 'relu' (another
    value is a RuntimeError at the call, as in PyTorch).

    Example::

        cell = nn.RNNCell(10, 20)
        h = cell(mg.randn(3, 10))  # (3, 20)
    """

    _num_states = 1

    def __init__(
        self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None
    ):
        super().__init__(input_size, hidden_size, bias, 1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        input, (h,), is_batched = self._prepare(input, None if hx is None else [hx])
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(
                f"RNNCell: Unknown nonlinearity: {self.nonlinearity!r} (use 'tanh' or 'relu')"
            )
        h = _rnn_step(self._project(input), h, self.weight_hh, self.bias_hh, self.nonlinearity)
        return h if is_batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step on ``(h, c)``: returns ``(h', c')``; gates (i, f, g, o) as in ``LSTM``.

    Shapes: input (N, input_size) or (input_size,); h and c (N, hidden_size) or
    (hidden_size,), both zeros if ``hx`` is omitted.

    Example::

        cell = nn.LSTMCell(10, 20)
        h, c = cell(mg.randn(3, 10))  # (3, 20), (3, 20)
    """

    _num_states = 2

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        if hx is not None and (not isinstance(hx, tuple | list) or len(hx) != 2):
            raise TypeError(f"LSTMCell: hx must be a tuple (h, c), got {type(hx).__name__}")
        input, states, is_batched = self._prepare(input, None if hx is None else list(hx))
        h, c = _lstm_step(self._project(input), states, self.weight_hh, self.bias_hh)
        return (h, c) if is_batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step: returns h'; gates (r, z, n) as in ``GRU``.

    Shapes: input (N, input_size) or (input_size,); hx (N, hidden_size) or (hidden_size,),
    zeros if omitted.

    Example::

        cell = nn.GRUCell(10, 20)
        h = cell(mg.randn(3, 10))  # (3, 20)
    """

    _num_states = 1

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        input, (h,), is_batched = self._prepare(input, None if hx is None else [hx])
        h = _gru_step(self._project(input), h, self.weight_hh, self.bias_hh)
        return h if is_batched else h.squeeze(0)
