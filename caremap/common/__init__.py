"""Shared by every layer, importing nothing of the others: paths, labels and number formats (i18n), coordinate
systems (crs), dates, the published facts, configuration files and the Chromium flags."""
