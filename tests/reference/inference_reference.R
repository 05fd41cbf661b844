# Reference values for tests/test_inference.py, computed with R's stats and pwr packages.
#
# Run from the repository root:  Rscript tests/reference/inference_reference.R
# Writes tests/reference/inference_reference.csv (long form, one number a row):
#   case      a label for the inputs (trial, endpoint)
#   r_source  the R call (or "by hand in R: ...") that produced the value
#   function  the reanalysis.inference function the value checks
#   args      that function's keyword arguments, as JSON
#   quantity  the attribute of its result ("pvalue", "low", "detail.se", "n1", ...)
#   value     the reference value, printed with 17 significant digits
#   rtol      the relative tolerance the value supports
#
# Nothing here calls Python: every value comes from R. Where base R lacks a method
# (Newcombe, Agresti-Caffo, Miettinen-Nurminen, the unpooled power formula) it is
# computed by hand below from the published formula, independently of statsmodels.
# Installed from Debian: r-base-core, r-cran-pwr, r-cran-jsonlite (a dependency of r-cran-statcheck).

suppressPackageStartupMessages({
  library(pwr)
  library(jsonlite)
})

set.seed(20240601)
rows <- list()
add <- function(case, r_source, fn, args, quantity, value, rtol = 1e-6) {
  rows[[length(rows) + 1]] <<- data.frame(
    case = case, r_source = r_source, `function` = fn,
    args = as.character(toJSON(args, auto_unbox = TRUE, digits = NA)),
    quantity = quantity, value = sprintf("%.17g", value), rtol = rtol,
    check.names = FALSE, stringsAsFactors = FALSE
  )
}

# ---------------------------------------------------------------- t-tests
# A sample with exactly the printed mean and SD: standardise random normals, then rescale.
exact_sample <- function(m, s, n) {
  z <- rnorm(n)
  m + s * (z - mean(z)) / sd(z)
}

ttests <- list(
  list(case = "zang2022 table2 0.50+-0.18 v 0.63+-0.19", m1 = 0.50, s1 = 0.18, n1 = 45, m2 = 0.63, s2 = 0.19, n2 = 46),
  list(case = "zang2022 HbA1c 48w 7.52+-1.07 v 8.19+-1.02", m1 = 7.52, s1 = 1.07, n1 = 45, m2 = 8.19, s2 = 1.02, n2 = 46),
  list(case = "zang2022 HbA1c baseline 9.02+-1.27 v 8.89+-1.11", m1 = 9.02, s1 = 1.27, n1 = 45, m2 = 8.89, s2 = 1.11, n2 = 46),
  list(case = "lu2021 6.6+-0.8 v 6.9+-1.1", m1 = 6.6, s1 = 0.8, n1 = 27, m2 = 6.9, s2 = 1.1, n2 = 26),
  list(case = "unequal SDs and n 24.9+-14.2 v 18.9+-3.5", m1 = 24.9, s1 = 14.2, n1 = 12, m2 = 18.9, s2 = 3.5, n2 = 30)
)
for (tc in ttests) {
  x <- exact_sample(tc$m1, tc$s1, tc$n1)
  y <- exact_sample(tc$m2, tc$s2, tc$n2)
  for (ve in c(TRUE, FALSE)) {
    tt <- t.test(x, y, var.equal = ve)
    args <- list(mean1 = tc$m1, sd1 = tc$s1, n1 = tc$n1, mean2 = tc$m2, sd2 = tc$s2, n2 = tc$n2,
                 method = if (ve) "student" else "welch")
    src <- sprintf("t.test(x, y, var.equal = %s) on samples rescaled to the printed mean and SD", ve)
    add(tc$case, src, "ttest_from_stats", args, "statistic", tt$statistic)
    add(tc$case, src, "ttest_from_stats", args, "pvalue", tt$p.value)
    add(tc$case, src, "ttest_from_stats", args, "df", tt$parameter)
    add(tc$case, src, "ttest_from_stats", args, "detail.se", tt$stderr)
    add(tc$case, src, "ttest_from_stats", args, "detail.difference", tt$estimate[1] - tt$estimate[2])
  }
}

