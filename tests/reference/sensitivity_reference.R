# Reference values for tests/test_fragility.py, tests/test_bayes.py and tests/test_balance.py.
#
# Run from the repository root:  Rscript tests/reference/sensitivity_reference.R
# Writes tests/reference/sensitivity_reference.csv, in the long form of inference_reference.csv:
#   case, r_source, function, args (JSON), quantity, value (17 significant digits), rtol
#
# Nothing here calls Python, and nothing is a port of it:
# - fragility: the plain loop of Walsh et al. (2014), one move at a time, fisher.test / chisq.test at
#   every step (as the R package fragilityindex does), with the rules of src/reanalysis/fragility.py
#   written out again from its docstring;
# - bayes, uniform and Jeffreys priors: posterior Beta parameters by hand, probabilities by
#   integrate(), credible limits by uniroot() on integrate()d CDFs, and P(p1 > p2) also by Evan
#   Miller's closed-form sum;
# - bayes, sceptical and enthusiastic priors (Spiegelhalter's normal prior on the effect, here the
#   risk difference d = p1 - p2: sceptical mean 0, enthusiastic mean = effect, SD = effect / qnorm(0.95);
#   given d, p2 flat over the values keeping p1 = p2 + d in (0, 1)): the posterior density of d is
#   dnorm(d, mean, SD) / (1 - |d|) * integral of dbinom(e1, n1, p2 + d) dbinom(e2, n2, p2) dp2, a
#   nested integrate() (the Python code uses Gauss-Legendre rules instead); credible limits by
#   uniroot(); the prior's own numbers from the truncated normal's closed forms (pnorm, dnorm);
# - balance: Stouffer's Z from qnorm / pnorm.
# Installed from Debian: r-base-core, r-cran-jsonlite.

suppressPackageStartupMessages(library(jsonlite))

rows <- list()
add <- function(case, r_source, fn, args, quantity, value, rtol = 1e-9) {
  rows[[length(rows) + 1]] <<- data.frame(
    case = case, r_source = r_source, `function` = fn,
    args = as.character(toJSON(args, auto_unbox = TRUE, digits = NA)),
    quantity = quantity, value = sprintf("%.17g", value), rtol = rtol,
    check.names = FALSE, stringsAsFactors = FALSE
  )
}

# ---------------------------------------------------------------- fragility index
pval <- function(t, test) {
  e1 <- t[1]; n1 <- t[2]; e2 <- t[3]; n2 <- t[4]
  if (e1 + e2 == 0 || e1 + e2 == n1 + n2) return(1)  # no events, or only events: P = 1
  m <- matrix(c(e1, n1 - e1, e2, n2 - e2), nrow = 2, byrow = TRUE)
  switch(test,
    fisher = fisher.test(m)$p.value,
    chi2 = suppressWarnings(chisq.test(m, correct = FALSE))$p.value,
    chi2_yates = suppressWarnings(chisq.test(m, correct = TRUE))$p.value
  )
}

# Move events one at a time in one arm (step +1 adds events, -1 removes them) until the table
# crosses alpha. Toward the null (a significant result) the walk stops once the moved arm's
# proportion has reached or passed the other arm's; away from it, when the arm runs out.
walk <- function(t, arm, step, test, alpha, toward_null) {
  i <- 2 * arm - 1
  o <- if (arm == 1) 3 else 1
  k <- 0
  repeat {
    k <- k + 1
    t[i] <- t[i] + step
    if (t[i] < 0 || t[i] > t[i + 1]) return(NULL)
    p <- pval(t, test)
    if (toward_null && p >= alpha) return(list(k = k, t = t, p = p, arm = arm, step = step))
    if (!toward_null && p < alpha) return(list(k = k, t = t, p = p, arm = arm, step = step))
    if (toward_null) {
      passed <- if (step > 0) t[i] * t[o + 1] >= t[o] * t[i + 1] else t[i] * t[o + 1] <= t[o] * t[i + 1]
      if (passed) return(NULL)
    }
  }
}

