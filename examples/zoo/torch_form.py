"""Writes joint training steps (forward + backward) of small models in the
linalg-on-tensors form that torch-mlir's FX importer produces for a
`make_fx`-traced step, or in the generic form of JAX after
`stablehlo-legalize-to-linalg` (matmuls as transposed-map generics; the
convolution gradients as the general conversion's linalg.generic, the data
gradient reading a stablehlo.reverse generic of the kernel).

Neither torch-mlir nor JAX is installable from Debian, so the model zoo is
written by this emitter, op by op in the forms that ../shared/notes/
frontends.md §1.3 reads off torch-mlir's lowering source (and §3 off
StableHLO's): `linalg.matmul` behind `linalg.transpose` for Linear layers,
`cmpf ugt`/`select` ReLUs, `threshold_backward` masks reading the ReLU
output, `linalg.conv_2d_nchw_fchw` with `tensor.pad` and a broadcast bias,
and `convolution_backward` decomposed into a weight-flip generic and two
more convolutions behind transposes. `make_references.py` checks every
model against PyTorch 1.13 autograd.

Forms that are this emitter's own (torch-mlir's lowering of them was not
read): the max-pooling indices generic and the pooling backward (the
gradient goes to the first maximum of each window, as PyTorch's CPU kernel
does).

A step is `@train_step(%x, parameters..., %gy) -> (y, gradients...)`: the
output tangent `%gy` is an argument (a loss head runs on the host), and the
gradients come in the parameters' order. The batch input needs no gradient.
"""

import collections


def tensor_type(shape, element="f32"):
    return "tensor<" + "".join(f"{d}x" for d in shape) + element + ">"


def affine(dims, results):
    names = ", ".join(f"d{i}" for i in range(dims))
    return f"affine_map<({names}) -> ({', '.join(results)})>"


def identity(rank):
    return affine(rank, [f"d{i}" for i in range(rank)])