# Paired: two samples with exactly the printed means and SDs and exactly correlation r.
paired_sample <- function(m1, s1, m2, s2, n, r) {
  z1 <- rnorm(n)
  z1 <- (z1 - mean(z1)) / sd(z1)
  e <- residuals(lm(rnorm(n) ~ z1))
  e <- e / sd(e)
  z2 <- r * z1 + sqrt(1 - r^2) * e
  list(pre = m1 + s1 * z1, post = m2 + s2 * z2)
}
paired <- list(
  list(case = "zang2022 HbA1c UC-MSC baseline->48w, r=0.5", m1 = 9.02, s1 = 1.27, m2 = 7.52, s2 = 1.07, n = 45, r = 0.5),
  list(case = "zang2022 HbA1c placebo baseline->48w, r=0.7", m1 = 8.89, s1 = 1.11, m2 = 8.19, s2 = 1.02, n = 46, r = 0.7),
  list(case = "lu2021 7.3+-1.3 -> 6.6+-0.8, r=0.3", m1 = 7.3, s1 = 1.3, m2 = 6.6, s2 = 0.8, n = 27, r = 0.3),
  list(case = "negative correlation r=-0.2", m1 = 0.50, s1 = 0.24, m2 = 0.58, s2 = 0.24, n = 20, r = -0.2)
)
for (pc in paired) {
  s <- paired_sample(pc$m1, pc$s1, pc$m2, pc$s2, pc$n, pc$r)
  stopifnot(abs(cor(s$pre, s$post) - pc$r) < 1e-12)
  tt <- t.test(s$post, s$pre, paired = TRUE)
  args <- list(mean_pre = pc$m1, sd_pre = pc$s1, mean_post = pc$m2, sd_post = pc$s2, n = pc$n, r = pc$r)
  src <- "t.test(post, pre, paired = TRUE) on samples with the printed means, SDs and correlation r"
  add(pc$case, src, "paired_from_stats", args, "statistic", tt$statistic)
  add(pc$case, src, "paired_from_stats", args, "pvalue", tt$p.value)
  add(pc$case, src, "paired_from_stats", args, "df", tt$parameter)
  add(pc$case, src, "paired_from_stats", args, "detail.se", tt$stderr)
  add(pc$case, src, "paired_from_stats", args, "detail.sd_change", sd(s$post - s$pre))
}

# ---------------------------------------------------------------- 2x2 tables
tables <- list(
  list(case = "zang2022 primary endpoint 9/45 v 2/44", e1 = 9, n1 = 45, e2 = 2, n2 = 44),
  list(case = "zang2022 primary endpoint 9/45 v 2/46", e1 = 9, n1 = 45, e2 = 2, n2 = 46),
  list(case = "lu2021 remission 11/27 v 3/26", e1 = 11, n1 = 27, e2 = 3, n2 = 26),
  list(case = "large counts 45/100 v 30/100", e1 = 45, n1 = 100, e2 = 30, n2 = 100),
  list(case = "moderate 20/50 v 10/50", e1 = 20, n1 = 50, e2 = 10, n2 = 50),
  list(case = "zero cell 0/45 v 2/44", e1 = 0, n1 = 45, e2 = 2, n2 = 44),
  list(case = "all events in one arm 12/12 v 5/10", e1 = 12, n1 = 12, e2 = 5, n2 = 10)
)
fisher_tight <- stats::fisher.test
environment(fisher_tight) <- list2env(list(uniroot = function(...) stats::uniroot(..., tol = 1e-13)),
                                      parent = environment(stats::fisher.test))
