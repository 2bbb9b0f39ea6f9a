"""HTML pages of the referrals app (GOV.UK patterns), one module per area of work."""
