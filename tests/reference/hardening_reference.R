# Reference values for the numerical hardening (issue 15), read by tests/test_inference.py and
# tests/test_hostile_numeric.py. Computed with R alone: base R's power.t.test and fisher.test, pwr,
# and by hand below (score intervals by uniroot, exact unconditional tests by enumeration and a
# dense-grid supremum refined with optimize()). Nothing here calls Python or copies its output.
#
# Run from the repository root:  Rscript tests/reference/hardening_reference.R
# Writes tests/reference/hardening_reference.csv, in the columns of inference_reference.csv:
#   case, r_source, function (in reanalysis.inference), args (JSON), quantity, value (17 digits), rtol
# Installed from Debian: r-base-core, r-cran-pwr, r-cran-jsonlite.

suppressPackageStartupMessages({
  library(pwr)
  library(jsonlite)
})

set.seed(20261201)
rows <- list()
add <- function(case, r_source, fn, args, quantity, value, rtol = 1e-6) {
  rows[[length(rows) + 1]] <<- data.frame(
    case = case, r_source = r_source, `function` = fn,
    args = as.character(toJSON(args, auto_unbox = TRUE, digits = NA)),
    quantity = quantity, value = sprintf("%.17g", value), rtol = rtol,
    check.names = FALSE, stringsAsFactors = FALSE
  )
}

# ---------------------------------------------------------------- 1. Miettinen-Nurminen score interval for the risk ratio
# The statistic (p1h - th p2h) / sqrt(V N / (N - 1)), V = p1 (1 - p1) / n1 + th^2 p2 (1 - p2) / n2 at the
# restricted MLE (p1, p2 = p1 / th), found here by uniroot on the profile score (not the closed-form quadratic).
# The limits are where the statistic crosses -/+ z on the log scale; the bracket starts 1e-9 off the estimate (where
# the statistic is 0/0 if both arms have all events) and is widened step by step.
rr_mn <- function(x1, n1, x2, n2, level) {
  N <- n1 + n2
  p1h <- x1 / n1
  p2h <- x2 / n2
  zc <- qnorm(1 - (1 - level) / 2)
  ll <- function(p2, th) dbinom(x1, n1, th * p2, log = TRUE) + dbinom(x2, n2, p2, log = TRUE)
  score <- function(p2, th) {
    p1 <- th * p2
    (x1 / p1 - (n1 - x1) / (1 - p1)) * th + x2 / p2 - (n2 - x2) / (1 - p2)
  }
  stat <- function(th) {
    hi <- min(1, 1 / th)
    a <- 1e-300
    b <- hi * (1 - 1e-15)
    sa <- score(a, th)
    sb <- score(b, th)
    p2 <- if (is.finite(sa) && is.finite(sb) && sa > 0 && sb < 0) {
      uniroot(score, c(a, b), th = th, tol = 1e-300, maxiter = 10000)$root
    } else if (ll(a, th) >= ll(b, th)) 0 else hi
    p1 <- th * p2
    v <- (p1 * (1 - p1) / n1 + th^2 * p2 * (1 - p2) / n2) * N / (N - 1)
    (p1h - th * p2h) / sqrt(v)
  }
  f <- function(lt, target) stat(exp(lt)) - target
  low <- if (x1 == 0) 0 else {
    s <- if (x2 > 0) log(p1h / p2h) - 1e-9 else { s <- 0; while (f(s, zc) >= 0) s <- s + 1; s }
    w <- 1
    while (f(s - w, zc) < 0) w <- 2 * w
    exp(uniroot(f, c(s - w, s), target = zc, tol = 1e-14)$root)
  }
  high <- if (x2 == 0) Inf else {
    s <- if (x1 > 0) log(p1h / p2h) + 1e-9 else { s <- 0; while (f(s, -zc) <= 0) s <- s - 1; s }
    w <- 1
    while (f(s + w, -zc) > 0) w <- 2 * w
    exp(uniroot(f, c(s, s + w), target = -zc, tol = 1e-14)$root)
  }
  c(low, high)
}
rr_cases <- list(
  c(1, 42, 54, 54, 0.90), c(54, 54, 1, 42, 0.90), c(1, 42, 54, 54, 0.95), c(3, 10, 10, 10, 0.95),
  c(10, 10, 10, 10, 0.95), c(7, 7, 2, 9, 0.95), c(0, 10, 5, 10, 0.95), c(5, 20, 0, 15, 0.95),
  c(15, 15, 14, 15, 0.95), c(1, 15, 15, 15, 0.90), c(12, 40, 3, 38, 0.95), c(0, 3, 3, 3, 0.95)
)
for (tc in rr_cases) {
  ci <- rr_mn(tc[1], tc[2], tc[3], tc[4], tc[5])
  case <- sprintf("%d/%d v %d/%d, %g%% CI", tc[1], tc[2], tc[3], tc[4], 100 * tc[5])
  a <- list(events1 = tc[1], n1 = tc[2], events2 = tc[3], n2 = tc[4], measure = "rr", method = "score", level = tc[5])
  src <- "by hand in R: Miettinen-Nurminen score interval for the risk ratio, restricted MLE and limits by uniroot"
  for (q in 1:2) if (is.finite(ci[q])) add(case, src, "ratio_ci", a, c("low", "high")[q], ci[q], 1e-6)
}