tab_args <- function(tc, ...) c(list(events1 = tc$e1, n1 = tc$n1, events2 = tc$e2, n2 = tc$n2), list(...))
for (tc in tables) {
  m <- matrix(c(tc$e1, tc$n1 - tc$e1, tc$e2, tc$n2 - tc$e2), nrow = 2, byrow = TRUE)
  cs0 <- suppressWarnings(chisq.test(m, correct = FALSE))
  cs1 <- suppressWarnings(chisq.test(m, correct = TRUE))
  ft <- fisher.test(m)
  add(tc$case, "chisq.test(m, correct = FALSE)", "two_by_two", tab_args(tc, test = "chi2"), "statistic", cs0$statistic)
  add(tc$case, "chisq.test(m, correct = FALSE)", "two_by_two", tab_args(tc, test = "chi2"), "pvalue", cs0$p.value)
  add(tc$case, "chisq.test(m, correct = FALSE)", "two_by_two", tab_args(tc, test = "chi2"), "df", cs0$parameter)
  add(tc$case, "chisq.test(m, correct = TRUE)", "two_by_two", tab_args(tc, test = "chi2_yates"), "statistic", cs1$statistic)
  add(tc$case, "chisq.test(m, correct = TRUE)", "two_by_two", tab_args(tc, test = "chi2_yates"), "pvalue", cs1$p.value)
  add(tc$case, "fisher.test(m)", "two_by_two", tab_args(tc, test = "fisher"), "pvalue", ft$p.value)
  small <- min(cs0$expected) < 5
  add(tc$case, "min(chisq.test(m)$expected)", "two_by_two", tab_args(tc, test = "chi2_or_fisher"),
      "detail.min_expected", min(cs0$expected))
  add(tc$case, if (small) "fisher.test(m), as an expected count is < 5" else "chisq.test(m, correct = FALSE)",
      "two_by_two", tab_args(tc, test = "chi2_or_fisher"), "pvalue", if (small) ft$p.value else cs0$p.value)
  # Conditional maximum-likelihood odds ratio and its exact CI (fisher.test). fisher.test finds them
  # with uniroot at its default tolerance (~1e-4 on a 0-1 scale), so they are good to about 1e-3;
  # fisher_tight is fisher.test's own code with only that tolerance tightened.
  a <- tab_args(tc, measure = "or", method = "exact")
  ftt <- fisher_tight(m)
  for (q in list(list("estimate", ft$estimate, ftt$estimate), list("low", ft$conf.int[1], ftt$conf.int[1]),
                 list("high", ft$conf.int[2], ftt$conf.int[2]))) {
    if (!is.finite(q[[2]])) next
    add(tc$case, sprintf("fisher.test(m)$%s", if (q[[1]] == "estimate") "estimate" else "conf.int"),
        "ratio_ci", a, q[[1]], q[[2]], 5e-3)
    add(tc$case, "fisher.test(m) with uniroot(tol = 1e-13)", "ratio_ci", a, q[[1]], q[[3]], 1e-7)
  }
}
# Degenerate table: no events at all. fisher.test says P = 1 (chisq.test gives NaN).
m <- matrix(c(0, 45, 0, 46), nrow = 2, byrow = TRUE)
add("degenerate 0/45 v 0/46", "fisher.test(m)", "two_by_two",
    list(events1 = 0, n1 = 45, events2 = 0, n2 = 46, test = "fisher"), "pvalue", fisher.test(m)$p.value)

