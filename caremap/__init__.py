"""CareMap Shenzhen: coverage of the child-care service network, as a Streamlit dashboard over DuckDB."""

__version__ = "0.1.0"