fragility <- function(e1, n1, e2, n2, test, alpha, rule) {
  t <- c(e1, n1, e2, n2)
  p0 <- pval(t, test)
  sig <- p0 < alpha
  lower <- if (e1 * n2 <= e2 * n1) 1 else 2
  higher <- 3 - lower
  moves <- if (sig) {
    if (rule == "walsh") list(c(lower, 1)) else list(c(lower, 1), c(higher, -1))
  } else if (e1 * n2 == e2 * n1) {
    list(c(1, 1), c(1, -1), c(2, 1), c(2, -1))
  } else {
    list(c(lower, -1), c(higher, 1))
  }
  best <- NULL
  for (mv in moves) {
    w <- walk(t, mv[1], mv[2], test, alpha, sig)
    if (is.null(w)) next
    # fewest moves; on a tie, the final p further past alpha
    if (is.null(best) || w$k < best$k || (w$k == best$k && abs(w$p - alpha) > abs(best$p - alpha))) best <- w
  }
  list(p0 = p0, best = best)
}

frag_cases <- list(
  # Walsh et al. 2014's illustration of the index (1 of 100 v 9 of 100 events, P = 0.02; one more
  # event in the first arm gives P = 0.06, so the index is 1), as described in secondary sources.
  list(case = "Walsh 2014 illustration 1/100 v 9/100", e1 = 1, n1 = 100, e2 = 9, n2 = 100),
  # R package fragilityindex (K. Johnson), README: 15/40 v 6/40, P = 0.0406 -> 15/40 v 7/40, P = 0.0784,
  # index 1; its help page example fragility.index(15, 5, 40, 40).
  list(case = "fragilityindex README 15/40 v 6/40", e1 = 15, n1 = 40, e2 = 6, n2 = 40),
  list(case = "fragilityindex man page fragility.index(15, 5, 40, 40)", e1 = 15, n1 = 40, e2 = 5, n2 = 40),
  # R package FragilityTools (B. Baer), README: treatment 40 events / 20 non-events, control 100 / 110;
  # Fisher P = 0.0124; bin.fi returns 37/60 (index 3, P = 0.0585605) by removing treatment events.
  list(case = "FragilityTools README 40/60 v 100/210", e1 = 40, n1 = 60, e2 = 100, n2 = 210),
  # Heston (Cureus 2026), "Nonattainability of the Fragility Index": {3, 0, 4, 11}, Fisher P = 0.0429;
  # the arm with fewer events (3/3) has no non-event to change.
  list(case = "Heston 2026 counterexample 3/3 v 4/15", e1 = 3, n1 = 3, e2 = 4, n2 = 15),
  # revfragility.index(6, 5, 50, 50) is the fragilityindex help example of the reverse index
  # (that package moves two patients per step, so only the one-at-a-time loop here is the reference).
  list(case = "fragilityindex revfragility example 6/50 v 5/50", e1 = 6, n1 = 50, e2 = 5, n2 = 50),
  list(case = "zang2022 primary endpoint 9/45 v 2/44", e1 = 9, n1 = 45, e2 = 2, n2 = 44),
  list(case = "zang2022 primary endpoint 9/45 v 2/46", e1 = 9, n1 = 45, e2 = 2, n2 = 46),
  list(case = "lu2021 remission 11/27 v 3/26", e1 = 11, n1 = 27, e2 = 3, n2 = 26),
  list(case = "no events 0/45 v 0/46", e1 = 0, n1 = 45, e2 = 0, n2 = 46),
  list(case = "too small to become significant 1/1 v 1/3", e1 = 1, n1 = 1, e2 = 1, n2 = 3),
  list(case = "large 150/1000 v 100/1000", e1 = 150, n1 = 1000, e2 = 100, n2 = 1000),
  list(case = "large, index > 32: 300/1000 v 200/1000", e1 = 300, n1 = 1000, e2 = 200, n2 = 1000),
  list(case = "10,000 per arm 1200 v 1000", e1 = 1200, n1 = 10000, e2 = 1000, n2 = 10000),
  list(case = "10,000 per arm, not significant 1050 v 1000", e1 = 1050, n1 = 10000, e2 = 1000, n2 = 10000)
)
settings <- list(
  list(test = "fisher", alpha = 0.05, rule = "walsh"),
  list(test = "fisher", alpha = 0.05, rule = "fastest"),
  list(test = "chi2", alpha = 0.05, rule = "walsh"),
  list(test = "chi2_yates", alpha = 0.05, rule = "walsh"),
  list(test = "fisher", alpha = 0.01, rule = "walsh")
)
for (fc in frag_cases) {
  for (s in settings) {
    big <- fc$n1 >= 1000
    if (big && s$test != "fisher") next
    args <- list(events1 = fc$e1, n1 = fc$n1, events2 = fc$e2, n2 = fc$n2, test = s$test, alpha = s$alpha, rule = s$rule)
    fr <- fragility(fc$e1, fc$n1, fc$e2, fc$n2, s$test, s$alpha, s$rule)
    src <- sprintf("loop over %s, one move at a time", if (s$test == "fisher") "fisher.test" else "chisq.test")
    add(fc$case, src, "fragility_index", args, "original_pvalue", fr$p0, 1e-9)
    if (is.null(fr$best)) {
      add(fc$case, src, "fragility_index", args, "index", NA)
      next
    }
    b <- fr$best
    add(fc$case, src, "fragility_index", args, "index", b$k, 0)
    add(fc$case, src, "fragility_index", args, "arm", b$arm, 0)
    add(fc$case, src, "fragility_index", args, "step", b$step, 0)
    add(fc$case, src, "fragility_index", args, "table.0", b$t[1], 0)
    add(fc$case, src, "fragility_index", args, "table.2", b$t[3], 0)
    add(fc$case, src, "fragility_index", args, "pvalue", b$p, 1e-9)
    add(fc$case, src, "fragility_index", args, "quotient", b$k / (fc$n1 + fc$n2), 1e-12)
  }
}

