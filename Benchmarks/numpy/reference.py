#!/usr/bin/env python3
"""An independent, vectorised numpy implementation of the reference model (MODEL.md, sections 4-8).

It reads the fully resolved model that `workforce resolve SCENARIO --json` prints (format
"workforce-resolved/1") and writes the same long CSV as `workforce run`:

    scenario,level,area,role,period,months,metric,mean,sd,p05,p25,p50,p75,p95

Every (unit, path) column is stepped at once: stocks are arrays shaped (paths, units, roles), the
progression step is one matrix product per month, and each programme's training stages are one
array (stages, paths, units) used as a ring (stage k sits in slot (head + k) mod d, so that
advancing the stages moves the head instead of copying the array). Noise mode (MODEL.md section 7)
draws every flow with numpy's Generator.binomial and Generator.multinomial.

Random numbers come from numpy's default_rng(seed), not from the engine's Philox streams, so only
the expected-value run (`--deterministic`) can agree with the engine number for number; Monte Carlo
runs agree in distribution. Draws keep the engine's sharing rules: a distribution of scope `path`
is one draw per path shared by every unit whose parameter has the same key, `unit` is one draw per
unit and path, `year` one per path and financial year; every point of a schedule uses the same
uniform number (inversion sampling).

Usage:
    workforce resolve SCENARIO --json > model.json
    python3 reference.py model.json [--paths N] [--seed S] [--deterministic] [--out FILE]
    python3 reference.py compare ENGINE.csv NUMPY.csv [--tolerance 1e-9 | --statistical PATHS]

Only numpy and the standard library are used.
"""

import argparse
import csv
import json
import math
import os
import sys
import time

# numpy's element-wise work runs on one thread; BLAS threads would only take part in the small
# roles x roles products, where on a busy 2-core machine their spin-waiting costs more than they
# save (W2 at 1,000 paths: 5 s with one BLAS thread, 19 s with two while another job ran). An
# explicit OPENBLAS_NUM_THREADS (or OMP_NUM_THREADS) is respected.
if "OPENBLAS_NUM_THREADS" not in os.environ and "OMP_NUM_THREADS" not in os.environ:
    os.environ["OPENBLAS_NUM_THREADS"] = "1"

import numpy as np  # noqa: E402

# ----------------------------------------------------------------------------------------------
# Calendar


def parse_month(text):
    """`YYYY-MM` -> months since January of year 0 (the engine's Month.index)."""
    year, month = text.split("-")
    return int(year) * 12 + int(month) - 1


def financial_year(index):
    """The first calendar year of the April-to-March year holding this month."""
    year, month0 = divmod(index, 12)
    return year if month0 >= 3 else year - 1


# ----------------------------------------------------------------------------------------------
# Distributions (MODEL.md section 8), sampled by inversion so that every point of a schedule can
# use the same uniform number.

_SQRT2 = math.sqrt(2.0)


def normal_cdf(z):
    return 0.5 * math.erfc(-z / _SQRT2)