class Step:
    """Text of one function under construction: arguments, constants, ops."""

    def __init__(self):
        self.args = []  # (name, shape)
        self.lines = []
        self.constants = {}  # (text, type) -> name
        self.counts = collections.Counter()

    def fresh(self, hint):
        self.counts[hint] += 1
        return f"%{hint}{self.counts[hint]}"

    def arg(self, name, shape):
        self.args.append((f"%{name}", shape))
        return f"%{name}"

    def const(self, value, type_="f32"):
        """A hoisted arith.constant (floats as decimal, -inf as hex)."""
        if type_ == "f32":
            text = "0xFF800000" if value == float("-inf") else repr(float(value))
        else:
            text = str(int(value))
        key = (text, type_)
        if key not in self.constants:
            self.constants[key] = f"%c{len(self.constants)}"
        return self.constants[key]

    def emit(self, text):
        self.lines.append("  " + text)

    # Structural ops -------------------------------------------------------

    def empty(self, shape, element="f32"):
        name = self.fresh("e")
        self.emit(f"{name} = tensor.empty() : {tensor_type(shape, element)}")
        return name

    def fill(self, value, shape, element="f32"):
        init = self.empty(shape, element)
        name = self.fresh("z")
        t = tensor_type(shape, element)
        self.emit(f"{name} = linalg.fill ins({self.const(value, element)} : {element}) "
                  f"outs({init} : {t}) -> {t}")
        return name

    def transpose(self, x, shape, perm):
        out_shape = [shape[p] for p in perm]
        init = self.empty(out_shape)
        name = self.fresh("t")
        self.emit(f"{name} = linalg.transpose ins({x} : {tensor_type(shape)}) "
                  f"outs({init} : {tensor_type(out_shape)}) permutation = {list(perm)}")
        return name, out_shape

    def pad(self, x, shape, low, high, value=0.0):
        out_shape = [d + lo + hi for d, lo, hi in zip(shape, low, high)]
        name = self.fresh("pad")
        idx = ", ".join(f"%i{i}: index" for i in range(len(shape)))
        self.emit(f"{name} = tensor.pad {x} low{list(low)} high{list(high)} {{\n"
                  f"  ^bb0({idx}):\n    tensor.yield {self.const(value)} : f32\n"
                  f"  }} : {tensor_type(shape)} to {tensor_type(out_shape)}")
        return name, out_shape

    def matmul(self, a, a_shape, b, b_shape):
        out_shape = [a_shape[0], b_shape[1]]
        init = self.fill(0.0, out_shape)
        name = self.fresh("mm")
        t = tensor_type(out_shape)
        self.emit(f"{name} = linalg.matmul ins({a}, {b} : {tensor_type(a_shape)}, "
                  f"{tensor_type(b_shape)}) outs({init} : {t}) -> {t}")
        return name, out_shape

    def generic(self, ins, out, out_map, iterators, body, hint="g"):
        """`ins`: [(value, shape, map, element)], `out`: (init, shape,
        element); `body(block_args) -> (lines, yielded)`."""
        name = self.fresh(hint)
        maps = ", ".join([m for _, _, m, _ in ins] + [out_map])
        its = ", ".join(f'"{i}"' for i in iterators)
        ins_text = ""
        if ins:
            ins_text = (" ins(" + ", ".join(v for v, _, _, _ in ins) + " : "
                        + ", ".join(tensor_type(s, e) for _, s, _, e in ins) + ")")
        init, out_shape, out_element = out
        out_t = tensor_type(out_shape, out_element)
        block_args = [f"%a{i}" for i in range(len(ins))] + ["%acc"]
        lines, yielded = body(block_args)
        arg_types = [e for _, _, _, e in ins] + [out_element]
        header = ", ".join(f"{a}: {t}" for a, t in zip(block_args, arg_types))
        text = (f"{name} = linalg.generic {{indexing_maps = [{maps}], iterator_types = [{its}]}}"
                f"{ins_text} outs({init} : {out_t}) {{\n  ^bb0({header}):\n")
        text += "".join(f"    {line}\n" for line in lines)
        text += f"    linalg.yield {yielded} : {out_element}\n  }} -> {out_t}"
        self.emit(text)
        return name

    def elementwise(self, operands, shape, body, hint="g"):
        """An all-parallel generic over same-shaped operands."""
        rank = len(shape)
        ins = [(v, shape, identity(rank), "f32") for v in operands]
        return self.generic(ins, (self.empty(shape), shape, "f32"), identity(rank),
                            ["parallel"] * rank, body, hint)

    def add(self, a, b, shape):
        return self.elementwise([a, b], shape,
                                lambda x: ([f"%s = arith.addf {x[0]}, {x[1]} : f32"], "%s"), "add")

    def text(self, results):
        """The function, returning `results` ([(value, shape)])."""
        args = ", ".join(f"{n}: {tensor_type(s)}" for n, s in self.args)
        res_types = ", ".join(tensor_type(s) for _, s in results)
        head = [f"func.func @train_step({args}) -> ({res_types}) {{"]
        consts = [f"  {name} = arith.constant {text} : {t}"
                  for (text, t), name in self.constants.items()]
        ret = (f"  return {', '.join(v for v, _ in results)} : {res_types}")
        return "\n".join(head + consts + self.lines + [ret, "}"]) + "\n"


# Layers ------------------------------------------------------------------
#
# Each layer has `forward(step, x, shape) -> (y, shape)` (remembering what
# its backward needs) and `backward(step, g, need_dx) -> dx`, which appends
# its parameters' gradients to `self.grads`.