# ---------------------------------------------------------------- Bayesian posterior
tol <- 1e-13
bulk <- function(a, b) c(qbeta(1e-15, a, b), qbeta(1e-15, a, b, lower.tail = FALSE))
# P(p1 - p2 > m) = integral of f2(y) P(p1 > y + m) dy, over arm 2's bulk
above <- function(a1, b1, a2, b2, m) {
  r <- bulk(a2, b2)
  integrate(function(y) dbeta(y, a2, b2) * pbeta(pmin(pmax(y + m, 0), 1), a1, b1, lower.tail = FALSE),
            r[1], r[2], rel.tol = 1e-12, abs.tol = 1e-15, subdivisions = 1000L)$value
}
ratio_cdf <- function(a1, b1, a2, b2, r) {
  rr <- bulk(a2, b2)
  integrate(function(y) dbeta(y, a2, b2) * pbeta(pmin(r * y, 1), a1, b1),
            rr[1], rr[2], rel.tol = 1e-12, abs.tol = 1e-15, subdivisions = 1000L)$value
}
# Evan Miller, "Formulas for Bayesian A/B testing": for integer a1,
# P(p1 > p2) = sum_{i=0}^{a1-1} B(a2 + i, b1 + b2) / ((b1 + i) B(1 + i, b1) B(a2, b2))
miller <- function(a1, b1, a2, b2) {
  i <- 0:(a1 - 1)
  sum(exp(lbeta(a2 + i, b1 + b2) - log(b1 + i) - lbeta(1 + i, b1) - lbeta(a2, b2)))
}

