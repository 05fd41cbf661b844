# Independent recomputation of every p-value in data/heckmann2011 (Heckmann et al., BMC Neurol 2011).
# Run: Rscript tests/expected/heckmann2011.R  (writes tests/expected/heckmann2011.csv). Base R only.
here <- if (file.exists("common.R")) "." else "tests/expected"
source(file.path(here, "common.R"))
out <- new_rows()
alpha <- 0.05
log <- function(...) cat(sprintf(...), "\n")

# switch rule "chi-squared (or Fisher exact test)": Fisher where an expected count is below 5
switch_p <- function(m) {
  e <- outer(rowSums(m), colSums(m)) / sum(m)
  if (any(e < 5)) list(p = fisher_p(m), test = "fisher (an expected count < 5)") else list(p = chisq_p(m), test = "pearson chi-squared")
}
two <- function(a, na, b, nb) rbind(c(a, na - a), c(b, nb - b))

# t-test p verdict against a printed p with the rounding intervals of the inputs
t_claim <- function(out, id, printed, m1, s1, n1, m2, s2, n2, hm, hs, nlabel, stated = "t-test", alt_n = NULL) {
  ps <- t_p(m1, s1, n1, m2, s2, n2); pw <- t_p(m1, s1, n1, m2, s2, n2, welch = TRUE)
  rs <- t_p_range(m1, s1, n1, m2, s2, n2, hm, hs); rw <- t_p_range(m1, s1, n1, m2, s2, n2, hm, hs, welch = TRUE)
  log("%s: printed %s; student %.5f [%.5f, %.5f]; welch %.5f [%.5f, %.5f] (n = %d/%d)", id, printed, ps, rs[1], rs[2], pw, rw[1], rw[2], n1, n2)
  ms <- p_matches(ps, printed); mw <- p_matches(pw, printed)
  route <- sprintf("student t; n = %d/%d (%s)", n1, n2, nlabel)
  if (ms != "") return(add_row(out, id, printed, ps, route, "reproduced", "true",
                               sprintf("Student t gives %.4f, printed %s%s (Welch %.4f)", ps, printed, if (ms == "truncate") " by truncation only" else "", pw)))
  if (mw != "") return(add_row(out, id, printed, pw, sub("student", "welch", route), "reproduced", "true",
                               sprintf("the stated t-test as Welch gives %.4f, printed %s%s (Student %.4f)", pw, printed, if (mw == "truncate") " by truncation only" else "", ps)))
  if (!is.null(alt_n)) {
    for (k in seq_along(alt_n)) {
      a <- alt_n[[k]]
      pa <- t_p(m1, s1, a[1], m2, s2, a[2]); paw <- t_p(m1, s1, a[1], m2, s2, a[2], welch = TRUE)
      log("   alternative n %d/%d: student %.5f welch %.5f", a[1], a[2], pa, paw)
      if (p_matches(pa, printed) != "") return(add_row(out, id, printed, pa, sprintf("student t; n = %d/%d (%s)", a[1], a[2], names(alt_n)[k]), "reproduced", "false",
                                                  sprintf("Student t at n = %d/%d gives %.4f, printed %s; at the %s n %d/%d it gives %.4f", a[1], a[2], pa, printed, nlabel, n1, n2, ps)))
      ra <- t_p_range(m1, s1, a[1], m2, s2, a[2], hm, hs)
      log("   alternative n %d/%d: student range %.5f-%.5f", a[1], a[2], ra[1], ra[2])
      if (!range_matches(rs, printed) && range_matches(ra, printed))
        return(add_row(out, id, printed, pa, sprintf("student t; n = %d/%d (%s)", a[1], a[2], names(alt_n)[k]), "consistent", "false",
                       sprintf("at the %s n %d/%d Student gives %.4f (%.4f-%.4f over the rounding intervals, Welch %.4f); at n = %d/%d (%s) %.4f, and %.4f-%.4f over the rounding intervals, which contains %s",
                               nlabel, n1, n2, ps, rs[1], rs[2], pw, a[1], a[2], names(alt_n)[k], pa, ra[1], ra[2], printed)))
    }
  }
  if (range_matches(rs, printed)) return(add_row(out, id, printed, ps, route, "consistent", "true",
                                                  sprintf("Student t gives %.4f at the printed values; over the rounding intervals of the means and SDs %.4f-%.4f, which contains %s", ps, rs[1], rs[2], printed)))
  if (range_matches(rw, printed)) return(add_row(out, id, printed, pw, sub("student", "welch", route), "consistent", "true",
                                                  sprintf("Welch t gives %.4f; over the rounding intervals %.4f-%.4f, which contains %s (Student %.4f-%.4f does not)", pw, rw[1], rw[2], printed, rs[1], rs[2])))
  add_row(out, id, printed, ps, route, "inconsistent", "false",
          sprintf("no t route gives %s: Student %.4f (%.4f-%.4f over the rounding intervals), Welch %.4f (%.4f-%.4f)", printed, ps, rs[1], rs[2], pw, rw[1], rw[2]))
}

