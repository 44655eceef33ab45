"""Judgement: exceptions, branch protection, thresholds, custom Rego policy and the gate."""