bayes_cases <- list(
  list(case = "zang2022 primary endpoint 9/45 v 2/44", e1 = 9, n1 = 45, e2 = 2, n2 = 44),
  list(case = "zang2022 primary endpoint 9/45 v 2/46", e1 = 9, n1 = 45, e2 = 2, n2 = 46),
  list(case = "lu2021 remission 11/27 v 3/26", e1 = 11, n1 = 27, e2 = 3, n2 = 26),
  list(case = "zero events in arm 1 0/12 v 3/12", e1 = 0, n1 = 12, e2 = 3, n2 = 12),
  list(case = "large 150/1000 v 120/1000", e1 = 150, n1 = 1000, e2 = 120, n2 = 1000)
)
# For the uniform and Jeffreys priors only (the effect priors' nested integrate() is not asked for these).
beta_only_cases <- list(
  # arms of very different widths (the Python rule integrates over the narrower one)
  list(case = "unequal arms 3/10 v 300/2000", e1 = 3, n1 = 10, e2 = 300, n2 = 2000),
  # every participant an event in arm 1: under Jeffreys' prior its density is unbounded at 1
  list(case = "all events in arm 1 20/20 v 3/40", e1 = 20, n1 = 20, e2 = 3, n2 = 40)
)
priors <- list(
  list(name = "uniform", extra = list()),
  list(name = "jeffreys", extra = list())
)
for (bc in c(bayes_cases, beta_only_cases)) {
  for (pr in priors) {
    ab <- switch(pr$name, uniform = c(1, 1, 1, 1), jeffreys = c(0.5, 0.5, 0.5, 0.5))
    a1 <- ab[1] + bc$e1; b1 <- ab[2] + bc$n1 - bc$e1
    a2 <- ab[3] + bc$e2; b2 <- ab[4] + bc$n2 - bc$e2
    margin <- 0.1
    args <- c(list(events1 = bc$e1, n1 = bc$n1, events2 = bc$e2, n2 = bc$n2, prior = pr$name, margin = margin),
              pr$extra)
    case <- sprintf("%s, %s prior", bc$case, pr$name)
    add(case, "by hand in R: prior a + events, prior b + non-events", "posterior", args, "posterior1.0", a1, 1e-12)
    add(case, "by hand in R: prior a + events, prior b + non-events", "posterior", args, "posterior1.1", b1, 1e-12)
    add(case, "by hand in R: prior a + events, prior b + non-events", "posterior", args, "posterior2.0", a2, 1e-12)
    add(case, "by hand in R: prior a + events, prior b + non-events", "posterior", args, "posterior2.1", b2, 1e-12)
    add(case, "integrate(dbeta(y, a2, b2) * pbeta(y, a1, b1, lower.tail = FALSE))", "posterior", args,
        "prob_greater", above(a1, b1, a2, b2, 0), 1e-8)
    add(case, "integrate(dbeta(y, a2, b2) * pbeta(y + 0.1, a1, b1, lower.tail = FALSE))", "posterior", args,
        "prob_above_margin", above(a1, b1, a2, b2, margin), 1e-8)
    if (pr$name == "uniform") {
      add(case, "Evan Miller's closed-form sum for integer a1 (lbeta)", "posterior", args, "prob_greater",
          miller(a1, b1, a2, b2), 1e-9)
    }
    add(case, "by hand in R: a1 / (a1 + b1) - a2 / (a2 + b2)", "posterior", args, "rd_mean", a1 / (a1 + b1) - a2 / (a2 + b2), 1e-12)
    if (a2 > 1) {
      add(case, "by hand in R: E[p1] E[1/p2] = a1 / (a1 + b1) * (a2 + b2 - 1) / (a2 - 1)", "posterior", args, "rr_mean",
          a1 / (a1 + b1) * (a2 + b2 - 1) / (a2 - 1), 1e-12)
    }
    for (q in list(list("rd_low", 0.025), list("rd_high", 0.975))) {
      d <- uniroot(function(d) 1 - above(a1, b1, a2, b2, d) - q[[2]], c(-1, 1), tol = tol)$root
      add(case, sprintf("uniroot on 1 - P(p1 - p2 > d) = %g (integrate)", q[[2]]), "posterior", args, q[[1]], d, 1e-7)
    }
    for (q in list(list("rr_low", 0.025), list("rr_high", 0.975))) {
      lr <- uniroot(function(t) ratio_cdf(a1, b1, a2, b2, exp(t)) - q[[2]], c(-15, 15), tol = tol)$root
      add(case, sprintf("uniroot on P(p1 / p2 <= r) = %g (integrate)", q[[2]]), "posterior", args, q[[1]], exp(lr), 1e-7)
    }
  }
}

