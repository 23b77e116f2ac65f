"""Hand-written references: what minigrad's autograd replaces, kept to check it against."""