class Linear:
    def __init__(self, inputs, outputs, form="torch"):
        self.inputs, self.outputs, self.form = inputs, outputs, form

    def parameters(self):
        # torch: weight [out, in]; JAX/flax: kernel [in, out].
        w = [self.outputs, self.inputs] if self.form == "torch" else [self.inputs, self.outputs]
        return [("weight", w), ("bias", [self.outputs])]

    def forward(self, step, x, shape):
        self.x, self.shape = x, shape
        n = shape[0]
        if self.form == "torch":
            wt, wt_shape = step.transpose(self.w, [self.outputs, self.inputs], [1, 0])
            mm, mm_shape = step.matmul(x, shape, wt, wt_shape)
        else:
            mm, mm_shape = step.matmul(x, shape, self.w, [self.inputs, self.outputs])
        out = [n, self.outputs]
        ins = [(mm, out, identity(2), "f32"), (self.b, [self.outputs], affine(2, ["d1"]), "f32")]
        y = step.generic(ins, (step.empty(out), out, "f32"), identity(2), ["parallel"] * 2,
                         lambda a: ([f"%s = arith.addf {a[0]}, {a[1]} : f32"], "%s"), "lin")
        return y, out

    def backward(self, step, g, need_dx):
        n = self.shape[0]
        g_shape = [n, self.outputs]
        dx = None
        if self.form == "torch":
            if need_dx:
                dx, _ = step.matmul(g, g_shape, self.w, [self.outputs, self.inputs])
            gt, gt_shape = step.transpose(g, g_shape, [1, 0])
            dw, _ = step.matmul(gt, gt_shape, self.x, self.shape)
            init = step.fill(0.0, [1, self.outputs])
            dbk = step.generic([(g, g_shape, identity(2), "f32")],
                               (init, [1, self.outputs], "f32"), affine(2, ["0", "d1"]),
                               ["reduction", "parallel"],
                               lambda a: ([f"%s = arith.addf {a[0]}, {a[1]} : f32"], "%s"), "red")
            db = step.fresh("db")
            step.emit(f"{db} = tensor.collapse_shape {dbk} [[0, 1]] : "
                      f"{tensor_type([1, self.outputs])} into {tensor_type([self.outputs])}")
        else:
            # JAX: dot_general contractions as generics with transposed maps.
            mul_add = lambda a: ([f"%p = arith.mulf {a[0]}, {a[1]} : f32",
                                  f"%s = arith.addf {a[2]}, %p : f32"], "%s")
            if need_dx:
                dx = step.generic(
                    [(g, g_shape, affine(3, ["d0", "d2"]), "f32"),
                     (self.w, [self.inputs, self.outputs], affine(3, ["d1", "d2"]), "f32")],
                    (step.fill(0.0, self.shape), self.shape, "f32"), affine(3, ["d0", "d1"]),
                    ["parallel", "parallel", "reduction"], mul_add, "dot")
            w_shape = [self.inputs, self.outputs]
            dw = step.generic(
                [(self.x, self.shape, affine(3, ["d2", "d0"]), "f32"),
                 (g, g_shape, affine(3, ["d2", "d1"]), "f32")],
                (step.fill(0.0, w_shape), w_shape, "f32"), affine(3, ["d0", "d1"]),
                ["parallel", "parallel", "reduction"], mul_add, "dot")
            db = step.generic([(g, g_shape, identity(2), "f32")],
                              (step.fill(0.0, [self.outputs]), [self.outputs], "f32"),
                              affine(2, ["d1"]), ["reduction", "parallel"],
                              lambda a: ([f"%s = arith.addf {a[0]}, {a[1]} : f32"], "%s"), "red")
        self.grads = [dw, db]
        return dx


class ReLU:
    def __init__(self, form="torch"):
        self.form = form

    def parameters(self):
        return []

    def forward(self, step, x, shape):
        zero = step.const(0.0)
        if self.form == "torch":
            body = lambda a: ([f"%c = arith.cmpf ugt, {a[0]}, {zero} : f32",
                               f"%r = arith.select %c, {a[0]}, {zero} : f32"], "%r")
        else:
            body = lambda a: ([f"%r = arith.maximumf {a[0]}, {zero} : f32"], "%r")
        self.x, self.shape = x, shape
        self.y = step.elementwise([x], shape, body, "relu")
        return self.y, shape

    def backward(self, step, g, need_dx):
        zero = step.const(0.0)
        if self.form == "torch":
            # threshold_backward(g, relu output, 0)
            body = lambda a: ([f"%c = arith.cmpf ule, {a[1]}, {zero} : f32",
                               f"%r = arith.select %c, {zero}, {a[0]} : f32"], "%r")
            saved = self.y
        else:
            body = lambda a: ([f"%c = arith.cmpf ogt, {a[1]}, {zero} : f32",
                               f"%r = arith.select %c, {a[0]}, {zero} : f32"], "%r")
            saved = self.x
        self.grads = []
        return step.elementwise([g, saved], self.shape, body, "mask")


