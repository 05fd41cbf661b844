# Reference values of Fisher's exact two-sided P on large 2x2 tables, read by tests/test_closedform.py
# (closedform.log_p_fisher sums only the outcomes near the tie boundaries; these sum the whole support).
# Computed with R alone: the natural log of P, from the hypergeometric log-probabilities (dhyper, log = TRUE,
# which is relative-accurate at any size), summed with log-sum-exp over every outcome at most (1 + 1e-7)
# times as likely as the observed one (fisher.test's rule); and fisher.test(m)$p.value itself where the
# support is small enough for it and P does not underflow. Nothing here calls Python or copies its output.
#
# Run from the repository root:  Rscript tests/reference/fisher_reference.R
# Writes tests/reference/fisher_reference.csv: events1, n1, events2, n2, what, log_p, p, note.

log_fisher <- function(x1, n1, x2, n2) {
  s <- x1 + x2
  x <- max(0, s - n2):min(s, n1)
  if (length(x) > 2e6) {  # arms of 10^7 and more: the 800,001 outcomes nearest the mean (the rest < 1e-1000)
    mu <- round(s * n1 / (n1 + n2))
    x <- max(min(x), mu - 400000):min(max(x), mu + 400000)
  }
  d <- dhyper(x, n1, n2, s, log = TRUE)
  keep <- d[d <= dhyper(x1, n1, n2, s, log = TRUE) + log1p(1e-7)]
  max(keep) + log(sum(exp(keep - max(keep))))
}

tables <- list(
  # 10^6 per arm around the fragility crossing of 100000 v 120000 (tests/test_hostile_numeric.py)
  list(c(119099, 1e6, 120000, 1e6), "fragility crossing, p just below 0.05"),
  list(c(119100, 1e6, 120000, 1e6), "fragility crossing, p just above 0.05"),
  list(c(110000, 1e6, 120000, 1e6), "10^6 per arm, P near 1e-108"),
  # symmetric arms: every outcome ties exactly with its mirror image (R's 1e-7 decides the tie)
  list(c(10, 1e6, 20, 1e6), "exact mirror tie, few events"),
  list(c(129207, 3e6, 129542, 3e6), "3 10^6 per arm, P near 0.5"),
  list(c(1500000, 3e6, 1500000, 3e6), "observed at the mode, P = 1"),
  list(c(1500000, 3e6, 1500001, 3e6), "next to the mode, mirror tie"),
  # unequal arms and skewed (Poisson-like) distributions
  list(c(1258196, 3e6, 1577857, 3744604), "unequal arms of millions"),
  list(c(5, 1e6, 30, 1e6), "rare events, P near 1e-5"),
  list(c(0, 1e6, 12, 1e6), "no events in one arm"),
  list(c(3, 1e5, 0, 2e5), "rare events, arms 1:2"),
  list(c(7, 50, 30000, 1e6), "a small arm beside a large one"),
  list(c(50, 50, 500000, 1e6), "an all-event small arm beside a large one"),
  # extremes: P far below the smallest double
  list(c(0, 2e6, 1e6, 2e6), "P near 1e-130000"),
  list(c(999990, 1e6, 10, 1e6), "extreme table, 10^6 per arm"),
  # above 10^7 in all (closedform normalises over the bulk)
  list(c(40, 1e7, 70, 3e7), "rare events, 4 10^7 in all"),
  list(c(5e6, 1e7, 5e6 + 3000, 1e7), "10^7 per arm, P near 0.2"),
  list(c(2e7, 1e8, 2e7 + 4e4, 1e8), "10^8 per arm, P near 1e-12"),
  list(c(1e8, 1e9, 1e8 + 30000, 1e9), "10^9 per arm, P near 0.03")
)

rows <- list()
for (t in tables) {
  tc <- t[[1]]
  lp <- log_fisher(tc[1], tc[2], tc[3], tc[4])
  rows[[length(rows) + 1]] <- data.frame(events1 = tc[1], n1 = tc[2], events2 = tc[3], n2 = tc[4],
    what = "log-sum-exp of dhyper(log = TRUE)", log_p = sprintf("%.17g", lp), p = sprintf("%.17g", exp(lp)),
    note = t[[2]], stringsAsFactors = FALSE)
  if (tc[1] + tc[3] <= 3e5 && lp > -700) {
    m <- matrix(c(tc[1], tc[2] - tc[1], tc[3], tc[4] - tc[3]), nrow = 2, byrow = TRUE)
    p <- fisher.test(m)$p.value
    rows[[length(rows) + 1]] <- data.frame(events1 = tc[1], n1 = tc[2], events2 = tc[3], n2 = tc[4],
      what = "fisher.test(m)$p.value", log_p = sprintf("%.17g", log(p)), p = sprintf("%.17g", p),
      note = t[[2]], stringsAsFactors = FALSE)
  }
}
out <- do.call(rbind, rows)
out$events1 <- format(out$events1, scientific = FALSE, trim = TRUE)
out$n1 <- format(out$n1, scientific = FALSE, trim = TRUE)
out$events2 <- format(out$events2, scientific = FALSE, trim = TRUE)
out$n2 <- format(out$n2, scientific = FALSE, trim = TRUE)
write.csv(out, "tests/reference/fisher_reference.csv", row.names = FALSE)
cat(nrow(out), "rows written\n")
