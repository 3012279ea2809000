"""The chat room: the app's own SQLite stores, conversations and feedback; apart from the index."""