# ---------------------------------------------------------------- 2. power of the t-test with a large noncentrality
pt_cases <- list(c(3.5, 0.5, 3), c(0.01, 1, 20), c(1.187, 0.597, 144), c(1, 0.1, 50), c(2, 1, 100), c(0.5, 0.05, 10), c(3, 1, 300), c(0.3, 1, 60))
for (tc in pt_cases) {
  pw <- power.t.test(n = tc[3], delta = tc[1], sd = tc[2], sig.level = 0.05, strict = TRUE)$power
  add(sprintf("diff %g, sd %g, n %g per arm (ncp %.3g)", tc[1], tc[2], tc[3], tc[1] / tc[2] * sqrt(tc[3] / 2)),
      "power.t.test(strict = TRUE)", "power_two_means", list(diff = tc[1], sd = tc[2], n1 = tc[3]), "power", pw, 1e-6)
}
for (tc in list(c(1.2, 1, 100, 150), c(1, 0.2, 40, 60))) {
  pw <- pwr.t2n.test(n1 = tc[3], n2 = tc[4], d = tc[1] / tc[2], sig.level = 0.05)$power
  add(sprintf("diff %g, sd %g, n %g v %g", tc[1], tc[2], tc[3], tc[4]), "pwr.t2n.test", "power_two_means",
      list(diff = tc[1], sd = tc[2], n1 = tc[3], n2 = tc[4]), "power", pw, 1e-6)
}

