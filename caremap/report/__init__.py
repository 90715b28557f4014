"""What is shown, built from named queries: scope names, coverage analysis, charts, maps, downloadable files,
the briefing deck, the directory search, policies, masking of personal data, fonts and tile sources.
No Streamlit here: the app, the command line and the deck call the same functions."""
