# Reference values for tests/test_effects.py (src/reanalysis/effects.py).
#
# Run from the repository root:  Rscript tests/reference/effects_reference.R
# Writes tests/reference/effects_reference.csv, in the long form of sensitivity_reference.csv:
#   case, r_source, function, args (JSON), quantity, value (17 significant digits), rtol
#
# Nothing here calls Python, and nothing is a port of it:
# - mean differences: R's own t.test() on two samples built to have exactly the printed mean and
#   SD (a standardised normal sample rescaled), Student (var.equal = TRUE) and Welch; the interval
#   also by hand from qt(), as a check of the construction;
# - risk difference (Wald) and risk ratio (Katz log) by their textbook formulas with qnorm();
#   chisq.test(correct = FALSE) and fisher.test() for the p;
# - multiplicity: p.adjust(method = "holm" / "BH"), on a plain vector and on zang2022's family of
#   between-group p-values after baseline, transcribed here by hand from the paper's text and
#   tables (one p per outcome and visit; a bound at its least favourable value: "p < 0.05" as 0.05,
#   "p > 0.05" as 1; where a comparison is printed more than once, its most precise p).
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

# ---------------------------------------------------------------- mean differences
exact_sample <- function(mean, sd, n) {
  set.seed(1)
  z <- rnorm(n)
  as.numeric(scale(z)) * sd + mean  # mean and SD exactly as given
}

mean_case <- function(case, m1, s1, n1, m2, s2, n2) {
  x <- exact_sample(m1, s1, n1)
  y <- exact_sample(m2, s2, n2)
  for (method in c("student", "welch")) {
    tt <- t.test(x, y, var.equal = method == "student")
    args <- list(mean1 = m1, sd1 = s1, n1 = n1, mean2 = m2, sd2 = s2, n2 = n2, method = method)
    src <- sprintf("t.test(var.equal = %s) on samples with the printed mean and SD", method == "student")
    add(case, src, "mean_difference", args, "estimate", unname(tt$estimate[1] - tt$estimate[2]))
    add(case, src, "mean_difference", args, "ci_low", tt$conf.int[1])
    add(case, src, "mean_difference", args, "ci_high", tt$conf.int[2])
    add(case, src, "mean_difference", args, "p", tt$p.value)
    # the same interval from the summaries with qt(): the sample construction is exact
    if (method == "student") {
      df <- n1 + n2 - 2
      se <- sqrt(((n1 - 1) * s1^2 + (n2 - 1) * s2^2) / df * (1 / n1 + 1 / n2))
    } else {
      v1 <- s1^2 / n1; v2 <- s2^2 / n2
      se <- sqrt(v1 + v2)
      df <- (v1 + v2)^2 / (v1^2 / (n1 - 1) + v2^2 / (n2 - 1))
    }
    stopifnot(abs((m1 - m2 - qt(0.975, df) * se) - tt$conf.int[1]) < 1e-9)
  }
}

# zang2022, Results, Efficacy, paragraph 3: HbA1c at 48 weeks 7.52 ± 1.07 (UC-MSCs) and 8.19 ± 1.02
# (placebo); n = 45/46 (the arms' analysed n; the n at the visit is not printed)
mean_case("zang2022 HbA1c 48 weeks, n 45/46", 7.52, 1.07, 45, 8.19, 1.02, 46)
# zang2022, Table 1: age 50.00 ± 9.38 (N = 45) and 50.45 ± 8.03 (N = 46)
mean_case("zang2022 age at baseline, table n", 50.00, 9.38, 45, 50.45, 8.03, 46)
# zang2022, insulin (U/kg/day) at 32 weeks 0.49 ± 0.24 and 0.59 ± 0.27, at the completers' 37/36
mean_case("zang2022 insulin 32 weeks, completers 37/36", 0.49, 0.24, 37, 0.59, 0.27, 36)
# roman2016, Results: sessions missed 2.3 ± 0.6 and 12.6 ± 4.2 (mean ± SEM), n 14 and 9 analysed
mean_case("roman2016 sessions missed, SD from SEM", 2.3, 0.6 * sqrt(14), 14, 12.6, 4.2 * sqrt(9), 9)

