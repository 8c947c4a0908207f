"""`{% load charts %}{% chart chart %}`: a `dashboards.charts.Chart` as a figure with its text alternative and data
table (`templates/dashboards/includes/chart.html`). The same tag serves pages and the commission PDFs."""

from django import template

register = template.Library()


@register.inclusion_tag("dashboards/includes/chart.html")
def chart(chart):
    return {"chart": chart}
