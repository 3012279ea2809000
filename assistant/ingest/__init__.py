"""The ingest room: the corpus folder and uploads to a new index generation. Loaders and PDF layout,
chunking into passages and answer units, the instruction screen, the indexer that writes through the
store room, and the uploads folder. The `Engine` runs it (`ingest`, `save_upload`, `remove_upload`)."""