# p from a printed mean difference and its 95% CI (the arm means are in a figure only)
ci_claim <- function(out, id, printed, est, lo, hi) {
  se_z <- (hi - lo) / (2 * qnorm(0.975)); pz <- 2 * pnorm(-abs(est / se_z))
  # t with df = 23 (11 + 14 - 2, the per-protocol n at the end) as a check; df at month 10/12 not printed
  se_t <- (hi - lo) / (2 * qt(0.975, 23)); pt23 <- 2 * pt(-abs(est / se_t), 23)
  log("%s: printed %s; from CI normal %.5f, t(23) %.5f", id, printed, pz, pt23)
  for (df in 21:27) log("   df %d: %.5f", df, 2 * pt(-abs(est / ((hi - lo) / (2 * qt(0.975, df)))), df))
  if (p_matches(pt23, printed) != "")
    return(add_row(out, id, printed, pt23, "p from the printed difference and 95% CI, t with df = 23 (n = 11/14 on study drug at the end)", "reproduced", "true",
                   sprintf("the CI with a t reference (df 23) gives %.4f, printed %s (normal reference %.4f)", pt23, printed, pz)))
  if (p_matches(pz, printed) != "")
    return(add_row(out, id, printed, pz, "p from the printed difference and 95% CI, normal reference", "reproduced", "false",
                   sprintf("the CI with a normal reference gives %.4f, printed %s (t, df 23: %.4f)", pz, printed, pt23)))
  add_row(out, id, printed, pt23, "p from the printed difference and 95% CI", "consistent", "false",
          sprintf("the CI gives %.4f (t, df 23) or %.4f (normal); the CI limits are printed to 2 decimals", pt23, pz))
}

NR <- function(out, id, printed, route, reason) add_row(out, id, printed, NA, route, "not_reproducible", "", reason)

# ---- abstract
out <- ci_claim(out, "abs.prednisone.m10.p", "0.047", 10.21, 0.12, 20.21)
out <- ci_claim(out, "abs.prednisone.m12.p", "0.039", 10.89, 0.58, 21.21)
out <- t_claim(out, "abs.prednisone_kg.m12.p", "0.019", 0.31, 0.22, 11, 0.15, 0.08, 14, 0.005, 0.005, "on study drug at the end, 11/14",
               alt_n = list("allocated" = c(15, 16)))
out <- NR(out, "abs.prednisone.ns", "not significant", "t-test per month", "needs data shown only in a figure: the monthly doses per arm are not printed")