class GELU:
    """Exact GELU, x * Phi(x), in TorchToLinalg's erf form."""

    def parameters(self):
        return []

    def cdf(self, step, x):
        return [f"%m = arith.mulf {x}, {step.const(0.7071067811865476)} : f32",
                "%erf = math.erf %m : f32",
                f"%erf1 = arith.addf {step.const(1.0)}, %erf : f32",
                f"%cdf = arith.mulf {step.const(0.5)}, %erf1 : f32"]

    def forward(self, step, x, shape):
        self.x, self.shape = x, shape
        body = lambda a: (self.cdf(step, a[0]) + [f"%r = arith.mulf {a[0]}, %cdf : f32"], "%r")
        return step.elementwise([x], shape, body, "gelu"), shape

    def backward(self, step, g, need_dx):
        def body(a):
            x = a[1]
            return (self.cdf(step, x) + [
                f"%sq = arith.mulf {x}, {x} : f32",
                f"%nh = arith.mulf %sq, {step.const(-0.5)} : f32",
                "%ex = math.exp %nh : f32",
                f"%pdf = arith.mulf %ex, {step.const(0.3989422804014327)} : f32",
                f"%xp = arith.mulf %pdf, {x} : f32",
                "%d = arith.addf %xp, %cdf : f32",
                f"%r = arith.mulf {a[0]}, %d : f32"], "%r")
        self.grads = []
        return step.elementwise([g, self.x], self.shape, body, "dgelu")


