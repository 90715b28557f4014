"""Everything that touches Streamlit: URL state, the sidebar, page furniture, downloads, auth, presenter.

Importing this package makes labels follow the session's URL language (?lang=en); the layers below it
(report, ingest, store, common) never import Streamlit.
"""

from caremap.app import urlstate
from caremap.common import i18n

i18n.set_language_source(urlstate.url_language)
