"""Frameworks and crosswalks: laws, funding conditions and item-to-item maps over rubric answers.

A *framework* (``frameworks/*.yaml``) is a state law or a funding condition broken into
requirements, each with its own citation, source and a rule over rubric items; a *crosswalk*
(``frameworks/crosswalks/*.yaml``) pairs the items of two rubrics, or of two versions of one
rubric, that ask the same thing. Pure like ``rubrics`` and ``scoring`` (no Flask, no database):
``model`` (the frozen trees), ``framework_reader`` / ``crosswalk_reader`` (normalise and check
one document), ``loader`` (files and folders, located errors), ``evaluate`` (met / partly /
not met / cannot tell).
"""