class Conv2d:
    """Conv2d with bias, stride 1, square kernel, zero padding. torch form:
    NCHW images, weight [F, C, KH, KW]; JAX form (flax's Conv): NHWC images,
    kernel [KH, KW, C, F]."""

    def __init__(self, inputs, outputs, kernel, padding, form="torch"):
        self.c, self.f, self.k, self.p = inputs, outputs, kernel, padding
        self.form = form

    def parameters(self):
        k = self.k
        w = [self.f, self.c, k, k] if self.form == "torch" else [k, k, self.c, self.f]
        return [("weight", w), ("bias", [self.f])]

    def conv(self, step, x, x_shape, w, w_shape, init, out_shape):
        name = step.fresh("conv")
        t = tensor_type(out_shape)
        step.emit(f"{name} = linalg.conv_2d_nchw_fchw {{dilations = dense<1> : vector<2xi64>, "
                  f"strides = dense<1> : vector<2xi64>}} ins({x}, {w} : {tensor_type(x_shape)}, "
                  f"{tensor_type(w_shape)}) outs({init} : {t}) -> {t}")
        return name

    def forward(self, step, x, shape):
        if self.form == "jax":
            return self.forward_jax(step, x, shape)
        self.x, self.shape = x, shape
        n, _, h, w = shape
        p = self.p
        xp, xp_shape = (step.pad(x, shape, [0, 0, p, p], [0, 0, p, p]) if p else (x, shape))
        out = [n, self.f, h + 2 * p - self.k + 1, w + 2 * p - self.k + 1]
        self.out = out
        init = step.empty(out)
        bb = step.fresh("bb")
        step.emit(f"{bb} = linalg.broadcast ins({self.b} : {tensor_type([self.f])}) "
                  f"outs({init} : {tensor_type(out)}) dimensions = [0, 2, 3]")
        w_shape = [self.f, self.c, self.k, self.k]
        return self.conv(step, xp, xp_shape, self.w, w_shape, bb, out), out

    def forward_jax(self, step, x, shape):
        # stablehlo.convolution with canonical dimension numbers becomes
        # linalg.conv_2d_nhwc_hwcf behind a tensor.pad; the bias is added by
        # a broadcasting generic.
        self.x, self.shape = x, shape
        n, h, w, _ = shape
        p, k = self.p, self.k
        xp, xp_shape = (step.pad(x, shape, [0, p, p, 0], [0, p, p, 0]) if p else (x, shape))
        out = [n, h + 2 * p - k + 1, w + 2 * p - k + 1, self.f]
        self.out = out
        init = step.fill(0.0, out)
        conv = step.fresh("conv")
        t = tensor_type(out)
        step.emit(f"{conv} = linalg.conv_2d_nhwc_hwcf {{dilations = dense<1> : tensor<2xi64>, "
                  f"strides = dense<1> : tensor<2xi64>}} ins({xp}, {self.w} : "
                  f"{tensor_type(xp_shape)}, {tensor_type([k, k, self.c, self.f])}) "
                  f"outs({init} : {t}) -> {t}")
        ins = [(conv, out, identity(4), "f32"), (self.b, [self.f], affine(4, ["d3"]), "f32")]
        y = step.generic(ins, (step.empty(out), out, "f32"), identity(4), ["parallel"] * 4,
                         lambda a: ([f"%s = arith.addf {a[0]}, {a[1]} : f32"], "%s"), "bias")
        return y, out

    def backward(self, step, g, need_dx):
        if self.form == "jax":
            return self.backward_jax(step, g, need_dx)
        k, p = self.k, self.p
        dx = None
        if need_dx:
            # conv_transpose2d: the swap+flip generic reads W in its body.
            flipped_shape = [self.c, self.f, k, k]
            top = step.const(k - 1, "index")
            w_type = tensor_type([self.f, self.c, k, k])

            def flip(a):
                return ([f"%i{d} = linalg.index {d} : index" for d in range(4)] +
                        [f"%r2 = arith.subi {top}, %i2 : index",
                         f"%r3 = arith.subi {top}, %i3 : index",
                         f"%v = tensor.extract {self.w}[%i1, %i0, %r2, %r3] : {w_type}"], "%v")
            wf = step.generic([], (step.fill(0.0, flipped_shape), flipped_shape, "f32"),
                              identity(4), ["parallel"] * 4, flip, "flip")
            q = k - 1 - p
            gp, gp_shape = (step.pad(g, self.out, [0, 0, q, q], [0, 0, q, q]) if q
                            else (g, self.out))
            dx = self.conv(step, gp, gp_shape, wf, flipped_shape, step.fill(0.0, self.shape),
                           self.shape)
        # Weight gradient at stride 1: transpose(conv(pad(x^T), g^T)).
        xt, xt_shape = step.transpose(self.x, self.shape, [1, 0, 2, 3])
        xtp, xtp_shape = (step.pad(xt, xt_shape, [0, 0, p, p], [0, 0, p, p]) if p
                          else (xt, xt_shape))
        gt, gt_shape = step.transpose(g, self.out, [1, 0, 2, 3])
        dwt_shape = [self.c, self.f, k, k]
        dwt = self.conv(step, xtp, xtp_shape, gt, gt_shape, step.fill(0.0, dwt_shape), dwt_shape)
        dw, _ = step.transpose(dwt, dwt_shape, [1, 0, 2, 3])
        db = step.generic([(g, self.out, identity(4), "f32")],
                          (step.fill(0.0, [self.f]), [self.f], "f32"), affine(4, ["d1"]),
                          ["reduction", "parallel", "reduction", "reduction"],
                          lambda a: ([f"%s = arith.addf {a[0]}, {a[1]} : f32"], "%s"), "red")
        self.grads = [dw, db]
        return dx

    def general_conv(self, step, lhs, lhs_shape, lhs_map, rhs, rhs_shape, rhs_map, out_shape,
                     out_map):
        """stablehlo-legalize-to-linalg's general convolution: one generic
        over (input feature, output feature, (output, window) per spatial
        dim, batch), multiply-add body."""
        mul_add = lambda a: ([f"%p = arith.mulf {a[0]}, {a[1]} : f32",
                              f"%s = arith.addf {a[2]}, %p : f32"], "%s")
        return step.generic(
            [(lhs, lhs_shape, affine(7, lhs_map), "f32"), (rhs, rhs_shape, affine(7, rhs_map), "f32")],
            (step.fill(0.0, out_shape), out_shape, "f32"), affine(7, out_map),
            ["reduction", "parallel", "parallel", "reduction", "parallel", "reduction",
             "parallel"], mul_add, "gconv")

    def backward_jax(self, step, g, need_dx):
        # JAX's conv VJPs: convolutions with swapped dimension numbers (the
        # data gradient reads lax.rev of the kernel), which take the general
        # conversion to linalg.generic.
        k, p = self.k, self.p
        w_shape = [k, k, self.c, self.f]
        dx = None
        if need_dx:
            # stablehlo.reverse: a generic reading the kernel at (k-1-i, k-1-j).
            rev = step.generic([(self.w, w_shape, affine(4, [f"{k - 1} - d0", f"{k - 1} - d1",
                                                              "d2", "d3"]), "f32")],
                               (step.empty(w_shape), w_shape, "f32"), identity(4),
                               ["parallel"] * 4, lambda a: ([], a[0]), "rev")
            q = k - 1 - p
            gp, gp_shape = (step.pad(g, self.out, [0, q, q, 0], [0, q, q, 0]) if q
                            else (g, self.out))
            # d0 = F (reduced), d1 = C, d2/d3 = row/tap, d4/d5 = column/tap, d6 = N.
            dx = self.general_conv(step, gp, gp_shape, ["d6", "d2 + d3", "d4 + d5", "d0"],
                                   rev, w_shape, ["d3", "d5", "d1", "d0"], self.shape,
                                   ["d6", "d2", "d4", "d1"])
        xp, xp_shape = (step.pad(self.x, self.shape, [0, p, p, 0], [0, p, p, 0]) if p
                        else (self.x, self.shape))
        # d0 = N (reduced), d1 = F, d2/d3 = tap/row, d4/d5 = tap/column, d6 = C.
        dw = self.general_conv(step, xp, xp_shape, ["d0", "d2 + d3", "d4 + d5", "d6"],
                               g, self.out, ["d0", "d3", "d5", "d1"], w_shape,
                               ["d2", "d4", "d6", "d1"])
        db = step.generic([(g, self.out, identity(4), "f32")],
                          (step.fill(0.0, [self.f]), [self.f], "f32"), affine(4, ["d3"]),
                          ["reduction", "reduction", "reduction", "parallel"],
                          lambda a: ([f"%s = arith.addf {a[0]}, {a[1]} : f32"], "%s"), "red")
        self.grads = [dw, db]
        return dx