# ---------------------------------------------------------------- CIs for a difference in proportions
wilson <- function(x, n, level) suppressWarnings(prop.test(x, n, correct = FALSE, conf.level = level))$conf.int
# Miettinen-Nurminen score interval, computed numerically: the restricted MLE is the root of the
# profile score (uniroot), not the closed-form cubic, so it is independent of any implementation of that.
mn_interval <- function(x1, n1, x2, n2, measure, level) {
  N <- n1 + n2
  p1h <- x1 / n1
  p2h <- x2 / n2
  zc <- qnorm(1 - (1 - level) / 2)
  p1_of <- function(p2, th) switch(measure, diff = p2 + th, rr = p2 * th, or = th * p2 / (1 - p2 + th * p2))
  dp1 <- function(p2, th) switch(measure, diff = 1, rr = th, or = th / (1 - p2 + th * p2)^2)
  ll <- function(p2, th) dbinom(x1, n1, p1_of(p2, th), log = TRUE) + dbinom(x2, n2, p2, log = TRUE)
  score <- function(p2, th) {
    p1 <- p1_of(p2, th)
    (x1 / p1 - (n1 - x1) / (1 - p1)) * dp1(p2, th) + x2 / p2 - (n2 - x2) / (1 - p2)
  }
  restricted <- function(th) {
    lo <- switch(measure, diff = max(0, -th), rr = 0, or = 0)
    hi <- switch(measure, diff = min(1, 1 - th), rr = min(1, 1 / th), or = 1)
    eps <- 1e-13
    a <- lo + eps
    b <- hi - eps
    sa <- score(a, th)
    sb <- score(b, th)
    p2 <- if (is.finite(sa) && is.finite(sb) && sa > 0 && sb < 0) {
      uniroot(score, c(a, b), th = th, tol = 1e-15)$root
    } else if (ll(a, th) >= ll(b, th)) lo else hi
    c(p1_of(p2, th), p2)
  }
  stat <- function(th) {
    p <- restricted(th)
    p1 <- p[1]
    p2 <- p[2]
    if (measure == "diff") {
      num <- p1h - p2h - th
      v <- p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2
    } else if (measure == "rr") {
      num <- p1h - th * p2h
      v <- p1 * (1 - p1) / n1 + th^2 * p2 * (1 - p2) / n2
    } else {
      num <- (p1h - p1) / (p1 * (1 - p1)) - (p2h - p2) / (p2 * (1 - p2))
      v <- 1 / (n1 * p1 * (1 - p1)) + 1 / (n2 * p2 * (1 - p2))
    }
    num / sqrt(v * N / (N - 1))
  }
  if (measure == "diff") {
    est <- p1h - p2h
    low <- if (est <= -1) -1 else uniroot(function(t) stat(t) - zc, c(-1 + 1e-12, est - 1e-12), tol = 1e-14)$root
    high <- if (est >= 1) 1 else uniroot(function(t) stat(t) + zc, c(est + 1e-12, 1 - 1e-12), tol = 1e-14)$root
  } else {  # ratios: search on the log scale; needs events (and, for the OR, non-events) in both arms
    est <- if (measure == "rr") p1h / p2h else (p1h / (1 - p1h)) / (p2h / (1 - p2h))
    f <- function(lt, target) stat(exp(lt)) - target
    # widen the bracket step by step (far out, the restricted MLE runs into 0 or 1 in floating point)
    limit <- function(target, dir) {
      w <- 0.25
      while (sign(f(log(est) + dir * w, target)) == sign(f(log(est) + dir * 1e-9, target))) w <- 2 * w
      exp(uniroot(f, sort(log(est) + dir * c(1e-9, w)), target = target, tol = 1e-14)$root)
    }
    low <- limit(zc, -1)
    high <- limit(-zc, 1)
  }
  c(low, high)
}

ci_tables <- c(tables[1:6], list(list(case = "small arms 4/5 v 0/3 (Wald overshoots 1)", e1 = 4, n1 = 5, e2 = 0, n2 = 3)))
for (tc in ci_tables) {
  for (level in c(0.95, 0.90)) {
    x1 <- tc$e1; n1 <- tc$n1; x2 <- tc$e2; n2 <- tc$n2
    p1 <- x1 / n1; p2 <- x2 / n2; d <- p1 - p2
    z <- qnorm(1 - (1 - level) / 2)
    case <- sprintf("%s, %g%% CI", tc$case, 100 * level)
    a <- function(method) list(events1 = x1, n1 = n1, events2 = x2, n2 = n2, method = method, level = level)
    # Wald: prop.test without continuity correction gives exactly the Wald interval for p1 - p2
    # (clipped to [-1, 1]).
    pt <- suppressWarnings(prop.test(c(x1, x2), c(n1, n2), correct = FALSE, conf.level = level))
    add(case, "prop.test(correct = FALSE)$conf.int", "proportion_difference_ci", a("wald"), "low", pt$conf.int[1])
    add(case, "prop.test(correct = FALSE)$conf.int", "proportion_difference_ci", a("wald"), "high", pt$conf.int[2])
    add(case, "prop.test estimate difference", "proportion_difference_ci", a("wald"), "estimate", pt$estimate[1] - pt$estimate[2])
    # Newcombe (1998) method 10, from R's Wilson intervals (prop.test of each arm).
    w1 <- wilson(x1, n1, level); w2 <- wilson(x2, n2, level)
    src <- "by hand in R: Newcombe hybrid score from prop.test Wilson intervals"
    add(case, src, "proportion_difference_ci", a("newcombe"), "low", d - sqrt((p1 - w1[1])^2 + (w2[2] - p2)^2))
    add(case, src, "proportion_difference_ci", a("newcombe"), "high", d + sqrt((w1[2] - p1)^2 + (p2 - w2[1])^2))
    # Agresti-Caffo: add one success and one failure to each arm, then Wald.
    q1 <- (x1 + 1) / (n1 + 2); q2 <- (x2 + 1) / (n2 + 2)
    se <- sqrt(q1 * (1 - q1) / (n1 + 2) + q2 * (1 - q2) / (n2 + 2))
    src <- "by hand in R: Agresti-Caffo (Wald after adding 1 success and 1 failure per arm), clipped to [-1, 1]"
    add(case, src, "proportion_difference_ci", a("agresti_caffo"), "low", max(-1, q1 - q2 - z * se))
    add(case, src, "proportion_difference_ci", a("agresti_caffo"), "high", min(1, q1 - q2 + z * se))
    src <- "by hand in R: Miettinen-Nurminen score interval, restricted MLE by uniroot"
    mn <- mn_interval(x1, n1, x2, n2, "diff", level)
    add(case, src, "proportion_difference_ci", a("score"), "low", mn[1], 1e-7)
    add(case, src, "proportion_difference_ci", a("score"), "high", mn[2], 1e-7)
  }
}
# Every table with n1 = 5, n2 = 7 and n1 = n2 = 10: Miettinen-Nurminen at the edges (zero and full cells).
for (nn in list(c(5, 7), c(10, 10))) {
  for (x1 in 0:nn[1]) for (x2 in 0:nn[2]) {
    mn <- mn_interval(x1, nn[1], x2, nn[2], "diff", 0.95)
    a <- list(events1 = x1, n1 = nn[1], events2 = x2, n2 = nn[2], method = "score")
    case <- sprintf("MN grid %d/%d v %d/%d", x1, nn[1], x2, nn[2])
    src <- "by hand in R: Miettinen-Nurminen score interval, restricted MLE by uniroot"
    add(case, src, "proportion_difference_ci", a, "low", mn[1], 1e-7)
    add(case, src, "proportion_difference_ci", a, "high", mn[2], 1e-7)
  }
}

