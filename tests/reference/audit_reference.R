# Reference values for tests/test_routes.py (the audit's routes and coverage), computed with base R.
#
# Run from the repository root:  Rscript tests/reference/audit_reference.R
# Writes tests/reference/audit_reference.csv: case, value (17 significant digits), r_source.
# Nothing here calls Python. Installed from Debian: r-base-core.

rows <- data.frame(case = character(), value = character(), r_source = character())
add <- function(case, value, src) {
  rows[nrow(rows) + 1, ] <<- list(case, sprintf("%.17g", value), src)
}
# Student's two-sample t-test from summaries (base R's t.test needs the data): the textbook formula
student <- function(m1, s1, n1, m2, s2, n2) {
  sp <- sqrt(((n1 - 1) * s1^2 + (n2 - 1) * s2^2) / (n1 + n2 - 2))
  t <- (m1 - m2) / (sp * sqrt(1 / n1 + 1 / n2))
  2 * pt(-abs(t), n1 + n2 - 2)
}

# A. mean +- SEM: SD = SEM * sqrt(n); 10.0 +- 0.50 (n = 25) vs 11.6 +- 0.60 (n = 25)
add("sem_student", student(10.0, 0.50 * 5, 25, 11.6, 0.60 * 5, 25), "student(10, 0.5*sqrt(25), 25, 11.6, 0.6*sqrt(25), 25)")
add("sem_as_sd_student", student(10.0, 0.50, 25, 11.6, 0.60, 25), "the SEMs wrongly taken as SDs")

# B. a row of three categories: arm a 10/20/15 (n = 45), arm b 18/12/16 (n = 46)
m <- rbind(c(10, 20, 15), c(18, 12, 16))
add("rxk_chi2", chisq.test(m, correct = FALSE)$p.value, "chisq.test(rbind(c(10,20,15), c(18,12,16)))")
add("rxk_fisher", fisher.test(m)$p.value, "fisher.test(rbind(c(10,20,15), c(18,12,16)))")
m2 <- rbind(c(3, 5, 7), c(6, 2, 1))
add("rxk_small_fisher", fisher.test(m2)$p.value, "fisher.test(rbind(c(3,5,7), c(6,2,1)))")
m3 <- rbind(c(1, 0, 4, 2), c(0, 3, 1, 5))
add("rxk_2x4_fisher", fisher.test(m3)$p.value, "fisher.test(rbind(c(1,0,4,2), c(0,3,1,5)))")

# D. one population per comparison: 20 and 10 events; assigned 50/50, analysed 40/40
tab <- function(k1, n1, k2, n2) matrix(c(k1, n1 - k1, k2, n2 - k2), 2, byrow = TRUE)
add("mixed_chi2", chisq.test(tab(20, 50, 10, 40), correct = FALSE)$p.value, "chisq.test(20/50 vs 10/40) (mixed n)")
for (n in c(40, 50)) {
  t <- tab(20, n, 10, n)
  add(sprintf("same_%d_chi2", n), chisq.test(t, correct = FALSE)$p.value, sprintf("chisq.test(20/%d vs 10/%d)", n, n))
  add(sprintf("same_%d_yates", n), chisq.test(t, correct = TRUE)$p.value, sprintf("chisq.test(correct=TRUE) %d", n))
  add(sprintf("same_%d_fisher", n), fisher.test(t)$p.value, sprintf("fisher.test(20/%d vs 10/%d)", n, n))
}

# E. the paper names Fisher's test, the chi-squared test gives the printed p: 9/45 vs 2/44
add("named_fisher_chi2", chisq.test(tab(9, 45, 2, 44), correct = FALSE)$p.value, "chisq.test(9/45 vs 2/44)")
add("named_fisher_fisher", fisher.test(tab(9, 45, 2, 44))$p.value, "fisher.test(9/45 vs 2/44)")
add("named_fisher_yates", chisq.test(tab(9, 45, 2, 44), correct = TRUE)$p.value, "chisq.test(correct=TRUE) 9/45 vs 2/44")

# E2. the switch rule: 4/45 vs 1/44 has an expected count below 5 (2.47), so the rule applies Fisher
add("rule_fisher", fisher.test(tab(4, 45, 1, 44))$p.value, "fisher.test(4/45 vs 1/44)")
add("rule_chi2", chisq.test(tab(4, 45, 1, 44), correct = FALSE)$p.value, "chisq.test(4/45 vs 1/44)")

# F. a table's n binds: 5.2 +- 1.1 vs 5.8 +- 1.3 at the table's 50/50 and the completers' 40/40
add("table_n_50", student(5.2, 1.1, 50, 5.8, 1.3, 50), "student(5.2, 1.1, 50, 5.8, 1.3, 50)")
add("table_n_40", student(5.2, 1.1, 40, 5.8, 1.3, 40), "student(5.2, 1.1, 40, 5.8, 1.3, 40)")

# G. one p printed for two visits: w1 7.0 +- 1.0 vs 8.0 +- 1.0; w2 7.0 +- 1.0 vs 7.2 +- 1.0 (50/50)
add("visit_w1", student(7.0, 1.0, 50, 8.0, 1.0, 50), "student(7, 1, 50, 8, 1, 50)")
add("visit_w2", student(7.0, 1.0, 50, 7.2, 1.0, 50), "student(7, 1, 50, 7.2, 1, 50)")

write.csv(rows, "tests/reference/audit_reference.csv", row.names = FALSE)
