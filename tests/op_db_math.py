"""Op-table rows for elementwise math, comparisons, reductions, scans and sorting.

The common surface (issue 11). Rows are OpCase objects from op_db; OPS in op_db.py takes them in.
"""

from op_case import _F, OpCase  # noqa: F401

UNARY = [[(3, 4)], [()], [(2, 1, 3)]]
PAIRS = [[(4, 1), (3,)], [(2, 3), (2, 3)], [(), (3,)]]

MATH_OPS = [
    OpCase("expm1", lambda lib, a: lib.expm1(a), UNARY),
    OpCase("exp2", lambda lib, a: a.exp2(), UNARY),
    OpCase("log1p", lambda lib, a: lib.log1p(a), UNARY, domain="positive"),
    OpCase("log2", lambda lib, a: a.log2(), UNARY, domain="positive"),
    OpCase("log10", lambda lib, a: lib.log10(a), UNARY, domain="positive"),
    OpCase("tan", lambda lib, a: lib.tan(a), UNARY, domain="unit"),
    OpCase("asin", lambda lib, a: a.asin(), UNARY, domain="unit"),
    OpCase("acos", lambda lib, a: lib.acos(a), UNARY, domain="unit"),
    OpCase("atan", lambda lib, a: lib.arctan(a), UNARY),
    OpCase("sinh", lambda lib, a: a.sinh(), UNARY),
    OpCase("cosh", lambda lib, a: lib.cosh(a), UNARY),
    OpCase("asinh", lambda lib, a: lib.asinh(a), UNARY),
    OpCase("acosh", lambda lib, a: a.acosh(), UNARY, domain="above_one"),
    OpCase("atanh", lambda lib, a: lib.atanh(a), UNARY, domain="unit"),
    OpCase("reciprocal", lambda lib, a: a.reciprocal(), UNARY, domain="away_from_zero"),
    OpCase("rsqrt", lambda lib, a: lib.rsqrt(a), UNARY, domain="positive"),
    OpCase("floor", lambda lib, a: lib.floor(a) * a, UNARY, domain="off_integers"),
    OpCase("ceil", lambda lib, a: a.ceil() * a, UNARY, domain="off_integers"),
    OpCase("trunc", lambda lib, a: lib.trunc(a) + a, UNARY, domain="off_integers"),
    OpCase("round", lambda lib, a: a.round() * a, UNARY, domain="off_integers"),
    OpCase(
        "round_decimals", lambda lib, a: lib.round(a, decimals=1) + a, UNARY, domain="off_integers"
    ),
    OpCase("frac", lambda lib, a: a.frac(), UNARY, domain="off_integers"),
    OpCase("sign", lambda lib, a: lib.sign(a) * a, UNARY, domain="away_from_zero"),
    OpCase("atan2", lambda lib, a, b: lib.atan2(a, b), PAIRS, domain="away_from_zero"),
    OpCase("hypot", lambda lib, a, b: a.hypot(b), PAIRS, domain="away_from_zero"),
    OpCase("logaddexp", lambda lib, a, b: lib.logaddexp(a, b), PAIRS),
    OpCase("copysign", lambda lib, a, b: lib.copysign(a, b), PAIRS, domain="away_from_zero"),
    OpCase("fmod", lambda lib, a, b: lib.fmod(a * 3, b), PAIRS, domain="away_from_zero"),
    OpCase("remainder", lambda lib, a, b: (a * 3) % b, PAIRS, domain="away_from_zero"),
    OpCase(
        "remainder_scalar", lambda lib, a: lib.remainder(a, 0.713), UNARY, domain="off_integers"
    ),
    OpCase(
        "lerp", lambda lib, a, b, w: lib.lerp(a, b, w), [[(3, 4), (3, 4), (4,)], [(2,), (3, 2), ()]]
    ),
    OpCase("lerp_scalar", lambda lib, a, b: a.lerp(b, 0.3), [[(3, 4), (4,)]]),
    OpCase(
        "addcmul", lambda lib, a, b, c: lib.addcmul(a, b, c, value=0.5), [[(3, 4), (4,), (3, 1)]]
    ),
    OpCase(
        "addcdiv",
        lambda lib, a, b, c: a.addcdiv(b, c, value=2),
        [[(3, 4), (4,), (3, 4)]],
        domain="away_from_zero",
    ),
    OpCase(
        "nan_to_num",
        lambda lib, a: lib.nan_to_num(a / a.sign().abs().floor()),
        UNARY,
        domain="away_from_zero",
    ),
    # reductions, scans and sorting
    OpCase("prod", lambda lib, a: a.prod(), [[(3, 4)], [()]]),
    OpCase("prod_dim", lambda lib, a: lib.prod(a, 1, keepdim=True), [[(3, 4, 2)]]),
    OpCase("prod_one_zero", lambda lib, a: lib.cat([a[:, :1] * 0, a], 1).prod(1), [[(3, 4)]]),
    OpCase("prod_two_zeros", lambda lib, a: lib.cat([a[:, :2] * 0, a], 1).prod(-1), [[(3, 2)]]),
    OpCase("cumsum", lambda lib, a: lib.cumsum(a, -1), [[(3, 4, 2)], [(5,)]]),
    OpCase("cumprod", lambda lib, a: a.cumprod(-1), [[(3, 4)], [(5,)]]),
    OpCase(
        "cumprod_zero",
        lambda lib, a: lib.cat([a[:, :2], a[:, :1] * 0, a], 1).cumprod(1),
        [[(2, 3)]],
    ),
    OpCase("cummax", lambda lib, a: lib.cummax(a, -1).values, [[(3, 5)], [(4,)]]),
    OpCase("cummin", lambda lib, a: a.cummin(0)[0], [[(4, 3)]]),
    OpCase("logsumexp", lambda lib, a: lib.logsumexp(a, 1), [[(3, 4, 2)]]),
    OpCase("logsumexp_tuple", lambda lib, a: a.logsumexp((0, 2), keepdim=True), [[(3, 4, 2)]]),
    OpCase("norm", lambda lib, a: a.norm(), [[(3, 4)]]),
    OpCase(
        "norm_p1_dim", lambda lib, a: lib.norm(a, 1, dim=1), [[(3, 4)]], domain="away_from_zero"
    ),
    OpCase(
        "norm_p3",
        lambda lib, a: a.norm(p=3, dim=(0, 1), keepdim=True),
        [[(3, 4, 2)]],
        domain="away_from_zero",
    ),
    OpCase("norm_inf", lambda lib, a: a.norm(p=float("inf"), dim=0), [[(3, 4)]]),
    OpCase("sort", lambda lib, a: lib.sort(a, 1).values, [[(3, 5)]]),
    OpCase("sort_descending", lambda lib, a: a.sort(dim=0, descending=True)[0], [[(4, 3)]]),
    OpCase("topk", lambda lib, a: lib.topk(a, 2).values, [[(3, 5)]]),
    OpCase("topk_smallest", lambda lib, a: a.topk(3, dim=0, largest=False)[0], [[(5, 2)]]),
    OpCase("median", lambda lib, a: a.median(), [[(3, 5)]]),
    OpCase("median_dim", lambda lib, a: lib.median(a, 1).values, [[(3, 4)]]),
    OpCase("kthvalue", lambda lib, a: a.kthvalue(2, 0, True).values, [[(4, 3)]]),
    OpCase("nansum", lambda lib, a: lib.nansum(a.log()), [[(3, 4)]], domain="away_from_zero"),
    OpCase("nanmean", lambda lib, a: lib.nanmean(a.log(), 1), [[(3, 4)]], domain="away_from_zero"),
    OpCase("var_mean", lambda lib, a: lib.var_mean(a, 1)[0] * lib.var_mean(a, 1)[1], [[(3, 4)]]),
    OpCase("std_mean", lambda lib, a: lib.std_mean(a)[0] + lib.std_mean(a)[1], [[(3, 4)]]),
    OpCase("aminmax", lambda lib, a: lib.aminmax(a, dim=0)[1] - a.aminmax(dim=0).min, [[(3, 4)]]),
    OpCase("logcumsumexp", lambda lib, a: lib.logcumsumexp(a, -1), [[(3, 4, 2)], [(5,)], [()]]),
    OpCase("logcumsumexp_dim0", lambda lib, a: (a * 30).logcumsumexp(0), [[(4, 3)]]),
    OpCase("std_unbiased_first", lambda lib, a: a.std(False) + lib.var(a, False), [[(3, 4)]]),
    OpCase("var_mean_unbiased_first", lambda lib, a: lib.var_mean(a, True)[0], [[(3, 4)]]),
]

# OpInfo names (torch.testing._internal.common_methods_invocations.op_db) run by test_opinfo.py
MATH_OPINFO = (
    "exp log sqrt abs neg sin cos tanh sigmoid sum mean amax amin max min var std argmax argmin "
    "add sub mul div pow maximum minimum "
    "expm1 exp2 log1p log2 log10 tan asin acos atan sinh cosh asinh acosh atanh reciprocal "
    "rsqrt floor ceil trunc round frac sign sgn atan2 hypot logaddexp copysign fmod remainder "
    "floor_divide lerp addcmul addcdiv bitwise_and bitwise_or bitwise_xor bitwise_not "
    "bitwise_left_shift bitwise_right_shift logical_and logical_or logical_xor logical_not "
    "isnan isinf isposinf isneginf isfinite isclose nan_to_num eq ne lt le gt ge all any square "
    "prod cumsum cumprod logsumexp norm nansum nanmean count_nonzero var_mean std_mean aminmax "
    "sort argsort msort topk kthvalue median unique cummax cummin logcumsumexp"
).split()
