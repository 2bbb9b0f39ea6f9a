"""Pure rules for quality assurance, programme statistics and outcomes: no Django imports, plain values in and out."""
