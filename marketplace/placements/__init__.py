"""Placements that count for credit: what an accepted individual offer becomes, and everything a
state's work-based-learning manual asks the school to keep about it.

The package's modules, one part each: `plans` (what an agreement starts from), `records` (opening
a placement and changing its agreement), `signing` (signatures, in the app and by link), `links`
(the personal links of people without an account), `consent` (a guardian's consent to an offer
by link), `hours` (logging, verifying, locking), `evaluations` (rubric, reflection, rating, site
visits), `completion` (completing and the certificate), `documents` (the PDFs) and `rules` (who
sees and does what). Each change is made with a conditional UPDATE where two people could race.
"""
