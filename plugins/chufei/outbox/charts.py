"""The charts of a form, drawn by openpyxl under the form's notes.

A reader compares months and districts, so: straight lines between the monthly points (never
smoothed curves, which swing between them), the category axis at the bottom whatever the sign of
the values, category labels set at 45° where they are long, and each chart on a page of its own
(a manual page break before each), sized to fit inside one A4 landscape page.
"""

from __future__ import annotations

from chufei.statistics.forms import StatForm

CHART_WIDTH_CM = 24.0
CHART_HEIGHT_CM = 12.0
ROW_PT = 15.0
# Rows of ROW_PT reserved for a chart: a little more than its height, less than a page's.
CHART_ROWS = int(CHART_HEIGHT_CM / 2.54 * 72 / ROW_PT) + 2


def _label_text(font: str, size: int, rotate: bool = False):
    from openpyxl.chart.text import RichText
    from openpyxl.drawing.text import CharacterProperties, Font, Paragraph, ParagraphProperties, RichTextProperties

    characters = CharacterProperties(sz=size * 100, latin=Font(typeface=font), ea=Font(typeface=font))
    return RichText(bodyPr=RichTextProperties(rot=-2700000 if rotate else 0, vert="horz"),
                    p=[Paragraph(pPr=ParagraphProperties(defRPr=characters), endParaRPr=characters)])


def add_charts(sheet, form: StatForm, first_row: int, last_row: int, after_row: int, font: str) -> None:
    """Each of ``form.charts`` over body rows first_row..last_row (合计 excluded), one per page
    from the row after ``after_row`` on, labelled in ``font`` (the form's)."""
    from openpyxl.chart import BarChart, LineChart, Reference, Series
    from openpyxl.worksheet.pagebreak import Break

    anchor = after_row + 1
    for spec in form.charts:
        sheet.row_breaks.append(Break(id=anchor - 1))
        for row in range(anchor, anchor + CHART_ROWS):
            sheet.row_dimensions[row].height = ROW_PT
        chart = LineChart() if spec.kind == "line" else BarChart()
        if spec.kind == "bar":
            chart.type, chart.grouping = "col", "clustered"
        chart.title, chart.y_axis.title = spec.title, spec.y_title
        chart.width, chart.height = CHART_WIDTH_CM, CHART_HEIGHT_CM
        chart.legend.position = "b"
        for index in spec.series:
            values = Reference(sheet, min_col=index + 1, min_row=first_row, max_row=last_row)
            column = form.columns[index]
            series = Series(values, title=column.label if column.group == column.label else
                            f"{column.group.split('(')[0]}·{column.label}")
            if spec.kind == "line":
                series.smooth = False
                series.marker.symbol = "circle"
            chart.series.append(series)
        chart.set_categories(Reference(sheet, min_col=spec.category + 1, min_row=first_row, max_row=last_row))
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.x_axis.tickLblPos = "low"  # at the bottom, even under negative values
        chart.x_axis.txPr = _label_text(font, 9, spec.rotate_labels)
        chart.y_axis.txPr = _label_text(font, 9)
        sheet.add_chart(chart, f"A{anchor}")
        anchor += CHART_ROWS + 1