# ---------------------------------------------------------------- CIs for ratios
for (tc in tables[c(1, 2, 3, 4, 5)]) {
  x1 <- tc$e1; n1 <- tc$n1; x2 <- tc$e2; n2 <- tc$n2
  z <- qnorm(0.975)
  a <- function(measure, method) list(events1 = x1, n1 = n1, events2 = x2, n2 = n2, measure = measure, method = method)
  rr <- (x1 / n1) / (x2 / n2)
  se <- sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2)
  src <- "by hand in R: Katz log interval for the risk ratio"
  add(tc$case, src, "ratio_ci", a("rr", "log"), "estimate", rr)
  add(tc$case, src, "ratio_ci", a("rr", "log"), "low", exp(log(rr) - z * se))
  add(tc$case, src, "ratio_ci", a("rr", "log"), "high", exp(log(rr) + z * se))
  or <- (x1 * (n2 - x2)) / (x2 * (n1 - x1))
  se <- sqrt(1 / x1 + 1 / (n1 - x1) + 1 / x2 + 1 / (n2 - x2))
  src <- "by hand in R: Woolf logit interval for the odds ratio"
  add(tc$case, src, "ratio_ci", a("or", "log"), "estimate", or)
  add(tc$case, src, "ratio_ci", a("or", "log"), "low", exp(log(or) - z * se))
  add(tc$case, src, "ratio_ci", a("or", "log"), "high", exp(log(or) + z * se))
  # 0.5 added: to events and n for the risk ratio (Walter 1975), to every cell for the odds ratio (Haldane).
  rr_a <- ((x1 + 0.5) / (n1 + 0.5)) / ((x2 + 0.5) / (n2 + 0.5))
  se <- sqrt(1 / (x1 + 0.5) - 1 / (n1 + 0.5) + 1 / (x2 + 0.5) - 1 / (n2 + 0.5))
  src <- "by hand in R: log interval for the risk ratio with 0.5 added to events and n"
  add(tc$case, src, "ratio_ci", a("rr", "log_adjusted"), "low", exp(log(rr_a) - z * se))
  add(tc$case, src, "ratio_ci", a("rr", "log_adjusted"), "high", exp(log(rr_a) + z * se))
  or_a <- ((x1 + 0.5) * (n2 - x2 + 0.5)) / ((x2 + 0.5) * (n1 - x1 + 0.5))
  se <- sqrt(1 / (x1 + 0.5) + 1 / (n1 - x1 + 0.5) + 1 / (x2 + 0.5) + 1 / (n2 - x2 + 0.5))
  src <- "by hand in R: Woolf interval with 0.5 added to every cell (Haldane-Anscombe)"
  add(tc$case, src, "ratio_ci", a("or", "log_adjusted"), "low", exp(log(or_a) - z * se))
  add(tc$case, src, "ratio_ci", a("or", "log_adjusted"), "high", exp(log(or_a) + z * se))
  src <- "by hand in R: Miettinen-Nurminen score interval, restricted MLE by uniroot"
  for (ms in c("rr", "or")) {
    mn <- mn_interval(x1, n1, x2, n2, ms, 0.95)
    add(tc$case, src, "ratio_ci", a(ms, "score"), "low", mn[1], 1e-7)
    add(tc$case, src, "ratio_ci", a(ms, "score"), "high", mn[2], 1e-7)
  }
}

