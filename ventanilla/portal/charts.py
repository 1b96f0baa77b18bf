"""The portal's charts are drawn by ``insights.charts`` (one chart module for staff and public)."""

from ventanilla.insights.charts import Bar, bar_chart

__all__ = ["Bar", "bar_chart"]