# ---- Table 1 (n = 15/16, the table's first row); footnote a: chi-squared; b: t-test
chi_claim <- function(out, id, printed, m, label) {
  p <- chisq_p(m); py <- chisq_p(m, TRUE); pf <- fisher_p(m)
  log("%s: printed %s; pearson %.5f, yates %.5f, fisher %.5f", id, printed, p, py, pf)
  if (p_matches(p, printed) != "") return(add_row(out, id, printed, p, paste("pearson chi-squared (no correction);", label), "reproduced", "true",
                                                   sprintf("Pearson chi-squared gives %.4f, printed %s", p, printed)))
  if (ncol(m) == 2 && p_matches(py, printed) != "") return(add_row(out, id, printed, py, paste("chi-squared with Yates correction;", label), "reproduced", "true",
                                                   sprintf("chi-squared with Yates correction gives %.4f, printed %s (Pearson %.4f)", py, printed, p)))
  if (p_matches(pf, printed) != "") return(add_row(out, id, printed, pf, paste("fisher exact;", label), "reproduced", "false",
                                                   sprintf("Fisher exact gives %.4f, printed %s (Pearson %.4f)", pf, printed, p)))
  pb <- unconditional_p(m[1, 1], sum(m[1, ]), m[2, 1], sum(m[2, ]), "barnard")
  pbo <- unconditional_p(m[1, 1], sum(m[1, ]), m[2, 1], sum(m[2, ]), "boschloo")
  log("   barnard %.5f, boschloo %.5f", pb, pbo)
  if (p_matches(pb, printed) != "") return(add_row(out, id, printed, pb, paste("barnard exact unconditional;", label), "reproduced", "false",
                                                    sprintf("Barnard's test gives %.4f, printed %s (Pearson %.4f)", pb, printed, p)))
  if (p_matches(pbo, printed) != "") return(add_row(out, id, printed, pbo, paste("boschloo exact unconditional;", label), "reproduced", "false",
                                                     sprintf("Boschloo's test gives %.4f, printed %s (Pearson %.4f)", pbo, printed, p)))
  add_row(out, id, printed, p, paste("pearson chi-squared (no correction);", label), "inconsistent", "false",
          sprintf("no route gives %s: Pearson %.4f, Yates %.4f, Fisher %.4f, Barnard %.4f, Boschloo %.4f", printed, p, py, pf, pb, pbo))
}
out <- chi_claim(out, "t1.sex.p", "0.45", two(9, 15, 10, 16), "females 9/15 vs 10/16; n = 15/16 (table n)")
out <- t_claim(out, "t1.age.p", "0.37", 42.7, 16.8, 15, 47.9, 14.8, 16, 0.05, 0.05, "table n")
out <- t_claim(out, "t1.weight.p", "0.98", 77.1, 21.2, 15, 76.9, 23.0, 16, 0.05, 0.05, "table n")
mg <- rbind(c(9, 2, 4), c(10, 3, 3))
p <- chisq_p(mg); pf <- fisher_p(mg); log("t1.mg_type.p: r x k chi-squared %.5f, fisher-freeman-halton %.5f", p, pf)
out <- add_row(out, "t1.mg_type.p", "0.83", p, "r x k pearson chi-squared on 2 x 3 (AChR+/thymoma/AChR-) 9/2/4 vs 10/3/3; n = 15/16 (table n)",
               if (p_matches(p, "0.83") != "") "reproduced" else if (p_matches(pf, "0.83") != "") "reproduced" else "inconsistent",
               if (p_matches(p, "0.83") != "") "true" else "false",
               sprintf("2 x 3 chi-squared without correction gives %.4f, printed 0.83 (Fisher-Freeman-Halton %.4f)", p, pf))
out <- t_claim(out, "t1.symptom_duration.p", "0.51", 10.3, 10.6, 15, 7.5, 13.0, 16, 0.05, 0.05, "table n")
out <- chi_claim(out, "t1.prednisone_prestudy.p", "0.74", two(12, 15, 12, 16), "12/15 vs 12/16; n = 15/16 (table n)")
out <- t_claim(out, "t1.prednisone_duration.p", "0.63", 1.5, 1.8, 15, 1.3, 1.1, 16, 0.05, 0.05, "table n")
out <- t_claim(out, "t1.cumulative_prednisone.p", "0.79", 1170, 1768, 15, 1032, 1117, 16, 0.5, 0.5, "table n")

# ---- Results
out <- t_claim(out, "res.symptom_duration.p", "0.51", 10.3, 10.6, 15, 7.5, 13.0, 16, 0.05, 0.05, "table n")
out <- NR(out, "res.prednisone.ns", "not significant", "t-test per month", "needs data shown only in a figure: the monthly doses per arm are not printed")
out <- ci_claim(out, "res.prednisone.m10.p", "0.047", 10.21, 0.12, 20.21)
out <- ci_claim(out, "res.prednisone.m12.p", "0.039", 10.89, 0.58, 21.21)
for (tp in c("m11", "m13", "m14"))
  out <- NR(out, paste0("res.prednisone.m11_m13_m14.p@", tp), "0.078", "t-test", "needs data shown only in a figure: the monthly doses per arm are not printed")
out <- t_claim(out, "res.prednisone_kg.m12.p", "0.019", 0.31, 0.22, 11, 0.15, 0.08, 14, 0.005, 0.005, "on study drug at the end, 11/14",
               alt_n = list("allocated" = c(15, 16)))