# ---------------------------------------------------------------- P from CI and CI from P
# Altman & Bland, BMJ 2011;343:d2304 and d2090: the printed formulas, and the exact normal version.
ab_p <- function(z) exp(-0.717 * z - 0.416 * z^2)
ab_z <- function(p) -0.862 + sqrt(0.743 - 2.404 * log(p))
p_cases <- list(
  list(case = "d2090 zinc trial 17 (1.4 to 32.6) points", est = 17, low = 1.4, high = 32.6, ratio = FALSE),
  list(case = "hazard ratio 0.81 (0.70 to 0.94)", est = 0.81, low = 0.70, high = 0.94, ratio = TRUE),
  list(case = "zang2022-like difference -0.67 (-1.10 to -0.24)", est = -0.67, low = -1.10, high = -0.24, ratio = FALSE),
  list(case = "odds ratio 5.41 (1.03 to 54.5)", est = 5.41, low = 1.03, high = 54.5, ratio = TRUE)
)
for (pc in p_cases) {
  tr <- if (pc$ratio) log else identity
  se <- (tr(pc$high) - tr(pc$low)) / (2 * 1.96)
  z <- tr(pc$est) / se
  a <- function(method) list(estimate = pc$est, low = pc$low, high = pc$high, ratio = pc$ratio, method = method)
  add(pc$case, "by hand in R: d2304 box, P = exp(-0.717 z - 0.416 z^2)", "p_from_ci", a("altman_bland"),
      "pvalue", ab_p(abs(z)))
  add(pc$case, "by hand in R: d2304 box, z = Est/SE", "p_from_ci", a("altman_bland"), "statistic", z)
  se_n <- (tr(pc$high) - tr(pc$low)) / (2 * qnorm(0.975))
  add(pc$case, "by hand in R: 2 * pnorm(-|Est/SE|), SE = (u - l)/(2 qnorm(0.975))", "p_from_ci", a("normal"),
      "pvalue", 2 * pnorm(-abs(tr(pc$est) / se_n)))
  add(pc$case, "by hand in R: (u - l)/(2 qnorm(0.975))", "p_from_ci", a("normal"), "detail.se", se_n)
}
ci_cases <- list(
  list(case = "d2090 zinc trial 17 points, P=0.032", est = 17, p = 0.032, ratio = FALSE, level = 0.95),
  list(case = "d2090 relative risk 0.30, P=0.034", est = 0.30, p = 0.034, ratio = TRUE, level = 0.95),
  list(case = "difference -0.67, P=0.0012, 90% CI", est = -0.67, p = 0.0012, ratio = FALSE, level = 0.90),
  list(case = "odds ratio 5.41, P=0.046, 99% CI", est = 5.41, p = 0.046, ratio = TRUE, level = 0.99)
)
ab_mult <- c("0.9" = 1.65, "0.95" = 1.96, "0.99" = 2.57)
for (cc in ci_cases) {
  tr <- if (cc$ratio) log else identity
  back <- if (cc$ratio) exp else identity
  a <- function(method) list(estimate = cc$est, p = cc$p, level = cc$level, ratio = cc$ratio, method = method)
  se <- abs(tr(cc$est) / ab_z(cc$p))
  k <- ab_mult[[as.character(cc$level)]]
  src <- "by hand in R: d2090 box, z = -0.862 + sqrt(0.743 - 2.404 log P)"
  add(cc$case, src, "ci_from_p", a("altman_bland"), "low", back(tr(cc$est) - k * se))
  add(cc$case, src, "ci_from_p", a("altman_bland"), "high", back(tr(cc$est) + k * se))
  se <- abs(tr(cc$est) / qnorm(cc$p / 2, lower.tail = FALSE))
  k <- qnorm(1 - (1 - cc$level) / 2)
  src <- "by hand in R: z = qnorm(P/2, lower.tail = FALSE), SE = |Est|/z"
  add(cc$case, src, "ci_from_p", a("normal"), "low", back(tr(cc$est) - k * se))
  add(cc$case, src, "ci_from_p", a("normal"), "high", back(tr(cc$est) + k * se))
}