def ndtri(p):
    """Inverse standard normal CDF, vectorised: Acklam's rational approximation (relative error
    below 1.2e-9, far below Monte Carlo error)."""
    p = np.asarray(p, dtype=float)
    a = (-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
         1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00)
    b = (-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
         6.680131188771972e+01, -1.328068155288572e+01)
    c = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
         -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00)
    d = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
         3.754408661907416e+00)
    low = 0.02425
    out = np.empty_like(p)
    with np.errstate(divide="ignore", invalid="ignore"):
        lo = p < low
        hi = p > 1 - low
        mid = ~(lo | hi)
        q = np.sqrt(-2 * np.log(p[lo]))
        out[lo] = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / \
                  ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        q = np.sqrt(-2 * np.log1p(-p[hi]))
        out[hi] = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / \
                   ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
        q = p[mid] - 0.5
        r = q * q
        out[mid] = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / \
                   (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
    return out


class Distribution:
    """The engine's Distribution: kind, parameters a, b, c, optional truncation, scope."""

    def __init__(self, spec):
        self.kind = spec["kind"]
        self.a = float(spec["a"])
        self.b = float(spec["b"])
        self.c = float(spec.get("c", 0.0))
        self.lower = spec.get("lower")
        self.upper = spec.get("upper")
        self.scope = spec.get("scope", "path")
        self._beta_grid = None

    def mean(self):
        """The value of the expected-value run: the nominal mean clamped into [lower, upper]."""
        if self.kind in ("normal", "lognormal", "beta"):
            m = self.a
        elif self.kind == "triangular":
            m = (self.a + self.b + self.c) / 3
        else:  # uniform
            m = (self.a + self.b) / 2
        if self.lower is not None:
            m = max(m, self.lower)
        if self.upper is not None:
            m = min(m, self.upper)
        return m

    def _lognormal(self):
        s2 = math.log(1 + self.b * self.b / (self.a * self.a))
        return math.log(self.a) - s2 / 2, math.sqrt(s2)

    def _beta(self):
        """CDF of the beta on a grid clustered at 0 and 1 (midpoint rule on the density),
        inverted by linear interpolation."""
        if self._beta_grid is None:
            k = self.a * (1 - self.a) / (self.b * self.b) - 1
            alpha, beta = self.a * k, (1 - self.a) * k
            x = 0.5 - 0.5 * np.cos(np.linspace(0.0, math.pi, 16385))
            mid = 0.5 * (x[1:] + x[:-1])
            log_norm = math.lgamma(alpha) + math.lgamma(beta) - math.lgamma(alpha + beta)
            mass = np.exp((alpha - 1) * np.log(mid) + (beta - 1) * np.log1p(-mid) - log_norm) * np.diff(x)
            cdf = np.concatenate(([0.0], np.cumsum(mass)))
            self._beta_grid = (x, cdf / cdf[-1])
        return self._beta_grid

    def cdf(self, x):
        """CDF of the untruncated distribution at a number (used for the truncation bounds)."""
        if self.kind == "normal":
            return normal_cdf((x - self.a) / self.b)
        if self.kind == "lognormal":
            if x <= 0:
                return 0.0
            mu, sigma = self._lognormal()
            return normal_cdf((math.log(x) - mu) / sigma)
        if self.kind == "beta":
            if x <= 0:
                return 0.0
            if x >= 1:
                return 1.0
            grid, cdf = self._beta()
            return float(np.interp(x, grid, cdf))
        if self.kind == "triangular":
            a, b, c = self.a, self.b, self.c
            if x <= a:
                return 0.0
            if x >= c:
                return 1.0
            if x <= b:
                return (x - a) ** 2 / ((c - a) * (b - a))
            return 1 - (c - x) ** 2 / ((c - a) * (c - b))
        return min(1.0, max(0.0, (x - self.a) / (self.b - self.a)))

    def quantile(self, u):
        """Values at uniform numbers u (an array) of the truncated distribution."""
        p_low = self.cdf(self.lower) if self.lower is not None else 0.0
        p_high = self.cdf(self.upper) if self.upper is not None else 1.0
        p = p_low + u * (p_high - p_low)
        if self.kind == "normal":
            x = self.a + self.b * ndtri(p)
        elif self.kind == "lognormal":
            mu, sigma = self._lognormal()
            x = np.exp(mu + sigma * ndtri(p))
        elif self.kind == "beta":
            grid, cdf = self._beta()
            x = np.interp(p, cdf, grid)
        elif self.kind == "triangular":
            a, b, c = self.a, self.b, self.c
            split = (b - a) / (c - a)
            x = np.where(p <= split, a + np.sqrt((c - a) * (b - a) * p),
                         c - np.sqrt((c - a) * (c - b) * np.maximum(1 - p, 0)))
        else:
            x = self.a + p * (self.b - self.a)
        if self.lower is not None:
            x = np.maximum(x, self.lower)
        if self.upper is not None:
            x = np.minimum(x, self.upper)
        return x

    def identity(self):
        return (self.kind, self.a, self.b, self.c, self.lower, self.upper, self.scope)


# ----------------------------------------------------------------------------------------------
# Quantities: a schedule of dated values (step or linear), each a constant or a distribution.


class Quantity:
    def __init__(self, spec):
        self.key = int(spec.get("key", 0))
        self.linear = spec.get("interpolation", "step") == "linear"
        self.points = []
        for point in spec["points"]:
            start = parse_month(point["from"]) if "from" in point else None
            value = point["value"]
            if "constant" in value:
                self.points.append((start, float(value["constant"])))
            else:
                self.points.append((start, Distribution(value["distribution"])))
        self.random = any(isinstance(v, Distribution) for _, v in self.points)
        self.year_scope = any(isinstance(v, Distribution) and v.scope == "year" for _, v in self.points)

    def change_steps(self, start, months):
        """Steps at which the value may differ from the month before (step 0 always)."""
        steps = {0}
        for when, _ in self.points[1:]:
            if when is not None and 0 < when - start < months:
                steps.add(when - start)
        if self.linear and len(self.points) > 1:
            first = self.points[0][0] if self.points[0][0] is not None else start
            last = self.points[-1][0] if self.points[-1][0] is not None else start
            steps.update(range(max(1, first - start + 1), min(months - 1, last - start) + 1))
        if self.year_scope:
            steps.update(s for s in range(1, months) if (start + s) % 12 == 3)
        return steps


class Sampler:
    """Turns quantities into numbers for every path: a float (the same on every path) or an
    array of shape (paths,)."""

    def __init__(self, paths, seed, deterministic):
        self.paths = paths
        self.deterministic = deterministic
        self.rng = np.random.default_rng(seed)
        self.uniforms = {}
        self.values = {}

    def _uniform(self, tag):
        u = self.uniforms.get(tag)
        if u is None:
            u = self.rng.random(self.paths)
            u[u == 0] = 2.0 ** -54  # inversion needs u in (0, 1)
            self.uniforms[tag] = u
        return u

    def _resolve(self, q, i, month, unit):
        value = q.points[i][1]
        if not isinstance(value, Distribution):
            return value
        if self.deterministic:
            return value.mean()
        if value.scope == "unit":
            tag = ("unit", q.key, unit)
        elif value.scope == "year":
            tag = ("year", q.key, financial_year(month))
        else:
            tag = ("path", q.key)
        cache = tag + (i, value.identity())
        x = self.values.get(cache)
        if x is None:
            x = value.quantile(self._uniform(tag))
            self.values[cache] = x
        return x

    def value(self, q, month, unit):
        points = q.points
        if len(points) == 1:
            return self._resolve(q, 0, month, unit)
        i = 0
        for j in range(1, len(points)):
            if points[j][0] is not None and points[j][0] <= month:
                i = j
            else:
                break
        here = self._resolve(q, i, month, unit)
        if not q.linear or i + 1 >= len(points) or points[i][0] is None or points[i + 1][0] is None \
                or month <= points[i][0]:
            return here
        there = self._resolve(q, i + 1, month, unit)
        w = (month - points[i][0]) / (points[i + 1][0] - points[i][0])
        return here + w * (there - here)


def stack(values, shape_tail):
    """Floats or (paths,) arrays laid out as shape_tail -> one array (1 or paths, *shape_tail)."""
    paths = max((v.shape[0] for v in values if isinstance(v, np.ndarray)), default=1)
    out = np.empty((paths, len(values)))
    for j, v in enumerate(values):
        out[:, j] = v
    return out.reshape((paths,) + tuple(shape_tail))


# ----------------------------------------------------------------------------------------------
# The model


METRICS = [  # (name, stored numerator, stored denominator or None), in the engine's order
    ("demand", "demand", None), ("staff_in_post", "staff", None), ("trainees", "trainees", None),
    ("vacancies", "vacancies", None), ("vacancy_rate", "vacancies", "demand"),
    ("leavers", "leavers", None), ("turnover_rate", "leavers", "staff_mean"),
    ("hires", "hires", None), ("international_hires", "international", None),
    ("starts", "starts", None), ("completions", "completions", None), ("dropouts", "dropouts", None),
    ("progression_in", "progression_in", None), ("progression_out", "progression_out", None),
    ("pay_bill", "pay_bill", None),
]
# Flows summed over a period's months, per (path, unit, role); the training flows (starts,
# completions, dropouts) are summed per programme and put under its `to` role at the period's end.
FLOWS = ["leavers", "hires", "international", "progression_in", "progression_out", "pay_bill", "staff_sum"]
ROLE_FIELDS = ["turnover", "retainedInSector", "timeToFill", "internationalShare", "internationalCap", "pay", "mix"]


class Model:
    def __init__(self, doc, paths=None, seed=None, deterministic=False):
        if doc.get("format") != "workforce-resolved/1":
            raise SystemExit("reference.py: expected the output of `workforce resolve SCENARIO --json` "
                             "(format workforce-resolved/1)")
        m = doc["model"]
        self.name = m["name"]
        self.roles = m["roles"]
        self.quantiles = [float(q) for q in m["quantiles"]]
        self.deterministic = deterministic
        self.paths = 1 if deterministic else int(paths if paths is not None else m["paths"])
        self.seed = int(seed if seed is not None else m["seed"])
        self.noise = m["noise"] == "binomial" and not deterministic
        t = m["timeline"]
        self.start = parse_month(t["start"])
        self.months = parse_month(t["horizon"]) - self.start + 1
        self.periods = t["periods"]
        self.period_of_step = t["periodOfStep"]
        self.programmes = m["programmes"]
        self.areas = m["areas"]
        self.leaves = []
        for leaf in m["leaves"]:
            roles = []
            for r in leaf["roles"]:
                roles.append({"filled": float(r["filled"]), "vacancies": float(r["vacancies"]),
                              **{f: Quantity(r[f]) if f in r else None for f in ROLE_FIELDS}})
            self.leaves.append({
                "area": leaf["area"], "roles": roles,
                "progression": [(p["from"], p["to"], Quantity(p["rate"])) for p in leaf.get("progression", [])],
                "programmes": [(Quantity(p["completion"]), Quantity(p["starts"])) for p in leaf.get("programmes", [])],
                "growth": Quantity(leaf["growth"]), "elasticity": Quantity(leaf["elasticity"]),
                "events": [(e.get("role"), parse_month(e["from"]), e["kind"], Quantity(e["value"]))
                           for e in leaf.get("events", [])],
            })
        self.has_pay = any(r["pay"] is not None for leaf in self.leaves for r in leaf["roles"])
        self.metrics = [x for x in METRICS if self.has_pay or x[0] != "pay_bill"]


# ----------------------------------------------------------------------------------------------
# Simulation


class Simulation:
    def __init__(self, model):
        self.m = model
        P, U, R = model.paths, len(model.leaves), len(model.roles)
        self.P, self.U, self.R, self.A = P, U, R, len(model.programmes)
        self.sampler = Sampler(P, model.seed, model.deterministic)
        rnd = np.rint if model.noise else (lambda x: x)
        filled = rnd(np.array([[r["filled"] for r in leaf["roles"]] for leaf in model.leaves]))
        vacant = rnd(np.array([[r["vacancies"] for r in leaf["roles"]] for leaf in model.leaves]))
        self.established = filled + vacant  # E0, (U, R)
        self.F = np.broadcast_to(filled, (P, U, R)).copy()
        self.growth_index = np.ones((P, U))
        # Training rings, stage-major: (d, P, U); trainee totals per programme (P, U).
        dtype = np.int64 if model.noise else float
        self.T = [np.zeros((p["duration"], P, U), dtype=dtype) for p in model.programmes]
        self.head = [0] * self.A
        self.total = [np.zeros((P, U)) for _ in model.programmes]
        self.carry = [np.zeros((P, U)) for _ in model.programmes]  # noise mode: rounding remainders of starts
        self.dropout_rate = [None] * self.A
        self.annual_starts = [None] * self.A
        self.refresh_plan = self._plan()

    # -- parameters ------------------------------------------------------------------------

    def _plan(self):
        """Groups of parameters to evaluate again at each step (the union over units)."""
        m = self.m
        start, months = m.start, m.months
        due = [set() for _ in range(months)]

        def schedule(quantities, group):
            steps = {0}
            for q in quantities:
                if q is not None:
                    steps |= q.change_steps(start, months)
            for s in steps:
                due[s].add(group)

        for leaf in m.leaves:
            for f in ROLE_FIELDS:
                schedule([r[f] for r in leaf["roles"]], ("role", f))
            schedule([leaf["growth"], leaf["elasticity"]], ("growth",))
            schedule([q for _, _, q in leaf["progression"]], ("progression",))
            for a, (completion, starts) in enumerate(leaf["programmes"]):
                schedule([completion, starts], ("programme", a))
            schedule([q for _, _, _, q in leaf["events"]], ("events",))
            for _, when, _, _ in leaf["events"]:
                if 0 < when - start < months:
                    due[when - start].add(("events",))
        return due

    def _role_field(self, f, month):
        v = self.sampler.value
        default = {"internationalCap": math.inf, "pay": 0.0}.get(f)
        values = [(v(r[f], month, u) if r[f] is not None else default)
                  for u, leaf in enumerate(self.m.leaves) for r in leaf["roles"]]
        return stack(values, (self.U, self.R))

    def refresh(self, step):
        groups = self.refresh_plan[step]
        if not groups:
            return
        month = self.m.start + step
        v = self.sampler.value
        leaves = self.m.leaves
        changed = set()
        for g in sorted(groups, key=str):
            if g[0] == "role":
                setattr(self, "raw_" + g[1], self._role_field(g[1], month))
                changed.add(g[1])
            elif g[0] == "growth":
                gamma = stack([v(l["growth"], month, u) * v(l["elasticity"], month, u)
                               for u, l in enumerate(leaves)], (self.U,))
                self.growth_factor = np.exp(np.log1p(gamma) / 12)  # (1 + gamma)^(1/12)
            elif g[0] == "progression":
                self._refresh_progression(month)
            elif g[0] == "programme":
                a = g[1]
                d = self.m.programmes[a]["duration"]
                completion = stack([v(l["programmes"][a][0], month, u) for u, l in enumerate(leaves)], (self.U,))
                self.dropout_rate[a] = -np.expm1(np.log(completion) / d)  # q = 1 - c^(1/d)
                self.annual_starts[a] = stack([v(l["programmes"][a][1], month, u) for u, l in enumerate(leaves)],
                                              (self.U,))
            elif g[0] == "events":
                self._refresh_events(month)
        if changed & {"turnover", "retainedInSector"}:
            tau, rho = self.raw_turnover, self.raw_retainedInSector
            h = -np.expm1(np.log1p(-tau) / 12)  # h = 1 - (1 - tau)^(1/12)
            self.exit_rate = h * (1 - rho)  # x = h (1 - rho)
            self.move_rate = h * rho  # v = h rho
        if "timeToFill" in changed:
            self.fill_rate = -np.expm1(-1 / self.raw_timeToFill)  # f = 1 - exp(-1 / t_f)
        if "internationalShare" in changed:
            self.share = self.raw_internationalShare
        if "internationalCap" in changed:
            self.monthly_cap = self.raw_internationalCap / 12
        if "pay" in changed:
            self.pay_month = self.raw_pay / 12
        if "mix" in changed:
            self.mix = self.raw_mix

    def _refresh_progression(self, month):
        R, U = self.R, self.U
        per_unit = []
        for u, leaf in enumerate(self.m.leaves):
            annual = [[0.0] * R for _ in range(R)]  # annual[r][s] = pi[r -> s]
            for r, s, q in leaf["progression"]:
                annual[r][s] = annual[r][s] + self.sampler.value(q, month, u)
            per_unit.append(annual)
        paths = max((x.shape[0] for a in per_unit for row in a for x in row if isinstance(x, np.ndarray)), default=1)
        pi = np.zeros((paths, U, R, R))
        for u, annual in enumerate(per_unit):
            for r in range(R):
                for s in range(R):
                    pi[:, u, r, s] = annual[r][s]
        total = pi.sum(axis=3)  # P_r
        with np.errstate(divide="ignore", invalid="ignore"):
            mu = np.where(total > 0, -np.expm1(np.log1p(-total) / 12), 0.0)  # mu_r = 1 - (1 - P_r)^(1/12)
            m = np.where(total[..., None] > 0, mu[..., None] * pi / total[..., None], 0.0)  # m[r -> s]
        eye = np.eye(R, dtype=bool)
        m[..., eye] = 0.0
        # K[s][r] = m[r -> s] (s != r), K[r][r] = 1 - mu_r: with rows r, columns s this is K^T.
        self.KT_off = m
        self.KT = m.copy()
        self.KT[..., eye] = 1 - mu
        self.mu = mu
        # One matrix for every unit and path when none of them differ.
        self.k_shared = paths == 1 and bool(np.all(self.KT == self.KT[:, :1]))
        self.flows = [(r, s) for r in range(R) for s in range(R)
                      if r != s and bool(np.any(m[..., r, s] > 0))]

    def _refresh_events(self, month):
        R = self.R
        adds, mults = [], []
        for u, leaf in enumerate(self.m.leaves):
            add = [0.0] * R
            mult = [1.0] * R
            for role, when, kind, q in leaf["events"]:
                if when > month:
                    continue
                x = self.sampler.value(q, month, u)
                for r in range(R):
                    if role is None or role == r:
                        if kind == "add":
                            add[r] = add[r] + x
                        else:
                            mult[r] = mult[r] * x
            adds.extend(add)
            mults.extend(mult)
        self.event_add = stack(adds, (self.U, R))
        self.event_multiply = stack(mults, (self.U, R))

    # -- one month (MODEL.md section 5), on one block of paths ---------------------------------
    #
    # The state holds every path; a month is stepped block by block of paths (F[p0:p1] is
    # contiguous), so that the dozens of whole-array operations of a month work on arrays that fit
    # in the processor's cache instead of streaming the full (paths, units, roles) arrays from
    # memory once per operation.

    def progression_product(self, F1, b):
        """F2 = K F1 for every column of the block; in_s = sum over r != s of m[r -> s] F1[r]."""
        n, U, R = F1.shape
        if self.k_shared:
            F2 = (F1.reshape(-1, R) @ self.KT[0, 0]).reshape(n, U, R)
            flow_in = (F1.reshape(-1, R) @ self.KT_off[0, 0]).reshape(n, U, R)
        else:
            KT, KT_off = b(self.KT), b(self.KT_off)
            F2 = np.einsum("pur,purs->pus", F1, np.broadcast_to(KT, (n, U, R, R)))
            flow_in = np.einsum("pur,purs->pus", F1, np.broadcast_to(KT_off, (n, U, R, R)))
        return F2, flow_in

    def progression_noise(self, F1, b):
        """Movers out of r ~ Bin(F1[r], mu_r), split over destinations by a multinomial with
        weights m[r -> s] / mu_r."""
        rng = self.sampler.rng
        n, U, R = F1.shape
        movers = rng.binomial(F1.astype(np.int64), np.broadcast_to(b(self.mu), F1.shape))
        F2 = F1 - movers
        flow_in = np.zeros_like(F1)
        for r in range(R):
            dests = [s for (rr, s) in self.flows if rr == r]
            if not dests:
                continue
            if len(dests) == 1:
                split = movers[..., r:r + 1]
            else:
                w = np.broadcast_to(b(self.KT_off)[..., r, dests], (n, U, len(dests)))
                total = w.sum(axis=-1, keepdims=True)
                with np.errstate(divide="ignore", invalid="ignore"):
                    pvals = np.where(total > 0, w / total, 1.0 / len(dests))
                split = rng.multinomial(movers[..., r], pvals)
            for j, s in enumerate(dests):
                F2[..., s] += split[..., j]
                flow_in[..., s] += split[..., j]
        return F2, flow_in, movers.astype(float)

    def train(self, a, programme, F2, calendar_month, sl, b, acc):
        """Step 4 for one programme on every column of the block."""
        last = self.head[a]  # slot of stage d - 1, which becomes stage 0 (see run())
        T = self.T[a][:, sl]
        total = self.total[a][sl]
        q = b(self.dropout_rate[a])
        if self.m.noise:
            out = self.sampler.rng.binomial(T, np.broadcast_to(q, total.shape))  # O_k ~ Bin(T[k], q)
            T -= out
            dropouts = out.sum(axis=0).astype(float)
            completers = T[last].astype(float)
            survivors = total - dropouts - completers
        else:
            survive = 1 - q
            dropouts = q * total  # sum over k of q T[k]
            completers = survive * T[last]  # C = (1 - q) T[d - 1]
            survivors = np.maximum(0.0, survive * (total - T[last]))
            T *= survive  # T[k] <- (1 - q) T[k - 1]: the multiply here, the shift by moving the head
        starts = np.broadcast_to(b(self.annual_starts[a]) * programme["intakeProfile"][calendar_month], total.shape)
        if self.m.noise:
            carry = self.carry[a][sl]
            due = carry + starts
            starts = np.rint(due)  # rounded half to even, the remainder carried to the next month
            carry[...] = due - starts
        source = programme.get("from")
        if source is not None:
            starts = np.minimum(starts, F2[..., source])
            F2[..., source] -= starts
        T[last] = starts
        total[...] = survivors + starts
        to = programme["to"]
        F2[..., to] += completers
        if source is not None and programme["dropoutsReturn"]:
            F2[..., source] += dropouts
        flows = acc["training"][a]  # per programme (P, U); put under the `to` role at the period's end
        flows[0, sl] += starts
        flows[1, sl] += completers
        flows[2, sl] += dropouts

    def month_block(self, sl, calendar_month, acc, stocks):
        m = self.m
        noise = m.noise
        rng = self.sampler.rng

        def b(x):  # a parameter array's rows for this block (it has 1 row when paths share it)
            return x[sl] if x.shape[0] > 1 else x

        F = self.F[sl]

        # 1. Demand D_t = (E0 g_t mix_t + additive events) * multiplicative events.
        g = self.growth_index[sl]
        g *= b(self.growth_factor)
        demand = (self.established * g[..., None] * b(self.mix) + b(self.event_add)) * b(self.event_multiply)

        # 2. Leaving: exits X = x F, moves M = v F; F1 = F - X.
        if noise:
            n = F.astype(np.int64)
            x = np.broadcast_to(b(self.exit_rate), F.shape)
            exits = rng.binomial(n, x)
            with np.errstate(divide="ignore", invalid="ignore"):
                p_move = np.where(x < 1, b(self.move_rate) / (1 - x), 0.0)
            moves = rng.binomial(n - exits, p_move).astype(float)
            exits = exits.astype(float)
        else:
            exits = b(self.exit_rate) * F
            moves = b(self.move_rate) * F
        F1 = F - exits

        # 3. Progression F2 = K F1.
        if noise:
            F2, flow_in, flow_out = self.progression_noise(F1, b)
        else:
            F2, flow_in = self.progression_product(F1, b)
            flow_out = b(self.mu) * F1
        acc["progression_in"][sl] += flow_in
        acc["progression_out"][sl] += flow_out

        # 4. Training, programme by programme in the order declared.
        for a, programme in enumerate(m.programmes):
            self.train(a, programme, F2, calendar_month, sl, b, acc)

        # 5. Recruitment.
        effective = F2.copy()
        for a, programme in enumerate(m.programmes):
            w = programme["inPostShare"]
            if w > 0:
                target = programme["from"] if programme.get("from") is not None else programme["to"]
                effective[..., target] += w * self.total[a][sl]
        vacancies = np.maximum(0.0, demand - effective)
        if noise:
            hires = rng.binomial(np.floor(vacancies).astype(np.int64), np.broadcast_to(b(self.fill_rate), F.shape))
            drawn = rng.binomial(hires, np.broadcast_to(b(self.share), F.shape))
            international = np.minimum(drawn, np.floor(b(self.monthly_cap)))
            domestic = (hires - drawn).astype(float)
        else:
            hires = b(self.fill_rate) * vacancies
            share = b(self.share)
            international = np.minimum(hires * share, b(self.monthly_cap))
            domestic = hires * (1 - share)
        hired = international + domestic

        # 6. End of month.
        np.add(F2, hired, out=F)
        acc["leavers"][sl] += exits + moves
        acc["hires"][sl] += hired + moves
        acc["international"][sl] += international
        acc["pay_bill"][sl] += F * b(self.pay_month)
        acc["staff_sum"][sl] += F
        if stocks is not None:  # the last month of a period: keep its stocks
            stocks["demand"][sl] = demand
            stocks["vacancies"][sl] = np.maximum(0.0, demand - (effective + hired))

    def run(self, on_period, block_elements):
        P, U, R = self.P, self.U, self.R
        block = max(1, min(P, block_elements // max(1, U * R)))
        blocks = [slice(p, min(P, p + block)) for p in range(0, P, block)]
        acc = None
        for step in range(self.m.months):
            self.refresh(step)
            if acc is None:
                acc = {k: np.zeros((P, U, R)) for k in FLOWS}
                acc["training"] = np.zeros((self.A, 3, P, U))
            period = self.m.period_of_step[step]
            info = self.m.periods[period]
            last = step == info["firstStep"] + info["months"] - 1
            stocks = {"demand": np.empty((P, U, R)), "vacancies": np.empty((P, U, R))} if last else None
            # Every stage of every programme moves one stage on: the slot of stage d - 1 becomes
            # the slot of the new stage 0 (a ring, shared in position by all columns).
            for a, programme in enumerate(self.m.programmes):
                self.head[a] = (self.head[a] - 1) % programme["duration"]
            for sl in blocks:
                self.month_block(sl, (self.m.start + step) % 12, acc, stocks)
            if last:
                stocks["staff"] = self.F
                trainees = np.zeros((P, U, R))
                for a, programme in enumerate(self.m.programmes):
                    trainees[..., programme["to"]] += self.total[a]
                stocks["trainees"] = trainees
                for j, name in enumerate(("starts", "completions", "dropouts")):
                    flow = np.zeros((P, U, R))
                    for a, programme in enumerate(self.m.programmes):
                        flow[..., programme["to"]] += acc["training"][a, j]
                    stocks[name] = flow
                del acc["training"]
                stocks.update(acc)
                stocks["staff_mean"] = acc["staff_sum"] / info["months"]
                on_period(period, stocks)
                acc = None


# ----------------------------------------------------------------------------------------------
# Summaries (MODEL.md section 6): every level of the unit tree, totals summed per path first.


class Summary:
    def __init__(self, model):
        self.m = model
        areas = model.areas
        order = []

        def visit(i):
            order.append(i)
            for c in areas[i].get("children", []):
                visit(c)

        for i, a in enumerate(areas):
            if a.get("parent") is None:
                visit(i)
        self.order = order
        self.parents = [i for i, a in enumerate(areas) if a.get("leaf") is None]
        U = len(model.leaves)
        # W[u, j] = 1 when leaf u lies below parent j.
        self.W = np.zeros((U, len(self.parents)))
        for j, p in enumerate(self.parents):
            stack_ = [p]
            while stack_:
                i = stack_.pop()
                if areas[i].get("leaf") is not None:
                    self.W[areas[i]["leaf"], j] = 1.0
                stack_.extend(areas[i].get("children", []))
        self.position = {}  # area -> (kind, index into leaves or parents)
        for i, a in enumerate(areas):
            self.position[i] = ("leaf", a["leaf"]) if a.get("leaf") is not None else ("parent", self.parents.index(i))
        R = len(model.roles)
        self.stats = np.zeros((len(areas), R + 1, len(model.periods), len(model.metrics), 2 + len(model.quantiles)))

    def _by_area(self, x):
        """(P, U, R) per-path values -> leaves (U, R + 1, P) and parents (parents, R + 1, P), the
        last role slot being the total over roles. Paths go last so that each output cell's values
        are contiguous for the summaries."""
        P, U, R = x.shape
        leaves = np.empty((U, R + 1, P))
        leaves[:, :R, :] = x.transpose(1, 2, 0)
        leaves[:, :R, :].sum(axis=1, out=leaves[:, R, :])
        parents = (self.W.T @ leaves.reshape(U, -1)).reshape(-1, R + 1, P)
        return leaves, parents

    def _summarise(self, values):
        """values (N, P) -> (N, 2 + quantiles): mean, sd (divisor n - 1), type-7 quantiles."""
        P = values.shape[1]
        x = np.sort(values, axis=1)  # the same numbers as np.quantile(..., method="linear"), faster
        out = np.empty((x.shape[0], 2 + len(self.m.quantiles)))
        mean = x.mean(axis=1)
        out[:, 0] = mean
        if P > 1:
            dev = x - mean[:, None]
            out[:, 1] = np.sqrt(np.einsum("ij,ij->i", dev, dev) / (P - 1))
        else:
            out[:, 1] = 0.0
        for j, q in enumerate(self.m.quantiles):
            h = (P - 1) * q / 100
            lo = int(math.floor(h))
            a = x[:, lo]
            b = x[:, lo + 1] if lo + 1 < P else a
            out[:, 2 + j] = a + (h - lo) * (b - a)
        constant = x[:, 0] == x[:, -1]
        out[constant, 0] = x[constant, 0]
        out[constant, 1] = 0.0
        return out

    def add_period(self, period, stored):
        R = len(self.m.roles)
        for mi, (_, num, den) in enumerate(self.m.metrics):
            groups = self._by_area(stored[num])
            if den is not None:  # a ratio of sums, computed on each path (0 where the denominator is 0)
                groups = [np.divide(n, d, out=np.zeros_like(n), where=d > 0)
                          for n, d in zip(groups, self._by_area(stored[den]))]
            leaves, parents = groups
            P = leaves.shape[2]
            s_leaves = self._summarise(leaves.reshape(-1, P)).reshape(leaves.shape[0], R + 1, -1)
            if parents.shape[0]:
                s_parents = self._summarise(parents.reshape(-1, P)).reshape(parents.shape[0], R + 1, -1)
            for area, (kind, k) in self.position.items():
                self.stats[area, :, period, mi, :] = s_leaves[k] if kind == "leaf" else s_parents[k]

    def write(self, out):
        m = self.m

        def number(x):  # the engine's format: shortest round-trip decimal, whole numbers without ".0"
            if x == 0:
                return "0"
            if x.is_integer() and abs(x) < 1e15:
                return str(int(x))
            return repr(x)

        def field(s):
            if any(ch in s for ch in ',"\n\r'):
                return '"' + s.replace('"', '""') + '"'
            return s

        def label(q):
            if q == round(q):
                i = int(q)
                return "p0%d" % i if i < 10 else "p%d" % i
            return ("p0" if q < 10 else "p") + repr(q)

        out.write("scenario,level,area,role,period,months,metric,mean,sd," + ",".join(label(q) for q in m.quantiles) + "\n")
        scenario = field(m.name)
        roles = m.roles + ["all"]
        lines = []
        for area in self.order:
            a = m.areas[area]
            for r, role in enumerate(roles):
                prefix = ",".join([scenario, field(a["level"]), field(a["name"]), field(role)]) + ","
                for p, period in enumerate(m.periods):
                    head = prefix + period["label"] + "," + str(period["months"]) + ","
                    for metric, values in zip(m.metrics, self.stats[area, r, p].tolist()):
                        lines.append(head + metric[0] + "," + ",".join(map(number, values)) + "\n")
            if len(lines) > 10000:
                out.write("".join(lines))
                lines = []
        out.write("".join(lines))


# ----------------------------------------------------------------------------------------------
# Comparing two CSVs (the agreement check of the expected-value run)


def read_csv(path):
    """Long CSV -> (header, {(level, area, role, period, metric): (months, mean, sd)})."""
    rows = {}
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        for row in reader:
            rows[tuple(row[1:5]) + (row[6],)] = (row[5], float(row[7]), float(row[8]))
    return header, rows


def compare(engine_path, numpy_path, tolerance):
    """The expected-value check: every row present in both, the same months, and means within
    `tolerance` (relative, or absolute where both are at most 1 in size)."""
    h1, a = read_csv(engine_path)
    h2, b = read_csv(numpy_path)
    problems = []
    if h1 != h2:
        problems.append("headers differ: %s / %s" % (h1, h2))
    if set(a) != set(b):
        problems.append("rows differ: %d only in %s, %d only in %s"
                        % (len(set(a) - set(b)), engine_path, len(set(b) - set(a)), numpy_path))
    worst = (0.0, None)
    bad = 0
    for key in sorted(set(a) & set(b)):
        (ma, x, _), (mb, y, _) = a[key], b[key]
        if ma != mb:
            problems.append("months differ at %s" % (",".join(key),))
        scale = max(abs(x), abs(y))
        err = abs(x - y) / scale if scale > 1 else abs(x - y)
        if err > worst[0]:
            worst = (err, key, x, y)
        if err > tolerance:
            bad += 1
            if bad <= 20:
                problems.append("mean differs at %s: engine %r, numpy %r (error %.3g)" % (",".join(key), x, y, err))
    print("%d rows; largest difference %.3g%s" % (
        len(set(a) & set(b)), worst[0],
        "" if worst[1] is None else " (%s: engine %r, numpy %r)" % (",".join(worst[1]), worst[2], worst[3])))
    if bad:
        problems.append("%d rows differ by more than %g" % (bad, tolerance))
    for p in problems:
        print("  " + p)
    return 0 if not problems else 1


def compare_statistically(engine_path, numpy_path, paths):
    """Monte Carlo runs with different random numbers: how far apart the means are in standard
    errors, z = |mean_e - mean_n| / sqrt((sd_e^2 + sd_n^2) / paths). Informational: rows are
    correlated and rare-event rows are far from normal."""
    _, a = read_csv(engine_path)
    _, b = read_csv(numpy_path)
    zs = []
    for key in set(a) & set(b):
        (_, x, sx), (_, y, sy) = a[key], b[key]
        se = math.sqrt((sx * sx + sy * sy) / paths)
        if se > 1e-12 * max(1.0, abs(x)):
            zs.append((abs(x - y) / se, key))
    zs.sort(reverse=True)
    over3 = sum(1 for z, _ in zs if z > 3)
    over4 = sum(1 for z, _ in zs if z > 4)
    print("%d rows with spread; |z| > 3: %d (%.2f%%, about 0.27%% expected), |z| > 4: %d; largest %.2f (%s)"
          % (len(zs), over3, 100.0 * over3 / max(1, len(zs)), over4, zs[0][0] if zs else 0.0,
             ",".join(zs[0][1]) if zs else "-"))
    return 0


# ----------------------------------------------------------------------------------------------


def main(argv):
    if argv and argv[0] == "compare":
        ap = argparse.ArgumentParser(prog="reference.py compare")
        ap.add_argument("engine_csv")
        ap.add_argument("numpy_csv")
        ap.add_argument("--tolerance", type=float, default=1e-9,
                        help="relative, or absolute where |value| <= 1 (default 1e-9)")
        ap.add_argument("--statistical", type=int, metavar="PATHS",
                        help="compare two Monte Carlo runs of PATHS paths each by standard errors instead")
        args = ap.parse_args(argv[1:])
        if args.statistical:
            return compare_statistically(args.engine_csv, args.numpy_csv, args.statistical)
        return compare(args.engine_csv, args.numpy_csv, args.tolerance)

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("resolved", help="output of `workforce resolve SCENARIO --json` (- for standard input)")
    ap.add_argument("--paths", type=int)
    ap.add_argument("--seed", type=int)
    ap.add_argument("--deterministic", action="store_true",
                    help="the expected-value run: one path, distributions at their means, no noise")
    ap.add_argument("--out", help="CSV file (default: standard output)")
    ap.add_argument("--block-elements", type=int, default=1 << 17,
                    help="paths are stepped in blocks of about this many (path, unit, role) cells (default 131072)")
    ap.add_argument("--timings", action="store_true", help="print the time of each phase on standard error")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    with (sys.stdin if args.resolved == "-" else open(args.resolved)) as f:
        doc = json.load(f)
    model = Model(doc, paths=args.paths, seed=args.seed, deterministic=args.deterministic)
    t1 = time.perf_counter()
    summary = Summary(model)
    sim = Simulation(model)
    spent = [0.0]

    def on_period(period, stored):
        t = time.perf_counter()
        summary.add_period(period, stored)
        spent[0] += time.perf_counter() - t

    sim.run(on_period, args.block_elements)
    t2 = time.perf_counter()
    if args.out:
        with open(args.out, "w", newline="") as f:
            summary.write(f)
    else:
        summary.write(sys.stdout)
    t3 = time.perf_counter()
    if args.timings:
        print("load %.2f s, simulate %.2f s, summarise %.2f s, write %.2f s (paths %d, units %d, noise %s)"
              % (t1 - t0, t2 - t1 - spent[0], spent[0], t3 - t2, model.paths, len(model.leaves),
                 "binomial" if model.noise else "none"), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