class MaxPool2d:
    """2x2 max pooling, stride 2 (even image sizes)."""

    def parameters(self):
        return []

    def forward(self, step, x, shape):
        n, c, h, w = shape
        assert h % 2 == 0 and w % 2 == 0
        self.shape, self.out = shape, [n, c, h // 2, w // 2]
        init = step.fill(float("-inf"), self.out)
        window = step.empty([2, 2])
        y = step.fresh("pool")
        t = tensor_type(self.out)
        step.emit(f"{y} = linalg.pooling_nchw_max {{dilations = dense<1> : vector<2xi64>, "
                  f"strides = dense<2> : vector<2xi64>}} ins({x}, {window} : "
                  f"{tensor_type(shape)}, {tensor_type([2, 2])}) outs({init} : {t}) -> {t}")
        # The flat index (h * W + w) of the first maximum of each window
        # (the window tensor gives the reduction loops their sizes).
        two = step.const(2, "index")
        width = step.const(w, "index")

        def first_max(a):
            return ([f"%i{d} = linalg.index {d} : index" for d in (2, 3, 4, 5)] +
                     [f"%row2 = arith.muli %i2, {two} : index",
                      "%row = arith.addi %row2, %i4 : index",
                      f"%col2 = arith.muli %i3, {two} : index",
                      "%col = arith.addi %col2, %i5 : index",
                      f"%hw = arith.muli %row, {width} : index",
                      "%flat = arith.addi %hw, %col : index",
                      "%fi = arith.index_cast %flat : index to i64",
                      f"%eq = arith.cmpf oeq, {a[0]}, {a[1]} : f32",
                      f"%lo = arith.minsi {a[3]}, %fi : i64",
                      f"%r = arith.select %eq, %lo, {a[3]} : i64"], "%r")
        self.indices = step.generic(
            [(x, shape, affine(6, ["d0", "d1", "d2 * 2 + d4", "d3 * 2 + d5"]), "f32"),
             (y, self.out, affine(6, ["d0", "d1", "d2", "d3"]), "f32"),
             (window, [2, 2], affine(6, ["d4", "d5"]), "f32")],
            (step.fill(2**62, self.out, "i64"), self.out, "i64"), affine(6, ["d0", "d1", "d2", "d3"]),
            ["parallel"] * 4 + ["reduction"] * 2, first_max, "argmax")
        return y, self.out

    def backward(self, step, g, need_dx):
        width = step.const(self.shape[3], "index")
        zero = step.const(0.0)
        quarter = affine(4, ["d0", "d1", "d2 floordiv 2", "d3 floordiv 2"])

        def route(a):
            return ([f"%i{d} = linalg.index {d} : index" for d in (2, 3)] +
                    [f"%hw = arith.muli %i2, {width} : index",
                     "%flat = arith.addi %hw, %i3 : index",
                     "%fi = arith.index_cast %flat : index to i64",
                     f"%eq = arith.cmpi eq, {a[1]}, %fi : i64",
                     f"%r = arith.select %eq, {a[0]}, {zero} : f32"], "%r")
        self.grads = []
        return step.generic([(g, self.out, quarter, "f32"), (self.indices, self.out, quarter, "i64")],
                            (step.empty(self.shape), self.shape, "f32"), identity(4),
                            ["parallel"] * 4, route, "unpool")


class Flatten:
    def parameters(self):
        return []

    def forward(self, step, x, shape):
        self.shape = shape
        out = [shape[0], shape[1] * shape[2] * shape[3]]
        y = step.fresh("flat")
        step.emit(f"{y} = tensor.collapse_shape {x} [[0], [1, 2, 3]] : "
                  f"{tensor_type(shape)} into {tensor_type(out)}")
        self.out = out
        return y, out

    def backward(self, step, g, need_dx):
        dx = step.fresh("unflat")
        step.emit(f"{dx} = tensor.expand_shape {g} [[0], [1, 2, 3]] output_shape {self.shape} : "
                  f"{tensor_type(self.out)} into {tensor_type(self.shape)}")
        self.grads = []
        return dx


class Residual:
    """x + body(x)."""

    def __init__(self, *layers):
        self.layers = list(layers)

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def forward(self, step, x, shape):
        y, y_shape = x, shape
        for layer in self.layers:
            y, y_shape = layer.forward(step, y, y_shape)
        assert y_shape == shape
        self.shape = shape
        return step.add(x, y, shape), shape

    def backward(self, step, g, need_dx):
        d = g
        for layer in reversed(self.layers):
            d = layer.backward(step, d, True)
        self.grads = [gr for layer in self.layers for gr in layer.grads]
        return step.add(g, d, self.shape)


def bind_parameters(step, layers, prefix=""):
    """Adds each layer's parameters as arguments (torch's state_dict order);
    returns [(name, shape)]."""
    names = []
    for i, layer in enumerate(layers):
        if isinstance(layer, Residual):
            names += bind_parameters(step, layer.layers, f"{prefix}{i}_")
            continue
        values = []
        for kind, shape in layer.parameters():
            name = f"{kind[0]}{prefix}{i}"
            values.append(step.arg(name, shape))
            names.append((name, shape))
        if values:
            layer.w, layer.b = values
    return names


def joint_step(layers, input_shape):
    """The module text of the joint step of `layers` and its signature:
    (input shape, [(parameter, shape)], output shape)."""
    step = Step()
    x = step.arg("x", input_shape)
    params = bind_parameters(step, layers)
    y, shape = x, input_shape
    for layer in layers:
        y, shape = layer.forward(step, y, shape)
    gy = step.arg("gy", shape)
    g = gy
    for i, layer in reversed(list(enumerate(layers))):
        g = layer.backward(step, g, need_dx=i > 0)
    grads = []
    for layer in layers:
        grads += layer.grads
    results = [(y, shape)] + [(gr, s) for gr, (_, s) in zip(grads, params)]
    return step.text(results), (input_shape, params, shape)