# ---------------------------------------------------------------- power and sample size
# Two-sided power counts both rejection regions (strict = TRUE in power.prop.test / power.t.test;
# pwr always does). Sample sizes are solved with a tight tolerance (the default tol is ~1e-4).
prop_cases <- list(
  list(case = "zang2022 design 0.20 v 0.05", p1 = 0.20, p2 = 0.05, n1 = 45, n2 = 46),
  list(case = "lu2021 0.41 v 0.12", p1 = 11 / 27, p2 = 3 / 26, n1 = 27, n2 = 26),
  list(case = "0.50 v 0.30", p1 = 0.50, p2 = 0.30, n1 = 60, n2 = 60),
  list(case = "0.10 v 0.25, alpha 0.01", p1 = 0.10, p2 = 0.25, n1 = 100, n2 = 80, alpha = 0.01)
)
for (pc in prop_cases) {
  alpha <- if (is.null(pc$alpha)) 0.05 else pc$alpha
  base <- list(p1 = pc$p1, p2 = pc$p2, alpha = alpha)
  # pooled (power.prop.test), equal n
  pp <- power.prop.test(n = pc$n1, p1 = pc$p1, p2 = pc$p2, sig.level = alpha, strict = TRUE)
  add(pc$case, "power.prop.test(n, p1, p2, strict = TRUE)$power", "power_two_proportions",
      c(base, list(n1 = pc$n1, method = "pooled")), "power", pp$power)
  pn <- power.prop.test(p1 = pc$p1, p2 = pc$p2, power = 0.8, sig.level = alpha, strict = TRUE, tol = 1e-12)
  add(pc$case, "power.prop.test(p1, p2, power = 0.8, strict = TRUE, tol = 1e-12)$n", "sample_size_two_proportions",
      c(base, list(power = 0.8, method = "pooled")), "n1", pn$n)
  pn9 <- power.prop.test(p1 = pc$p1, p2 = pc$p2, power = 0.9, sig.level = alpha, strict = TRUE, tol = 1e-12)
  add(pc$case, "power.prop.test(p1, p2, power = 0.9, strict = TRUE, tol = 1e-12)$n", "sample_size_two_proportions",
      c(base, list(power = 0.9, method = "pooled")), "n1", pn9$n)
  # pooled, unequal n: by hand in R (power.prop.test has one n)
  pbar <- (pc$n1 * pc$p1 + pc$n2 * pc$p2) / (pc$n1 + pc$n2)
  s0 <- sqrt(pbar * (1 - pbar) * (1 / pc$n1 + 1 / pc$n2))
  s1 <- sqrt(pc$p1 * (1 - pc$p1) / pc$n1 + pc$p2 * (1 - pc$p2) / pc$n2)
  za <- qnorm(1 - alpha / 2)
  dd <- abs(pc$p1 - pc$p2)
  add(pc$case, "by hand in R: pooled-variance null, unpooled alternative, both tails", "power_two_proportions",
      c(base, list(n1 = pc$n1, n2 = pc$n2, method = "pooled")), "power",
      pnorm((dd - za * s0) / s1) + pnorm((-dd - za * s0) / s1))
  # unpooled: by hand
  add(pc$case, "by hand in R: unpooled variance under null and alternative, both tails", "power_two_proportions",
      c(base, list(n1 = pc$n1, n2 = pc$n2, method = "unpooled")), "power",
      pnorm(dd / s1 - za) + pnorm(-dd / s1 - za))
  v <- pc$p1 * (1 - pc$p1) + pc$p2 * (1 - pc$p2)
  f <- function(n) pnorm(sqrt(n) * dd / sqrt(v) - za) + pnorm(-sqrt(n) * dd / sqrt(v) - za) - 0.8
  add(pc$case, "by hand in R: unpooled, uniroot on the power equation", "sample_size_two_proportions",
      c(base, list(power = 0.8, method = "unpooled")), "n1", uniroot(f, c(2, 1e7), tol = 1e-12)$root)
  # arcsine (Cohen's h): pwr
  h <- ES.h(pc$p1, pc$p2)
  add(pc$case, "pwr.2p2n.test(ES.h(p1, p2), n1, n2)$power", "power_two_proportions",
      c(base, list(n1 = pc$n1, n2 = pc$n2, method = "arcsine")), "power",
      pwr.2p2n.test(h = h, n1 = pc$n1, n2 = pc$n2, sig.level = alpha)$power)
  add(pc$case, "pwr.2p.test(ES.h(p1, p2), n)$power", "power_two_proportions",
      c(base, list(n1 = pc$n1, method = "arcsine")), "power", pwr.2p.test(h = h, n = pc$n1, sig.level = alpha)$power)
  g <- function(n) pwr.2p.test(h = h, n = n, sig.level = alpha)$power - 0.8
  add(pc$case, "uniroot(tol = 1e-12) on pwr.2p.test(ES.h(p1, p2), n)$power - 0.8", "sample_size_two_proportions",
      c(base, list(power = 0.8, method = "arcsine")), "n1", uniroot(g, c(2, 1e7), tol = 1e-12)$root)
  add(pc$case, "pwr.2p.test(ES.h(p1, p2), power = 0.8)$n (uniroot at its default tolerance)",
      "sample_size_two_proportions", c(base, list(power = 0.8, method = "arcsine")), "n1",
      pwr.2p.test(h = h, power = 0.8, sig.level = alpha)$n, 1e-4)
}