# ---- Table 2 footnote "p > 0.05 for all comparisons"
for (tp in c("baseline", "m6", "m12", "m18", "m24")) {
  out <- NR(out, paste0("t2.qmgs.ns@", tp), "> 0.05", "Mann-Whitney (non-parametric, Methods)", "rank test: needs the individual scores")
  out <- NR(out, paste0("t2.mgadl.ns@", tp), "> 0.05", "Mann-Whitney", "rank test: needs the individual scores")
}
mms <- list(m6 = c(2, 3), m12 = c(4, 5), m18 = c(5, 5), m24 = c(7, 9))
bound_claim <- function(out, id, m, label) {
  s <- switch_p(m); pc <- chisq_p(m); pf <- fisher_p(m)
  log("%s: switch rule %s %.5f (pearson %.5f, fisher %.5f)", id, s$test, s$p, pc, pf)
  ok <- s$p > alpha
  add_row(out, id, "> 0.05", s$p, sprintf("%s; %s", s$test, label), if (ok) "reproduced" else "inconsistent", if (ok) "true" else "false",
          sprintf("%s p = %.3g %s 0.05 (Pearson %.3g, Fisher %.3g)", s$test, s$p, if (ok) ">" else "<", pc, pf))
}
for (tp in names(mms)) out <- bound_claim(out, paste0("t2.mms.ns@", tp), two(mms[[tp]][1], 15, mms[[tp]][2], 16),
                                          sprintf("%d/15 vs %d/16 (printed denominators)", mms[[tp]][1], mms[[tp]][2]))
out <- bound_claim(out, "t2.ae_withdrawal.ns", two(2, 15, 2, 16), "2/15 vs 2/16 (printed denominators, 0-6 months)")
out <- bound_claim(out, "t2.relapse.ns@m6", two(4, 15, 3, 16), "4/15 vs 3/16 (printed denominators, 0-6 months)")
out <- bound_claim(out, "t2.relapse.ns@m12", two(2, 13, 0, 14), "2/13 vs 0/14 (printed denominators, 6-12 months)")
for (tp in c("m6", "m12", "m18", "m24"))
  out <- NR(out, paste0("res.qmgs_change.p@", tp), "0.40", "Mann-Whitney (non-parametric, Methods)", "needs individual data: the per-patient changes are not published")
out <- chi_claim(out, "res.sustained_mms.p", "0.83", two(7, 15, 9, 16), "7/15 vs 9/16; n = 15/16 (all subjects, Methods)")
out <- NR(out, "res.time_to_mms.p", "0.97", "Mann-Whitney (medians, IQR)", "rank test: needs the individual times")
out <- NR(out, "res.time_to_failure.p", "0.99", "not named (time to event)", "data not shown")
out <- NR(out, "res.weight_followup.p", "0.40", "not named", "data not shown: the 3-monthly weights are not printed")
out <- t_claim(out, "res.pyridostigmine.p", "0.56", 176, 136, 11, 150, 103, 14, 0.5, 0.5, "on study drug at the end, 11/14",
               alt_n = list("allocated" = c(15, 16)))
# prednisone per kg at month 12: the n is not printed with it; 11/14 are those on study drug at the
# end (the completers' n), not a table n, so the reproducing route is not "as stated at the table n"
for (id in c("abs.prednisone_kg.m12.p", "res.prednisone_kg.m12.p")) {
  i <- out$claim_id == id
  p1516 <- t_p(0.31, 0.22, 15, 0.15, 0.08, 16)
  out$expected_as_stated[i] <- "false"
  out$reason[i] <- sprintf("Student t at the completers' n 11/14 (on study drug at the end; n not printed with the p) gives %.4f, printed 0.019; at the allocated 15/16 it gives %.4f", t_p(0.31, 0.22, 11, 0.15, 0.08, 14), p1516)
}
for (id in c("abs.prednisone.m10.p", "res.prednisone.m10.p", "abs.prednisone.m12.p", "res.prednisone.m12.p")) {
  i <- out$claim_id == id
  out$reason[i] <- paste(out$reason[i], "; any df from 21 to 27 gives the same printed p (the per-protocol n at that month is not printed)")
}
write.csv(out, file.path(here, "heckmann2011.csv"), row.names = FALSE)
print(out[, c("claim_id", "reported", "independent_p", "expected_verdict", "expected_as_stated")])
print(table(out$expected_verdict))
