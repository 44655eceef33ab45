"""The license control: dependency licenses as SPDX expressions, judged by category and by
the allow, deny and review lists of ``[controls.licenses]``."""