mean_cases <- list(
  list(case = "zang2022 0.13 / 0.185", diff = 0.13, sd = 0.185, n1 = 45, n2 = 46),
  list(case = "zang2022 HbA1c 0.67 / 1.05", diff = 0.67, sd = 1.05, n1 = 45, n2 = 46),
  list(case = "lu2021 0.3 / 0.95", diff = 0.3, sd = 0.95, n1 = 27, n2 = 26),
  list(case = "half an SD", diff = 0.5, sd = 1, n1 = 30, n2 = 30),
  list(case = "half an SD, alpha 0.01", diff = -0.5, sd = 1, n1 = 64, n2 = 40, alpha = 0.01)
)
for (mc in mean_cases) {
  alpha <- if (is.null(mc$alpha)) 0.05 else mc$alpha
  base <- list(diff = mc$diff, sd = mc$sd, alpha = alpha)
  add(mc$case, "power.t.test(n, delta, sd, strict = TRUE)$power", "power_two_means", c(base, list(n1 = mc$n1)),
      "power", power.t.test(n = mc$n1, delta = abs(mc$diff), sd = mc$sd, sig.level = alpha, strict = TRUE)$power)
  add(mc$case, "pwr.t2n.test(n1, n2, d = diff/sd)$power", "power_two_means", c(base, list(n1 = mc$n1, n2 = mc$n2)),
      "power", pwr.t2n.test(n1 = mc$n1, n2 = mc$n2, d = mc$diff / mc$sd, sig.level = alpha)$power)
  for (pw in c(0.8, 0.9)) {
    add(mc$case, sprintf("power.t.test(delta, sd, power = %g, strict = TRUE, tol = 1e-12)$n", pw),
        "sample_size_two_means", c(base, list(power = pw)), "n1",
        power.t.test(delta = abs(mc$diff), sd = mc$sd, power = pw, sig.level = alpha, strict = TRUE, tol = 1e-12)$n)
  }
}

out <- do.call(rbind, rows)
path <- file.path("tests", "reference", "inference_reference.csv")
write.csv(out, path, row.names = FALSE)
cat(sprintf("wrote %d reference values to %s (%s, pwr %s)\n", nrow(out), path, R.version.string, packageVersion("pwr")))
