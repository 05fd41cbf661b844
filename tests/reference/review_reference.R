# Reference values for tests/test_review.py (the statistical review of issues 12 and 13).
#
# Run from the repository root:  Rscript tests/reference/review_reference.R
# Writes tests/reference/review_reference.csv: case, quantity, value (17 significant digits).
# Nothing here calls Python. Inputs are the numbers printed in the papers (data/*/descriptives.csv
# quotes them verbatim); the t-test is Student's from summary statistics, by its textbook formula.

tt <- function(m1, s1, n1, m2, s2, n2) {
  sp <- sqrt(((n1 - 1) * s1^2 + (n2 - 1) * s2^2) / (n1 + n2 - 2))
  se <- sp * sqrt(1 / n1 + 1 / n2)
  2 * pt(-abs((m1 - m2) / se), n1 + n2 - 2)
}
rows <- data.frame(case = character(), quantity = character(), value = character())
add <- function(case, quantity, value) {
  rows[nrow(rows) + 1, ] <<- c(case, quantity, sprintf("%.17g", value))
}
# zang2022, Results, Efficacy, paragraph 2: "37.32 ± 19.63 versus 46.19 ± 21.85 U/day" at 32 weeks,
# printed "p > 0.05"; at the randomised n (45/46) Student's t is significant, at the completers' (37/36) not.
add("zang2022 daily insulin 32 weeks, n 45/46", "p", tt(37.32, 19.63, 45, 46.19, 21.85, 46))
add("zang2022 daily insulin 32 weeks, n 37/36", "p", tt(37.32, 19.63, 37, 46.19, 21.85, 36))
# the same paragraph at 48 weeks, printed "p < 0.05": "34.51 ± 20.19 versus 45.19 ± 21.21 U/day"
add("zang2022 daily insulin 48 weeks, n 45/46", "p", tt(34.51, 20.19, 45, 45.19, 21.21, 46))
add("zang2022 daily insulin 48 weeks, n 37/36", "p", tt(34.51, 20.19, 37, 45.19, 21.21, 36))
# "0.45 ± 0.25 versus 0.57 ± 0.26 U/kg/day, p < 0.05" at 48 weeks
add("zang2022 insulin per kg 48 weeks, n 45/46", "p", tt(0.45, 0.25, 45, 0.57, 0.26, 46))
add("zang2022 insulin per kg 48 weeks, n 37/36", "p", tt(0.45, 0.25, 37, 0.57, 0.26, 36))
# zang2022 Table 1, "Gender (male) (n (%))": "28 (62.22%) 30 (68.18%) 0.5552" under headers N = 45 and
# N = 46. 30/46 = 65.22%: the printed percentage fits 30/44, and so does the printed p (chi-squared,
# no correction). The risk difference (Wald) and ratio (Katz log) at 28/45 vs 30/44:
m <- matrix(c(28, 17, 30, 14), 2)
add("zang2022 male at baseline, 28/45 vs 30/44", "p", chisq.test(m, correct = FALSE)$p.value)
p1 <- 28 / 45; p2 <- 30 / 44; se <- sqrt(p1 * (1 - p1) / 45 + p2 * (1 - p2) / 44); z <- qnorm(0.975)
add("zang2022 male at baseline, 28/45 vs 30/44", "rd_low", 100 * (p1 - p2 - z * se))
add("zang2022 male at baseline, 28/45 vs 30/44", "rd_high", 100 * (p1 - p2 + z * se))
sl <- sqrt(1 / 28 - 1 / 45 + 1 / 30 - 1 / 44)
add("zang2022 male at baseline, 28/45 vs 30/44", "rr_low", exp(log(p1 / p2) - z * sl))
add("zang2022 male at baseline, 28/45 vs 30/44", "rr_high", exp(log(p1 / p2) + z * sl))
# lu2021, Results, Efficacy evaluation, paragraph 1: "11/27, 40.7%" vs "3/26, 11.5%": the risk ratio
# with its Katz log interval, and the risk difference with its Wald interval (sensitivity.primary_effects).
p1 <- 11 / 27; p2 <- 3 / 26; z <- qnorm(0.975)
sl <- sqrt(1 / 11 - 1 / 27 + 1 / 3 - 1 / 26); se <- sqrt(p1 * (1 - p1) / 27 + p2 * (1 - p2) / 26)
add("lu2021 remission, 11/27 vs 3/26", "rr_low", exp(log(p1 / p2) - z * sl))
add("lu2021 remission, 11/27 vs 3/26", "rr_high", exp(log(p1 / p2) + z * sl))
add("lu2021 remission, 11/27 vs 3/26", "rd_low", p1 - p2 - z * se)
add("lu2021 remission, 11/27 vs 3/26", "rd_high", p1 - p2 + z * se)
# zang2022 Table 2, 48 weeks: "20.00 4.55 0.0268": 9/45 vs 2/44 (the n the percentages fit). At the
# randomised 46 the chi-squared p stays below 0.05; with Yates' correction (R's default) it does not.
add("zang2022 primary 48 weeks, 9/45 vs 2/46", "p", chisq.test(matrix(c(9, 36, 2, 44), 2), correct = FALSE)$p.value)
add("zang2022 primary 48 weeks, 9/45 vs 2/44", "p", chisq.test(matrix(c(9, 36, 2, 42), 2), correct = FALSE)$p.value)
add("zang2022 primary 48 weeks, 9/45 vs 2/44", "p_yates", chisq.test(matrix(c(9, 36, 2, 42), 2))$p.value)
# zang2022, Results, Efficacy, paragraph 3: HbA1c at 32 weeks "7.49 ± 1.07%" vs "8.00 ± 1.18%", printed
# "p > 0.05": significant at the randomised n, not at the completers'.
add("zang2022 HbA1c 32 weeks, n 45/46", "p", tt(7.49, 1.07, 45, 8.00, 1.18, 46))
add("zang2022 HbA1c 32 weeks, n 37/36", "p", tt(7.49, 1.07, 37, 8.00, 1.18, 36))
write.csv(rows, "tests/reference/review_reference.csv", row.names = FALSE)
