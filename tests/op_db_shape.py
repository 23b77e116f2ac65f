"""Op-table rows for shape, indexing, linear algebra and factories.

The common surface (issue 11). Rows are OpCase objects from op_db; OPS in op_db.py takes them in.
"""

from op_case import _F, OpCase  # noqa: F401

M = [[(3, 4)]]
R = [[(2, 3, 4)]]
SHAPE_OPS = [
    OpCase("repeat", lambda lib, a: a.repeat(2, 1, 3), M),
    OpCase("tile", lambda lib, a: lib.tile(a, (2,)), M),
    OpCase("repeat_interleave", lambda lib, a: a.repeat_interleave(2, dim=1), M),
    OpCase(
        "repeat_interleave_tensor",
        lambda lib, a: lib.repeat_interleave(a, lib.tensor([1, 0, 3]), 0),
        M,
    ),
    OpCase("flip", lambda lib, a: lib.flip(a, (0, 2)), R),
    OpCase("fliplr", lambda lib, a: a.fliplr(), M),
    OpCase("roll", lambda lib, a: lib.roll(a, (1, -2), (0, 1)), M),
    OpCase("roll_flat", lambda lib, a: a.roll(5), M),
    OpCase("rot90", lambda lib, a: lib.rot90(a, 1, (1, 2)), R),
    OpCase("rot90_3", lambda lib, a: a.rot90(3), M),
    OpCase("movedim", lambda lib, a: lib.movedim(a, (0, 1), (2, 0)), R),
    OpCase("swapaxes", lambda lib, a: a.swapaxes(0, 2), R),
    OpCase("broadcast_to", lambda lib, a: lib.broadcast_to(a, (2, 3, 4)), M),
    OpCase("narrow", lambda lib, a: lib.narrow(a, 1, 1, 2), M),
    OpCase("split", lambda lib, a: lib.cat(a.split([1, 3], 1)[::-1], 1), M),
    OpCase("chunk", lambda lib, a: a.chunk(3, dim=-1)[1], R),
    OpCase("unbind", lambda lib, a: lib.unbind(a, 1)[2] * 2, M),
    OpCase("tril", lambda lib, a: lib.tril(a, -1), M),
    OpCase("triu", lambda lib, a: a.triu(1), R),
    OpCase("diagonal", lambda lib, a: lib.diagonal(a, 1, 0, 2), R),
    OpCase("diag", lambda lib, a: lib.diag(a, -1), [[(3,)], [(3, 4)]]),
    OpCase("diag_embed", lambda lib, a: lib.diag_embed(a, 1), M),
    OpCase("trace", lambda lib, a: a.trace(), M),
    OpCase(
        "gather", lambda lib, a, i: lib.gather(a, 1, i), [[(3, 4), (3, 2)]], int_inputs={1: (0, 4)}
    ),
    OpCase(
        "take_along_dim",
        lambda lib, a, i: lib.take_along_dim(a, i, 0),
        [[(3, 4), (2, 4)]],
        int_inputs={1: (0, 3)},
    ),
    OpCase("take", lambda lib, a, i: lib.take(a, i), [[(3, 4), (5,)]], int_inputs={1: (-12, 12)}),
    OpCase(
        "index_select",
        lambda lib, a, i: a.index_select(1, i),
        [[(3, 4), (5,)]],
        int_inputs={1: (0, 4)},
    ),
    OpCase("masked_select", lambda lib, a: lib.masked_select(a, a > 0), M),
    OpCase("masked_fill", lambda lib, a: a.masked_fill(a > 0.5, 2.0), M),
    OpCase("index_fill", lambda lib, a: a.index_fill(1, lib.tensor([0, 2]), -1.0), M),
    OpCase(
        "scatter",
        lambda lib, a, s: a.scatter(0, lib.tensor([[0, 1, 2, 0], [2, 0, 1, 1]]), s),
        [[(3, 4), (2, 4)]],
    ),
    OpCase(
        "scatter_value",
        lambda lib, a, i: lib.scatter(a, 1, i, value=0.5),
        [[(3, 4), (3, 2)]],
        int_inputs={1: (0, 4)},
    ),
    OpCase(
        "scatter_add",
        lambda lib, a, s, i: lib.scatter_add(a, 1, i, s),
        [[(3, 4), (3, 3), (3, 3)]],
        int_inputs={2: (0, 4)},
    ),
    OpCase(
        "index_add",
        lambda lib, a, s: a.index_add(0, lib.tensor([0, 2, 0]), s, alpha=2),
        [[(3, 4), (3, 4)]],
    ),
    OpCase("mm", lambda lib, a, b: lib.mm(a, b), [[(3, 4), (4, 2)]]),
    OpCase("bmm", lambda lib, a, b: a.bmm(b), [[(2, 3, 4), (2, 4, 2)]]),
    OpCase("mv", lambda lib, a, b: lib.mv(a, b), [[(3, 4), (4,)]]),
    OpCase("dot", lambda lib, a, b: a.dot(b), [[(4,), (4,)]]),
    OpCase("inner", lambda lib, a, b: lib.inner(a, b), [[(3, 4), (2, 4)]]),
    OpCase("outer", lambda lib, a, b: lib.outer(a, b), [[(3,), (4,)]]),
    OpCase("cross", lambda lib, a, b: lib.cross(a, b, dim=1), [[(2, 3), (2, 3)], [(4, 3), (1, 3)]]),
    OpCase("kron", lambda lib, a, b: lib.kron(a, b), [[(2, 3), (2, 2)], [(3,), (2, 1)]]),
    OpCase(
        "addmm",
        lambda lib, c, a, b: lib.addmm(c, a, b, beta=0.5, alpha=2),
        [[(3, 2), (3, 4), (4, 2)]],
    ),
    OpCase(
        "baddbmm",
        lambda lib, c, a, b: c.baddbmm(a, b, alpha=0.3),
        [[(2, 3, 2), (2, 3, 4), (2, 4, 2)]],
    ),
    OpCase("addmv", lambda lib, c, a, b: lib.addmv(c, a, b), [[(3,), (3, 4), (4,)]]),
    OpCase("addr", lambda lib, c, a, b: c.addr(a, b, beta=2), [[(3, 4), (3,), (4,)]]),
    OpCase("einsum_mm", lambda lib, a, b: lib.einsum("ij,jk->ik", a, b), [[(3, 4), (4, 2)]]),
    OpCase(
        "einsum_batch", lambda lib, a, b: lib.einsum("bij,bkj->bik", a, b), [[(2, 3, 4), (2, 5, 4)]]
    ),
    OpCase("einsum_sum_only_here", lambda lib, a, b: lib.einsum("ij,k->i", a, b), [[(3, 4), (2,)]]),
    OpCase(
        "einsum_ellipsis", lambda lib, a, b: lib.einsum("...ij,...jk", a, b), [[(2, 3, 4), (4, 2)]]
    ),
    OpCase(
        "einsum_three",
        lambda lib, a, b, c: lib.einsum("ij,jk,kl->il", a, b, c),
        [[(2, 3), (3, 4), (4, 2)]],
    ),
    OpCase(
        "tensordot",
        lambda lib, a, b: lib.tensordot(a, b, dims=([1, 2], [0, 1])),
        [[(2, 3, 4), (3, 4, 5)]],
    ),
    OpCase("tensordot_int", lambda lib, a, b: lib.tensordot(a, b, 1), [[(2, 3), (3, 4)]]),
    OpCase(
        "broadcast_tensors",
        lambda lib, a, b: lib.broadcast_tensors(a, b)[0] * lib.broadcast_tensors(a, b)[1],
        [[(3, 1), (4,)]],
    ),
    OpCase(
        "meshgrid",
        lambda lib, a, b: (
            lib.meshgrid(a, b, indexing="xy")[0] * lib.meshgrid(a, b, indexing="xy")[1]
        ),
        [[(3,), (4,)]],
    ),
    OpCase(
        "linalg_inv",
        lambda lib, a: lib.linalg.inv(a + 4 * lib.eye(3, dtype=a.dtype, device=a.device)),
        [[(3, 3)], [(2, 3, 3)]],
    ),
    OpCase("linalg_det", lambda lib, a: lib.linalg.det(a), [[(3, 3)], [(2, 3, 3)]]),
    OpCase(
        "linalg_solve",
        lambda lib, a, b: lib.linalg.solve(a + 4 * lib.eye(3, dtype=a.dtype, device=a.device), b),
        [[(3, 3), (3,)], [(2, 3, 3), (2, 3, 2)]],
    ),
    OpCase(
        "linalg_vector_norm",
        lambda lib, a: lib.linalg.vector_norm(a, 3, dim=-1),
        R,
        domain="away_from_zero",
    ),
    OpCase(
        "index_copy",
        lambda lib, a, s: a.index_copy(1, lib.tensor([3, 0]), s),
        [[(3, 4), (3, 2)]],
    ),
    OpCase(
        "masked_scatter",
        lambda lib, a, s: a.masked_scatter(a > 0, s),
        [[(3, 4), (12,)], [(2, 3), (4, 5)]],
    ),
    *(
        OpCase(
            f"scatter_reduce_{reduce}{'' if include_self else '_exclude_self'}",
            lambda lib, a, s, i, reduce=reduce, include_self=include_self: a.scatter_reduce(
                1, i, s, reduce, include_self=include_self
            ),
            [[(3, 4), (3, 3), (3, 3)]],
            int_inputs={2: (0, 4)},
        )
        for reduce in ("sum", "prod", "mean", "amax", "amin")
        for include_self in (True, False)
    ),
    OpCase("einsum_trace", lambda lib, a: lib.einsum("ii", a), [[(3, 3)]]),
    OpCase("einsum_diagonal", lambda lib, a, b: lib.einsum("iij,j->i", a, b), [[(3, 3, 4), (4,)]]),
    OpCase("where_method", lambda lib, a, b: a.where(a > 0, b), [[(3, 4), (4,)]]),
    *(
        OpCase(
            f"matrix_norm_{name}",
            lambda lib, a, order=order: lib.linalg.matrix_norm(a, order),
            [[(3, 4)], [(2, 3, 3)]],
            domain="away_from_zero",
        )
        for name, order in (
            ("fro", "fro"),
            ("nuc", "nuc"),
            ("2", 2),
            ("-2", -2),
            ("1", 1),
            ("-1", -1),
            ("inf", float("inf")),
            ("-inf", -float("inf")),
        )
    ),  # fmt: skip
    OpCase("linalg_norm_matrix", lambda lib, a: lib.linalg.norm(a, 2, dim=(0, 2)), [[(3, 2, 4)]]),
    OpCase("svdvals", lambda lib, a: lib.linalg.svdvals(a), [[(3, 4)], [(2, 4, 3)]]),
]

# OpInfo names (torch.testing._internal.common_methods_invocations.op_db) run by test_opinfo.py
SHAPE_OPINFO = (
    "reshape flatten transpose permute squeeze unsqueeze matmul stack where expand expand_as "
    "view_as t clone reshape_as view "
    "repeat tile repeat_interleave flip fliplr flipud roll rot90 movedim broadcast_to "
    "narrow split chunk tensor_split unbind select tril triu diagonal diag diag_embed trace "
    "gather take_along_dim take index_select masked_select masked_fill index_fill scatter "
    "scatter_add index_add nonzero argwhere mm bmm mv dot vdot inner outer cross kron addmm "
    "addmv baddbmm addbmm addr einsum broadcast_tensors meshgrid tensordot unflatten "
    "linalg.inv linalg.det linalg.solve linalg.vector_norm linalg.cross linalg.vecdot "
    "index_copy masked_scatter scatter_reduce linalg.matrix_norm linalg.norm linalg.svdvals"
).split()
