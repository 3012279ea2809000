"""The store room: the Chroma client and the index's generations (`chroma`), and the file locks
that keep two writers apart (`locks`). Only the `Engine` and the ingest room write through it."""
