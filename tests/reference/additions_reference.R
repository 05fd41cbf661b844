# Reference values for tests/test_regression.py and the baseline-balance tests of tests/test_registration.py
# (issue 12, "Additions"). Run from the repository root:  Rscript tests/reference/additions_reference.R
# Writes tests/reference/additions_reference.csv: case, r_source, quantity, value (17 significant digits), rtol.
#
# Nothing here calls Python or is a port of it:
# - Carlisle's combined check (Stouffer) on zang2022's Table 1 continuous baseline p-values without the
#   four variables randomisation was stratified on (age, BMI, duration, HbA1c; Methods, "Randomization
#   and masking"), from qnorm / pnorm; Fisher's combination from pchisq beside it;
# - lu2021's remission counts 11/27 vs 3/26 (Results, "Efficacy evaluation"): risk ratio, odds ratio;
# - the OR -> RR conversion of Zhang & Yu (JAMA 1998;280:1690): RR = OR / (1 - P0 + P0 * OR), with the
#   control arm's rate P0 = 3/26, for the printed adjusted OR 4.38;
# - events per variable (Peduzzi et al., J Clin Epidemiol 1996;49:1373): min(events, non-events) / variables.

rows <- list()
add <- function(case, r_source, quantity, value, rtol = 1e-12) {
  rows[[length(rows) + 1]] <<- data.frame(case = case, r_source = r_source, quantity = quantity,
    value = sprintf("%.17g", value), rtol = rtol, stringsAsFactors = FALSE)
}

# ---------------------------------------------------------------- baseline balance
unstratified <- c(insulin_u_day = 0.7819, insulin_u_kg_day = 0.6992, fpg = 0.7737, fasting_cpeptide = 0.5905,
                  gir = 0.6177)
everything <- c(0.8068, 0.4158, 0.7808, 0.7819, 0.6992, 0.7737, 0.6173, 0.5905, 0.6177)
for (set in list(list("zang2022 baseline, stratified variables left out", unstratified),
                 list("zang2022 baseline, all nine continuous", everything))) {
  p <- set[[2]]; k <- length(p)
  z <- sum(qnorm(p, lower.tail = FALSE)) / sqrt(k)
  add(set[[1]], "k", "k", k)
  add(set[[1]], "sum(qnorm(p, lower.tail = FALSE)) / sqrt(k)", "statistic", z)
  add(set[[1]], "pnorm(Z, lower.tail = FALSE)", "p_dissimilar", pnorm(z, lower.tail = FALSE))
  add(set[[1]], "pnorm(Z)", "p_similar", pnorm(z))
  add(set[[1]], "pchisq(-2 * sum(log(p)), 2k, lower.tail = FALSE) (Fisher's method, for comparison)", "fisher_p",
      pchisq(-2 * sum(log(p)), 2 * k, lower.tail = FALSE))
}

# ---------------------------------------------------------------- lu2021 regression claims
e1 <- 11; n1 <- 27; e0 <- 3; n0 <- 26
p1 <- e1 / n1; p0 <- e0 / n0
add("lu2021 remission 11/27 vs 3/26", "(11/27) / (3/26)", "risk_ratio", p1 / p0)
add("lu2021 remission 11/27 vs 3/26", "(11 * 23) / (16 * 3)", "odds_ratio", (e1 * (n0 - e0)) / ((n1 - e1) * e0))
add("lu2021 remission 11/27 vs 3/26", "3/26", "control_rate", p0)
or_printed <- 4.38
add("lu2021 OR 4.38 at P0 = 3/26", "OR / (1 - P0 + P0 * OR)", "rr_from_or", or_printed / (1 - p0 + p0 * or_printed))
# the printed OR's rounding interval [4.375, 4.385)
add("lu2021 OR 4.38 at P0 = 3/26", "4.375 / (1 - P0 + P0 * 4.375)", "rr_from_or_low", 4.375 / (1 - p0 + p0 * 4.375))
add("lu2021 OR 4.38 at P0 = 3/26", "4.385 / (1 - P0 + P0 * 4.385)", "rr_from_or_high", 4.385 / (1 - p0 + p0 * 4.385))
add("lu2021 whole-population model", "min(14, 39) / 3", "epv", min(14, 53 - 14) / 3)
add("lu2021 MSC-group model", "min(11, 16) / 7", "epv", min(11, 27 - 11) / 7)

out <- do.call(rbind, rows)
write.csv(out, "tests/reference/additions_reference.csv", row.names = FALSE)
cat("wrote", nrow(out), "rows to tests/reference/additions_reference.csv\n")