# ---------------------------------------------------------------- 3. Barnard's and Boschloo's tests
# Every table is enumerated; P(pi) = sum over the tables at least as extreme of dbinom(x1, n1, pi) dbinom(x2, n2, pi).
# Its supremum: a grid of 10,001 points uniform on [0, 1] and 61 log-spaced points within 1e-8..1e-2 of each
# end, then optimize() between the neighbours of each of the 5 best local maxima of the grid.
# "As extreme": |Wald| >= |Wald observed| (1 - 1e-7) (pooled Wald, Barnard); one-sided Fisher P <= observed
# (1 + 1e-7) (Boschloo; two-sided = min(1, 2 x the smaller one-sided P), scipy's convention).
edge <- 10^seq(-8, -2, length.out = 61)
pgrid <- sort(unique(c(seq(0, 1, length.out = 10001), edge, 1 - edge)))
sup_p <- function(mask, n1, n2) {
  w <- mask * 1
  p_at <- function(pi) {
    b1 <- outer(pi, 0:n1, function(p, x) dbinom(x, n1, p))
    b2 <- outer(pi, 0:n2, function(p, x) dbinom(x, n2, p))
    rowSums((b1 %*% w) * b2)
  }
  v <- p_at(pgrid)
  g <- length(pgrid)
  best <- max(v)
  peaks <- which(v >= c(-1, v[-g]) & v >= c(v[-1], -1))
  for (i in head(peaks[order(-v[peaks])], 5)) {
    o <- optimize(function(p) p_at(p), c(pgrid[max(i - 1, 1)], pgrid[min(i + 1, g)]), maximum = TRUE, tol = 1e-12)
    best <- max(best, o$objective)
  }
  min(1, best)
}
barnard <- function(e1, n1, e2, n2) {
  x1 <- matrix(0:n1, n1 + 1, n2 + 1)
  x2 <- matrix(0:n2, n1 + 1, n2 + 1, byrow = TRUE)
  pp <- (x1 + x2) / (n1 + n2)
  se <- sqrt(pp * (1 - pp) * (1 / n1 + 1 / n2))
  t <- ifelse(se > 0, (x1 / n1 - x2 / n2) / se, 0)
  t0 <- t[e1 + 1, e2 + 1]
  c(t0, sup_p(abs(t) >= abs(t0) * (1 - 1e-7), n1, n2))
}
boschloo <- function(e1, n1, e2, n2) {
  x1 <- matrix(0:n1, n1 + 1, n2 + 1)
  x2 <- matrix(0:n2, n1 + 1, n2 + 1, byrow = TRUE)
  less <- phyper(x1, n1, n2, x1 + x2)
  greater <- phyper(x1 - 1, n1, n2, x1 + x2, lower.tail = FALSE)
  pl <- sup_p(less <= less[e1 + 1, e2 + 1] * (1 + 1e-7), n1, n2)
  pg <- sup_p(greater <= greater[e1 + 1, e2 + 1] * (1 + 1e-7), n1, n2)
  c(if (pl < pg) less[e1 + 1, e2 + 1] else greater[e1 + 1, e2 + 1], min(1, 2 * min(pl, pg)))
}
tables <- list(c(3, 20, 23, 28), c(3, 65, 7, 99), c(7, 15, 12, 15), c(9, 45, 2, 44), c(0, 30, 5, 30), c(1, 200, 9, 180))
for (i in 1:30) {
  n <- sample(5:100, 2)
  tables[[length(tables) + 1]] <- c(sample(0:n[1], 1), n[1], sample(0:n[2], 1), n[2])
}
for (tc in tables) {
  if ((tc[1] + tc[3]) %in% c(0, tc[2] + tc[4])) next
  case <- sprintf("%d/%d v %d/%d", tc[1], tc[2], tc[3], tc[4])
  a <- function(test) list(events1 = tc[1], n1 = tc[2], events2 = tc[3], n2 = tc[4], test = test)
  b <- barnard(tc[1], tc[2], tc[3], tc[4])
  src <- "by hand in R: Barnard (pooled Wald), every table, sup over a dense grid refined by optimize()"
  add(case, src, "two_by_two", a("barnard"), "statistic", b[1], 1e-9)
  add(case, src, "two_by_two", a("barnard"), "pvalue", b[2], 1e-6)
  b <- boschloo(tc[1], tc[2], tc[3], tc[4])
  src <- "by hand in R: Boschloo (one-sided Fisher P by phyper), every table, sup over a dense grid refined by optimize()"
  add(case, src, "two_by_two", a("boschloo"), "statistic", b[1], 1e-9)
  add(case, src, "two_by_two", a("boschloo"), "pvalue", b[2], 1e-6)
}

