"""Themes: which subjects each finding and recommendation makes a point about.

features (what the model reads) -> classifier (a trained linear model as plain arrays:
tags, with why) -> tagger (the model, plus cue words for themes it has no say on) ->
store (the model in use, training a new one, writing tags). training (scikit-learn) and
examples (the labelled set and curators' corrections) make a model; evaluation measures one.
cues is the cue-word matching kept for new themes and as a feature.
"""