# ---------------------------------------------------------------- risk difference and ratio
risk_case <- function(case, k1, n1, k2, n2) {
  p1 <- k1 / n1; p2 <- k2 / n2
  z <- qnorm(0.975)
  se_d <- sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
  rr <- p1 / p2
  se_l <- sqrt(1 / k1 - 1 / n1 + 1 / k2 - 1 / n2)
  m <- matrix(c(k1, n1 - k1, k2, n2 - k2), nrow = 2, byrow = TRUE)
  args <- list(events1 = k1, n1 = n1, events2 = k2, n2 = n2)
  src <- "Wald and Katz log formulas with qnorm(); chisq.test(correct = FALSE); fisher.test()"
  add(case, src, "risk", args, "rd", 100 * (p1 - p2))
  add(case, src, "risk", args, "rd_low", 100 * (p1 - p2 - z * se_d))
  add(case, src, "risk", args, "rd_high", 100 * (p1 - p2 + z * se_d))
  add(case, src, "risk", args, "rr", rr)
  add(case, src, "risk", args, "rr_low", exp(log(rr) - z * se_l))
  add(case, src, "risk", args, "rr_high", exp(log(rr) + z * se_l))
  add(case, src, "risk", args, "p_chi2", suppressWarnings(chisq.test(m, correct = FALSE))$p.value)
  add(case, src, "risk", args, "p_fisher", fisher.test(m)$p.value)
}
# zang2022 primary endpoint at 48 weeks: 20.00% of 45 and 4.55% of 44 (the n the placebo percentages fit);
# the paper prints the 95% CI of the rate difference as 2.25-28.66%
risk_case("zang2022 primary endpoint 48 weeks, 9/45 vs 2/44", 9, 45, 2, 44)
# lu2021 clinical remission at 12 months: 11 of 27 and 3 of 26
risk_case("lu2021 remission, 11/27 vs 3/26", 11, 27, 3, 26)

# ---------------------------------------------------------------- multiplicity
adjust_case <- function(case, p) {
  for (method in c("holm", "BH")) {
    adj <- p.adjust(p, method = method)
    name <- if (method == "holm") "holm" else "fdr_bh"
    for (i in seq_along(p)) {
      key <- if (is.null(names(p))) as.character(i - 1) else names(p)[i]
      add(case, sprintf("p.adjust(method = \"%s\")", method), "adjust",
          list(pvalues = unname(p), method = name), key, adj[i])
    }
  }
}
adjust_case("plain vector", c(0.01, 0.04, 0.03, 0.005, 0.2, 0.5))

# zang2022 after baseline, from the paper (Results, Efficacy, paragraphs 1-5; Table 2; Abstract):
zang <- c(
  "primary_endpoint@w9" = 0.3607, "primary_endpoint@w20" = 0.3542,   # Table 2
  "primary_endpoint@w32" = 0.3542, "primary_endpoint@w48" = 0.0268,  # Table 2 (text: p < 0.05)
  "insulin_reduction_pct@w9" = 0.01, "insulin_reduction_pct@w20" = 0.01,   # p < 0.01, p < 0.01
  "insulin_reduction_pct@w32" = 0.05, "insulin_reduction_pct@w48" = 0.05,  # p < 0.05, p < 0.05
  "insulin_u_kg_day@w9" = 0.01, "insulin_u_kg_day@w20" = 1,   # p < 0.01, p > 0.05
  "insulin_u_kg_day@w32" = 1, "insulin_u_kg_day@w48" = 0.05,  # p > 0.05, p < 0.05
  "insulin_u_day@w9" = 0.01, "insulin_u_day@w20" = 1,
  "insulin_u_day@w32" = 1, "insulin_u_day@w48" = 0.05,
  "hba1c@w9" = 0.01, "hba1c@w20" = 0.05, "hba1c@w32" = 1,   # p < 0.01 at 9 and 48, < 0.05 at 20, > 0.05 at 32
  "hba1c@w48" = 0.0081,                                      # the change: p = 0.0081 (more precise than < 0.01)
  "hba1c_below_7@w9" = 0.05, "hba1c_below_7@w20" = 1,
  "hba1c_below_7@w32" = 0.05, "hba1c_below_7@w48" = 0.01,
  "fasting_cpeptide@w9" = 1, "fasting_cpeptide@w20" = 1, "fasting_cpeptide@w48" = 1,  # p > 0.05
  "glucagon_cpeptide_fold@w9" = 0.05, "glucagon_cpeptide_fold@w20" = 1, "glucagon_cpeptide_fold@w48" = 1,
  "auc_cpeptide@w20" = 0.05,                                 # p < 0.05 at 20 weeks
  "gir@w9" = 0.05, "gir@w48" = 0.01                          # p < 0.05 at 9, p < 0.01 at 48 weeks
)
adjust_case("zang2022 printed family after baseline", zang)
for (method in c("holm", "BH")) {
  adj <- p.adjust(zang, method = method)
  name <- if (method == "holm") "holm" else "fdr_bh"
  add("zang2022 printed family after baseline", "length(p)", "family",
      list(method = name), "size", length(zang), rtol = 0)
  add("zang2022 printed family after baseline", "sum(p.adjust(p) <= 0.05)", "family",
      list(method = name), "survivors", sum(adj <= 0.05), rtol = 0)
}

out <- do.call(rbind, rows)
write.csv(out, "tests/reference/effects_reference.csv", row.names = FALSE)
cat(sprintf("wrote %d rows to tests/reference/effects_reference.csv\n", nrow(out)))
