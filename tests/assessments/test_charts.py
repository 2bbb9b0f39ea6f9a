"""The chart is a pure function: an accessible SVG with the same figures the table shows."""

from __future__ import annotations

from xml.etree import ElementTree

from assessments.charts import results_chart

NS = "{http://www.w3.org/2000/svg}"
ROW = {
    "code": "CDS",
    "name": "Cognitive <distortions>",
    "score_min": 15,
    "score_max": 75,
    "normal_range": {"low": 15, "high": 36},
    "pre": 50,
    "post": 22,
    "change": {"classification_label": "Recovered"},
}


def test_the_chart_is_valid_accessible_svg_with_text_labels():
    svg = results_chart(
        [ROW, {**ROW, "code": "SE", "name": "Self-esteem", "post": None, "change": None}], illustrative=True
    )
    root = ElementTree.fromstring(svg)  # well-formed XML: names are escaped
    assert root.get("role") == "img" and root.get("aria-labelledby") == "psy-chart-title psy-chart-desc"
    assert root.find(f"{NS}title").text == "Psychometric results"
    desc = root.find(f"{NS}desc").text
    assert "illustrative norms" in desc
    assert (
        "Cognitive <distortions> (range 15 to 75): normal range 15 to 36; pre 50, post 22, recovered." in desc
    )
    texts = [t.text for t in root.iter(f"{NS}text")]
    assert (
        "Cognitive <distortions>" in texts
        and "Self-esteem" in texts
        and "Normal range (illustrative)" in texts
    )
    assert len(root.findall(f".//{NS}circle")) == 3  # the legend's and one pre per scale
    assert svg.count("Post-programme 22") == 1


def test_the_chart_without_scores_says_so():
    root = ElementTree.fromstring(results_chart([]))
    assert "No scores recorded yet." in root.find(f"{NS}desc").text