# ---------------------------------------------------------------- 4. Fisher: degenerate tables, tiny and huge
for (tc in list(c(0, 45, 0, 46), c(45, 45, 46, 46), c(0, 10, 5, 10), c(10, 10, 5, 10), c(0, 10, 10, 10))) {
  m <- matrix(c(tc[1], tc[2] - tc[1], tc[3], tc[4] - tc[3]), nrow = 2, byrow = TRUE)
  ft <- fisher.test(m)
  case <- sprintf("%d/%d v %d/%d", tc[1], tc[2], tc[3], tc[4])
  a <- list(events1 = tc[1], n1 = tc[2], events2 = tc[3], n2 = tc[4], measure = "or", method = "exact")
  add(case, "fisher.test(m)$estimate", "ratio_ci", a, "estimate", ft$estimate, 1e-9)
  add(case, "fisher.test(m)$conf.int", "ratio_ci", a, "low", ft$conf.int[1], 1e-3)
  if (is.finite(ft$conf.int[2])) add(case, "fisher.test(m)$conf.int", "ratio_ci", a, "high", ft$conf.int[2], 1e-3)
  add(case, "fisher.test(m)$p.value", "two_by_two", list(events1 = tc[1], n1 = tc[2], events2 = tc[3], n2 = tc[4],
      test = "fisher"), "pvalue", ft$p.value, 1e-9)
}
# log10 of Fisher's P by hand: the hypergeometric log-probabilities (dhyper, log = TRUE), summed with log-sum-exp
# over the outcomes at most (1 + 1e-7) times as likely as the observed one. R's fisher.test itself underflows here.
log10_fisher <- function(x1, n1, x2, n2) {
  s <- x1 + x2
  x <- max(0, s - n2):min(s, n1)
  if (length(x) > 1e6) {  # 10^9 per arm: only the 400,001 outcomes nearest the mean (+-60 SDs; the rest < 1e-700)
    mu <- round(s * n1 / (n1 + n2))
    x <- max(min(x), mu - 200000):min(max(x), mu + 200000)
  }
  d <- dhyper(x, n1, n2, s, log = TRUE)
  keep <- d[d <= dhyper(x1, n1, n2, s, log = TRUE) + log1p(1e-7)]
  (max(keep) + log(sum(exp(keep - max(keep))))) / log(10)
}
for (tc in list(c(0, 520, 520, 520), c(0, 505, 505, 505), c(100000, 1e6, 120000, 1e6), c(3, 900, 700, 850))) {
  case <- sprintf("%d/%d v %d/%d", tc[1], tc[2], tc[3], tc[4])
  a <- list(events1 = tc[1], n1 = tc[2], events2 = tc[3], n2 = tc[4], test = "fisher")
  add(case, "by hand in R: log-sum-exp of dhyper(log = TRUE)", "two_by_two", a, "detail.log10_pvalue",
      log10_fisher(tc[1], tc[2], tc[3], tc[4]), 1e-9)
}
# 1e8 + 12 and not + 10: there two outcomes tie with the observed one to 5e-15 of the 1e-7 tolerance, below
# double precision, and either decision is right (0.999465 as R decides them, 0.999524 the other way).
for (tc in list(c(0, 520, 520, 520), c(500000, 1e6, 501000, 1e6), c(1000, 1e6, 1100, 1e6), c(1e8, 1e9, 1e8 + 12, 1e9),
                c(1e8, 1e9, 1e8 + 10000, 1e9))) {
  case <- sprintf("%d/%d v %d/%d", tc[1], tc[2], tc[3], tc[4])
  a <- list(events1 = tc[1], n1 = tc[2], events2 = tc[3], n2 = tc[4], test = "fisher")
  add(case, "by hand in R: 10^(log-sum-exp of dhyper(log = TRUE))", "two_by_two", a, "pvalue",
      10^log10_fisher(tc[1], tc[2], tc[3], tc[4]), if (tc[1] == 0) 1e-4 else 1e-7)
}

out <- do.call(rbind, rows)
write.csv(out, "tests/reference/hardening_reference.csv", row.names = FALSE)
cat(nrow(out), "rows written\n")
