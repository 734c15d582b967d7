"""What the theme commands print: an evaluation as a table."""

from __future__ import annotations


def _figure(value) -> str:
    return "   -" if value is None else f"{value:.2f}"


def write_evaluation(stdout, evaluation: dict, examples: dict | None = None) -> None:
    """Precision, recall and F1 per theme, then micro and macro averages."""
    stdout.write(
        f"Evaluation part: {evaluation['paragraphs']} paragraphs of councils never trained on."
    )
    header = f"{'theme':28} {'precision':>9} {'recall':>6} {'F1':>5} {'support':>7}"
    if examples is not None:
        header += f" {'examples':>8}"
    stdout.write(header)
    for slug, scores in evaluation["themes"].items():
        line = (
            f"{slug:28} {_figure(scores['precision']):>9} {_figure(scores['recall']):>6} "
            f"{_figure(scores['f1']):>5} {scores['support']:>7}"
        )
        if examples is not None:
            counts = examples.get(slug, {})
            line += f" {counts.get('labelled', 0) + counts.get('curated', 0):>8}"
        stdout.write(line)
    micro, macro = evaluation["micro"], evaluation["macro"]
    stdout.write(
        f"{'micro average':28} {_figure(micro['precision']):>9} {_figure(micro['recall']):>6} "
        f"{_figure(micro['f1']):>5} {micro['support']:>7}"
    )
    stdout.write(
        f"{'macro average':28} {_figure(macro['precision']):>9} {_figure(macro['recall']):>6} "
        f"{_figure(macro['f1']):>5}"
    )