# The effect priors. Inner integral over the control rate, outer over the risk difference d.
inner <- function(d, e1, n1, e2, n2) {
  lo <- max(0, -d); hi <- min(1, 1 - d)
  if (hi <= lo) return(0)
  f <- function(p2) dbinom(e1, n1, pmin(pmax(p2 + d, 0), 1)) * dbinom(e2, n2, p2)
  k <- if (n1 + n2 > 200) 20 else 3  # pieces, so a narrow likelihood is not missed
  cuts <- seq(lo, hi, length.out = k + 1)
  sum(sapply(1:k, function(i) integrate(f, cuts[i], cuts[i + 1], rel.tol = 1e-11, abs.tol = 0,
                                         subdivisions = 1000L)$value)) / (hi - lo)
}
density_d <- function(d, mu, sigma, e1, n1, e2, n2) {
  sapply(d, function(x) dnorm(x, mu, sigma) * inner(x, e1, n1, e2, n2))
}
mass <- function(from, to, mu, sigma, e1, n1, e2, n2) {
  # split at 0 (a kink) and into pieces, so integrate() sees the bulk
  cuts <- sort(unique(c(from, to, seq(from, to, length.out = if (n1 + n2 > 200) 41 else 5),
                        if (from < 0 && 0 < to) 0)))
  sum(sapply(seq_len(length(cuts) - 1), function(k)
    integrate(density_d, cuts[k], cuts[k + 1], mu = mu, sigma = sigma, e1 = e1, n1 = n1, e2 = e2, n2 = n2,
              rel.tol = 1e-11, abs.tol = 0, subdivisions = 1000L)$value))
}
first_moment <- function(mu, sigma, e1, n1, e2, n2) {
  cuts <- sort(unique(c(seq(-1, 1, length.out = if (n1 + n2 > 200) 41 else 5), 0)))
  sum(sapply(seq_len(length(cuts) - 1), function(k)
    integrate(function(d) d * density_d(d, mu, sigma, e1, n1, e2, n2), cuts[k], cuts[k + 1],
              rel.tol = 1e-11, abs.tol = 0, subdivisions = 1000L)$value))
}

effect_priors <- list(
  list(name = "sceptical", effect = NULL),
  list(name = "sceptical", effect = 0.15),
  list(name = "enthusiastic", effect = NULL),
  list(name = "enthusiastic", effect = 0.2),
  list(name = "skeptical", effect = NULL)  # the American spelling is the same prior
)
for (bc in bayes_cases) {
  for (pr in effect_priors) {
    if (bc$n1 >= 1000 && !(pr$name == "sceptical" && is.null(pr$effect))) next  # slow in R: one prior will do
    margin <- 0.1
    eff <- if (is.null(pr$effect)) margin else pr$effect  # by default the prior is built on the margin
    sigma <- eff / qnorm(0.95)
    mu <- if (pr$name == "enthusiastic") eff else 0
    args <- list(events1 = bc$e1, n1 = bc$n1, events2 = bc$e2, n2 = bc$n2, prior = pr$name, margin = margin)
    if (!is.null(pr$effect)) args$effect <- pr$effect
    case <- sprintf("%s, %s prior on the risk difference, effect %g", bc$case, pr$name, eff)
    z <- mass(-1, 1, mu, sigma, bc$e1, bc$n1, bc$e2, bc$n2)
    src <- "nested integrate(): dnorm(d) / (1 - |d|) * integrate(dbinom(e1, n1, p2 + d) * dbinom(e2, n2, p2), dp2)"
    add(case, src, "posterior", args, "prob_greater", mass(0, 1, mu, sigma, bc$e1, bc$n1, bc$e2, bc$n2) / z, 1e-7)
    add(case, src, "posterior", args, "prob_above_margin", mass(margin, 1, mu, sigma, bc$e1, bc$n1, bc$e2, bc$n2) / z, 1e-7)
    add(case, src, "posterior", args, "rd_mean", first_moment(mu, sigma, bc$e1, bc$n1, bc$e2, bc$n2) / z, 1e-7)
    add(case, "by hand: the prior's mean and SD", "posterior", args, "effect_prior.0", mu, 1e-12)
    add(case, "by hand: the prior's mean and SD", "posterior", args, "effect_prior.1", sigma, 1e-12)
    for (q in list(list("rd_low", 0.025), list("rd_high", 0.975))) {
      d <- uniroot(function(d) mass(-1, d, mu, sigma, bc$e1, bc$n1, bc$e2, bc$n2) / z - q[[2]], c(-0.999, 0.999),
                   tol = 1e-10)$root
      add(case, sprintf("uniroot on the nested-integrate() CDF = %g", q[[2]]), "posterior", args, q[[1]], d, 1e-6)
    }
  }
}

