# Shared helpers for the independent recomputations in tests/expected/<id>.R (base R only).
# Each <id>.R sources this file, recomputes every reported p-value of data/<id>/ from the
# printed summaries, and writes tests/expected/<id>.csv. Written without reference to the
# project's Python code: these are the reference expectations.

sd_from_sem <- function(sem, n) sem * sqrt(n)

t_p <- function(m1, s1, n1, m2, s2, n2, welch = FALSE) {
  d <- m1 - m2
  if (welch) {
    v1 <- s1^2 / n1; v2 <- s2^2 / n2
    se <- sqrt(v1 + v2)
    df <- (v1 + v2)^2 / (v1^2 / (n1 - 1) + v2^2 / (n2 - 1))
  } else {
    sp2 <- ((n1 - 1) * s1^2 + (n2 - 1) * s2^2) / (n1 + n2 - 2)
    se <- sqrt(sp2 * (1 / n1 + 1 / n2))
    df <- n1 + n2 - 2
  }
  2 * pt(-abs(d / se), df)
}

# Range of the t-test p over the rounding intervals of printed means and spreads.
# half_m, half_s: half a unit in the last printed digit of the means and of the spreads.
# is_sem: the spread is an SEM (converted with its n). p is monotone in |diff| and in the
# spreads, so the extremes lie at the corners (|diff| largest/smallest, spreads smallest/largest).
t_p_range <- function(m1, s1, n1, m2, s2, n2, half_m, half_s, is_sem = FALSE, welch = FALSE) {
  conv <- function(s, n) if (is_sem) s * sqrt(n) else s
  d <- abs(m1 - m2)
  dmax <- d + 2 * half_m
  dmin <- max(0, d - 2 * half_m)
  f <- function(dd, a, b) t_p(dd, conv(a, n1), n1, 0, conv(b, n2), n2, welch)
  lo <- f(dmax, max(s1 - half_s, 1e-9), max(s2 - half_s, 1e-9))
  hi <- f(dmin, s1 + half_s, s2 + half_s)
  # the p with one SD at its low end and the other at its high end can exceed neither extreme
  # for Student; for Welch check the mixed corners too
  for (a in c(s1 - half_s, s1 + half_s)) for (b in c(s2 - half_s, s2 + half_s)) {
    a <- max(a, 1e-9); b <- max(b, 1e-9)
    lo <- min(lo, f(dmax, a, b)); hi <- max(hi, f(dmin, a, b))
  }
  c(lo, hi)
}

# Does p match a printed value? Returns "round", "truncate" or "" (no match).
# printed: the number as printed (string), e.g. "0.004"; comparator "<" / ">" handled by caller.
p_matches <- function(p, printed) {
  dec <- nchar(sub("^[^.]*\\.?", "", printed))
  ulp <- 10^(-dec)
  v <- as.numeric(printed)
  if (abs(p - v) <= ulp / 2 + 1e-12) return("round")
  if (p >= v - 1e-12 && p < v + ulp) return("truncate")
  ""
}
# Does an interval [lo, hi] of p contain a value that prints as `printed`?
range_matches <- function(r, printed) {
  dec <- nchar(sub("^[^.]*\\.?", "", printed))
  ulp <- 10^(-dec); v <- as.numeric(printed)
  (r[1] <= v + ulp / 2) && (r[2] >= v - ulp / 2)
}

fisher_p <- function(m) fisher.test(m)$p.value
chisq_p <- function(m, correct = FALSE) suppressWarnings(chisq.test(m, correct = correct)$p.value)

fmt <- function(p) if (is.na(p)) "" else trimws(formatC(p, digits = 4, format = "g"))

new_rows <- function() data.frame(claim_id = character(), reported = character(), independent_p = character(),
                                  route = character(), expected_verdict = character(),
                                  expected_as_stated = character(), reason = character(),
                                  stringsAsFactors = FALSE)
add_row <- function(df, claim_id, reported, p, route, verdict, as_stated, reason) {
  rbind(df, data.frame(claim_id = claim_id, reported = reported, independent_p = fmt(p), route = route,
                       expected_verdict = verdict, expected_as_stated = as_stated, reason = reason,
                       stringsAsFactors = FALSE))
}

# Exact unconditional tests for a 2 x 2 table (x1 of n1 vs x2 of n2), two-sided, by maximising
# over the nuisance proportion on a fine grid. statistic = "boschloo" (Fisher's p orders the tables)
# or "barnard" (pooled-variance z, the usual Barnard/score ordering).
unconditional_p <- function(x1, n1, x2, n2, statistic = c("boschloo", "barnard"), grid = 2000) {
  statistic <- match.arg(statistic)
  tabs <- expand.grid(a = 0:n1, b = 0:n2)
  stat <- function(a, b) {
    if (statistic == "boschloo") return(-fisher.test(rbind(c(a, n1 - a), c(b, n2 - b)))$p.value)
    p <- (a + b) / (n1 + n2)
    if (p == 0 || p == 1) return(0)
    abs((a / n1 - b / n2) / sqrt(p * (1 - p) * (1 / n1 + 1 / n2)))
  }
  s <- mapply(stat, tabs$a, tabs$b)
  s0 <- stat(x1, x2)
  ext <- s >= s0 - 1e-9
  pis <- seq(0, 1, length.out = grid + 1)
  best <- 0
  for (pi in pis) best <- max(best, sum(dbinom(tabs$a[ext], n1, pi) * dbinom(tabs$b[ext], n2, pi)))
  min(1, best)
}
