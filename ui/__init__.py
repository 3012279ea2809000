"""The Streamlit front end: page scripts (`*_page.py`, run by `app.py`) and the small modules they share.

Pages only call `assistant` and `ingest` functions; nothing here re-implements retrieval or answering.
"""