# The priors themselves in numbers (bayes.describe_prior), from closed forms.
for (eff in c(0.1, 0.15, 0.25)) {
  for (name in c("sceptical", "enthusiastic")) {
    sigma <- eff / qnorm(0.95)
    mu <- if (name == "enthusiastic") eff else 0
    a <- (-1 - mu) / sigma; b <- (1 - mu) / sigma
    zt <- pnorm(b) - pnorm(a)  # the normal truncated to (-1, 1)
    m <- mu + sigma * (dnorm(a) - dnorm(b)) / zt
    v <- sigma^2 * (1 + (a * dnorm(a) - b * dnorm(b)) / zt - ((dnorm(a) - dnorm(b)) / zt)^2)
    args <- list(prior = name, effect = eff)
    case <- sprintf("%s prior on the risk difference, effect %g", name, eff)
    src <- "truncated normal on (-1, 1): pnorm, dnorm"
    add(case, src, "describe_prior", args, "mean", m, 1e-9)
    add(case, src, "describe_prior", args, "sd", sqrt(v), 1e-9)
    add(case, src, "describe_prior", args, "prob_benefit", (pnorm(b) - pnorm(-mu / sigma)) / zt, 1e-9)
    add(case, src, "describe_prior", args, "prob_at_least_effect", (pnorm(b) - pnorm((eff - mu) / sigma)) / zt, 1e-9)
    add(case, src, "describe_prior", args, "prob_no_benefit", (pnorm(-mu / sigma) - pnorm(a)) / zt, 1e-9)
    qt <- function(p) mu + sigma * qnorm(pnorm(a) + p * zt)
    add(case, src, "describe_prior", args, "low", qt(0.025), 1e-8)
    add(case, src, "describe_prior", args, "high", qt(0.975), 1e-8)
  }
  # uniform: the difference of two Beta(1, 1) is triangular on (-1, 1)
  args <- list(prior = "uniform", effect = eff)
  case <- sprintf("uniform prior, effect %g", eff)
  add(case, "triangular density 1 - |d|", "describe_prior", args, "sd", sqrt(1 / 6), 1e-12)
  add(case, "triangular density 1 - |d|", "describe_prior", args, "prob_at_least_effect", (1 - eff)^2 / 2, 1e-10)
  add(case, "triangular density 1 - |d|", "describe_prior", args, "low", -1 + sqrt(2 * 0.025), 1e-8)
  args <- list(prior = "jeffreys", effect = eff)
  case <- sprintf("jeffreys prior, effect %g", eff)
  add(case, "Beta(1/2, 1/2) variance 1/8 per arm", "describe_prior", args, "sd", sqrt(2 / 8), 1e-12)
  add(case, "integrate(dbeta(y, .5, .5) * pbeta(y + effect, .5, .5, lower.tail = FALSE))", "describe_prior", args,
      "prob_at_least_effect", above(0.5, 0.5, 0.5, 0.5, eff), 1e-8)
}

# ---------------------------------------------------------------- Stouffer / Carlisle
balance_cases <- list(
  # zang2022 Table 1, the nine continuous baseline variables (gender, categorical, left out)
  list(case = "zang2022 Table 1 continuous baseline p-values",
       p = c(0.8068, 0.4158, 0.7808, 0.7819, 0.6992, 0.7737, 0.6173, 0.5905, 0.6177)),
  list(case = "too alike 0.97, 0.99, 0.95", p = c(0.97, 0.99, 0.95)),
  list(case = "too different 0.001, 0.02, 0.3, 0.04", p = c(0.001, 0.02, 0.3, 0.04)),
  list(case = "one p-value 0.2", p = c(0.2)),
  list(case = "extreme 1e-12 and 0.5", p = c(1e-12, 0.5))
)
for (bc in balance_cases) {
  z <- sum(qnorm(bc$p, lower.tail = FALSE)) / sqrt(length(bc$p))
  args <- list(pvalues = I(bc$p))
  add(bc$case, "sum(qnorm(p, lower.tail = FALSE)) / sqrt(k)", "stouffer", args, "statistic", z, 1e-12)
  add(bc$case, "pnorm(Z, lower.tail = FALSE)", "stouffer", args, "p_dissimilar", pnorm(z, lower.tail = FALSE), 1e-12)
  add(bc$case, "pnorm(Z)", "stouffer", args, "p_similar", pnorm(z), 1e-12)
  add(bc$case, "2 * min(pnorm(Z), pnorm(Z, lower.tail = FALSE))", "stouffer", args, "pvalue",
      2 * min(pnorm(z), pnorm(z, lower.tail = FALSE)), 1e-12)
}

out <- do.call(rbind, rows)
path <- file.path("tests", "reference", "sensitivity_reference.csv")
write.csv(out, path, row.names = FALSE, na = "")
cat(sprintf("wrote %d reference values to %s (%s)\n", nrow(out), path, R.version.string))
